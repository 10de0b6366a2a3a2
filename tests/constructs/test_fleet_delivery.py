"""FleetContributorDelivery: the fleet's contributors reach the function through the documented EventBridge
event, only those of the guard's own critical fleet alarms going to ALARM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_guard_policy import contract
from ses_reputation_guard import GuardValidationError
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.fleet_delivery import (
    FleetContributorDelivery,
    FleetContributorDeliveryProps,
    contributor_event_pattern,
)
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, TAGS, jsonencoded, resources, synthesized

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
