"""ReputationGuard: props validated up front, the whole guard composed, one mode for Python values and references."""

from __future__ import annotations

import json
import re

import pytest

from ses_guard_policy import contract, limits, rules
from ses_reputation_guard import (
    AccountPolicy,
    AlarmSettings,
    ConfigurationSetPolicy,
    GuardValidationError,
    ReputationGuard,
    ReputationGuardProps,
    ReputationThresholds,
    TerraformExpression,
)
from ses_reputation_guard._cdktf import TerraformVariable, Token
from tests.constructs.support import data_sources, resources, statement, synthesized

SETS = {
    "marketing": ConfigurationSetPolicy(thresholds=ReputationThresholds(bounce_critical=0.03)),
    "transactional": ConfigurationSetPolicy(action="notify"),
    "legacy": ConfigurationSetPolicy(managed=False),
}
PER_SET_RESOURCES = {
    "aws_sesv2_configuration_set.guard_configuration_sets",
    *(
        f"aws_cloudwatch_metric_alarm.guard_set_{m}_{t}"
        for m in ("bounce", "complaint")
        for t in ("warning", "critical")
    ),
    "aws_iam_role_policy.guard_function_set_pause",
}


def addresses(config) -> set[str]:
    return {f"{kind}.{name}" for kind, blocks in config["resource"].items() for name in blocks}


def problems_of(props: ReputationGuardProps) -> str:
    with pytest.raises(GuardValidationError) as raised:
        props.validate()
    return str(raised.value)


# --- validation -------------------------------------------------------------------------------
def test_valid_props_pass():
    ReputationGuardProps(
        configuration_sets=SETS, notification_emails=["a@example.com"], notification_phone_numbers=["+15555550100"]
    ).validate()


def test_every_problem_is_reported_at_once_each_naming_the_value_and_the_rule():
    with pytest.raises(GuardValidationError) as raised:
        ReputationGuardProps(
            name_prefix="Bad_Prefix",
            default_thresholds=ReputationThresholds(bounce_critical=10),
            account_policy=AccountPolicy(action="stop"),  # type: ignore[arg-type]
            configuration_sets={"bad name": ConfigurationSetPolicy()},
            notification_emails=["nope"],
            notification_phone_numbers=["555-0100", "555-0100"],
            log_retention_days=42,
            reserved_concurrency=0,
            alarm_settings=AlarmSettings(period_seconds=90, datapoints_to_alarm=3, statistic="p99"),
            tags={"aws:owner": "me"},
        ).validate()
    problems = raised.value.problems
    for expected in (
        f"name_prefix='Bad_Prefix': {rules.NAME_PREFIX.rule}",
        "default_thresholds.bounce_critical=10",
        "account_policy.action='stop'",
        f"configuration_sets key 'bad name'='bad name': {rules.CONFIGURATION_SET_NAME.rule}",
        f"notification_emails item='nope': {rules.EMAIL.rule}",
        f"notification_phone_numbers item='555-0100': {rules.E164_PHONE_NUMBER.rule}",
        "notification_phone_numbers lists '555-0100' more than once",
        "log_retention_days=42: must be one of 1, 3, 5",
        "reserved_concurrency=0: must be -1 (no reservation) or must be a whole number from 1 to 100",
        "alarm_settings.period_seconds=90: must be a multiple of 60",
        "alarm_settings.datapoints_to_alarm=3",
        "alarm_settings.statistic='p99'",
        "tags key 'aws:owner'",
    ):
        assert any(problem.startswith(expected) for problem in problems), expected
    assert len(problems) == 14


def test_no_reserved_concurrency_is_allowed_for_accounts_with_the_minimum_quota():
    ReputationGuardProps(reserved_concurrency=rules.RESERVED_CONCURRENCY_NONE).validate()


def test_construct_validates_before_creating_anything(stack):
    with pytest.raises(GuardValidationError):
        ReputationGuard(stack, "guard", ReputationGuardProps(default_thresholds=ReputationThresholds(bounce_warning=2)))
    [guard] = [child for child in stack.node.children if child.node.id == "guard"]
    assert guard.node.children == []


# --- composition ------------------------------------------------------------------------------
def test_a_guard_without_sets_has_no_per_set_resources_but_keeps_protecting_sets_it_managed(stack):
    guard = ReputationGuard(stack, "guard", ReputationGuardProps())
    config = synthesized(stack)
    # the last set removed from the map: the block stays, empty, so its prevent_destroy still applies
    assert addresses(config) & PER_SET_RESOURCES == {"aws_sesv2_configuration_set.guard_configuration_sets"}
    sets = resources(config, "aws_sesv2_configuration_set")["guard_configuration_sets"]
    assert (sets["for_each"], sets["lifecycle"]["prevent_destroy"]) == ("${{}}", True)
    assert (guard.configuration_set_map, guard.configuration_set_alarms) == (None, None)
    assert "guard_configuration_sets" not in config.get("locals", {})


def test_a_guard_allowed_to_delete_sets_and_without_sets_has_no_set_block(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps(allow_configuration_set_deletion=True))
    assert resources(synthesized(stack), "aws_sesv2_configuration_set") == {}


def test_managed_sets_are_protected_from_deletion_unless_the_guard_allows_it(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps(configuration_sets=SETS))
    sets = resources(synthesized(stack), "aws_sesv2_configuration_set")["guard_configuration_sets"]
    assert sets["lifecycle"]["prevent_destroy"] is True


def test_a_guard_with_sets_composes_every_part_named_after_the_guard(stack):
    guard = ReputationGuard(stack, "guard", ReputationGuardProps(configuration_sets=SETS))
    config = synthesized(stack)
    assert addresses(config) >= PER_SET_RESOURCES
    assert {
        "aws_kms_key.guard_key",
        "aws_sns_topic.guard_notifications_topic",
        "aws_sns_topic.guard_pause_topic",
        "aws_lambda_function.guard_function",
        "aws_iam_role_policy.guard_function_account_pause",
        "aws_cloudwatch_metric_alarm.guard_function_errors_alarm",
    } <= addresses(config)
    assert set(data_sources(config, "aws_caller_identity")) == {"guard_caller"}
    assert guard.context.resource_prefix == "guard"


def test_topics_are_encrypted_with_the_guard_key_and_accept_only_the_right_alarms(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps(name_prefix="ses-guard"))
    config = synthesized(stack)
    for topic in resources(config, "aws_sns_topic").values():
        assert topic["kms_master_key_id"] == "${aws_kms_key.guard_key.arn}"
    alarm_arn = (
        "arn:${data.aws_partition.guard_partition.partition}:cloudwatch:${data.aws_region.guard_region.name}:"
        "${data.aws_caller_identity.guard_caller.account_id}:alarm:ses-guard"
    )

    def sources(document: str) -> list[str]:
        allow = statement(config, document, "GuardAlarmsOfThisAccountPublish")
        [arn_like] = [c for c in allow["condition"] if c["variable"] == "aws:SourceArn"]
        return list(arn_like["values"])

    assert sources("guard_notifications_topic_policy_document") == [
        f"{alarm_arn}-account-*",
        f"{alarm_arn}-set-*",
        f"{alarm_arn}-function-errors",
        f"{alarm_arn}-dead-letters",
    ]
    # only critical reputation alarms reach the function, and nothing else may publish there
    critical = [f"{alarm_arn}-account-*-critical", f"{alarm_arn}-set-*-critical"]
    assert sources("guard_pause_topic_policy_document") == critical
    deny = statement(config, "guard_pause_topic_policy_document", "NobodyElsePublishes")
    assert deny["condition"][0]["values"] == critical
    notification_policy = data_sources(config, "aws_iam_policy_document")["guard_notifications_topic_policy_document"]
    # the function publishes its reports to the notification topic: no such Deny there
    assert "NobodyElsePublishes" not in [s["sid"] for s in notification_policy["statement"]]


def test_the_key_lets_cloudwatch_logs_encrypt_only_the_functions_log_group(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps(name_prefix="ses-guard"))
    policy = resources(synthesized(stack), "aws_kms_key")["guard_key"]["policy"]
    assert '"kms:EncryptionContext:aws:logs:arn" = [' in policy
    assert ':log-group:/aws/lambda/ses-guard-pause"]' in policy
    assert "log-group:*" not in policy


def test_the_set_map_ships_as_a_file_so_output_size_does_not_grow_with_sets(stack):
    guard = ReputationGuard(stack, "guard", ReputationGuardProps(configuration_sets=SETS))
    config = synthesized(stack)
    assert re.fullmatch(
        r'\$\{jsondecode\(file\("\$\{path\.module\}/assets/guard_manifest_manifest_file_[0-9A-F]+/[0-9A-F]+/'
        r'policy_manifest\.json"\)\)\.configuration_sets\}',
        config["locals"]["guard_configuration_sets"],
    )
    assert "marketing" not in json.dumps(config)
    records = guard.props.normalized_configuration_sets()
    assert list(records) == ["legacy", "marketing", "transactional"]
    assert records["marketing"]["bounce_critical"] == 0.03
    assert records["transactional"]["bounce_critical"] == 0.04  # from the default thresholds


def test_the_function_package_ships_as_a_file_with_the_stack(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps())
    config = synthesized(stack)
    assert re.fullmatch(
        r"\$\{path\.module\}/assets/guard_function_package_[0-9A-F]+/[0-9A-F]+/ses_guard_lambda\.zip",
        config["locals"]["guard_function_package_path"],
    )
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["source_code_hash"] == "${filebase64sha256(local.guard_function_package_path)}"


def test_account_pausing_is_granted_only_when_the_account_policy_pauses(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps(account_policy=AccountPolicy(action="notify")))
    config = synthesized(stack)
    assert "guard_function_account_pause" not in resources(config, "aws_iam_role_policy")
    for name, alarm in resources(config, "aws_cloudwatch_metric_alarm").items():
        assert "guard_pause_topic" not in json.dumps(alarm["alarm_actions"]), name


def test_a_disabled_account_policy_never_pauses_the_account(stack):
    ReputationGuard(stack, "guard", ReputationGuardProps(account_policy=AccountPolicy(enabled=False)))
    assert "guard_function_account_pause" not in resources(synthesized(stack), "aws_iam_role_policy")


def test_guard_id_becomes_the_address_prefix(stack):
    ReputationGuard(stack, "edge-guard", ReputationGuardProps())
    assert "edge_guard_key" in resources(synthesized(stack), "aws_kms_key")


# --- the seam: Terraform references instead of Python values ----------------------------------
def test_references_are_left_to_terraform_and_the_set_map_and_package_are_expressions(stack):
    prefix = Token.as_string(TerraformVariable(stack, "prefix", type="string").value)
    action = Token.as_string(TerraformVariable(stack, "action", type="string").value)
    enabled = Token.as_any(TerraformVariable(stack, "enabled", type="bool").value)
    emails = Token.as_list(TerraformVariable(stack, "emails", type="list(string)").value)
    tags = Token.as_string_map(TerraformVariable(stack, "tags", type="map(string)").value)
    guard = ReputationGuard(
        stack,
        "guard",
        ReputationGuardProps(
            name_prefix=prefix,
            account_policy=AccountPolicy(action=action, enabled=enabled),  # type: ignore[arg-type]
            configuration_sets=TerraformExpression("local.sets"),
            notification_emails=emails,
            tags=tags,
            function_package=TerraformExpression("local.package"),
        ),
    )
    config = synthesized(stack)
    assert guard.configuration_set_alarms is not None  # the map's content is known only at plan time
    assert "locals" not in config or "guard_configuration_sets" not in config["locals"]
    critical = resources(config, "aws_cloudwatch_metric_alarm")["guard_set_bounce_critical"]
    assert critical["for_each"] == "${local.sets}"
    assert critical["alarm_name"] == "${var.prefix}-set-${each.key}-bounce-critical"
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["filename"] == "${local.package}"
    assert function["tags"] == "${var.tags}"
    account_pause = resources(config, "aws_iam_role_policy")["guard_function_account_pause"]
    assert account_pause["count"] == '${(var.enabled && (var.action == "pause")) ? 1 : 0}'
    assert (
        resources(config, "aws_sns_topic_subscription")["guard_notifications_email"]["for_each"]
        == "${toset(var.emails)}"
    )
    assert data_sources(config, "aws_iam_policy_document")["guard_function_set_pause_policy"]["count"] == (
        "${length(local.guard_pausing_set_arns) > 0 ? 1 : 0}"
    )
    assert contract.TAG_GUARD in json.dumps(critical["tags"])


# --- which sets the function may pause ---------------------------------------------------------
def many_pausing_sets(count: int) -> dict[str, ConfigurationSetPolicy]:
    return {f"stream-{i:05d}": ConfigurationSetPolicy() for i in range(count)}


def test_too_many_listed_sets_are_refused_at_synth_instead_of_widening_the_grant():
    message = problems_of(ReputationGuardProps(configuration_sets=many_pausing_sets(100)))
    assert "pause_scope='listed' with 100 pausing sets" in message
    assert limits.SET_ARNS_BUDGET_RULE in message


def test_a_tagged_scope_scales_to_any_number_of_sets(stack):
    ReputationGuard(
        stack, "guard", ReputationGuardProps(configuration_sets=many_pausing_sets(100), pause_scope="tagged")
    )
    allow = statement(synthesized(stack), "guard_function_set_pause_policy", "PauseAndReadGuardedConfigurationSets")
    assert allow["resources"][0].endswith(":configuration-set/*")
    assert [c["variable"] for c in allow["condition"]] == [
        f"aws:ResourceTag/{contract.TAG_GUARD}",
        f"aws:ResourceTag/{contract.TAG_ACTION}",
    ]


def test_a_name_pattern_must_cover_every_pausing_set():
    message = problems_of(ReputationGuardProps(configuration_sets=SETS, pause_scope="name-pattern:mark*"))
    assert f"leaves out ['legacy']: {rules.PAUSE_SCOPE_COVERAGE_RULE}" in message


def test_a_name_pattern_denies_the_notify_only_sets_it_covers_by_name(stack):
    sets = {"tenant-a": ConfigurationSetPolicy(), "tenant-vip": ConfigurationSetPolicy(action="notify")}
    ReputationGuard(stack, "guard", ReputationGuardProps(configuration_sets=sets, pause_scope="name-pattern:tenant-*"))
    config = synthesized(stack)
    [by_name] = data_sources(config, "aws_iam_policy_document")["guard_function_notify_only_deny_policy"]["statement"]
    assert by_name["resources"] == "${local.guard_notify_only_set_arns_in_scope}"
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert "aws_iam_role_policy.guard_function_notify_only_deny" in function["depends_on"]


def test_a_scope_and_sets_known_only_at_plan_time_are_checked_at_plan(stack):
    scope = Token.as_string(TerraformVariable(stack, "pause_scope", type="string").value)
    props = ReputationGuardProps(configuration_sets=TerraformExpression("local.sets"), pause_scope=scope)
    ReputationGuard(stack, "guard", props)
    config = synthesized(stack)
    assert config["locals"]["guard_pause_scope"] == "${var.pause_scope}"
    policy = resources(config, "aws_iam_role_policy")["guard_function_set_pause"]
    messages = [check["error_message"] for check in policy["lifecycle"]["precondition"]]
    assert len(messages) == 3
    assert limits.SET_ARNS_BUDGET_RULE in messages[0] and rules.PAUSE_SCOPE_COVERAGE_RULE in messages[1]
