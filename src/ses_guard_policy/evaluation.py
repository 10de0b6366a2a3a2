"""CloudWatch metric alarm evaluation, replayed over history: pure functions, no I/O, stdlib only.

The rules are those of the CloudWatch User Guide, sections "Evaluating an alarm", "Configuring how
CloudWatch alarms treat missing data", "How alarm state is evaluated when data is missing" and
"Avoiding premature transitions to alarm state" (tests/cli/test_evaluation.py quotes the rule each
case encodes). What the guide leaves open, and what this module assumes instead (docs/backtest.md):

- The *evaluation range* (how many recent periods CloudWatch retrieves "in case some of the most
  recent data points are missing") "depends on the length of the alarm period"; the guide's only
  example is 5 for 3 evaluation periods. Default here: evaluation periods + 2; configurable.
- CloudWatch evaluates every minute over a sliding window; a replay over period-aligned
  datapoints evaluates once per period, so a transition is reported at the period whose datapoint
  caused it (the real one happened within that period).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from . import rules

OK: Final = "OK"
ALARM: Final = "ALARM"
INSUFFICIENT_DATA: Final = "INSUFFICIENT_DATA"
STATES: Final = (OK, ALARM, INSUFFICIENT_DATA)

MISSING: Final = "missing"
IGNORE: Final = "ignore"
BREACHING: Final = "breaching"
NOT_BREACHING: Final = "notBreaching"
TREAT_MISSING_DATA: Final = (MISSING, IGNORE, BREACHING, NOT_BREACHING)

COMPARISONS: Final[Mapping[str, Callable[[float, float], bool]]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
COMPARISON_SYMBOLS: Final = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}
# PutMetricAlarm (API reference, "Period"): the evaluation range (``rules.ALARM_EVALUATION_RANGE``); periods
# are 10, 20, 30 (high resolution) or a multiple of 60 seconds.
HIGH_RESOLUTION_PERIODS: Final = (10, 20, 30)
EXTRA_PERIODS_IN_RANGE: Final = 2  # assumption: the guide's example retrieves 5 periods for 3

Value = float | None  # None: no datapoint in that period (missing)


@dataclass(frozen=True)
class AlarmRule:
    """How one metric alarm turns datapoints into a state (the PutMetricAlarm settings that matter)."""

    threshold: float
    """Value compared with each datapoint, in the metric's unit (rates: ratio 0-1)."""
    comparison: str = "GreaterThanOrEqualToThreshold"
    """One of COMPARISONS. Default ``>=`` (what the guard and AWS's SES advice use)."""
    period_seconds: int = 3600
    """Length of one period, seconds. Default 3600."""
    evaluation_periods: int = 1
    """N: the most recent periods evaluated. Default 1."""
    datapoints_to_alarm: int = 1
    """M: breaching datapoints among the N that put the alarm in ALARM. Default 1."""
    treat_missing_data: str = MISSING
    """One of TREAT_MISSING_DATA. Default ``missing`` (CloudWatch's default; the guard uses ``ignore``)."""
    evaluation_range: int | None = None
    """Periods retrieved at each evaluation. None (default): evaluation_periods + 2 (an assumption)."""

    def __post_init__(self) -> None:
        problems = rule_problems(self)
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def range_periods(self) -> int:
        if self.evaluation_range is not None:
            return self.evaluation_range
        return self.evaluation_periods + EXTRA_PERIODS_IN_RANGE

    def breaches(self, value: float) -> bool:
        return COMPARISONS[self.comparison](value, self.threshold)

    def settings_text(self) -> str:
        """Everything but the threshold, e.g. ``1 of 1 periods of 3600 s, missing data ignore``."""
        return (
            f"{self.datapoints_to_alarm} of {self.evaluation_periods} periods of {self.period_seconds} s, "
            f"missing data {self.treat_missing_data}"
        )

    def describe(self) -> str:
        symbol = COMPARISON_SYMBOLS.get(self.comparison, self.comparison)
        return f"{symbol} {self.threshold:g} for {self.settings_text()}"


def rule_problems(rule: AlarmRule) -> list[str]:
    """Every way ``rule`` breaks a PutMetricAlarm rule, each naming the value and the rule."""
    problems: list[str] = []
    if (
        not isinstance(rule.threshold, int | float)
        or isinstance(rule.threshold, bool)
        or not math.isfinite(rule.threshold)
    ):
        problems.append(f"threshold={rule.threshold!r}: must be a finite number")
    if rule.comparison not in COMPARISONS:
        problems.append(f"comparison={rule.comparison!r}: must be one of {', '.join(COMPARISONS)}")
    if rule.treat_missing_data not in TREAT_MISSING_DATA:
        problems.append(
            f"treat_missing_data={rule.treat_missing_data!r}: must be one of {', '.join(TREAT_MISSING_DATA)}"
        )
    for name in ("period_seconds", "evaluation_periods", "datapoints_to_alarm"):
        value = getattr(rule, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"{name}={value!r}: must be a whole number of at least 1")
    if problems:
        return problems
    period, n, m = rule.period_seconds, rule.evaluation_periods, rule.datapoints_to_alarm
    if period not in HIGH_RESOLUTION_PERIODS and period % 60:
        problems.append(f"period_seconds={period}: must be 10, 20, 30 or a multiple of 60 (PutMetricAlarm)")
    if m > n:
        problems.append(f"datapoints_to_alarm={m}: must not exceed evaluation_periods={n}")
    limit = rules.ALARM_EVALUATION_RANGE.limit(period)
    if period * n > limit:
        problems.append(
            f"period_seconds x evaluation_periods = {period * n} s: must not exceed {limit} s "
            "(PutMetricAlarm: 7 days, or 1 day for periods under an hour)"
        )
    if rule.evaluation_range is not None and (not isinstance(rule.evaluation_range, int) or rule.evaluation_range < n):
        problems.append(f"evaluation_range={rule.evaluation_range!r}: must be a whole number >= evaluation_periods={n}")
    return problems


def evaluate(window: Sequence[Value], rule: AlarmRule, current: str) -> str:
    """The state after one evaluation. ``window``: the evaluation range, oldest first (None = missing)."""
    n, m = rule.evaluation_periods, rule.datapoints_to_alarm
    present = [value for value in window if value is not None]
    if len(present) >= n:
        # Enough real datapoints: the N most recent real ones decide; missing-data treatment unused.
        return ALARM if sum(rule.breaches(v) for v in present[-n:]) >= m else OK
    treat = rule.treat_missing_data
    if not present:
        return {MISSING: INSUFFICIENT_DATA, IGNORE: current, BREACHING: ALARM, NOT_BREACHING: OK}[treat]
    breaching = sum(rule.breaches(v) for v in present)
    if treat in (BREACHING, NOT_BREACHING):
        # Every real datapoint counts, filled up to N with as few filled datapoints as possible.
        filled_breaching = n - len(present) if treat == BREACHING else 0
        return ALARM if breaching + filled_breaching >= m else OK
    if breaching >= m:
        return ALARM
    if breaching < len(present):
        return OK  # a real non-breaching datapoint: M cannot be reached with missing ones
    if treat == IGNORE:
        return current
    # "missing", only breaching datapoints, fewer than M: ALARM once the oldest breaching one is at
    # least M periods old ("Avoiding premature transitions to alarm state"), else not enough data.
    oldest_age = len(window) - next(i for i, v in enumerate(window) if v is not None)
    return ALARM if oldest_age >= m else INSUFFICIENT_DATA


@dataclass(frozen=True)
class PeriodSeries:
    """Datapoints of one metric statistic on a period grid: ``values[i]`` covers period i from ``start``."""

    start: datetime
    period_seconds: int
    values: tuple[Value, ...]

    def timestamp(self, index: int) -> datetime:
        return self.start + timedelta(seconds=self.period_seconds * index)

    @property
    def end(self) -> datetime:
        return self.timestamp(len(self.values))


def align(moment: datetime, period_seconds: int) -> datetime:
    """The start of the period (counted from the Unix epoch, as CloudWatch aligns them) holding ``moment``."""
    seconds = int(moment.astimezone(UTC).timestamp())
    return datetime.fromtimestamp(seconds - seconds % period_seconds, UTC)


def to_series(
    datapoints: Mapping[datetime, float], start: datetime, end: datetime, period_seconds: int
) -> PeriodSeries:
    """Datapoints (timestamp -> value) laid on the grid [start, end); periods without one are missing."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware (UTC)")
    first = align(start, period_seconds)
    count = max(0, math.ceil((end - first).total_seconds() / period_seconds))
    values: list[Value] = [None] * count
    for moment, value in datapoints.items():
        index = int((moment - first).total_seconds() // period_seconds)
        if 0 <= index < count:
            values[index] = value
    return PeriodSeries(first, period_seconds, tuple(values))


@dataclass(frozen=True)
class Transition:
    """One state change: at the evaluation after period ``index`` (whose start is ``at``)."""

    index: int
    at: datetime
    old: str
    new: str
    value: Value
    """The most recent real datapoint in the evaluation range (None if there was none)."""


@dataclass(frozen=True)
class Replay:
    rule: AlarmRule
    series: PeriodSeries
    states: tuple[str, ...]
    transitions: tuple[Transition, ...]


def replay(series: PeriodSeries, rule: AlarmRule, initial: str = INSUFFICIENT_DATA) -> Replay:
    """Evaluate ``rule`` after every period of ``series``; a new alarm starts in INSUFFICIENT_DATA."""
    if series.period_seconds != rule.period_seconds:
        raise ValueError(
            f"series period {series.period_seconds} s differs from the alarm period {rule.period_seconds} s"
        )
    if initial not in STATES:
        raise ValueError(f"initial={initial!r}: must be one of {', '.join(STATES)}")
    width = rule.range_periods
    # Periods before the history are missing: pad so that every window has the full range.
    missing_before: list[Value] = [None] * (width - 1)
    padded = missing_before + list(series.values)
    state = initial
    states: list[str] = []
    transitions: list[Transition] = []
    for index in range(len(series.values)):
        window = padded[index : index + width]
        new = evaluate(window, rule, state)
        if new != state:
            latest = next((v for v in reversed(window) if v is not None), None)
            transitions.append(Transition(index, series.timestamp(index), state, new, latest))
            state = new
        states.append(state)
    return Replay(rule, series, tuple(states), tuple(transitions))
