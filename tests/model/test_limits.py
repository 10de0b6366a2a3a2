"""Quotas of what the constructs create (ses_guard_policy.limits): the IAM character budget of set ARNs."""

from __future__ import annotations

from ses_guard_policy import limits


def test_the_set_arn_budget_counts_each_name_with_its_arn_overhead() -> None:
    names = ["marketing", "tx"]
    assert limits.set_arns_chars(names) == len("marketing") + len("tx") + 2 * limits.SET_ARN_CHARS_OVERHEAD
    assert limits.SET_ARNS_BUDGET.cost(names) == limits.set_arns_chars(names)


def test_about_eighty_five_short_names_fit_the_role_policy_quota() -> None:
    fifteen = [f"tenant-{index:08d}" for index in range(200)]
    fitting = max(n for n in range(len(fifteen)) if limits.SET_ARNS_BUDGET.check(fifteen[:n]))
    assert 80 <= fitting <= 90
    assert (
        limits.SET_ARNS_CHARS_MAX == limits.IAM_ROLE_INLINE_POLICIES_CHARS_MAX - limits.IAM_ROLE_POLICY_RESERVED_CHARS
    )
