"""FleetPolicy: every configuration set of the Region, present and future, under a handful of alarms.

One CloudWatch Metrics Insights alarm per metric and tier watches ``Reputation.BounceRate`` or
``Reputation.ComplaintRate`` of every set at once: the query groups by ``ses:configuration-set``, so
each set is a *contributor* with its own ALARM/OK state, and a set that starts publishing joins by
itself. Sets with their own ``ConfigurationSetPolicy`` are judged only by their own alarms. Limits
and their sources: docs/fleet.md.

The query text is built and parsed by the policy model (``ses_guard_policy.fleet_query``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_guard_policy import contract, rules
from ses_reputation_guard.expressions import Flag, TerraformExpression
from ses_reputation_guard.policy import Action, ReputationThresholds
from ses_reputation_guard.validation import Problems, is_token


@dataclass(frozen=True)
class FleetPolicy:
    """Metrics Insights alarms over every configuration set. Ratios are 0-1 (0.05 = 5 %)."""

    action: Action = "pause"
    """``pause``: a critical fleet alarm pauses the set that crossed it (the contributor), never the
    account; ``notify``: people only. Default pause."""
    thresholds: ReputationThresholds | None = None
    """Thresholds for every set without its own policy; None (default) uses the guard's
    ``default_thresholds``."""
    warning_alarms: Flag = True
    """Create the warning tier (notify only): 4 alarms instead of 2. Default True."""
    period_seconds: int = 3600
    """Length of one evaluation period, seconds: a multiple of 60, and period x evaluation periods
    at most 10,800 (CloudWatch evaluates the latest 3 hours only). Default 3600."""
    evaluation_periods: int = 1
    """Periods evaluated. Default 1."""
    datapoints_to_alarm: int = 1
    """Breaching periods (of ``evaluation_periods``) that trigger the alarm. Default 1."""
    exclude_explicit_sets: bool | TerraformExpression = True
    """Leave the sets that have their own policy out of the query (``WHERE ... != ...``) while the
    query stays within CloudWatch's 2,048 characters; beyond that the query covers every set and the
    function skips the explicit ones. Or a Terraform boolean expression (the generated module). Default True."""
    enabled: Flag = True
    """Create the fleet alarms at all; a token when only Terraform knows (the generated module's
    ``fleet_policy != null``). Default True."""
    delivery: str = contract.FLEET_DELIVERY_EVENTBRIDGE
    """How a contributor's change reaches the function: ``eventbridge`` (default: an EventBridge rule on
    the "CloudWatch Alarm Contributor State Change" events of the guard's critical fleet alarms, a shape
    AWS documents in full; the alarms then notify people only), ``sns`` (the critical alarms' action on
    the pause topic, one message per contributor, and an alarm-level message the function expands with
    DescribeAlarmContributors) or ``alarm-action`` (the critical alarms invoke the function directly, per
    contributor and at alarm level, no topic or rule in between; the alarm-level invocation is expanded the
    same way). docs/fleet.md, "Delivery"."""

    def collect_problems(self, problems: Problems, subject: str = "fleet_policy") -> None:
        """Record every invalid value; nothing is raised here."""
        problems.choice(f"{subject}.action", self.action, rules.ACTION)
        problems.choice(f"{subject}.delivery", self.delivery, rules.FLEET_DELIVERY)
        if self.thresholds is not None:
            self.thresholds.collect_problems(f"{subject}.thresholds", problems)
        if not isinstance(self.warning_alarms, bool) and not is_token(self.warning_alarms):
            problems.add(f"{subject}.warning_alarms={self.warning_alarms!r}: must be True or False")
        if not isinstance(self.exclude_explicit_sets, (bool, TerraformExpression)):
            problems.add(f"{subject}.exclude_explicit_sets={self.exclude_explicit_sets!r}: must be True or False")
        collect_window_problems(
            problems, subject, self.period_seconds, self.evaluation_periods, self.datapoints_to_alarm
        )

    def tiers(self) -> tuple[str, ...]:
        """The tiers this policy creates (a token ``warning_alarms`` counts as on)."""
        if self.warning_alarms is False:
            return (contract.TIER_CRITICAL,)
        return contract.TIERS

    def alarm_count(self) -> int:
        """Metrics Insights alarms this policy creates: 2 metrics x its tiers."""
        return len(contract.METRIC_SHORT_NAMES) * len(self.tiers())


def collect_window_problems(
    problems: Problems, subject: str, period_seconds: int, evaluation_periods: int, datapoints_to_alarm: int
) -> None:
    """Period, evaluation periods and datapoints of a Metrics Insights alarm (tokens are skipped)."""
    window = rules.FLEET_WINDOW
    problems.whole_number(f"{subject}.evaluation_periods", evaluation_periods, rules.FLEET_EVALUATION_PERIODS)
    problems.whole_number(f"{subject}.datapoints_to_alarm", datapoints_to_alarm, rules.FLEET_DATAPOINTS)
    if is_token(period_seconds):
        return
    if isinstance(period_seconds, bool) or not isinstance(period_seconds, int):
        problems.add(f"{subject}.period_seconds={period_seconds!r}: must be a whole number of seconds")
        return
    if not window.check(period_seconds, 1):
        problems.add(f"{subject}.period_seconds={period_seconds!r}: {window.sentence}")
        return
    numbers = (evaluation_periods, datapoints_to_alarm)
    if any(is_token(n) or isinstance(n, bool) or not isinstance(n, int) for n in numbers):
        return
    if not window.check(period_seconds, evaluation_periods):
        problems.add(
            f"{subject}: period_seconds={period_seconds} x evaluation_periods={evaluation_periods} = "
            f"{period_seconds * evaluation_periods} s: {window.sentence}"
        )
    if not rules.DATAPOINTS_NOT_ABOVE_PERIODS.check(datapoints_to_alarm, evaluation_periods):
        problems.add(
            f"{subject}.datapoints_to_alarm={datapoints_to_alarm!r}: must not exceed "
            f"evaluation_periods={evaluation_periods!r}"
        )


# --- the query ----------------------------------------------------------------------------------
