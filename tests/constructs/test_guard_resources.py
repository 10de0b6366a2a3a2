"""Targeted property assertions on the synthesized example stacks (synthesized once per session)."""

from __future__ import annotations

import json
import re
from typing import Any

from ses_guard_lambda import contract

ALL_STACKS = ("account-wide", "per-set", "multi-region-us-east-1", "multi-region-eu-west-1")


def resources(config: dict[str, Any], resource_type: str) -> dict[str, Any]:
    found: dict[str, Any] = config["resource"].get(resource_type, {})
    return found


def policy_statements(config: dict[str, Any], name: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = config["data"]["aws_iam_policy_document"][name]["statement"]
    return statements


def test_every_example_stack_is_synthesized(synth):
    assert set(ALL_STACKS) <= set(synth.stacks())
    for stack in ALL_STACKS:
        assert (synth.stack_dir(stack) / "cdk.tf.json").is_file()
        assert (synth.stack_dir(stack) / "hcl" / "main.tf").is_file()


def test_topic_uses_customer_managed_key(synth):
    for stack in ALL_STACKS:
        config = synth.config(stack)
        topics = resources(config, "aws_sns_topic")
        assert set(topics) == {"guard_notifications_topic", "guard_pause_topic"}
        for topic in topics.values():
            assert topic["kms_master_key_id"] == "${aws_kms_key.guard_key.arn}"
            assert "alias/aws/sns" not in json.dumps(topic)


def test_key_rotates_and_lets_cloudwatch_use_it_for_this_account_only(synth):
    key = resources(synth.config("account-wide"), "aws_kms_key")["guard_key"]
    assert key["enable_key_rotation"] is True
    policy = key["policy"]
    assert "cloudwatch.amazonaws.com" in policy
    assert "kms:GenerateDataKey*" in policy and "kms:Decrypt" in policy
    assert "aws:SourceAccount" in policy


def test_topic_policy_allows_only_this_accounts_guard_alarms_and_denies_insecure_transport(synth):
    config = synth.config("account-wide")
    alarm = (
        "arn:${data.aws_partition.guard_partition.partition}:cloudwatch:${data.aws_region.guard_region.name}:"
        "${data.aws_caller_identity.guard_caller.account_id}:alarm:ses-guard"
    )
    expected_sources = {
        "guard_notifications_topic_policy_document": [
            f"{alarm}-account-*",
            f"{alarm}-set-*",
            f"{alarm}-function-errors",
            f"{alarm}-dead-letters",
        ],
        # only critical reputation alarms reach the function
        "guard_pause_topic_policy_document": [f"{alarm}-account-*-critical", f"{alarm}-set-*-critical"],
    }
    for name, sources in expected_sources.items():
        allow, deny = policy_statements(config, name)
        assert allow["effect"] == "Allow"
        assert allow["actions"] == ["sns:Publish"]
        assert allow["principals"] == [{"identifiers": ["cloudwatch.amazonaws.com"], "type": "Service"}]
        conditions = {c["variable"]: c for c in allow["condition"]}
        assert conditions["aws:SourceAccount"]["values"] == ["${data.aws_caller_identity.guard_caller.account_id}"]
        assert conditions["aws:SourceArn"]["test"] == "ArnLike"
        assert conditions["aws:SourceArn"]["values"] == sources
        assert deny["effect"] == "Deny"
        assert deny["condition"] == [{"test": "Bool", "values": ["false"], "variable": "aws:SecureTransport"}]


def test_account_critical_alarms_pause_through_the_pause_topic(synth):
    alarms = resources(synth.config("account-wide"), "aws_cloudwatch_metric_alarm")
    for metric in ("bounce", "complaint"):
        critical = alarms[f"guard_account_{metric}_critical"]
        assert critical["alarm_actions"] == [
            "${aws_sns_topic.guard_pause_topic.arn}",
            "${aws_sns_topic.guard_notifications_topic.arn}",
        ]
        assert critical["tags"][contract.TAG_ACTION] == "pause"
        assert critical["tags"][contract.TAG_SCOPE] == "account"
        warning = alarms[f"guard_account_{metric}_warning"]
        assert warning["alarm_actions"] == ["${aws_sns_topic.guard_notifications_topic.arn}"]
        assert warning["tags"][contract.TAG_ACTION] == "notify"


def test_account_alarms_watch_the_account_series_as_aws_recommends(synth):
    alarms = resources(synth.config("account-wide"), "aws_cloudwatch_metric_alarm")
    bounce = alarms["guard_account_bounce_critical"]
    assert bounce["namespace"] == "AWS/SES"
    assert bounce["metric_name"] == "Reputation.BounceRate"
    assert "dimensions" not in bounce  # account-wide series: no dimension
    assert bounce["comparison_operator"] == "GreaterThanOrEqualToThreshold"
    assert bounce["treat_missing_data"] == "ignore"
    assert bounce["alarm_name"] == "ses-guard-account-bounce-critical"
    assert alarms["guard_account_complaint_critical"]["metric_name"] == "Reputation.ComplaintRate"


def test_default_thresholds_pause_before_aws_review_levels(synth):
    alarms = resources(synth.config("account-wide"), "aws_cloudwatch_metric_alarm")
    assert (
        alarms["guard_account_bounce_warning"]["threshold"]
        < alarms["guard_account_bounce_critical"]["threshold"]
        < 0.05
    )
    assert (
        alarms["guard_account_complaint_warning"]["threshold"]
        < alarms["guard_account_complaint_critical"]["threshold"]
        < 0.001
    )


def test_notify_only_account_policy_never_targets_the_pause_topic(synth):
    config = synth.config("per-set")
    for name, alarm in resources(config, "aws_cloudwatch_metric_alarm").items():
        if name.startswith("guard_account_"):
            assert "guard_pause_topic" not in json.dumps(alarm["alarm_actions"]), name
    # and the function gets no permission to pause the account
    assert "guard_function_account_pause" not in resources(config, "aws_iam_role_policy")


def test_per_set_alarms_iterate_over_the_set_map_keyed_by_set_name(synth):
    alarms = resources(synth.config("per-set"), "aws_cloudwatch_metric_alarm")
    critical = alarms["guard_set_bounce_critical"]
    assert critical["for_each"] == "${local.guard_configuration_sets}"
    assert critical["alarm_name"] == "ses-guard-sets-set-${each.key}-bounce-critical"
    assert critical["threshold"] == "${each.value.bounce_critical}"
    dimension = critical["dimensions"][contract.DIMENSION_CONFIGURATION_SET]
    assert "each.key" in dimension
    assert critical["tags"][contract.TAG_CONFIGURATION_SET] == "${each.key}"
    assert critical["tags"][contract.TAG_ACTION] == "${each.value.action}"
    assert "each.value.action" in critical["alarm_actions"] and "guard_pause_topic" in critical["alarm_actions"]
    assert alarms["guard_set_bounce_warning"]["for_each"] == "${local.guard_warning_sets}"
    assert alarms["guard_set_complaint_critical"]["threshold"] == "${each.value.complaint_critical}"


def test_configuration_sets_file_holds_each_sets_policy(synth):
    sets = synth.configuration_sets("per-set")
    assert sets["marketing"] == {
        "action": "pause",
        "managed": True,
        "warning_alarms": True,
        "bounce_warning": 0.015,
        "bounce_critical": 0.03,
        "complaint_warning": 0.0004,
        "complaint_critical": 0.0007,
    }
    assert sets["transactional"]["action"] == "notify"
    assert sets["transactional"]["bounce_critical"] == 0.04  # from the defaults
    assert sets["partner-digest"]["managed"] is False


def test_set_map_is_read_from_a_file_so_output_size_does_not_grow_with_sets(synth):
    config = synth.config("per-set")
    local = config["locals"]["guard_configuration_sets"]
    assert re.fullmatch(
        r'\$\{jsondecode\(file\("\$\{path\.module\}/assets/[^"]+/configuration_sets\.json"\)\)\}', local
    )
    assert "marketing" not in json.dumps(config["resource"])


def test_managed_sets_enable_reputation_metrics_and_keep_a_pause_across_apply(synth):
    config = synth.config("per-set")
    sets = resources(config, "aws_sesv2_configuration_set")["guard_configuration_sets"]
    assert sets["for_each"] == "${local.guard_managed_sets}"
    assert sets["configuration_set_name"] == "${each.key}"
    assert sets["reputation_options"] == {"reputation_metrics_enabled": True}
    assert sets["lifecycle"] == {"ignore_changes": ["sending_options"]}
    assert "sending_options" not in sets
    assert (
        config["locals"]["guard_managed_sets"]
        == "${{for name, s in local.guard_configuration_sets : name => s if s.managed}}"
    )


def test_function_is_hardened(synth):
    config = synth.config("account-wide")
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert re.fullmatch(r"python3\.(1[2-9])", function["runtime"])
    assert function["handler"] == contract.HANDLER
    assert function["tracing_config"] == {"mode": "Active"}
    assert function["dead_letter_config"] == {"target_arn": "${aws_sqs_queue.guard_dead_letter_queue.arn}"}
    assert function["reserved_concurrent_executions"] >= 1
    assert function["kms_key_arn"] == "${aws_kms_key.guard_key.arn}"
    assert function["source_code_hash"] == "${filebase64sha256(local.guard_function_package_path)}"
    env = function["environment"]["variables"]
    assert env[contract.ENV_PAUSE_TOPIC_ARN] == "${aws_sns_topic.guard_pause_topic.arn}"
    assert env[contract.ENV_REPORT_TOPIC_ARN] == "${aws_sns_topic.guard_notifications_topic.arn}"
    assert env[contract.ENV_GUARD_NAME_PREFIX] == "ses-guard"
    assert env[contract.ENV_DRY_RUN] == "false"


def test_dead_letter_queue_and_log_group_are_encrypted_with_the_guard_key(synth):
    config = synth.config("account-wide")
    queue = resources(config, "aws_sqs_queue")["guard_dead_letter_queue"]
    assert queue["kms_master_key_id"] == "${aws_kms_key.guard_key.arn}"
    assert queue["message_retention_seconds"] == 14 * 24 * 3600
    logs = resources(config, "aws_cloudwatch_log_group")["guard_function_logs"]
    assert logs["kms_key_id"] == "${aws_kms_key.guard_key.arn}"
    assert logs["retention_in_days"] == 365
    assert logs["name"] == "/aws/lambda/ses-guard-pause"


def test_function_role_never_grants_ses_wildcards(synth):
    for stack in ALL_STACKS:
        config = synth.config(stack)
        for name, document in config["data"]["aws_iam_policy_document"].items():
            for statement in document["statement"]:
                for action in statement.get("actions", []):
                    assert action not in ("*", "ses:*"), (stack, name)
        assert "AmazonSESFullAccess" not in json.dumps(config)


def test_set_pausing_is_scoped_to_configuration_set_arns(synth):
    config = synth.config("per-set")
    statement = policy_statements(config, "guard_function_set_pause_policy")[0]
    assert statement["actions"] == ["ses:GetConfigurationSet", "ses:PutConfigurationSetSendingOptions"]
    assert statement["resources"] == "${local.guard_pausing_set_arns}"
    arns = config["locals"]["guard_pausing_set_arns"]
    assert ":configuration-set/" in config["locals"]["guard_configuration_set_arn_prefix"]
    assert '"${local.guard_configuration_set_arn_prefix}${name}"' in arns
    # notify-only sets are not in the list the ARNs come from
    assert config["locals"]["guard_pausing_set_names"] == (
        '${[for name, s in local.guard_configuration_sets : name if s.action == "pause"]}'
    )


def test_account_pause_permission_exists_only_when_the_account_policy_pauses(synth):
    config = synth.config("account-wide")
    policy = resources(config, "aws_iam_role_policy")["guard_function_account_pause"]
    assert policy["policy"] == "${data.aws_iam_policy_document.guard_function_account_pause_policy.json}"
    [statement] = policy_statements(config, "guard_function_account_pause_policy")
    assert statement["actions"] == ["ses:PutAccountSendingAttributes"]
    assert statement["condition"][0]["variable"] == "aws:RequestedRegion"


def test_lambda_permission_is_limited_to_the_pause_topic(synth):
    config = synth.config("account-wide")
    permission = resources(config, "aws_lambda_permission")["guard_function_invoke_permission"]
    assert permission["principal"] == "sns.amazonaws.com"
    assert permission["source_arn"] == "${aws_sns_topic.guard_pause_topic.arn}"
    subscription = resources(config, "aws_sns_topic_subscription")["guard_function_subscription"]
    assert subscription["protocol"] == "lambda"
    assert subscription["topic_arn"] == "${aws_sns_topic.guard_pause_topic.arn}"


def test_notifications_reach_people_by_email_and_sms(synth):
    subscriptions = resources(synth.config("account-wide"), "aws_sns_topic_subscription")
    assert subscriptions["guard_notifications_email"]["protocol"] == "email"
    assert subscriptions["guard_notifications_sms"]["protocol"] == "sms"
    assert "+15555550100" in subscriptions["guard_notifications_sms"]["for_each"]


def test_guard_failures_alarm_people(synth):
    alarms = resources(synth.config("account-wide"), "aws_cloudwatch_metric_alarm")
    errors = alarms["guard_function_errors_alarm"]
    assert (errors["namespace"], errors["metric_name"]) == ("AWS/Lambda", "Errors")
    dead = alarms["guard_dead_letters_alarm"]
    assert (dead["namespace"], dead["metric_name"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    for alarm in (errors, dead):
        assert alarm["alarm_actions"] == ["${aws_sns_topic.guard_notifications_topic.arn}"]


def test_stacks_pin_a_provider_range_and_a_relative_local_backend(synth):
    for stack in ALL_STACKS:
        terraform = synth.config(stack)["terraform"]
        assert terraform["required_providers"]["aws"]["version"] == ">= 5.100, < 7.0"
        # relative to cdktf.out/stacks/<stack>: state lives in the project root, outside cdktf.out
        assert terraform["backend"] == {"local": {"path": f"../../../terraform.{stack}.tfstate"}}


def test_generated_files_carry_no_machine_paths(synth):
    for stack in ALL_STACKS:
        for path in (synth.stack_dir(stack) / "cdk.tf.json", synth.stack_dir(stack) / "hcl" / "main.tf"):
            text = path.read_text()
            assert str(synth.outdir) not in text
            assert "/tmp/" not in text and "/work/" not in text and "/root/" not in text


def test_multi_region_stacks_guard_each_region_separately(synth):
    east = synth.config("multi-region-us-east-1")
    west = synth.config("multi-region-eu-west-1")
    assert east["provider"]["aws"][0]["region"] == "us-east-1"
    assert west["provider"]["aws"][0]["region"] == "eu-west-1"
    assert set(synth.configuration_sets("multi-region-eu-west-1")) == {"marketing-eu", "transactional-eu"}


def test_iam_refuses_to_pause_notify_only_managed_sets_whatever_the_alarm(synth):
    config = synth.config("per-set")
    deny = policy_statements(config, "guard_function_set_pause_policy")[1]
    assert deny["effect"] == "Deny"
    assert deny["actions"] == ["ses:PutConfigurationSetSendingOptions"]
    assert deny["resources"][0].endswith(":configuration-set/*")
    assert deny["condition"] == [
        {"test": "StringEquals", "values": ["notify"], "variable": f"aws:ResourceTag/{contract.TAG_ACTION}"}
    ]
    sets = resources(config, "aws_sesv2_configuration_set")["guard_configuration_sets"]
    assert sets["tags"][contract.TAG_ACTION] == "${each.value.action}"
    assert sets["tags"][contract.TAG_GUARD] == "ses-guard-sets"
