"""invoke_function_from_rule: a rule's events reach the guard's function through one permission pinned to the
rule's ARN and one target created after it, both counted as the rule is; counted_attribute reads a resource's
attribute on its one instance when it is counted."""

from __future__ import annotations

from ses_reputation_guard._cdktf import CloudwatchEventRule, SqsQueue, TerraformVariable, Token
from ses_reputation_guard.expressions import count_for
from ses_reputation_guard.function_trigger import TARGET_ID, counted_attribute, invoke_function_from_rule
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, resources, synthesized

FUNCTION_NAME = f"{PREFIX}-pause"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}"
RULE = "aws_cloudwatch_event_rule.guard_rule"
PERMISSION = "guard_rule_invoke_permission"
TARGET = "guard_rule_target"


def rule(stack, count=None):
    return CONTEXT.create(
        stack, CloudwatchEventRule, "rule", name=f"{PREFIX}-rule", schedule_expression="rate(5 minutes)", count=count
    )


def trigger(stack, count=None, depends_on=()):
    """A rule (counted by ``count``) whose events go to the function; returns (permission, target)."""
    return invoke_function_from_rule(
        stack,
        CONTEXT,
        rule(stack, count),
        function_arn=FUNCTION_ARN,
        function_name=FUNCTION_NAME,
        count=count,
        statement_id="AllowGuardRule",
        addresses=("rule_invoke_permission", "rule_target"),
        depends_on=depends_on,
    )


def plan_time_count(stack):
    """A count only Terraform knows: ``${var.on ? 1 : 0}``."""
    return count_for(Token.as_any(TerraformVariable(stack, "on", type="bool").value))


def test_only_eventbridge_and_only_for_this_rule_may_invoke_the_function(stack):
    trigger(stack)
    permission = resources(synthesized(stack), "aws_lambda_permission")[PERMISSION]
    assert permission == {
        "statement_id": "AllowGuardRule",
        "action": "lambda:InvokeFunction",
        "function_name": FUNCTION_NAME,
        "principal": "events.amazonaws.com",
        "source_arn": f"${{{RULE}.arn}}",
    }


def test_the_function_is_the_rules_one_target_and_gets_the_event_itself(stack):
    trigger(stack)
    targets = resources(synthesized(stack), "aws_cloudwatch_event_target")
    assert list(targets) == [TARGET]
    target = targets[TARGET]
    assert (target["arn"], target["rule"], target["target_id"]) == (FUNCTION_ARN, f"${{{RULE}.name}}", TARGET_ID)
    assert TARGET_ID == "guard-function"
    assert not {"input", "input_path", "input_transformer"} & set(target)  # no input: the event as sent


def test_the_target_waits_for_the_permission_so_no_event_arrives_before_the_function_may_be_invoked(stack):
    trigger(stack)
    target = resources(synthesized(stack), "aws_cloudwatch_event_target")[TARGET]
    assert target["depends_on"] == [f"aws_lambda_permission.{PERMISSION}"]


def test_the_target_also_waits_for_what_else_must_exist_before_the_first_event(stack):
    queue = CONTEXT.create(stack, SqsQueue, "state", name=f"{PREFIX}-state")
    trigger(stack, depends_on=[queue])
    config = synthesized(stack)
    target = resources(config, "aws_cloudwatch_event_target")[TARGET]
    assert target["depends_on"] == [f"aws_lambda_permission.{PERMISSION}", "aws_sqs_queue.guard_state"]
    assert "depends_on" not in resources(config, "aws_lambda_permission")[PERMISSION]


def test_the_permission_and_the_target_are_returned_in_that_order(stack):
    permission, target = trigger(stack)
    assert permission.friendly_unique_id == PERMISSION
    assert target.friendly_unique_id == TARGET


def test_an_uncounted_rule_makes_an_uncounted_permission_and_target(stack):
    trigger(stack)
    config = synthesized(stack)
    assert "count" not in resources(config, "aws_lambda_permission")[PERMISSION]
    assert "count" not in resources(config, "aws_cloudwatch_event_target")[TARGET]


def test_a_counted_rule_makes_a_counted_permission_and_target_reading_its_one_instance(stack):
    trigger(stack, count=plan_time_count(stack))
    config = synthesized(stack)
    permission = resources(config, "aws_lambda_permission")[PERMISSION]
    target = resources(config, "aws_cloudwatch_event_target")[TARGET]
    assert resources(config, "aws_cloudwatch_event_rule")["guard_rule"]["count"] == "${var.on ? 1 : 0}"
    assert permission["count"] == target["count"] == "${var.on ? 1 : 0}"
    assert permission["source_arn"] == f"${{{RULE}[0].arn}}"
    assert target["rule"] == f"${{{RULE}[0].name}}"
    assert target["depends_on"] == [f"aws_lambda_permission.{PERMISSION}"]


def test_counted_attribute_is_the_resources_own_attribute_when_it_is_not_counted(stack):
    """A token (each read of a cdktf attribute is a new one): what it resolves to is the reference."""
    event_rule = rule(stack)
    CONTEXT.create(
        stack,
        SqsQueue,
        "reader",
        name=counted_attribute(event_rule, "name", None),
        tags={"rule": counted_attribute(event_rule, "arn", None)},
    )
    reader = resources(synthesized(stack), "aws_sqs_queue")["guard_reader"]
    assert (reader["name"], reader["tags"]) == (f"${{{RULE}.name}}", {"rule": f"${{{RULE}.arn}}"})


def test_counted_attribute_reads_the_one_instance_of_a_counted_resource(stack):
    count = plan_time_count(stack)
    counted = rule(stack, count)
    assert counted_attribute(counted, "arn", count) == f"${{{RULE}[0].arn}}"
    assert counted_attribute(counted, "name", 1) == f"${{{RULE}[0].name}}"
    assert counted_attribute(counted, "name", 0) == f"${{{RULE}[0].name}}"  # any count but None is counted
