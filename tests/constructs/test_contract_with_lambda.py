"""The alarms the constructs synthesize lead the Lambda to the right decision.

Ties both sides of docs/design.md together: alarm names, dimensions and tags are taken from a
synthesized guard (``each.key`` / ``each.value`` substituted from its normalized set records),
turned into a CloudWatch notification, and run through the Lambda's own parser and decision rule.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ses_guard_lambda.config import GuardConfig
from ses_guard_lambda.decision import IGNORE, PAUSE_ACCOUNT, PAUSE_CONFIGURATION_SET, Context, verdict
from ses_guard_lambda.events import parse_sns_message
from ses_guard_policy import contract
from ses_reputation_guard import AccountPolicy, ConfigurationSetPolicy, ReputationGuard, ReputationGuardProps
from tests.constructs.support import resources, synthesized

ACCOUNT = "123456789012"
REGION = "us-east-1"
PAUSE_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:ses-guard-sets-pause"


def substitute(value: Any, key: str, record: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: substitute(v, key, record) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    value = re.sub(r"\$\{try\([^}]*each\.key\)\}", key, value)
    value = value.replace("${each.key}", key)
    return re.sub(r"\$\{each\.value\.(\w+)\}", lambda m: str(record[m.group(1)]), value)


def notification(alarm: dict[str, Any]) -> dict[str, Any]:
    dimensions = [{"name": k, "value": v} for k, v in alarm.get("dimensions", {}).items()]
    return {
        "AlarmName": alarm["alarm_name"],
        "AlarmArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{alarm['alarm_name']}",
        "AWSAccountId": ACCOUNT,
        "NewStateValue": "ALARM",
        "OldStateValue": "OK",
        "NewStateReason": "Threshold Crossed: 1 datapoint [0.09] was greater than or equal to the threshold.",
        "StateChangeTime": "2026-11-28T01:00:00.000+0000",
        "Region": "US East (N. Virginia)",
        "Trigger": {
            "MetricName": alarm["metric_name"],
            "Namespace": alarm["namespace"],
            "Statistic": "MAXIMUM",
            "Dimensions": dimensions,
            "Period": 3600,
            "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "Threshold": 0.04,
        },
    }


def decision_for(alarm: dict[str, Any], tags: dict[str, str]) -> Any:
    config = GuardConfig(name_prefix="ses-guard-sets", pause_topic_arn=PAUSE_TOPIC, report_topic_arn="arn:report")
    event = parse_sns_message(notification(alarm), topic_arn=PAUSE_TOPIC)
    return verdict(event, tags, config, Context(account_id=ACCOUNT, region=REGION))


def guard_alarms(stack: Any, props: ReputationGuardProps) -> tuple[dict[str, Any], dict[str, Any]]:
    """The guard's alarm blocks and its normalized set records."""
    guard = ReputationGuard(stack, "guard", props)
    return resources(synthesized(stack), "aws_cloudwatch_metric_alarm"), guard.props.normalized_configuration_sets()


PER_SET = ReputationGuardProps(
    name_prefix="ses-guard-sets",
    notification_emails=["ops@example.com"],
    account_policy=AccountPolicy(action="notify"),
    configuration_sets={
        "marketing": ConfigurationSetPolicy(action="pause"),
        "transactional": ConfigurationSetPolicy(action="notify"),
        "partner-digest": ConfigurationSetPolicy(action="pause", managed=False),
    },
)


@pytest.mark.parametrize("metric", ["bounce", "complaint"])
def test_synthesized_set_alarms_pause_exactly_the_sets_whose_policy_pauses(stack, metric):
    alarms, sets = guard_alarms(stack, PER_SET)
    template = alarms[f"guard_set_{metric}_critical"]
    outcomes = {}
    for name, record in sets.items():
        alarm = substitute(template, name, record)
        decision = decision_for(alarm, alarm["tags"])
        outcomes[name] = (decision.action, decision.target.configuration_set if decision.target else None)
    assert outcomes == {
        "marketing": (PAUSE_CONFIGURATION_SET, "marketing"),
        "partner-digest": (PAUSE_CONFIGURATION_SET, "partner-digest"),  # existing set: still pausable
        "transactional": (IGNORE, None),  # notify-only: protected
    }


def test_synthesized_set_warning_alarms_never_pause(stack):
    alarms, sets = guard_alarms(stack, PER_SET)
    template = alarms["guard_set_bounce_warning"]
    for name, record in sets.items():
        alarm = substitute(template, name, record)
        assert decision_for(alarm, alarm["tags"]).action == IGNORE


def test_synthesized_account_critical_alarm_pauses_the_account(stack):
    alarms, _ = guard_alarms(
        stack, ReputationGuardProps(name_prefix="ses-guard", notification_emails=["ops@example.com"])
    )
    alarm = alarms["guard_account_bounce_critical"]
    config = GuardConfig(
        name_prefix="ses-guard", pause_topic_arn=PAUSE_TOPIC.replace("-sets", ""), report_topic_arn="arn:r"
    )
    event = parse_sns_message(notification(alarm), topic_arn=config.pause_topic_arn)
    decision = verdict(event, alarm["tags"], config, Context(account_id=ACCOUNT, region=REGION))
    assert decision.action == PAUSE_ACCOUNT
    assert alarm["tags"][contract.TAG_GUARD] == "ses-guard"
