"""pause_scope: which sets the function may pause is the user's choice, checked the same way at synth and plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_guard_policy import limits, rules
from ses_reputation_guard.pause_scope import (
    arns_chars_hcl,
    collect_problems,
    covered,
    glob_regex,
    pattern_regex_hcl,
    scope_is_pattern_hcl,
)
from ses_reputation_guard.validation import Problems
from tests.support.terraform import run_terraform


def problems_of(scope, pausing, notify_only=()) -> list[str]:
    problems = Problems()
    collect_problems(scope, pausing, notify_only, problems)
    return problems.items


def names_of_total_chars(count: int, length: int) -> list[str]:
    return [f"{i:0{length}d}" for i in range(count)]


def terraform_console(expression: str, tmp_path: Path, env: dict[str, str]) -> object:
    """The value of an HCL expression, as Terraform computes it (no provider needed)."""
    result = run_terraform(["console"], tmp_path, env, stdin=f"jsonencode({expression})\n")
    return json.loads(json.loads(result.stdout.strip()))


@pytest.mark.parametrize("scope", ["listed", "tagged", "name-pattern:tenant-*", "name-pattern:a?c", "name-pattern:x"])
def test_the_three_scopes_are_accepted(scope):
    assert problems_of(scope, None) == []


@pytest.mark.parametrize("scope", ["all", "name-pattern:", "name-pattern:a b", "name-pattern:" + "x" * 65, "Listed"])
def test_anything_else_is_refused_with_the_rule(scope):
    assert problems_of(scope, None) == [f"pause_scope={scope!r}: {rules.PAUSE_SCOPE.rule}"]


@pytest.mark.parametrize("pattern", ["*", "**", "?*"])
def test_a_pattern_of_wildcards_only_is_not_a_scope_the_user_narrowed(pattern):
    assert problems_of(f"name-pattern:{pattern}", None) == [
        f"pause_scope='name-pattern:{pattern}': {rules.PAUSE_SCOPE_LITERAL_RULE}"
    ]


def test_listed_sets_must_fit_the_roles_inline_policy_quota_and_never_widen():
    fitting = names_of_total_chars(limits.SET_ARNS_CHARS_MAX // (15 + limits.SET_ARN_CHARS_OVERHEAD), 15)
    assert problems_of("listed", fitting) == []
    too_many = [*fitting, "one-more-set-xx"]
    [problem] = problems_of("listed", too_many)
    assert problem.startswith(f"pause_scope='listed' with {len(too_many)} pausing sets takes ")
    assert problem.endswith(limits.SET_ARNS_BUDGET_RULE)
    assert problems_of("tagged", too_many) == []  # tags scale to any number of sets


def test_every_pausing_set_must_match_the_name_pattern():
    assert problems_of("name-pattern:tenant-*", ["tenant-a", "tenant-b"]) == []
    assert problems_of("name-pattern:tenant-*", ["tenant-a", "marketing"]) == [
        f"pause_scope='name-pattern:tenant-*' leaves out ['marketing']: {rules.PAUSE_SCOPE_COVERAGE_RULE}"
    ]


def test_notify_only_sets_a_pattern_covers_are_denied_by_name_within_the_same_budget():
    assert covered(["tenant-a", "tenant-vip", "marketing"], "name-pattern:tenant-*") == ["tenant-a", "tenant-vip"]
    assert covered(["tenant-a"], "listed") == []
    many = [f"tenant-{name}" for name in names_of_total_chars(200, 8)]
    [problem] = problems_of("name-pattern:tenant-*", ["tenant-x"], many)
    assert "covers 200 notify-only sets" in problem and problem.endswith(limits.SET_ARNS_BUDGET_RULE)


def test_iam_wildcards_become_an_anchored_regex():
    assert glob_regex("tenant-*") == "^tenant-.*$"
    assert glob_regex("a?c") == "^a.c$"


def test_terraform_computes_what_python_computes(tmp_path, terraform_cli_config):
    names = ["tenant-a", "b"]
    scope = '"name-pattern:ten?nt-*"'
    found = terraform_console(
        f"[{arns_chars_hcl(json.dumps(names))}, {pattern_regex_hcl(scope)}, {scope_is_pattern_hcl(scope)}, "
        f"{scope_is_pattern_hcl(json.dumps('tagged'))}]",
        tmp_path,
        terraform_cli_config,
    )
    assert found == [limits.set_arns_chars(names), glob_regex("ten?nt-*"), True, False]
