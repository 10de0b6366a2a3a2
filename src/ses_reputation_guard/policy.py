"""Reputation policies: thresholds and actions for the account and for each configuration set.

Rates are ratios from 0 to 1 (0.05 = 5 %), as SES publishes them. Scalars may be Terraform tokens
(the generated module passes its variables); validation skips those. Defaults pause *before* the levels
at which AWS puts an account under review (bounce 5 %, complaint 0.1 %); see the README's
"Choosing thresholds". A threshold at or above AWS's pause level (bounce 10 %, complaint 0.5 %) is
refused; one at or above its review level only with the guard's
``allow_thresholds_at_or_above_aws_review_level`` (``rules.AWS_LEVELS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ses_guard_policy import rules
from ses_reputation_guard.expressions import Flag
from ses_reputation_guard.validation import Problems

Action = Literal["pause", "notify"]

# Defaults, ratios 0-1, below AWS's review levels (rules.AWS_REVIEW_LEVELS: bounce 0.05, complaint 0.001).
DEFAULT_BOUNCE_WARNING = 0.02
DEFAULT_BOUNCE_CRITICAL = 0.04
DEFAULT_COMPLAINT_WARNING = 0.0005
DEFAULT_COMPLAINT_CRITICAL = 0.0008


@dataclass(frozen=True)
class ReputationThresholds:
    """Alarm thresholds, ratios in (0, 1); each warning must be below its critical, and every one below
    AWS's pause level (below its review level too, unless the guard acknowledges otherwise)."""

    bounce_warning: float = DEFAULT_BOUNCE_WARNING
    """Bounce rate that notifies people. Default 0.02 (2 %)."""
    bounce_critical: float = DEFAULT_BOUNCE_CRITICAL
    """Bounce rate that pauses (when the action is ``pause``). Default 0.04 (4 %), below AWS's 5 % review."""
    complaint_warning: float = DEFAULT_COMPLAINT_WARNING
    """Complaint rate that notifies people. Default 0.0005 (0.05 %)."""
    complaint_critical: float = DEFAULT_COMPLAINT_CRITICAL
    """Complaint rate that pauses. Default 0.0008 (0.08 %), below AWS's 0.1 % review."""

    def collect_problems(self, subject: str, problems: Problems) -> None:
        for name in rules.THRESHOLD_NAMES:
            problems.ratio(f"{subject}.{name}", getattr(self, name))
        problems.warning_below_critical(f"{subject} bounce", self.bounce_warning, self.bounce_critical)
        problems.warning_below_critical(f"{subject} complaint", self.complaint_warning, self.complaint_critical)

    def collect_level_problems(self, subject: str, problems: Problems, review_level_acknowledged: Flag = False) -> None:
        """Every threshold below AWS's pause level, and below its review level unless acknowledged (the
        guard's ``allow_thresholds_at_or_above_aws_review_level``; a token: Terraform checks at plan)."""
        for name in rules.THRESHOLD_NAMES:
            problems.aws_levels(f"{subject}.{name}", name, getattr(self, name), review_level_acknowledged)


@dataclass(frozen=True)
class AccountPolicy:
    """What to do about the account-wide reputation metrics (no dimension)."""

    enabled: Flag = True
    """Create the account-wide alarms. Default True."""
    action: Action = "pause"
    """``pause``: a critical alarm pauses sending for the whole account; ``notify``: people only. Default pause."""
    thresholds: ReputationThresholds | None = None
    """Thresholds for the account; None (default) uses the guard's ``default_thresholds``."""
    warning_alarms: Flag = True
    """Create the warning tier (notify only). Default True."""

    def collect_problems(self, problems: Problems) -> None:
        problems.choice("account_policy.action", self.action, rules.ACTION)
        if self.thresholds is not None:
            self.thresholds.collect_problems("account_policy.thresholds", problems)


@dataclass(frozen=True)
class ConfigurationSetPolicy:
    """What to do about one configuration set's reputation metrics (dimension ``ses:configuration-set``)."""

    action: Action = "pause"
    """``pause``: a critical alarm pauses this set only; ``notify``: never paused (protected). Default pause."""
    managed: bool = True
    """True (default): the guard creates the set with reputation metrics on. False: an existing set;
    the guard only adds alarms and pausing, and reputation metrics must already be enabled on it."""
    thresholds: ReputationThresholds | None = None
    """Thresholds for this set; None (default) uses the guard's ``default_thresholds``."""
    warning_alarms: bool = True
    """Create the warning tier (notify only). Default True."""


def validate_configuration_sets(configuration_sets: Mapping[str, ConfigurationSetPolicy], problems: Problems) -> None:
    """Check names, count and per-set thresholds; every problem is recorded, none raised here."""
    if not rules.CONFIGURATION_SET_COUNT.check(configuration_sets):
        problems.add(
            f"configuration_sets has {len(configuration_sets)} entries, {rules.CONFIGURATION_SET_COUNT.sentence}"
        )
    seen_lower: dict[str, str] = {}
    for name, policy in configuration_sets.items():
        problems.pattern(f"configuration_sets key {name!r}", name, rules.CONFIGURATION_SET_NAME)
        # SES treats names case-insensitively for uniqueness; catch "Marketing" next to "marketing".
        lowered = name.lower() if isinstance(name, str) else str(name)
        if lowered in seen_lower:
            problems.add(
                f"configuration_sets key {name!r}: duplicates {seen_lower[lowered]!r} "
                f"({rules.UNIQUE_SET_NAMES.sentence})"
            )
        seen_lower.setdefault(lowered, name)
        if not isinstance(policy, ConfigurationSetPolicy):
            problems.add(f"configuration_sets[{name!r}]={policy!r}: must be a ConfigurationSetPolicy")
            continue
        problems.choice(f"configuration_sets[{name!r}].action", policy.action, rules.ACTION)
        if policy.thresholds is not None:
            policy.thresholds.collect_problems(f"configuration_sets[{name!r}].thresholds", problems)


def normalized_set_record(policy: ConfigurationSetPolicy, defaults: ReputationThresholds) -> dict[str, Any]:
    """The per-set record the Terraform side iterates over (same shape as the module's locals)."""
    thresholds = policy.thresholds or defaults
    return {
        "action": policy.action,
        "managed": policy.managed,
        "warning_alarms": policy.warning_alarms,
        "bounce_warning": thresholds.bounce_warning,
        "bounce_critical": thresholds.bounce_critical,
        "complaint_warning": thresholds.complaint_warning,
        "complaint_critical": thresholds.complaint_critical,
    }
