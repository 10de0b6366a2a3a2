"""PauseFunction: a hardened Lambda, its encrypted logs and dead-letter queue, invoked only by the pause topic."""

from __future__ import annotations

import re

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.pause_function import PauseFunction, PauseFunctionProps, function_log_group_name
from tests.constructs.support import (
    CONTEXT,
    KEY_ARN,
    NOTIFICATION_TOPIC_ARN,
    PAUSE_TOPIC_ARN,
    PREFIX,
    REGION,
    TAGS,
    resources,
    synthesized,
)


def pause_function(stack, **props) -> dict:
    PauseFunction(
        stack,
        "function",
        CONTEXT,
        PauseFunctionProps(
            **{
                "kms_key_arn": KEY_ARN,
                "notification_topic_arn": NOTIFICATION_TOPIC_ARN,
                "pause_topic_arn": PAUSE_TOPIC_ARN,
                "package": TerraformExpression("local.package"),
                "account_pause_allowed": True,
                "pausing_set_arns": None,
                **props,
            }
        ),
    )
    return synthesized(stack)


def test_function_is_hardened(stack):
    function = resources(pause_function(stack), "aws_lambda_function")["guard_function"]
    assert function["function_name"] == f"{PREFIX}-pause"
    assert re.fullmatch(r"python3\.(1[2-9])", function["runtime"])
    assert function["handler"] == contract.HANDLER
    assert function["tracing_config"] == {"mode": "Active"}
    assert function["dead_letter_config"] == {"target_arn": "${aws_sqs_queue.guard_dead_letter_queue.arn}"}
    assert function["reserved_concurrent_executions"] == 2
    assert function["kms_key_arn"] == KEY_ARN
    assert function["role"] == "${aws_iam_role.guard_function_role.arn}"
    assert function["tags"] == {**TAGS, COMPONENT_TAG: "pause-function"}


def test_function_declares_its_empty_layers_so_the_first_refresh_finds_what_the_apply_stored(stack):
    # Omitted, layers is null in the state after create and [] after the refresh: "changed outside of
    # Terraform" on the first plan after the apply (tests/module/test_module_no_drift.py).
    assert resources(pause_function(stack), "aws_lambda_function")["guard_function"]["layers"] == []


def test_code_comes_from_the_package_expression_with_the_hash_aws_reports(stack):
    function = resources(pause_function(stack), "aws_lambda_function")["guard_function"]
    assert function["filename"] == "${local.package}"
    assert function["source_code_hash"] == "${filebase64sha256(local.package)}"


def test_environment_names_the_guard_its_topics_and_dry_run(stack):
    function = resources(pause_function(stack, dry_run=True), "aws_lambda_function")["guard_function"]
    assert function["environment"]["variables"] == {
        contract.ENV_GUARD_NAME_PREFIX: PREFIX,
        contract.ENV_PAUSE_TOPIC_ARN: PAUSE_TOPIC_ARN,
        contract.ENV_REPORT_TOPIC_ARN: NOTIFICATION_TOPIC_ARN,
        contract.ENV_DRY_RUN: "true",
        contract.ENV_LOG_LEVEL: "INFO",
    }


def test_dry_run_known_only_at_plan_time_is_rendered_as_a_string(stack):
    dry_run = Token.as_any(TerraformVariable(stack, "dry_run", type="bool").value)
    function = resources(pause_function(stack, dry_run=dry_run), "aws_lambda_function")["guard_function"]
    assert function["environment"]["variables"][contract.ENV_DRY_RUN] == '${var.dry_run ? "true" : "false"}'


def test_every_permission_exists_before_the_function(stack):
    config = pause_function(stack, pausing_set_arns=TerraformExpression("local.arns"))
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["depends_on"] == [
        "aws_cloudwatch_log_group.guard_function_logs",
        "aws_iam_role_policy.guard_function_base",
        "aws_iam_role_policy.guard_function_account_pause",
        "aws_iam_role_policy.guard_function_set_pause",
    ]


def test_dead_letter_queue_and_log_group_are_encrypted_with_the_guard_key(stack):
    config = pause_function(stack, log_retention_days=90)
    queue = resources(config, "aws_sqs_queue")["guard_dead_letter_queue"]
    assert queue["name"] == f"{PREFIX}-pause-dlq"
    assert queue["kms_master_key_id"] == KEY_ARN
    assert queue["message_retention_seconds"] == 14 * 24 * 3600
    assert queue["tags"] == {**TAGS, COMPONENT_TAG: "dead-letter-queue"}
    logs = resources(config, "aws_cloudwatch_log_group")["guard_function_logs"]
    assert logs == {
        "name": f"/aws/lambda/{PREFIX}-pause",
        "retention_in_days": 90,
        "kms_key_id": KEY_ARN,
        "tags": {**TAGS, COMPONENT_TAG: "function-logs"},
    }


def test_the_role_name_holds_the_region_because_iam_names_are_global(stack):
    role = resources(pause_function(stack), "aws_iam_role")["guard_function_role"]
    assert role["name"] == f"{PREFIX}-{REGION}-pause-function"


def test_the_log_group_name_is_known_before_the_function_exists():
    assert function_log_group_name(CONTEXT) == f"/aws/lambda/{PREFIX}-pause"


def test_only_the_pause_topic_may_invoke_the_function(stack):
    config = pause_function(stack)
    permission = resources(config, "aws_lambda_permission")["guard_function_invoke_permission"]
    assert permission["principal"] == "sns.amazonaws.com"
    assert permission["source_arn"] == PAUSE_TOPIC_ARN
    assert permission["action"] == "lambda:InvokeFunction"
    subscription = resources(config, "aws_sns_topic_subscription")["guard_function_subscription"]
    assert (subscription["protocol"], subscription["topic_arn"]) == ("lambda", PAUSE_TOPIC_ARN)
    assert subscription["endpoint"] == "${aws_lambda_function.guard_function.arn}"
    assert subscription["depends_on"] == ["aws_lambda_permission.guard_function_invoke_permission"]
