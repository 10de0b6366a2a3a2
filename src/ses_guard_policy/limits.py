"""Quotas of what the constructs create (IAM policies, dashboards), as rules and numbers.

Not the function's: it never imports this module, so its package does not ship it.
"""

from __future__ import annotations

from typing import Final

from .rules import BudgetRule, WholeNumberRule

# IAM quotas (IAM User Guide, "IAM and AWS STS quotas"): a role's inline policies together hold at
# most 10,240 characters, whitespace not counted. The function's other statements take under 2,300
# (measured with a 32-character prefix and the longest partition and Region); 3,072 stays reserved.
IAM_ROLE_INLINE_POLICIES_CHARS_MAX: Final = 10_240
IAM_ROLE_POLICY_RESERVED_CHARS: Final = 3_072
SET_ARNS_CHARS_MAX: Final = IAM_ROLE_INLINE_POLICIES_CHARS_MAX - IAM_ROLE_POLICY_RESERVED_CHARS
# One configuration-set ARN in a policy without its name, quoted and comma-separated, at the longest
# partition (aws-iso-b) and a 16-character Region: '"arn:aws-iso-b:ses:<region>:<account>:configuration-set/",'.
SET_ARN_CHARS_OVERHEAD: Final = 69
SET_ARNS_BUDGET: Final = BudgetRule(
    "set_arns_budget",
    SET_ARNS_CHARS_MAX,
    SET_ARN_CHARS_OVERHEAD,
    "configuration sets named one by one in the function's IAM policy must fit its "
    f"{IAM_ROLE_INLINE_POLICIES_CHARS_MAX}-character inline policy quota: the names plus "
    f"{SET_ARN_CHARS_OVERHEAD} characters each may total at most {SET_ARNS_CHARS_MAX}; "
    "choose pause_scope 'tagged' or 'name-pattern:<pattern>'",
)
SET_ARNS_BUDGET_RULE: Final = SET_ARNS_BUDGET.sentence


def set_arns_chars(names: tuple[str, ...] | list[str]) -> int:
    """Characters the ARNs of ``names`` take in a policy (the budget of ``SET_ARNS_BUDGET``)."""
    return SET_ARNS_BUDGET.cost(names)


# CloudWatch "Dashboard Body Structure and Syntax": 0-500 widgets, an alarm status widget lists 1-100
# alarm ARNs, a metrics array 0-500 metrics; CloudWatch quotas: 2,500 metrics per dashboard.
DASHBOARD_WIDGETS_MAX: Final = 500
DASHBOARD_ALARMS_PER_WIDGET_MAX: Final = 100
DASHBOARD_METRICS_PER_WIDGET_MAX: Final = 500
DASHBOARD_METRICS_MAX: Final = 2500
# Sets graphed one line each (alphabetically first); the Metrics Insights top-10 widgets cover all.
DASHBOARD_SETS_SHOWN_MAX: Final = 100
DASHBOARD_SETS_SHOWN: Final = WholeNumberRule("dashboard_sets_shown", 1, DASHBOARD_SETS_SHOWN_MAX)
