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
    FleetPolicy,
    GuardValidationError,
    ReputationGuard,
    ReputationGuardProps,
    ReputationThresholds,
    SlackChannel,
    SweepPolicy,
    TeamsChannel,
    TerraformExpression,
)
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.pause_function import SWEEP_MEMORY_MB, SWEEP_TIMEOUT_SECONDS
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


EMAILS = ["deliverability@example.com"]


def guard_props(**overrides) -> ReputationGuardProps:
    """Props with someone to notify (a guard without a notification target is refused)."""
    return ReputationGuardProps(**{"notification_emails": EMAILS, **overrides})


# --- validation -------------------------------------------------------------------------------
def test_valid_props_pass():
    guard_props(
        configuration_sets=SETS, notification_emails=["a@example.com"], notification_phone_numbers=["+15555550100"]
    ).validate()


def test_every_problem_is_reported_at_once_each_naming_the_value_and_the_rule():
    with pytest.raises(GuardValidationError) as raised:
        guard_props(
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
    guard_props(reserved_concurrency=rules.RESERVED_CONCURRENCY_NONE).validate()


def test_construct_validates_before_creating_anything(stack):
    with pytest.raises(GuardValidationError):
        ReputationGuard(stack, "guard", guard_props(default_thresholds=ReputationThresholds(bounce_warning=2)))
    [guard] = [child for child in stack.node.children if child.node.id == "guard"]
    assert guard.node.children == []


# --- composition ------------------------------------------------------------------------------
def test_a_guard_without_sets_has_no_per_set_resources_but_keeps_protecting_sets_it_managed(stack):
    guard = ReputationGuard(stack, "guard", guard_props())
    config = synthesized(stack)
    # the last set removed from the map: the block stays, empty, so its prevent_destroy still applies
    assert addresses(config) & PER_SET_RESOURCES == {"aws_sesv2_configuration_set.guard_configuration_sets"}
    sets = resources(config, "aws_sesv2_configuration_set")["guard_configuration_sets"]
    assert (sets["for_each"], sets["lifecycle"]["prevent_destroy"]) == ("${{}}", True)
    assert (guard.configuration_set_map, guard.configuration_set_alarms) == (None, None)
    assert "guard_configuration_sets" not in config.get("locals", {})


def test_a_guard_allowed_to_delete_sets_and_without_sets_has_no_set_block(stack):
    ReputationGuard(stack, "guard", guard_props(allow_configuration_set_deletion=True))
    assert resources(synthesized(stack), "aws_sesv2_configuration_set") == {}


def test_managed_sets_are_protected_from_deletion_unless_the_guard_allows_it(stack):
    ReputationGuard(stack, "guard", guard_props(configuration_sets=SETS))
    sets = resources(synthesized(stack), "aws_sesv2_configuration_set")["guard_configuration_sets"]
    assert sets["lifecycle"]["prevent_destroy"] is True


def test_a_guard_with_sets_composes_every_part_named_after_the_guard(stack):
    guard = ReputationGuard(stack, "guard", guard_props(configuration_sets=SETS))
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
    ReputationGuard(stack, "guard", guard_props(name_prefix="ses-guard"))
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
    ReputationGuard(stack, "guard", guard_props(name_prefix="ses-guard"))
    policy = resources(synthesized(stack), "aws_kms_key")["guard_key"]["policy"]
    assert '"kms:EncryptionContext:aws:logs:arn" = [' in policy
    assert ':log-group:/aws/lambda/ses-guard-pause"]' in policy
    assert "log-group:*" not in policy


def test_the_set_map_ships_as_a_file_so_output_size_does_not_grow_with_sets(stack):
    guard = ReputationGuard(stack, "guard", guard_props(configuration_sets=SETS))
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
    ReputationGuard(stack, "guard", guard_props())
    config = synthesized(stack)
    assert re.fullmatch(
        r"\$\{path\.module\}/assets/guard_function_package_[0-9A-F]+/[0-9A-F]+/ses_guard_lambda\.zip",
        config["locals"]["guard_function_package_path"],
    )
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["source_code_hash"] == "${filebase64sha256(local.guard_function_package_path)}"


def test_account_pausing_is_granted_only_when_the_account_policy_pauses(stack):
    ReputationGuard(stack, "guard", guard_props(account_policy=AccountPolicy(action="notify")))
    config = synthesized(stack)
    assert "guard_function_account_pause" not in resources(config, "aws_iam_role_policy")
    for name, alarm in resources(config, "aws_cloudwatch_metric_alarm").items():
        assert "guard_pause_topic" not in json.dumps(alarm["alarm_actions"]), name


def test_a_disabled_account_policy_never_pauses_the_account(stack):
    ReputationGuard(stack, "guard", guard_props(account_policy=AccountPolicy(enabled=False)))
    assert "guard_function_account_pause" not in resources(synthesized(stack), "aws_iam_role_policy")


def test_guard_id_becomes_the_address_prefix(stack):
    ReputationGuard(stack, "edge-guard", guard_props())
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
        guard_props(
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
    assert function["tags"] == '${merge(var.tags, {"ses-reputation-guard:component" = "pause-function"})}'
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
    message = problems_of(guard_props(configuration_sets=many_pausing_sets(100)))
    assert "pause_scope='listed' with 100 pausing sets" in message
    assert limits.SET_ARNS_BUDGET_RULE in message


def test_a_tagged_scope_scales_to_any_number_of_sets(stack):
    ReputationGuard(stack, "guard", guard_props(configuration_sets=many_pausing_sets(100), pause_scope="tagged"))
    allow = statement(synthesized(stack), "guard_function_set_pause_policy", "PauseAndReadGuardedConfigurationSets")
    assert allow["resources"][0].endswith(":configuration-set/*")
    assert [c["variable"] for c in allow["condition"]] == [
        f"aws:ResourceTag/{contract.TAG_GUARD}",
        f"aws:ResourceTag/{contract.TAG_ACTION}",
    ]


def test_a_name_pattern_must_cover_every_pausing_set():
    message = problems_of(guard_props(configuration_sets=SETS, pause_scope="name-pattern:mark*"))
    assert f"leaves out ['legacy']: {rules.PAUSE_SCOPE_COVERAGE_RULE}" in message


def test_a_name_pattern_denies_the_notify_only_sets_it_covers_by_name(stack):
    sets = {"tenant-a": ConfigurationSetPolicy(), "tenant-vip": ConfigurationSetPolicy(action="notify")}
    ReputationGuard(stack, "guard", guard_props(configuration_sets=sets, pause_scope="name-pattern:tenant-*"))
    config = synthesized(stack)
    [by_name] = data_sources(config, "aws_iam_policy_document")["guard_function_notify_only_deny_policy"]["statement"]
    assert by_name["resources"] == "${local.guard_notify_only_set_arns_in_scope}"
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert "aws_iam_role_policy.guard_function_notify_only_deny" in function["depends_on"]


def test_a_scope_and_sets_known_only_at_plan_time_are_checked_at_plan(stack):
    scope = Token.as_string(TerraformVariable(stack, "pause_scope", type="string").value)
    props = guard_props(configuration_sets=TerraformExpression("local.sets"), pause_scope=scope)
    ReputationGuard(stack, "guard", props)
    config = synthesized(stack)
    assert config["locals"]["guard_pause_scope"] == "${var.pause_scope}"
    policy = resources(config, "aws_iam_role_policy")["guard_function_set_pause"]
    messages = [check["error_message"] for check in policy["lifecycle"]["precondition"]]
    assert len(messages) == 3
    assert limits.SET_ARNS_BUDGET_RULE in messages[0] and rules.PAUSE_SCOPE_COVERAGE_RULE in messages[1]


# --- AWS's levels (issue [4 of 7], item 1) ------------------------------------------------------------
def test_thresholds_written_in_percent_below_one_are_refused_at_synth_naming_aws_pause_level_and_the_ratio(stack):
    # the example: meant as 0.05 % and 0.08 %, a complaint threshold of 8 % never fires
    props = guard_props(default_thresholds=ReputationThresholds(complaint_warning=0.05, complaint_critical=0.08))
    message = problems_of(props)
    assert (
        "default_thresholds.complaint_critical=0.08: at or above AWS's pause level 0.005 (0.5 %); did you mean "
        "0.0008 (0.08 %)? " + rules.AWS_PAUSE_LEVEL.sentence
    ) in message
    assert "default_thresholds.complaint_warning=0.05: at or above AWS's pause level" in message
    with pytest.raises(GuardValidationError):
        ReputationGuard(stack, "guard", props)
    [guard] = [child for child in stack.node.children if child.node.id == "guard"]
    assert guard.node.children == []


def test_a_threshold_at_aws_pause_level_is_refused_wherever_it_is_given_even_when_acknowledged():
    high = ReputationThresholds(bounce_critical=0.5)
    message = problems_of(
        guard_props(
            account_policy=AccountPolicy(thresholds=high),
            configuration_sets={"marketing": ConfigurationSetPolicy(thresholds=high)},
            fleet_policy=FleetPolicy(thresholds=high),
            allow_thresholds_at_or_above_aws_review_level=True,
        )
    )
    for where in ("account_policy.thresholds", "configuration_sets['marketing'].thresholds", "fleet_policy.thresholds"):
        assert f"{where}.bounce_critical=0.5: at or above AWS's pause level 0.1 (10 %); did you mean 0.005" in message


def test_thresholds_at_or_above_aws_review_level_need_the_guards_acknowledgement(stack):
    at_review = ReputationThresholds(bounce_critical=0.05, complaint_critical=0.001)  # AWS's own alarm levels
    props = guard_props(default_thresholds=at_review, configuration_sets={"marketing": ConfigurationSetPolicy()})
    message = problems_of(props)
    assert f"default_thresholds.bounce_critical=0.05: {rules.AWS_REVIEW_LEVEL.explain('bounce_critical', 0.05)}" in (
        message
    )
    assert "default_thresholds.complaint_critical=0.001: at or above AWS's review level 0.001 (0.1 %)" in message
    acknowledged = guard_props(
        default_thresholds=at_review,
        configuration_sets={"marketing": ConfigurationSetPolicy()},
        allow_thresholds_at_or_above_aws_review_level=True,
    )
    ReputationGuard(stack, "guard", acknowledged)
    config = synthesized(stack)
    environment = resources(config, "aws_lambda_function")["guard_function"]["environment"]["variables"]
    deployed = json.loads(environment[contract.ENV_POLICY_MANIFEST])
    assert deployed[rules.REVIEW_LEVEL_ACKNOWLEDGEMENT] is True  # the function and backtests read it as meant
    assert deployed["default_thresholds"]["bounce_critical"] == 0.05
    assert "lifecycle" not in resources(config, "aws_sns_topic")["guard_pause_topic"]  # checked at synth


def test_a_guard_within_aws_review_level_writes_no_acknowledgement(stack):
    ReputationGuard(stack, "guard", guard_props())
    environment = resources(synthesized(stack), "aws_lambda_function")["guard_function"]["environment"]["variables"]
    assert rules.REVIEW_LEVEL_ACKNOWLEDGEMENT not in json.loads(environment[contract.ENV_POLICY_MANIFEST])


# --- who hears of a pause (issue [4 of 7], item 7) ------------------------------------------------------
SLACK = SlackChannel(label="alerts", team_id="T01ABCDEF", channel_id="C01ABCDEF")
TEAMS = TeamsChannel(label="alerts", tenant_id="01234567-89ab-cdef-0123-456789abcdef",
                     team_id="01234567-89ab-cdef-0123-456789abcdef", channel_id="19%3aabc%40thread.tacv2")  # fmt: skip


def test_a_guard_without_any_notification_target_is_refused_at_synth(stack):
    props = ReputationGuardProps(notification_emails=[])
    assert problems_of(props).endswith(
        "  - notification_emails, notification_phone_numbers, slack_channels and teams_channels are all empty: "
        f"{rules.NOTIFICATION_TARGETS.sentence}"
    )
    with pytest.raises(GuardValidationError):
        ReputationGuard(stack, "guard", props)
    [guard] = [child for child in stack.node.children if child.node.id == "guard"]
    assert guard.node.children == []


@pytest.mark.parametrize(
    "target",
    [
        {"notification_emails": ["deliverability@example.com"]},
        {"notification_phone_numbers": ["+15555550100"]},
        {"slack_channels": [SLACK]},
        {"teams_channels": [TEAMS]},
        {"allow_no_notification_targets": True},
    ],
    ids=["email", "sms", "slack", "teams", "opted-out"],
)
def test_any_one_notification_target_or_the_opt_out_is_enough(target, stack):
    ReputationGuardProps(**target).validate()
    ReputationGuard(stack, "guard", ReputationGuardProps(**target))
    assert "lifecycle" not in resources(synthesized(stack), "aws_sns_topic")["guard_notifications_topic"]


# --- known only at plan: the module's preconditions ----------------------------------------------------
def test_flags_and_targets_known_only_at_plan_are_checked_by_preconditions_on_the_topics(stack):
    def variable(name: str, kind: str):
        return TerraformVariable(stack, name, type=kind).value

    guard = ReputationGuard(
        stack,
        "guard",
        ReputationGuardProps(
            default_thresholds=ReputationThresholds(bounce_critical=Token.as_number(variable("bounce", "number"))),
            configuration_sets=TerraformExpression("local.sets"),
            notification_emails=Token.as_list(variable("emails", "list(string)")),
            slack_channels=TerraformExpression("var.slack"),
            allow_thresholds_at_or_above_aws_review_level=Token.as_any(variable("late", "bool")),
            allow_no_notification_targets=Token.as_any(variable("nobody", "bool")),
        ),
    )
    config = synthesized(stack)
    topics = resources(config, "aws_sns_topic")
    [review] = topics["guard_pause_topic"]["lifecycle"]["precondition"]
    assert review["condition"] == (
        "${local.guard_review_level.acknowledged || length(local.guard_review_level_offenders) == 0}"
    )
    assert review["error_message"].endswith(f" {rules.AWS_REVIEW_LEVEL.sentence}.")
    inputs = config["locals"]["guard_review_level"]
    assert inputs["acknowledged"] == "${var.late}"
    assert inputs["levels"] == {name: rules.AWS_REVIEW_LEVEL.level(name) for name in rules.THRESHOLD_NAMES}
    assert inputs["defaults"]["bounce_critical"] == "${var.bounce}"
    assert "local.sets" in config["locals"]["guard_review_level_offenders"]
    [targets] = topics["guard_notifications_topic"]["lifecycle"]["precondition"]
    assert targets["condition"] == (
        "${local.guard_notification_targets.opted_out || "
        "anytrue([for count in values(local.guard_notification_targets.counts) : count > 0])}"
    )
    assert targets["error_message"].endswith(f"are all empty: {rules.NOTIFICATION_TARGETS.sentence}.")
    counts = config["locals"]["guard_notification_targets"]["counts"]
    assert counts == {
        "notification_emails": "${length(var.emails)}",
        "notification_phone_numbers": 0,
        "slack_channels": "${length(var.slack)}",
        "teams_channels": 0,
    }
    assert guard.props.notification_targets_known_at_synth() is False


# --- sweep mode and the fleet's delivery (issue "[5 of 7]") ----------------------------------------------
def function_of(config) -> dict:
    function: dict = resources(config, "aws_lambda_function")["guard_function"]
    return function


def test_a_sweep_guard_schedules_its_function_with_a_state_table_and_a_longer_timeout(stack):
    guard = ReputationGuard(stack, "guard", guard_props(name_prefix="ses-guard", sweep_policy=SweepPolicy()))
    config = synthesized(stack)
    assert guard.sweep_schedule is not None
    assert resources(config, "aws_cloudwatch_event_rule")["guard_sweep_schedule"]["schedule_expression"] == (
        "rate(60 minutes)"
    )
    function = function_of(config)
    assert (function["timeout"], function["memory_size"]) == (SWEEP_TIMEOUT_SECONDS, SWEEP_MEMORY_MB) == (300, 256)
    environment = function["environment"]["variables"]
    assert environment[contract.ENV_SWEEP_STATE_TABLE] == "ses-guard-sweep-state"
    assert resources(config, "aws_dynamodb_table")["guard_sweep_state"]["name"] == "ses-guard-sweep-state"
    assert contract.ENV_ACCEPTED_SOURCES not in environment  # the schedule needs no delivery path
    # the sweep may pause any set of the Region; the Deny on notify-tagged sets stays
    assert config["locals"]["guard_sweep_pausing_set_arns"] == [
        "arn:${data.aws_partition.guard_partition.partition}:ses:${data.aws_region.guard_region.name}:"
        "${data.aws_caller_identity.guard_caller.account_id}:configuration-set/*"
    ]
    deny = statement(config, "guard_function_set_pause_policy", "NeverPauseNotifyOnlySets")
    assert deny["effect"] == "Deny"
    sweep_grant = statement(config, "guard_function_sweep_policy", "KeepSweepState")
    assert sweep_grant["resources"] == [
        "arn:${data.aws_partition.guard_partition.partition}:dynamodb:${data.aws_region.guard_region.name}:"
        "${data.aws_caller_identity.guard_caller.account_id}:table/ses-guard-sweep-state"
    ]
    assert "aws_iam_role_policy.guard_function_sweep" in function["depends_on"]


def test_a_guard_without_a_sweep_keeps_the_alarm_timeout_and_no_sweep_resource(stack):
    guard = ReputationGuard(stack, "guard", guard_props())
    config = synthesized(stack)
    assert (guard.sweep_schedule, guard.fleet_delivery) == (None, None)
    function = function_of(config)
    assert (function["timeout"], function["memory_size"]) == (120, 256)
    variables = function["environment"]["variables"]
    assert not {contract.ENV_SWEEP_STATE_TABLE, contract.ENV_PROTECTED_CONFIGURATION_SETS} & set(variables)
    assert not {"aws_dynamodb_table", "aws_cloudwatch_event_rule"} & set(config["resource"])
    assert "guard_function_sweep" not in resources(config, "aws_iam_role_policy")


def test_a_notifying_sweep_reads_every_set_but_may_pause_none_of_them(stack):
    ReputationGuard(stack, "guard", guard_props(sweep_policy=SweepPolicy(action="notify")))
    config = synthesized(stack)
    assert "guard_sweep_pausing_set_arns" not in config.get("locals", {})
    assert "guard_function_set_pause" not in resources(config, "aws_iam_role_policy")
    assert statement(config, "guard_function_sweep_policy", "ListConfigurationSetsInThisRegion")["resources"] == ["*"]


def test_protected_sets_reach_the_function_comma_separated(stack):
    ReputationGuard(stack, "guard", guard_props(protected_configuration_sets=["transactional", "billing"]))
    variables = function_of(synthesized(stack))["environment"]["variables"]
    assert variables[contract.ENV_PROTECTED_CONFIGURATION_SETS] == "transactional,billing"


def test_protected_sets_known_only_at_plan_time_are_joined_by_terraform(stack):
    names = Token.as_list(TerraformVariable(stack, "protected", type="list(string)").value)
    ReputationGuard(stack, "guard", guard_props(protected_configuration_sets=names))
    variables = function_of(synthesized(stack))["environment"]["variables"]
    assert variables[contract.ENV_PROTECTED_CONFIGURATION_SETS] == '${join(",", var.protected)}'


@pytest.mark.parametrize(
    ("account", "sweep", "allowed"),
    [
        (AccountPolicy(action="pause"), None, True),
        (AccountPolicy(action="notify"), SweepPolicy(), False),
        (AccountPolicy(enabled=False, action="pause"), None, False),
        (AccountPolicy(enabled=False, action="pause"), SweepPolicy(evaluate_account=True), True),
        (AccountPolicy(enabled=False, action="pause"), SweepPolicy(evaluate_account=False), False),
        (AccountPolicy(enabled=False, action="pause"), SweepPolicy(enabled=False), False),
    ],
    ids=["alarms-pause", "notify", "no-alarms-no-sweep", "sweep-judges", "sweep-skips-account", "sweep-off"],
)
def test_the_account_may_be_paused_when_it_pauses_and_its_alarms_or_the_sweep_judge_it(stack, account, sweep, allowed):
    ReputationGuard(stack, "guard", guard_props(account_policy=account, sweep_policy=sweep))
    assert ("guard_function_account_pause" in resources(synthesized(stack), "aws_iam_role_policy")) is allowed


def test_a_sweep_known_only_at_plan_time_is_counted_and_decides_timeout_and_account_pausing(stack):
    def variable(name: str, kind: str):
        return TerraformVariable(stack, name, type=kind).value

    on = Token.as_any(variable("sweep_on", "bool"))
    minutes = Token.as_number(variable("minutes", "number"))
    account_on = Token.as_any(variable("account_on", "bool"))
    sweep = SweepPolicy(enabled=on, schedule_minutes=minutes)
    ReputationGuard(stack, "guard", guard_props(account_policy=AccountPolicy(enabled=account_on), sweep_policy=sweep))
    config = synthesized(stack)
    assert resources(config, "aws_dynamodb_table")["guard_sweep_state"]["count"] == "${var.sweep_on ? 1 : 0}"
    function = function_of(config)
    assert function["timeout"] == "${var.sweep_on ? 300 : 120}"
    assert function["environment"]["variables"][contract.ENV_SWEEP_STATE_TABLE] == (
        '${var.sweep_on ? "ses-guard-sweep-state" : ""}'
    )
    assert resources(config, "aws_iam_role_policy")["guard_function_sweep"]["count"] == "${var.sweep_on ? 1 : 0}"
    assert resources(config, "aws_iam_role_policy")["guard_function_account_pause"]["count"] == (
        "${(var.account_on || var.sweep_on) ? 1 : 0}"
    )
    assert config["locals"]["guard_sweep_pausing_set_arns"].startswith("${var.sweep_on ? [")


def test_a_fleet_delivered_by_sns_keeps_the_pause_topic_action_and_no_rule(stack):
    guard = ReputationGuard(stack, "guard", guard_props(name_prefix="gg", fleet_policy=FleetPolicy(delivery="sns")))
    config = synthesized(stack)
    assert guard.fleet_delivery is None and "aws_cloudwatch_event_rule" not in config["resource"]
    critical = resources(config, "aws_cloudwatch_metric_alarm")["guard_fleet_bounce_critical"]
    assert critical["alarm_actions"] == [
        "${aws_sns_topic.guard_pause_topic.arn}",
        "${aws_sns_topic.guard_notifications_topic.arn}",
    ]
    allow = statement(config, "guard_pause_topic_policy_document", "GuardAlarmsOfThisAccountPublish")
    [sources] = [c["values"] for c in allow["condition"] if c["variable"] == "aws:SourceArn"]
    assert any(arn.endswith(":alarm:gg-fleet-*-critical") for arn in sources)
    assert contract.ENV_ACCEPTED_SOURCES not in function_of(config)["environment"]["variables"]


def test_a_notifying_fleet_gets_no_delivery_rule_whatever_its_delivery(stack):
    ReputationGuard(stack, "guard", guard_props(fleet_policy=FleetPolicy(action="notify")))
    config = synthesized(stack)
    assert "aws_cloudwatch_event_rule" not in config["resource"]
    assert contract.ENV_ACCEPTED_SOURCES not in function_of(config)["environment"]["variables"]


def test_a_fleet_delivery_known_only_at_plan_time_counts_the_rule_and_sets_accepted_sources_by_terraform(stack):
    delivery = Token.as_string(TerraformVariable(stack, "delivery", type="string").value)
    ReputationGuard(stack, "guard", guard_props(fleet_policy=FleetPolicy(delivery=delivery)))
    config = synthesized(stack)
    rule = resources(config, "aws_cloudwatch_event_rule")["guard_fleet_contributors"]
    assert rule["count"] == '${(var.delivery == "eventbridge") ? 1 : 0}'
    assert function_of(config)["environment"]["variables"][contract.ENV_ACCEPTED_SOURCES] == (
        '${(var.delivery == "eventbridge") ? "eventbridge" : (var.delivery == "alarm-action") ? "alarm-action" : ""}'
    )
