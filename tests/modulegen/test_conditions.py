"""conditions: one HCL rendering per rule kind of ses_guard_policy.rules, and its negation."""

from __future__ import annotations

import pytest

from ses_guard_modulegen import conditions
from ses_guard_policy import chat_rules, rules

NAME_PREFIX_REGEX = '"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"'
# RE2 (Terraform's regex) knows Unicode classes; in an HCL string every backslash is doubled.
TAG_CHARACTERS_REGEX = r'"^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$"'
# One row a rendering: the rule, its operands, and what holds / breaks render (None: not asserted).
HOLDS_AND_BREAKS = [
    pytest.param(
        rules.NAME_PREFIX,
        ("var.name_prefix",),
        f"can(regex({NAME_PREFIX_REGEX}, var.name_prefix))",
        f"!can(regex({NAME_PREFIX_REGEX}, var.name_prefix))",
        id="a pattern rule renders as a regex over the value",
    ),
    pytest.param(
        rules.EMAIL,
        ("x",),
        r'can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", x))',
        None,
        id="a pattern with backslashes is escaped as an hcl string",
    ),
    pytest.param(
        rules.RATIO,
        ("v",),
        "!try(v <= 0 || v >= 1, false)",
        "try(v <= 0 || v >= 1, false)",
        id="a ratio breaks outside zero to one and lets null pass",
    ),
    pytest.param(
        rules.ALARM_EVALUATION_PERIODS,
        ("v",),
        "(floor(v) == v && v >= 1 && v <= 24)",
        "!(floor(v) == v && v >= 1 && v <= 24)",
        id="a whole number rule checks the range only",
    ),
    pytest.param(
        rules.RESERVED_CONCURRENCY,
        ("v",),
        "v == -1 || (floor(v) == v && v >= 1 && v <= 100)",
        None,
        id="a whole number rule with also accepts that value too",
    ),
    pytest.param(
        rules.ACTION,
        ("s.action",),
        'contains(["pause", "notify"], s.action)',
        '!contains(["pause", "notify"], s.action)',
        id="a choice rule renders as contains over its options",
    ),
    pytest.param(
        rules.TAG_COUNT,
        ("var.tags",),
        "length(var.tags) <= 45",
        None,
        id="a count rule compares the length with its maximum",
    ),
    pytest.param(
        rules.CONFIGURATION_SET_COUNT,
        ("m",),
        "length(m) <= 10000",
        None,
        id="the configuration set count rule compares the length with its maximum too",
    ),
    pytest.param(
        chat_rules.CHAT_LABELS_UNIQUE,
        ("l",),
        "length(toset(l)) == length(l)",
        None,
        id="a unique rule compares the set size with the list size",
    ),
    pytest.param(
        rules.UNIQUE_SET_NAMES,
        ("l",),
        "length(toset([for name in l : lower(name)])) == length(l)",
        None,
        id="a unique rule ignoring case lowers every item first",
    ),
    pytest.param(
        rules.WARNING_BELOW_CRITICAL,
        ("w", "c"),
        "w < c",
        "w >= c",
        id="a strict order rule renders below and breaks at or above",
    ),
    pytest.param(
        rules.DATAPOINTS_NOT_ABOVE_PERIODS,
        ("d", "n"),
        "d <= n",
        "d > n",
        id="a non-strict order rule renders not above and breaks above",
    ),
    pytest.param(
        rules.ALARM_EVALUATION_RANGE,
        ("p", "n"),
        "p * n <= (p < 3600 ? 86400 : 604800)",
        None,
        id="an evaluation range with short periods picks its limit by period",
    ),
    pytest.param(
        rules.FLEET_WINDOW,
        ("p", "n"),
        "p >= 60 && p % 60 == 0 && p * n <= 10800",
        None,
        id="an evaluation range without short periods checks the step and the window",
    ),
    pytest.param(
        rules.PAUSE_SCOPE_LITERAL,
        ("s",),
        'try(!startswith(s, "name-pattern:") || can(regex("[A-Za-z0-9_-]", trimprefix(s, "name-pattern:"))), true)',
        None,
        id="a literal rule needs a literal after the prefix and passes other forms",
    ),
    pytest.param(
        rules.TextRule("text_key", 1, 128, "aws:", "must be 1-128 characters"),
        ("k",),
        None,
        'k == "" || length(k) > 128 || startswith(k, "aws:")',
        id="a text rule breaks on empty too long or reserved prefix",
    ),
    pytest.param(
        rules.TextRule("text_value", 0, 256, "aws:", "must be at most 256 characters"),
        ("v",),
        None,
        'length(v) > 256 || startswith(v, "aws:")',
        id="a text rule that allows empty strings only checks length and prefix",
    ),
    pytest.param(
        rules.TAG_KEY,
        ("k",),
        None,
        f'k == "" || length(k) > 128 || startswith(k, "aws:") || !can(regex({TAG_CHARACTERS_REGEX}, k))',
        id="a tag key also breaks on a character outside the re2 class of aws tag characters",
    ),
    pytest.param(
        rules.TAG_VALUE,
        ("v",),
        None,
        f'length(v) > 256 || startswith(v, "aws:") || !can(regex({TAG_CHARACTERS_REGEX}, v))',
        id="a tag value also breaks on a character outside the re2 class of aws tag characters",
    ),
    pytest.param(
        rules.TAG_COUNT,
        ("t",),
        None,
        "!(length(t) <= 45)",
        id="breaking a compound condition negates the whole condition",
    ),
    pytest.param(
        rules.AWS_PAUSE_LEVEL,
        ("v", "complaint_critical"),
        "v < 0.005",
        "try(v >= 0.005, false)",
        id="a level rule compares with the level of the thresholds metric and lets null pass",
    ),
    pytest.param(
        rules.AWS_REVIEW_LEVEL,
        ("s.bounce_warning", "bounce_warning"),
        "s.bounce_warning < 0.05",
        "try(s.bounce_warning >= 0.05, false)",
        id="the review level renders from its own data",
    ),
]


@pytest.mark.parametrize(("rule", "operands", "held", "broken"), HOLDS_AND_BREAKS)
def test_each_rule_kind_renders_the_condition_that_holds_and_its_negation(rule, operands, held, broken):
    if held is not None:
        assert conditions.holds(rule, *operands) == held
    if broken is not None:
        assert conditions.breaks(rule, *operands) == broken


def test_the_step_of_a_whole_number_rule_is_a_modulo():
    assert conditions.step_holds(rules.ALARM_PERIOD, "p") == "p % 60 == 0"


def test_a_choice_rule_with_numeric_options_lists_them_unquoted():
    assert conditions.holds(rules.LOG_RETENTION, "d").startswith("contains([1, 3, 5, 7, 14, 30,")


def test_a_choice_that_refuses_null_wraps_contains_in_try():
    assert conditions.choice_holds_not_null(rules.ACTION, "a") == 'try(contains(["pause", "notify"], a), false)'


def test_a_rule_kind_without_a_renderer_is_refused_by_name():
    with pytest.raises(NotImplementedError, match=r"BudgetRule \(budget\)"):
        conditions.holds(rules.BudgetRule("budget", 10, 1, "too long"), "v")


def test_all_match_tests_every_item_with_one_regex_over_the_joined_list():
    expected = r'length(keys(m)) == 0 || can(regex("^(?:[A-Za-z0-9_-]{1,64}\n)*$", "${join("\n", keys(m))}\n"))'
    assert conditions.all_match(rules.CONFIGURATION_SET_NAME, "keys(m)") == expected


@pytest.mark.parametrize("pattern", [r"^[^,]*$", r"[a-z]+"], ids=["allows a newline", "not anchored"])
def test_all_match_refuses_a_pattern_the_joined_list_would_fool(pattern):
    with pytest.raises(AssertionError):
        conditions.all_match(rules.PatternRule("loose", pattern, "must be loose"), "var.items")


def test_hcl_string_escapes_quotes_backslashes_and_template_markers():
    assert conditions.hcl_string('say "hi" \\ ${x} %{if}') == r'"say \"hi\" \\ $${x} %%{if}"'


def test_hcl_list_renders_json_literals():
    assert conditions.hcl_list(("pause", 1, None, True)) == '["pause", 1, null, true]'
