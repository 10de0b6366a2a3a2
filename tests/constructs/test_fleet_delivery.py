"""FleetContributorDelivery: the fleet's contributors reach the function through the documented EventBridge
event, only those of the guard's own critical fleet alarms going to ALARM; and the three delivery choices on a
whole guard (FleetAlarmInvocation, delivery ``alarm-action``, on its own: test_fleet_alarm_invocation.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_guard_policy import contract
from ses_reputation_guard import FleetPolicy, GuardValidationError, ReputationGuard, ReputationGuardProps
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.fleet_delivery import (
    FleetContributorDelivery,
    FleetContributorDeliveryProps,
    contributor_event_pattern,
)
from tests.constructs.support import (
    ACCOUNT,
    CONTEXT,
    PREFIX,
    REGION,
    TAGS,
    jsonencoded,
    resources,
    statement,
    synthesized,
)

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-pause"
CRITICAL = [f"{PREFIX}-fleet-bounce-critical", f"{PREFIX}-fleet-complaint-critical"]
EVENTS = Path(__file__).parents[1] / "events"


def delivery(stack, **props) -> FleetContributorDelivery:
    return FleetContributorDelivery(
        stack,
        "fleet_delivery",
        CONTEXT,
        FleetContributorDeliveryProps(
            **{"alarm_names": CRITICAL, "function_arn": FUNCTION_ARN, "function_name": f"{PREFIX}-pause", **props}
        ),
    )


def matches(pattern: dict, event: dict) -> bool:
    """EventBridge's matching for the pattern's shape: every pattern field (lists of exact values, nested
    objects) matches the event's value, or one of its values when the event's value is a list."""
    for key, wanted in pattern.items():
        if key not in event:
            return False
        value = event[key]
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif not any(v in wanted for v in (value if isinstance(value, list) else [value])):
            return False
    return True


def test_the_rule_matches_the_contributor_events_of_the_guards_critical_fleet_alarms_going_to_alarm(stack):
    delivery(stack)
    rule = resources(synthesized(stack), "aws_cloudwatch_event_rule")["guard_fleet_contributors"]
    assert rule["name"] == f"{PREFIX}-fleet-contributors"
    assert rule["tags"] == {**TAGS, COMPONENT_TAG: "fleet-contributor-rule"}
    arns = [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}" for name in CRITICAL]
    assert jsonencoded(rule["event_pattern"]) == {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm Contributor State Change"],
        "resources": arns,
        "detail": {"state": {"value": ["ALARM"]}},
    }


def test_the_pattern_matches_the_documented_example_event_and_nothing_else_of_cloudwatch():
    """The fixture is the CloudWatch User Guide's "Alarm Contributor Example" with the guard's values."""
    event = json.loads((EVENTS / "eventbridge_fleet_contributor_state_change.json").read_text())
    pattern = contributor_event_pattern(event["resources"])
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:other"]})
    assert not matches(pattern, {**event, "detail": {**event["detail"], "state": {"value": "OK"}}})
    for other in ("eventbridge_alarm_state_change.json", "eventbridge_alarm_configuration_change.json"):
        assert not matches(pattern, {**json.loads((EVENTS / other).read_text()), "resources": event["resources"]})
    assert pattern["detail-type"] == [contract.DETAIL_TYPE_CONTRIBUTOR_STATE_CHANGE]


def test_the_function_is_the_target_and_only_this_rule_may_invoke_it(stack):
    delivery(stack)
    config = synthesized(stack)
    target = resources(config, "aws_cloudwatch_event_target")["guard_fleet_contributors_target"]
    assert (target["arn"], target["rule"]) == (
        FUNCTION_ARN,
        "${aws_cloudwatch_event_rule.guard_fleet_contributors.name}",
    )
    assert target["depends_on"] == ["aws_lambda_permission.guard_fleet_invoke_permission"]
    assert not {"input", "input_path", "input_transformer"} & set(target)  # the event itself, as documented
    permission = resources(config, "aws_lambda_permission")["guard_fleet_invoke_permission"]
    assert permission["principal"] == "events.amazonaws.com"
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.guard_fleet_contributors.arn}"
    assert permission["statement_id"] == "AllowGuardFleetContributorRule"


def test_a_delivery_known_only_at_plan_time_is_counted(stack):
    enabled = Token.as_any(TerraformVariable(stack, "eventbridge", type="bool").value)
    delivery(stack, enabled=enabled)
    config = synthesized(stack)
    rule = resources(config, "aws_cloudwatch_event_rule")["guard_fleet_contributors"]
    target = resources(config, "aws_cloudwatch_event_target")["guard_fleet_contributors_target"]
    assert rule["count"] == target["count"] == "${var.eventbridge ? 1 : 0}"
    assert target["rule"] == "${aws_cloudwatch_event_rule.guard_fleet_contributors[0].name}"


def test_disabled_creates_nothing(stack):
    assert delivery(stack, enabled=False).rule is None
    assert "resource" not in synthesized(stack)


def test_no_alarm_to_deliver_from_is_refused(stack):
    with pytest.raises(GuardValidationError, match="no critical fleet alarm"):
        delivery(stack, alarm_names=[])


# --- the three delivery choices on a whole guard: resources, actions, permissions, environment ------------


def guard_config(stack, delivery: str) -> dict:
    ReputationGuard(
        stack,
        "guard",
        ReputationGuardProps(
            name_prefix="gg", notification_emails=["ops@example.com"], fleet_policy=FleetPolicy(delivery=delivery)
        ),
    )
    return synthesized(stack)


def pause_topic_sources(config: dict) -> list[str]:
    allow = statement(config, "guard_pause_topic_policy_document", "GuardAlarmsOfThisAccountPublish")
    [sources] = [c["values"] for c in allow["condition"] if c["variable"] == "aws:SourceArn"]
    return sources


NOTIFICATIONS = "${aws_sns_topic.guard_notifications_topic.arn}"
PAUSE_TOPIC = "${aws_sns_topic.guard_pause_topic.arn}"
GUARD_FUNCTION_ARN = (
    "arn:${data.aws_partition.guard_partition.partition}:lambda:${data.aws_region.guard_region.name}:"
    "${data.aws_caller_identity.guard_caller.account_id}:function:gg-pause"
)


@pytest.mark.parametrize(
    ("delivery", "critical_actions", "rule", "alarm_permissions", "accepted", "fleet_on_pause_topic"),
    [
        ("eventbridge", [NOTIFICATIONS], True, 0, "eventbridge", False),
        ("sns", [PAUSE_TOPIC, NOTIFICATIONS], False, 0, None, True),
        ("alarm-action", [GUARD_FUNCTION_ARN, NOTIFICATIONS], False, 2, "alarm-action", False),
    ],
)
def test_each_delivery_reaches_the_function_by_one_path_only(
    stack, delivery, critical_actions, rule, alarm_permissions, accepted, fleet_on_pause_topic
):
    config = guard_config(stack, delivery)
    alarms = resources(config, "aws_cloudwatch_metric_alarm")
    for metric in ("bounce", "complaint"):
        assert alarms[f"guard_fleet_{metric}_critical"]["alarm_actions"] == critical_actions
        assert alarms[f"guard_fleet_{metric}_warning"]["alarm_actions"] == [NOTIFICATIONS]
    assert ("aws_cloudwatch_event_rule" in config["resource"]) is rule
    permissions = resources(config, "aws_lambda_permission")
    by_alarm = [p for p in permissions.values() if p["principal"] == contract.PRINCIPAL_ALARM_ACTION]
    assert len(by_alarm) == alarm_permissions
    assert [p["principal"] for p in permissions.values()].count("events.amazonaws.com") == (1 if rule else 0)
    [function] = resources(config, "aws_lambda_function").values()
    assert function["environment"]["variables"].get(contract.ENV_ACCEPTED_SOURCES) == accepted
    assert any(":alarm:gg-fleet-" in arn for arn in pause_topic_sources(config)) is fleet_on_pause_topic


def test_with_alarm_action_each_critical_fleet_alarm_waits_for_its_own_permission(stack):
    config = guard_config(stack, "alarm-action")
    alarms = resources(config, "aws_cloudwatch_metric_alarm")
    permissions = resources(config, "aws_lambda_permission")
    for metric in ("bounce", "complaint"):
        address = f"guard_fleet_{metric}_alarm_invoke_permission"
        assert alarms[f"guard_fleet_{metric}_critical"]["depends_on"] == [f"aws_lambda_permission.{address}"]
        assert permissions[address]["source_arn"].endswith(f":alarm:gg-fleet-{metric}-critical")
        assert permissions[address]["source_account"] == "${data.aws_caller_identity.guard_caller.account_id}"
        assert permissions[address]["function_name"] == "${aws_lambda_function.guard_function.function_name}"
