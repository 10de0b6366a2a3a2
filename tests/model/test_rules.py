"""Every declared rule: its Python check, and its rendering in Python and in the generated module.

``declared()`` of each rules module is the list a new rule joins; this test then demands that the
constructs (or the function) check it and that a module (the main one or the member one) renders it, so
a rule cannot exist on one side only. The both-sides test (tests/module/test_rules_both_sides.py) proves
they refuse the same values.
"""

from __future__ import annotations

import pathlib
import re

import pytest

from ses_guard_modulegen import member_module
from ses_guard_modulegen.variables import variables
from ses_guard_policy import chat_rules, limits, rules

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULE = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
MEMBER_MODULE = ROOT / "modules" / member_module.MODULE_DIR_NAME
# Each generated module with its variables: a rule counts as rendered in either (the member module's own
# inputs, hub_function_role_arn, organization_id and regions, exist only there).
MODULE_VARIABLES = {MODULE: variables, MEMBER_MODULE: member_module.variables}
MODULES = {"rules": rules, "chat_rules": chat_rules, "limits": limits}
DECLARED = [(f"{name}.{const}", value) for name, module in MODULES.items() for const, value in vars(module).items()
            if isinstance(value, rules.Rule)]  # fmt: skip
# Rules of inputs the module does not have (say why): checked in Python only.
NOT_MODULE_INPUTS = {
    "rules.LOG_LEVEL": "the function's LOG_LEVEL environment variable; the module sets it itself",
    "chat_rules.CHAT_LOGGING_LEVEL": "the module keeps the chat service's default logging level",
    "limits.DASHBOARD_SETS_SHOWN": "the module's dashboard is on or off; the sets shown keep their default",
}
PYTHON_CHECKERS = [ROOT / "src" / "ses_reputation_guard", ROOT / "lambda_src" / "ses_guard_lambda"]


def python_sources() -> str:
    return "".join(path.read_text() for folder in PYTHON_CHECKERS for path in sorted(folder.glob("*.py")))


def module_rules(module: pathlib.Path = MODULE) -> set[str]:
    """Rules the module's variable validations are derived from."""
    return {v.rule.name for variable in MODULE_VARIABLES[module]() for v in variable.validations if v.rule is not None}


def module_preconditions(module: pathlib.Path = MODULE) -> str:
    return "".join(path.read_text() for path in module.glob("*.tf") if path.name != "variables.tf")


def is_rendered_in(module: pathlib.Path, rule: rules.Rule) -> bool:
    """A variable validation or a precondition of ``module`` derived from ``rule``, in the rule's words."""
    rendered = rule.name in module_rules(module) or rule.sentence in module_preconditions(module)
    return rendered and rule.sentence.replace('"', '\\"') in "".join(p.read_text() for p in module.glob("*.tf"))


def test_every_rule_has_a_unique_name_and_a_sentence() -> None:
    names = [rule.name for _, rule in DECLARED]
    assert len(names) == len(set(names))
    assert all(rule.sentence for _, rule in DECLARED)


@pytest.mark.parametrize(("const", "rule"), DECLARED, ids=[c for c, _ in DECLARED])
def test_each_rule_is_checked_in_python(const: str, rule: rules.Rule) -> None:
    assert re.search(rf"\b{re.escape(const)}\b", python_sources()), f"no Python check uses {const}"


@pytest.mark.parametrize(("const", "rule"), DECLARED, ids=[c for c, _ in DECLARED])
def test_each_rule_is_rendered_in_the_module(const: str, rule: rules.Rule) -> None:
    if const in NOT_MODULE_INPUTS:
        assert rule.name not in module_rules()
        return
    assert any(is_rendered_in(module, rule) for module in MODULE_VARIABLES), (
        f"{const} is neither a variable validation nor a precondition of the main or the member module"
    )


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (rules.CONFIGURATION_SET_NAME, ("marketing",), ("marketing\n",)),
        (rules.RATIO, (0.05,), (0, 1, 5, True, float("nan"))),
        (rules.ALARM_PERIOD, (60, 3600), (90, 30, 86_460, 60.5)),
        (rules.RESERVED_CONCURRENCY, (-1, 1, 100), (0, 101, -2)),
        (rules.ACTION, ("pause", "notify"), ("stop", None)),
        (rules.TAG_KEY, ("team",), ("", "aws:x", "k" * 129)),
        (rules.TAG_VALUE, ("", "Équipe 1"), ("aws:x", "v" * 257, "R&D")),
        (rules.PAUSE_SCOPE_LITERAL, ("listed", "name-pattern:t-*"), ("name-pattern:**",)),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_each_kind_checks_values_in_python(rule: rules.Rule, good: tuple[object, ...], bad: tuple[object, ...]) -> None:
    check = rule.check  # type: ignore[attr-defined]
    assert all(check(value) for value in good)
    assert not any(check(value) for value in bad)


@pytest.mark.parametrize("rule", [rules.TAG_KEY, rules.TAG_VALUE], ids=lambda rule: rule.name)
def test_tag_keys_and_values_hold_only_what_iam_lambda_and_cloudwatch_logs_accept(rule: rules.TextRule) -> None:
    # Unicode letters, separators and numbers, and _ . : / = + - @ (no tab or newline: not separators)
    assert all(rule.check(value) for value in ("Équipe 1", "a.b:c/d=e+f-g@h_i", "日本\u00a0٣", "Ⅻ"))
    assert not any(rule.check(value) for value in ("R&D", "team#1", "a\tb", "a\n", "50%", "x*"))
    assert rule.sentence.endswith(
        "contain only letters, spaces, numbers and _ . : / = + - @ (IAM, Lambda and CloudWatch Logs tag rules)"
    )


def test_the_tag_characters_render_as_the_re2_class_the_aws_apis_document() -> None:
    assert rules.TAG_CHARACTERS.pattern == r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"


def test_a_character_set_escapes_only_what_an_re2_class_needs() -> None:
    characters = rules.CharacterSet((("Lu", "capitals"),), "-]^\\.")
    assert characters.pattern == r"^[\p{Lu}\-\]\^\\.]*$"
    assert characters.allows("A-]^\\.") and not characters.allows("a")
    assert characters.sentence == "contain only capitals and - ] ^ \\ ."


def test_two_value_kinds_check_their_pair() -> None:
    assert rules.WARNING_BELOW_CRITICAL.check(0.02, 0.04) and not rules.WARNING_BELOW_CRITICAL.check(0.04, 0.04)
    assert rules.DATAPOINTS_NOT_ABOVE_PERIODS.check(2, 2) and not rules.DATAPOINTS_NOT_ABOVE_PERIODS.check(3, 2)
    assert rules.ALARM_EVALUATION_RANGE.check(3600, 168) and not rules.ALARM_EVALUATION_RANGE.check(3600, 169)
    assert not rules.ALARM_EVALUATION_RANGE.check(1800, 49)  # short periods: one day
    assert rules.FLEET_WINDOW.check(300, 36) and not rules.FLEET_WINDOW.check(300, 37)
    assert rules.PAUSE_SCOPE_COVERAGE.missed("name-pattern:t-*", ["t-1", "x"]) == ["x"]
    assert limits.SET_ARNS_BUDGET.cost(["ab"]) == 2 + limits.SET_ARN_CHARS_OVERHEAD
    assert rules.UNIQUE_SET_NAMES.duplicates(["A", "a", "b"]) == ["a"]


# --- AWS's own levels and who hears of a pause (issue [4 of 7], items 1 and 7) ---------------------
def test_aws_levels_are_the_ses_enforcement_levels_held_once_as_data() -> None:
    for name in rules.THRESHOLD_NAMES:
        metric = rules.threshold_metric(name)
        assert rules.AWS_PAUSE_LEVEL.level(name) == rules.AWS_PAUSE_LEVELS[metric]
        assert rules.AWS_REVIEW_LEVEL.level(name) == rules.AWS_REVIEW_LEVELS[metric]
    assert rules.AWS_REVIEW_LEVELS == {"bounce": 0.05, "complaint": 0.001}
    assert rules.AWS_PAUSE_LEVELS == {"bounce": 0.10, "complaint": 0.005}
    assert "(bounce 0.1 = 10 %, complaint 0.005 = 0.5 %)" in rules.AWS_PAUSE_LEVEL.sentence
    assert "(bounce 0.05 = 5 %, complaint 0.001 = 0.1 %)" in rules.AWS_REVIEW_LEVEL.sentence


@pytest.mark.parametrize(
    ("name", "value"),
    [("complaint_critical", 0.08), ("complaint_warning", 0.05), ("bounce_critical", 0.5), ("bounce_warning", 0.1)],
)
def test_a_threshold_at_or_above_aws_pause_level_is_refused_even_when_acknowledged(name: str, value: float) -> None:
    assert not rules.AWS_PAUSE_LEVEL.check(name, value)
    assert not rules.AWS_PAUSE_LEVEL.check(name, value, acknowledged=True)  # nothing accepts it


def test_a_threshold_at_or_above_aws_review_level_passes_only_when_acknowledged() -> None:
    assert not rules.AWS_REVIEW_LEVEL.check("bounce_critical", 0.05)
    assert not rules.AWS_REVIEW_LEVEL.check("complaint_critical", 0.001)
    assert rules.AWS_REVIEW_LEVEL.check("bounce_critical", 0.06, acknowledged=True)
    assert rules.AWS_REVIEW_LEVEL.acknowledgement == "allow_thresholds_at_or_above_aws_review_level"
    assert rules.AWS_REVIEW_LEVEL.acknowledgement in rules.AWS_REVIEW_LEVEL.sentence
    for name in rules.THRESHOLD_NAMES:  # just below both levels passes
        assert rules.AWS_REVIEW_LEVEL.check(name, rules.AWS_REVIEW_LEVEL.level(name) * 0.99)


def test_a_refusal_names_the_level_and_the_value_read_as_a_percentage() -> None:
    assert rules.AWS_PAUSE_LEVEL.explain("complaint_critical", 0.08).startswith(
        "at or above AWS's pause level 0.005 (0.5 %); did you mean 0.0008 (0.08 %)? thresholds must be below"
    )
    assert rules.AWS_REVIEW_LEVEL.explain("complaint_critical", 0.002).startswith(
        "at or above AWS's review level 0.001 (0.1 %); did you mean 0.00002 (0.002 %)?"
    )
    assert rules.AWS_PAUSE_LEVEL.sentence.endswith("rates are ratios 0-1, not percentages")


def test_numbers_read_without_float_noise_or_exponent() -> None:
    assert [rules.number_text(v) for v in (0.07 / 100, 0.002 / 100, 5.0, 0.1)] == ["0.0007", "0.00002", "5", "0.1"]
    assert rules.percent(0.07) == "7" and rules.percent(0.005) == "0.5"


def test_a_guard_needs_a_notification_target_unless_it_opts_out() -> None:
    rule = rules.NOTIFICATION_TARGETS
    assert rule.inputs == ("notification_emails", "notification_phone_numbers", "slack_channels", "teams_channels")
    assert not rule.check([[], [], [], []])
    assert rule.check([[], [], [], []], opted_out=True)
    assert rule.check([[], ["+15555550100"], [], []])
    assert rule.opt_out == "allow_no_notification_targets" and rule.opt_out in rule.sentence
