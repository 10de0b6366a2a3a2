"""GuardKey: a rotating customer managed key that CloudWatch can use for this account only."""

from __future__ import annotations

from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.encryption_key import GuardKey, GuardKeyProps
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, TAGS, jsonencoded, resources, synthesized


def key_policy_statements(config) -> dict[str, dict]:
    policy = jsonencoded(resources(config, "aws_kms_key")["guard_key"]["policy"])
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_key_rotates_waits_before_deletion_and_has_the_guards_alias(stack):
    GuardKey(stack, "key", CONTEXT, GuardKeyProps(deletion_window_days=7))
    config = synthesized(stack)
    key = resources(config, "aws_kms_key")["guard_key"]
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 7
    assert key["tags"] == {**TAGS, COMPONENT_TAG: "key"}
    assert resources(config, "aws_kms_alias")["guard_key_alias"] == {
        "name": f"alias/{PREFIX}",
        "target_key_id": "${aws_kms_key.guard_key.key_id}",
    }


def test_deletion_window_defaults_to_the_kms_maximum(stack):
    GuardKey(stack, "key", CONTEXT)
    assert resources(synthesized(stack), "aws_kms_key")["guard_key"]["deletion_window_in_days"] == 30


def test_key_policy_lets_cloudwatch_use_the_key_for_this_account_only(stack):
    GuardKey(stack, "key", CONTEXT)
    cloudwatch = key_policy_statements(synthesized(stack))["CloudWatchAlarmsPublishToEncryptedTopics"]
    assert cloudwatch["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert cloudwatch["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def test_cloudwatch_logs_may_use_the_key_only_for_the_guards_own_log_groups(stack):
    GuardKey(stack, "key", CONTEXT, GuardKeyProps(log_group_names=["/aws/lambda/test-guard-pause"]))
    logs = key_policy_statements(synthesized(stack))["CloudWatchLogsEncryptsTheGuardsLogGroups"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnEquals": {
            "kms:EncryptionContext:aws:logs:arn": [
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/test-guard-pause"
            ]
        }
    }


def test_without_log_groups_cloudwatch_logs_gets_no_grant(stack):
    GuardKey(stack, "key", CONTEXT)
    assert set(key_policy_statements(synthesized(stack))) == {
        "AccountAdministersKey",
        "CloudWatchAlarmsPublishToEncryptedTopics",
    }


def test_account_root_administers_the_key(stack):
    GuardKey(stack, "key", CONTEXT)
    admin = key_policy_statements(synthesized(stack))["AccountAdministersKey"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    assert admin["Action"] == "kms:*"
