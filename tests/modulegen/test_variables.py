"""variables: the module's inputs, their validation blocks from the rules table, and the HCL helpers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ses_guard_modulegen.variable_kinds import ModuleVariable, Validation, hcl_value
from ses_guard_modulegen.variables import (
    CHAT_PLATFORMS,
    DEFAULT_PROPS,
    fleet_attribute,
    fleet_local_attributes,
    normalizing_locals,
    optional_attributes,
    sweep_attribute,
    sweep_local_attributes,
    variables,
)
from ses_guard_policy import evaluation, rules, sweep
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.sweep_policy import SweepPolicy

VARIABLES = {variable.name: variable for variable in variables()}
_OPTIONAL = re.compile(r"(\w+) = optional\(\w+(?:, ([^()]+))?\)")


# --- rendering -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("variable", VARIABLES.values(), ids=list(VARIABLES))
def test_every_variable_renders_description_type_default_nullable_and_its_validations(variable):
    text = variable.render()
    assert text.startswith(f'variable "{variable.name}" {{\n  description = {json.dumps(variable.description)}\n')
    assert f"  type        = {variable.type}\n" in text
    assert f"  default     = {hcl_value(variable.default)}\n" in text
    assert f"  nullable    = {json.dumps(variable.nullable)}\n" in text
    assert text.count("  validation {\n") == len(variable.validations)
    for validation in variable.validations:
        assert f"    condition     = {validation.condition}\n    error_message = {validation.message}\n" in text


def test_the_variables_come_in_the_documented_order_and_only_the_mode_policies_are_nullable():
    assert list(VARIABLES) == [
        "name_prefix",
        "default_thresholds",
        "account_policy",
        "configuration_sets",
        "pause_scope",
        "notification_emails",
        "notification_phone_numbers",
        "dry_run",
        "alarm_settings",
        "log_retention_days",
        "reserved_concurrency",
        "tags",
        "dashboard",
        "slack_channels",
        "teams_channels",
        "fleet_policy",
        "sweep_policy",
        "hub_policy",
        "protected_configuration_sets",
        "allow_thresholds_at_or_above_aws_review_level",
        "allow_no_notification_targets",
    ]
    nullable = [name for name, variable in VARIABLES.items() if variable.nullable]
    assert nullable == ["fleet_policy", "sweep_policy", "hub_policy"]


def test_scalar_defaults_are_the_constructs_defaults():
    for name in ("name_prefix", "pause_scope", "dry_run", "log_retention_days", "reserved_concurrency", "dashboard",
                 "allow_thresholds_at_or_above_aws_review_level", "allow_no_notification_targets"):  # fmt: skip
        assert VARIABLES[name].default == getattr(DEFAULT_PROPS, name), name


def test_every_validation_message_is_an_hcl_string_ending_its_sentence():
    for variable in VARIABLES.values():
        for validation in variable.validations:
            assert validation.message.startswith('"') and validation.message.endswith('."'), variable.name


def test_every_validation_message_quotes_the_sentence_of_its_rule():
    for variable in VARIABLES.values():
        for validation in variable.validations:
            if validation.rule is not None:
                sentences = {validation.rule.sentence, getattr(validation.rule, "step_sentence", "")}
                assert any(s and json.dumps(s)[1:-1] in validation.message for s in sentences), validation.message


def test_name_prefix_is_validated_by_its_pattern_with_the_bad_value_in_the_message():
    [validation] = VARIABLES["name_prefix"].validations
    assert validation == Validation(
        'can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))',
        '"name_prefix ${jsonencode(var.name_prefix)}: must be 2-32 characters: lower-case letters, digits and '
        "'-', starting with a letter.\"",
        rules.NAME_PREFIX,
    )


def test_the_alarm_period_gets_a_range_and_a_step_validation():
    range_, step = VARIABLES["alarm_settings"].validations[:2]
    assert range_.condition == (
        "(floor(var.alarm_settings.period_seconds) == var.alarm_settings.period_seconds && "
        "var.alarm_settings.period_seconds >= 60 && var.alarm_settings.period_seconds <= 86400)"
    )
    assert step == Validation(
        "var.alarm_settings.period_seconds % 60 == 0",
        '"alarm_settings.period_seconds ${var.alarm_settings.period_seconds}: must be a multiple of 60."',
        rules.ALARM_PERIOD,
    )


def test_optional_attributes_take_their_defaults_from_the_props_dataclass():
    assert optional_attributes(AlarmSettings(), period_seconds="number", statistic="string") == (
        'period_seconds = optional(number, 3600), statistic = optional(string, "Maximum")'
    )


def test_a_fleet_attribute_falls_back_to_a_default_when_fleet_mode_is_off():
    assert fleet_attribute("period_seconds", 3600) == "try(var.fleet_policy.period_seconds, 3600)"
    assert fleet_attribute("bounce_warning") == "try(var.fleet_policy.bounce_warning, null)"


def test_the_fleet_local_is_off_and_notify_only_without_a_fleet_policy():
    attributes = fleet_local_attributes()
    assert attributes["enabled"] == "var.fleet_policy != null"
    assert attributes["action"] == 'try(var.fleet_policy.action, "notify")'
    assert attributes["exclude_explicit_sets"] == "try(var.fleet_policy.exclude_explicit_sets, true)"


def test_the_fleet_delivery_defaults_to_eventbridge_in_the_type_and_the_local():
    assert 'delivery = optional(string, "eventbridge")' in VARIABLES["fleet_policy"].type
    assert FleetPolicy().delivery == "eventbridge"
    assert fleet_local_attributes()["delivery"] == 'try(var.fleet_policy.delivery, "eventbridge")'
    [delivery] = [v for v in VARIABLES["fleet_policy"].validations if v.rule is rules.FLEET_DELIVERY]
    assert delivery == Validation(
        'try(contains(["eventbridge", "sns", "alarm-action"], try(var.fleet_policy.delivery, "eventbridge")), false)',
        '"fleet_policy.delivery ${jsonencode(try(var.fleet_policy.delivery, null))}: must be one of '
        "'eventbridge', 'sns', 'alarm-action'.\"",
        rules.FLEET_DELIVERY,
    )


def test_the_sweep_policy_type_takes_every_attribute_with_the_sweep_policys_default():
    defaults = SweepPolicy()
    filled = effective_default(VARIABLES["sweep_policy"])
    for name in ("action", "warning_notices", "schedule_minutes", "period_seconds", "evaluation_periods",
                 "datapoints_to_alarm", "evaluate_account"):  # fmt: skip
        assert filled[name] == getattr(defaults, name), name
    assert all(filled[name] is None for name in rules.THRESHOLD_NAMES)  # null: default_thresholds
    assert VARIABLES["sweep_policy"].default is None  # off


def test_the_sweep_local_is_off_notify_only_and_silent_without_a_sweep_policy():
    attributes = sweep_local_attributes()
    assert attributes["enabled"] == "var.sweep_policy != null"
    assert attributes["action"] == 'try(var.sweep_policy.action, "notify")'
    assert attributes["warning_notices"] == "try(var.sweep_policy.warning_notices, false)"
    assert attributes["evaluate_account"] == "try(var.sweep_policy.evaluate_account, false)"
    assert (
        attributes["schedule_minutes"]
        == f"try(var.sweep_policy.schedule_minutes, {rules.SWEEP_SCHEDULE_MINUTES_DEFAULT})"
    )
    assert attributes["thresholds"] == (
        '{ for k in ["bounce_warning", "bounce_critical", "complaint_warning", "complaint_critical"] : '
        "k => coalesce(try(var.sweep_policy[k], null), var.default_thresholds[k]) }"
    )


def _evaluate(hcl: str, period: int, periods: int) -> Any:
    """The sweep window's HCL arithmetic for these values (Python reads it once the inputs are numbers)."""
    text = hcl.replace(sweep_attribute("period_seconds", 3600), str(period))
    text = text.replace(sweep_attribute("evaluation_periods", 1), str(periods))
    assert "var." not in text, text
    return eval(text)  # arithmetic and comparisons of literals only


def _window_validation() -> Validation:
    [window] = [v for v in VARIABLES["sweep_policy"].validations if "read per run" in v.message]
    return window


@pytest.mark.parametrize(
    ("period", "periods"),
    [(60, 1), (3600, 1), (3600, 24), (86_400, 1), (86_400, 5), (86_400, 6), (50_400, 10), (50_400, 11), (25_200, 22)],
)
def test_the_sweep_window_refuses_at_plan_exactly_what_the_model_refuses_in_its_words(period, periods):
    validation = _window_validation()
    problem = sweep.window_problem(
        evaluation.AlarmRule(threshold=0.5, period_seconds=period, evaluation_periods=periods)
    )
    assert _evaluate(validation.condition, period, periods) == (problem is None)
    rendered = re.sub(
        r"\$\{([^}]*)\}", lambda m: str(_evaluate(m.group(1), period, periods)), json.loads(validation.message)
    )
    assert "${" not in rendered
    if problem is not None:
        assert rendered == f"sweep_policy: {problem}."


def test_the_sweep_window_names_the_model_constants():
    condition = _window_validation().condition
    assert condition.endswith(f"<= {rules.METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX}")
    assert f"+ {evaluation.EXTRA_PERIODS_IN_RANGE})" in condition


def test_protected_sets_are_named_like_sets_listed_once_and_at_most_25():
    names, repeated, count = VARIABLES["protected_configuration_sets"].validations
    assert names.rule is rules.CONFIGURATION_SET_NAME
    assert repeated.rule is None and repeated.message.endswith(' more than once."')
    assert "name => name... }" in repeated.condition  # grouped: linear in the list's length
    assert count == Validation(
        "length(var.protected_configuration_sets) <= 25",
        '"protected_configuration_sets has ${length(var.protected_configuration_sets)} names: '
        + rules.PROTECTED_SETS_COUNT.sentence.replace('"', '\\"')
        + '."',
        rules.PROTECTED_SETS_COUNT,
    )


def test_the_normalizing_locals_apply_default_thresholds_to_each_set():
    text = normalizing_locals()
    assert text.startswith('locals {\n  function_package_path = "${path.module}/lambda/ses_guard_lambda.zip"\n')
    for name in rules.THRESHOLD_NAMES:
        assert f"      {name} = coalesce(s.{name}, var.default_thresholds.{name})\n" in text


# --- HCL helpers ---------------------------------------------------------------------------------------
# --- every default follows its own rules -------------------------------------------------------------
def effective_default(variable: ModuleVariable) -> Any:
    """The default as the validations see it: optional attributes filled from the type (for a null
    fleet_policy too: its validations fall back to the same FleetPolicy defaults through ``try``)."""
    if not isinstance(variable.default, dict | None) or variable.type.startswith("map("):
        return variable.default
    filled = {name: json.loads(value) if value else None for name, value in _OPTIONAL.findall(variable.type)}
    return {**filled, **(variable.default or {})}


def _thresholds(obj: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    defaults = effective_default(VARIABLES["default_thresholds"])
    value = {name: defaults[name] if obj.get(name) is None else obj[name] for name in rules.THRESHOLD_NAMES}
    pairs = [(value[f"{m}_warning"], value[f"{m}_critical"]) for m in ("bounce", "complaint")]
    return {
        "ratio": [(value[name],) for name in rules.THRESHOLD_NAMES],
        "warning_below_critical": pairs,
        "aws_pause_level": [(name, value[name]) for name in rules.THRESHOLD_NAMES],
    }


def _window(value: dict[str, Any], *names: str) -> dict[str, list[tuple[Any, ...]]]:
    period, periods, datapoints = value["period_seconds"], value["evaluation_periods"], value["datapoints_to_alarm"]
    return {
        names[0]: [(period, periods)] if names[0].endswith(("range", "window")) else [(period,)],
        names[1]: [(periods,)],
        names[2]: [(datapoints,)],
        "datapoints_not_above_evaluation_periods": [(datapoints, periods)],
    }


def _chat(variable: str, channels: list[dict[str, str]]) -> dict[str, list[tuple[Any, ...]]]:
    checks: dict[str, list[tuple[Any, ...]]] = {
        "chat_channel_count": [(channels,)],
        "chat_labels_unique": [([c["label"] for c in channels],)],
    }
    for attribute, rule in CHAT_PLATFORMS[variable].items():
        checks.setdefault(rule.name, []).extend((c[attribute],) for c in channels)
    return checks


# variable => its effective default => rule name => the arguments of that rule's Python check
DEFAULT_CHECKS = {
    "name_prefix": lambda v: {"name_prefix": [(v,)]},
    "default_thresholds": _thresholds,
    "account_policy": lambda v: {"action": [(v["action"],)], **_thresholds(v)},
    "configuration_sets": lambda v: {
        "configuration_set_count": [(v,)],
        "configuration_set_name": [(name,) for name in v],
        "unique_configuration_set_names": [(list(v),)],
        "action": [(s["action"],) for s in v.values()],
        "ratio": [args for s in v.values() for args in _thresholds(s)["ratio"]],
        "warning_below_critical": [args for s in v.values() for args in _thresholds(s)["warning_below_critical"]],
        "aws_pause_level": [args for s in v.values() for args in _thresholds(s)["aws_pause_level"]],
    },
    "pause_scope": lambda v: {"pause_scope": [(v,)], "pause_scope_literal": [(v,)]},
    "notification_emails": lambda v: {"email": [(item,) for item in v]},
    "notification_phone_numbers": lambda v: {"e164_phone_number": [(item,) for item in v]},
    "alarm_settings": lambda v: {
        **_window(v, "alarm_period_seconds", "alarm_evaluation_periods", "alarm_datapoints_to_alarm"),
        "alarm_evaluation_range": [(v["period_seconds"], v["evaluation_periods"])],
        "alarm_statistic": [(v["statistic"],)],
    },
    "log_retention_days": lambda v: {"log_retention_days": [(v,)]},
    "reserved_concurrency": lambda v: {"reserved_concurrency": [(v,)]},
    "tags": lambda v: {"tag_key": [(k,) for k in v], "tag_value": [(x,) for x in v.values()], "tag_count": [(v,)]},
    "slack_channels": lambda v: _chat("slack_channels", v),
    "teams_channels": lambda v: _chat("teams_channels", v),
    "fleet_policy": lambda v: {
        "action": [(v["action"],)],
        **_thresholds(v),
        **_window(v, "fleet_evaluation_window", "fleet_evaluation_periods", "fleet_datapoints_to_alarm"),
        "fleet_delivery": [(v["delivery"],)],
    },
    "sweep_policy": lambda v: {
        "action": [(v["action"],)],
        **_thresholds(v),
        **_window(v, "alarm_period_seconds", "alarm_evaluation_periods", "alarm_datapoints_to_alarm"),
        "sweep_schedule_minutes": [(v["schedule_minutes"],)],
    },
    "protected_configuration_sets": lambda v: {
        "configuration_set_name": [(name,) for name in v],
        "protected_sets_count": [(v,)],
    },
    "hub_policy": lambda v: _hub(v.get("members") if isinstance(v.get("members"), dict) else {}),
}


def _hub(members: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """A hub's rules over its members (none by default: hub mode is off)."""
    regions = [list(m.get("regions", [])) for m in members.values()]
    thresholds = [(name, value) for m in members.values() for name, value in m.get("thresholds", {}).items()]
    return {
        rules.ACCOUNT_ID.name: [(account,) for account in members],
        rules.REGION_NAME.name: [(region,) for names in regions for region in names],
        rules.HUB_MEMBER_REGIONS_UNIQUE.name: [(names,) for names in regions],
        rules.HUB_MEMBER_REGIONS.name: [(range(sum(max(1, len(names)) for names in regions)),)],
        rules.ACTION.name: [(m[key],) for m in members.values() for key in ("action", "account_action") if key in m],
        rules.CONFIGURATION_SET_NAME.name: [
            (name,) for m in members.values() for name in m.get("protected_configuration_sets", [])
        ],
        rules.RATIO.name: [(value,) for _, value in thresholds],
        rules.AWS_PAUSE_LEVEL.name: thresholds,
    }


def test_the_effective_defaults_fill_optional_attributes_from_the_type():
    assert effective_default(VARIABLES["alarm_settings"]) == {
        "period_seconds": 3600,
        "evaluation_periods": 1,
        "datapoints_to_alarm": 1,
        "statistic": "Maximum",
    }
    assert effective_default(VARIABLES["account_policy"])["action"] == "pause"
    assert effective_default(VARIABLES["fleet_policy"])["period_seconds"] == 3600


@pytest.mark.parametrize("variable", VARIABLES.values(), ids=list(VARIABLES))
def test_every_default_satisfies_the_python_check_of_each_rule_it_is_validated_by(variable):
    checks = DEFAULT_CHECKS.get(variable.name, lambda v: {})(effective_default(variable))
    validated_by = {v.rule.name: v.rule for v in variable.validations if v.rule is not None}
    assert sorted(validated_by) == sorted(checks), "the checks below must cover exactly the validations' rules"
    for name, rule in validated_by.items():
        for arguments in checks[name]:
            assert rule.check(*arguments), f"{variable.name} default {arguments!r} breaks {name}"


# --- AWS's levels and who hears of a pause (issue [4 of 7], items 1 and 7) ------------------------------
@pytest.mark.parametrize(
    "variable", ["default_thresholds", "account_policy", "configuration_sets", "fleet_policy", "sweep_policy"]
)
def test_every_threshold_variable_refuses_a_value_at_or_above_aws_pause_level(variable):
    pause = [v for v in VARIABLES[variable].validations if v.rule is rules.AWS_PAUSE_LEVEL]
    assert len(pause) == len(rules.THRESHOLD_NAMES)
    for validation, name in zip(pause, rules.THRESHOLD_NAMES, strict=True):
        assert f">= {rules.AWS_PAUSE_LEVEL.level(name)}, false)" in validation.condition
        assert rules.AWS_PAUSE_LEVEL.reached(name) in validation.message
        assert "did you mean ${jsonencode(" in validation.message  # the value read as a percentage


def test_a_pause_level_validation_leaves_values_that_are_no_ratio_to_the_ratio_rule():
    [first, *_] = [v for v in VARIABLES["default_thresholds"].validations if v.rule is rules.AWS_PAUSE_LEVEL]
    value = "var.default_thresholds.bounce_warning"
    assert first.condition == f"!(!try({value} <= 0 || {value} >= 1, false) && try({value} >= 0.1, false))"


def test_the_acknowledgement_and_the_opt_out_are_boolean_variables_off_by_default_and_documented():
    for name in (rules.REVIEW_LEVEL_ACKNOWLEDGEMENT, rules.NO_NOTIFICATION_TARGETS_OPT_OUT):
        variable = VARIABLES[name]
        assert (variable.type, variable.default, variable.nullable, variable.validations) == ("bool", False, False, ())
        assert variable.description.startswith("true: ") and "false (default)" in variable.description
    assert (
        "review level (bounce 0.05 = 5 %, complaint 0.001 = 0.1 %)"
        in VARIABLES[rules.REVIEW_LEVEL_ACKNOWLEDGEMENT].description
    )
