"""Helpers that take a Python value or a Terraform token and return the right form of each."""

from __future__ import annotations

import pytest

from ses_reputation_guard._cdktf import SqsQueue, TerraformVariable, Token
from ses_reputation_guard.expressions import (
    SKIP,
    TerraformExpression,
    actions_for,
    bool_string,
    count_for,
    merged_tags,
)
from tests.constructs.support import CONTEXT, resources, synthesized


def variable(stack, name, kind="bool"):
    return TerraformVariable(stack, name, type=kind).value


def test_terraform_expression_is_written_without_interpolation_braces():
    assert TerraformExpression("local.sets").interpolated == "${local.sets}"
    for text in ("${local.sets}", " ", ""):
        with pytest.raises(ValueError, match="without"):
            TerraformExpression(text)


def test_count_for_skips_on_a_python_false_and_needs_no_count_when_all_flags_are_true():
    assert count_for(True, False) is SKIP
    assert count_for(True, True) is None


def test_count_for_turns_token_flags_into_a_count_expression(stack):
    count = count_for(True, Token.as_any(variable(stack, "a")), Token.as_any(variable(stack, "b")))
    CONTEXT.create(stack, SqsQueue, "queue", count=count)
    assert resources(synthesized(stack), "aws_sqs_queue")["guard_queue"]["count"] == "${(var.a && var.b) ? 1 : 0}"


def test_critical_alarm_actions_include_the_pause_topic_only_for_pause():
    assert actions_for("pause", "pause-topic", "people") == ["pause-topic", "people"]
    assert actions_for("notify", "pause-topic", "people") == ["people"]


def test_critical_alarm_actions_for_an_action_token_are_decided_at_plan_time(stack):
    action = Token.as_string(variable(stack, "action", "string"))
    CONTEXT.create(stack, SqsQueue, "queue", policy=Token.as_string(actions_for(action, "p", "n")))
    policy = resources(synthesized(stack), "aws_sqs_queue")["guard_queue"]["policy"]
    assert policy == '${(var.action == "pause") ? ["p", "n"] : ["n"]}'


def test_merged_tags_lets_the_extra_tags_win():
    assert merged_tags({"a": "1", "b": "2"}, {"b": "3"}) == {"a": "1", "b": "3"}


def test_booleans_become_the_strings_lambda_environments_carry(stack):
    assert (bool_string(True), bool_string(False)) == ("true", "false")
    CONTEXT.create(stack, SqsQueue, "queue", name=bool_string(Token.as_any(variable(stack, "dry_run"))))
    assert resources(synthesized(stack), "aws_sqs_queue")["guard_queue"]["name"] == '${var.dry_run ? "true" : "false"}'
