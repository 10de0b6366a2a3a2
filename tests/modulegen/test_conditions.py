"""conditions: one HCL rendering per rule kind of ses_guard_policy.rules, and its negation."""

from __future__ import annotations

import pytest

from ses_guard_modulegen.conditions import (
    all_match,
    breaks,
    choice_holds_not_null,
    hcl_list,
    hcl_string,
    holds,
    step_holds,
)
from ses_guard_policy import chat_rules, rules

NAME_PREFIX_REGEX = '"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"'


def test_a_pattern_rule_renders_as_a_regex_over_the_value():
    assert holds(rules.NAME_PREFIX, "var.name_prefix") == f"can(regex({NAME_PREFIX_REGEX}, var.name_prefix))"
    assert breaks(rules.NAME_PREFIX, "var.name_prefix") == f"!can(regex({NAME_PREFIX_REGEX}, var.name_prefix))"


def test_a_pattern_with_backslashes_is_escaped_as_an_hcl_string():
    assert holds(rules.EMAIL, "x") == r'can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", x))'


def test_a_ratio_breaks_outside_zero_to_one_and_lets_null_pass():
    assert breaks(rules.RATIO, "v") == "try(v <= 0 || v >= 1, false)"
    assert holds(rules.RATIO, "v") == "!try(v <= 0 || v >= 1, false)"


def test_a_whole_number_rule_checks_the_range_only():
    assert holds(rules.ALARM_EVALUATION_PERIODS, "v") == "(floor(v) == v && v >= 1 && v <= 24)"
    assert breaks(rules.ALARM_EVALUATION_PERIODS, "v") == "!(floor(v) == v && v >= 1 && v <= 24)"


def test_a_whole_number_rule_with_also_accepts_that_value_too():
    assert holds(rules.RESERVED_CONCURRENCY, "v") == "v == -1 || (floor(v) == v && v >= 1 && v <= 100)"


def test_the_step_of_a_whole_number_rule_is_a_modulo():
    assert step_holds(rules.ALARM_PERIOD, "p") == "p % 60 == 0"


def test_a_choice_rule_renders_as_contains_over_its_options():
    assert holds(rules.ACTION, "s.action") == 'contains(["pause", "notify"], s.action)'
    assert breaks(rules.ACTION, "s.action") == '!contains(["pause", "notify"], s.action)'
    assert holds(rules.LOG_RETENTION, "d").startswith("contains([1, 3, 5, 7, 14, 30,")


def test_a_choice_that_refuses_null_wraps_contains_in_try():
    assert choice_holds_not_null(rules.ACTION, "a") == 'try(contains(["pause", "notify"], a), false)'


def test_a_count_rule_compares_the_length_with_its_maximum():
    assert holds(rules.TAG_COUNT, "var.tags") == "length(var.tags) <= 45"
    assert holds(rules.CONFIGURATION_SET_COUNT, "m") == "length(m) <= 10000"


def test_a_unique_rule_compares_the_set_size_with_the_list_size():
    assert holds(chat_rules.CHAT_LABELS_UNIQUE, "l") == "length(toset(l)) == length(l)"


def test_a_unique_rule_ignoring_case_lowers_every_item_first():
    assert holds(rules.UNIQUE_SET_NAMES, "l") == "length(toset([for name in l : lower(name)])) == length(l)"


def test_a_strict_order_rule_renders_below_and_breaks_at_or_above():
    assert holds(rules.WARNING_BELOW_CRITICAL, "w", "c") == "w < c"
    assert breaks(rules.WARNING_BELOW_CRITICAL, "w", "c") == "w >= c"


def test_a_non_strict_order_rule_renders_not_above_and_breaks_above():
    assert holds(rules.DATAPOINTS_NOT_ABOVE_PERIODS, "d", "n") == "d <= n"
    assert breaks(rules.DATAPOINTS_NOT_ABOVE_PERIODS, "d", "n") == "d > n"


def test_an_evaluation_range_with_short_periods_picks_its_limit_by_period():
    assert holds(rules.ALARM_EVALUATION_RANGE, "p", "n") == "p * n <= (p < 3600 ? 86400 : 604800)"


def test_an_evaluation_range_without_short_periods_checks_the_step_and_the_window():
    assert holds(rules.FLEET_WINDOW, "p", "n") == "p >= 60 && p % 60 == 0 && p * n <= 10800"


def test_a_literal_rule_needs_a_literal_after_the_prefix_and_passes_other_forms():
    assert holds(rules.PAUSE_SCOPE_LITERAL, "s") == (
        'try(!startswith(s, "name-pattern:") || can(regex("[A-Za-z0-9_-]", trimprefix(s, "name-pattern:"))), true)'
    )


def test_a_text_rule_breaks_on_empty_too_long_or_reserved_prefix():
    assert breaks(rules.TAG_KEY, "k") == 'k == "" || length(k) > 128 || startswith(k, "aws:")'


def test_a_text_rule_that_allows_empty_strings_only_checks_length_and_prefix():
    assert breaks(rules.TAG_VALUE, "v") == 'length(v) > 256 || startswith(v, "aws:")'


def test_a_rule_kind_without_a_renderer_is_refused_by_name():
    with pytest.raises(NotImplementedError, match=r"BudgetRule \(budget\)"):
        holds(rules.BudgetRule("budget", 10, 1, "too long"), "v")


def test_breaking_a_compound_condition_negates_the_whole_condition():
    assert breaks(rules.TAG_COUNT, "t") == "!(length(t) <= 45)"


def test_all_match_tests_every_item_with_one_regex_over_the_joined_list():
    expected = r'can(regex("^(?:[A-Za-z0-9_-]{1,64}\n)*$", "${join("\n", keys(m))}\n"))'
    assert all_match(rules.CONFIGURATION_SET_NAME, "keys(m)") == expected


@pytest.mark.parametrize("pattern", [r"^[^,]*$", r"[a-z]+"], ids=["allows a newline", "not anchored"])
def test_all_match_refuses_a_pattern_the_joined_list_would_fool(pattern):
    with pytest.raises(AssertionError):
        all_match(rules.PatternRule("loose", pattern, "must be loose"), "var.items")


def test_hcl_string_escapes_quotes_backslashes_and_template_markers():
    assert hcl_string('say "hi" \\ ${x} %{if}') == r'"say \"hi\" \\ $${x} %%{if}"'


def test_hcl_list_renders_json_literals():
    assert hcl_list(("pause", 1, None, True)) == '["pause", 1, null, true]'
