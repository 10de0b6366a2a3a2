"""SweepPolicy: every configuration set of the Region judged by a scheduled run, for the price of queries.

Every ``schedule_minutes`` the function runs two Metrics Insights GetMetricData queries (one per
reputation metric, grouped by configuration set, the worst 500 first) and one for the account-wide
rates, replays each set's datapoints through this policy's evaluation with the model's engine
(``ses_guard_policy.sweep``), pauses the sets in critical breach and notifies warnings once per
episode. Sets with their own ``ConfigurationSetPolicy``, the guard's ``protected_configuration_sets`` and
sets tagged ``ses-reputation-guard:action = notify`` in SES are left alone. No alarm is needed: cost,
limits and how it compares with per-set and fleet alarms are in docs/sweep.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_guard_policy import evaluation, rules, sweep
from ses_reputation_guard.expressions import Flag
from ses_reputation_guard.policy import Action, ReputationThresholds
from ses_reputation_guard.validation import Problems, is_token


@dataclass(frozen=True)
class SweepPolicy:
    """A scheduled run over every configuration set of the Region. Ratios are 0-1 (0.05 = 5 %)."""

    action: Action = "pause"
    """``pause``: a set in critical breach is paused (never the account: that follows
    ``account_policy.action``); ``notify``: people only. Default pause."""
    thresholds: ReputationThresholds | None = None
    """Thresholds for every set without its own policy; None (default) uses the guard's
    ``default_thresholds``."""
    warning_notices: Flag = True
    """Notify a warning breach, once per episode (until the set is healthy again). Default True."""
    schedule_minutes: int = rules.SWEEP_SCHEDULE_MINUTES_DEFAULT
    """Minutes between runs, 5-1440. Default 60, the period of SES's hourly reputation datapoints: a
    shorter schedule reads the same datapoints more often (and costs as much more)."""
    period_seconds: int = 3600
    """Length of one evaluation period, seconds (a multiple of 60, as for an alarm). Default 3600."""
    evaluation_periods: int = 1
    """N: the most recent periods evaluated. Default 1."""
    datapoints_to_alarm: int = 1
    """M: breaching periods among the N that make a breach. Default 1."""
    evaluate_account: Flag = True
    """Judge the account-wide rates in the same run, by ``account_policy`` (its thresholds and action):
    a sweep guard then needs no reputation alarm at all (``account_policy.enabled=False``). Default True."""
    enabled: Flag = True
    """Schedule the run at all; a token when only Terraform knows (the generated module's
    ``sweep_policy != null``). Default True."""

    def collect_problems(self, problems: Problems, subject: str = "sweep_policy") -> None:
        """Record every invalid value; nothing is raised here."""
        problems.choice(f"{subject}.action", self.action, rules.ACTION)
        if self.thresholds is not None:
            self.thresholds.collect_problems(f"{subject}.thresholds", problems)
        for name in ("warning_notices", "evaluate_account"):
            value = getattr(self, name)
            if not isinstance(value, bool) and not is_token(value):
                problems.add(f"{subject}.{name}={value!r}: must be True or False")
        problems.whole_number(f"{subject}.schedule_minutes", self.schedule_minutes, rules.SWEEP_SCHEDULE_MINUTES)
        problems.whole_number(f"{subject}.period_seconds", self.period_seconds, rules.ALARM_PERIOD)
        problems.whole_number(f"{subject}.evaluation_periods", self.evaluation_periods, rules.ALARM_EVALUATION_PERIODS)
        problems.whole_number(f"{subject}.datapoints_to_alarm", self.datapoints_to_alarm, rules.ALARM_DATAPOINTS)
        self._collect_window_problems(problems, subject)

    def _collect_window_problems(self, problems: Problems, subject: str) -> None:
        """M <= N, the alarm's evaluation range, and what one run can read (skipped for tokens)."""
        numbers = (self.period_seconds, self.evaluation_periods, self.datapoints_to_alarm)
        if any(is_token(n) or isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in numbers):
            return
        try:
            rule = evaluation.AlarmRule(
                threshold=0.5,
                period_seconds=self.period_seconds,
                evaluation_periods=self.evaluation_periods,
                datapoints_to_alarm=self.datapoints_to_alarm,
            )
        except ValueError as exc:
            problems.add(f"{subject}: {exc}")
            return
        problem = sweep.window_problem(rule)
        if problem is not None:
            problems.add(f"{subject}: {problem}")
