"""SweepSchedule: the schedule that starts a sweep run (no input), its invoke permission, and the state table."""

from __future__ import annotations

import pytest

from ses_guard_policy import rules
from ses_reputation_guard import GuardValidationError
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.sweep_schedule import (
    SweepSchedule,
    SweepScheduleProps,
    sweep_state_table_arn,
    sweep_state_table_name,
)
from tests.constructs.support import ACCOUNT, CONTEXT, KEY_ARN, PREFIX, REGION, TAGS, resources, synthesized

FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-pause"
FUNCTION_NAME = f"{PREFIX}-pause"


def schedule(stack, **props) -> SweepSchedule:
    return SweepSchedule(
        stack,
        "sweep",
        CONTEXT,
        SweepScheduleProps(
            **{"function_arn": FUNCTION_ARN, "function_name": FUNCTION_NAME, "kms_key_arn": KEY_ARN, **props}
        ),
    )


def test_a_rule_runs_the_function_every_schedule_minutes_and_passes_it_nothing(stack):
    sweep = schedule(stack, schedule_minutes=30)
    config = synthesized(stack)
    rule = resources(config, "aws_cloudwatch_event_rule")["guard_sweep_schedule"]
    assert rule["name"] == f"{PREFIX}-sweep"
    assert rule["schedule_expression"] == "rate(30 minutes)"
    assert "event_pattern" not in rule
    assert rule["tags"] == {**TAGS, COMPONENT_TAG: "sweep-schedule"}
    target = resources(config, "aws_cloudwatch_event_target")["guard_sweep_target"]
    assert target["arn"] == FUNCTION_ARN
    assert target["rule"] == "${aws_cloudwatch_event_rule.guard_sweep_schedule.name}"
    # the scheduled event's envelope is all the function gets: nothing in it is trusted
    assert not {"input", "input_path", "input_transformer"} & set(target)
    assert target["depends_on"] == [
        "aws_lambda_permission.guard_sweep_invoke_permission",
        "aws_dynamodb_table.guard_sweep_state",
    ]
    assert sweep.rule is not None and sweep.target is not None


def test_only_this_rule_may_invoke_the_function_through_eventbridge(stack):
    schedule(stack)
    permission = resources(synthesized(stack), "aws_lambda_permission")["guard_sweep_invoke_permission"]
    assert permission == {
        **{key: permission[key] for key in ("//",) if key in permission},
        "action": "lambda:InvokeFunction",
        "function_name": FUNCTION_NAME,
        "principal": "events.amazonaws.com",
        "source_arn": "${aws_cloudwatch_event_rule.guard_sweep_schedule.arn}",
        "statement_id": "AllowGuardSweepSchedule",
    }


def test_the_state_table_is_on_demand_encrypted_with_the_guard_key_recoverable_and_expiring(stack):
    schedule(stack)
    table = resources(synthesized(stack), "aws_dynamodb_table")["guard_sweep_state"]
    assert table["name"] == sweep_state_table_name(CONTEXT) == f"{PREFIX}-sweep-state"
    assert (table["billing_mode"], table["hash_key"]) == ("PAY_PER_REQUEST", "pk")
    assert table["attribute"] == [{"name": "pk", "type": "S"}]
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": KEY_ARN}
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["tags"] == {**TAGS, COMPONENT_TAG: "sweep-state"}
    assert not {"read_capacity", "write_capacity", "stream_enabled"} & set(table)
    assert sweep_state_table_arn(CONTEXT) == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{PREFIX}-sweep-state"


def test_disabled_creates_nothing(stack):
    sweep = schedule(stack, enabled=False)
    config = synthesized(stack)
    assert (sweep.rule, sweep.target, sweep.permission, sweep.table) == (None, None, None, None)
    assert "resource" not in config or not resources(config, "aws_dynamodb_table")


def test_a_schedule_known_only_at_plan_time_counts_every_resource_and_refers_to_the_one_instance(stack):
    minutes = Token.as_number(TerraformVariable(stack, "minutes", type="number").value)
    enabled = Token.as_any(TerraformVariable(stack, "enabled", type="bool").value)
    schedule(stack, schedule_minutes=minutes, enabled=enabled)
    config = synthesized(stack)
    rule = resources(config, "aws_cloudwatch_event_rule")["guard_sweep_schedule"]
    assert rule["schedule_expression"] == "rate(${var.minutes} minutes)"
    counted = (
        rule,
        resources(config, "aws_cloudwatch_event_target")["guard_sweep_target"],
        resources(config, "aws_lambda_permission")["guard_sweep_invoke_permission"],
        resources(config, "aws_dynamodb_table")["guard_sweep_state"],
    )
    assert {resource["count"] for resource in counted} == {"${var.enabled ? 1 : 0}"}
    assert counted[1]["rule"] == "${aws_cloudwatch_event_rule.guard_sweep_schedule[0].name}"
    assert counted[2]["source_arn"] == "${aws_cloudwatch_event_rule.guard_sweep_schedule[0].arn}"


def test_every_bad_value_is_refused_before_anything_is_created(stack):
    with pytest.raises(GuardValidationError) as raised:
        schedule(stack, schedule_minutes=1, enabled="yes")
    assert raised.value.problems == [
        f"sweep_policy.schedule_minutes=1: {rules.SWEEP_SCHEDULE_MINUTES.sentence}",
        "sweep_policy.enabled='yes': must be True or False",
    ]
    [sweep] = [child for child in stack.node.children if child.node.id == "sweep"]
    assert sweep.node.children == []
