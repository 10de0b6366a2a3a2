"""Sweep mode: every configuration set of a Region judged by a scheduled run, written once here.

A run asks CloudWatch two Metrics Insights queries (``fleet_query.build``: one per reputation metric,
``GROUP BY "ses:configuration-set" ORDER BY MAX() DESC``, at most 500 series each, the worst first)
and one plain GetMetricData for the account-wide rates, over ``lookback`` periods, then replays each
series through the deployed evaluation with the model's engine (``evaluation``): the same period,
statistic, M of N, missing-data treatment and ``>=`` as an alarm and as the backtest. A target is in
breach of a tier when that replay ends in ALARM. The function (``ses_guard_lambda.scheduled_sweep``), the
backtest (``ses-guard backtest --stack`` of a sweep guard) and the benchmark all decide through
``judge`` and ``verdicts``; nothing else decides.

No claim is read: a run is started by a schedule whose event carries nothing the run uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from . import contract, evaluation, fleet_query, rules

QUERY_IDS: Final = {contract.METRIC_BOUNCE_RATE: "bounce", contract.METRIC_COMPLAINT_RATE: "complaint"}
SEVERITY_ORDER: Final = (contract.TIER_CRITICAL, contract.TIER_WARNING)


def queries() -> dict[str, str]:
    """Metric name => the Metrics Insights query over every set of the Region (no exclusions: the run
    leaves explicit, protected and notify-tagged sets alone itself, so the query never grows)."""
    return {metric: fleet_query.build(metric) for metric in contract.REPUTATION_METRICS}


def lookback_periods(rule: evaluation.AlarmRule) -> int:
    """Periods a run reads: the evaluation range twice, so the latest evaluation has a full range and
    the replay's first evaluations (which start from OK) are behind it."""
    return 2 * rule.range_periods


def window_problem(rule: evaluation.AlarmRule) -> str | None:
    """Why a run could not read ``rule``'s lookback (Metrics Insights reads the last 2 weeks), or None."""
    seconds = lookback_periods(rule) * rule.period_seconds
    if seconds <= rules.METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX:
        return None
    return (
        f"period {rule.period_seconds} s x {lookback_periods(rule)} periods read per run (twice the evaluation "
        f"range) = {seconds} s: must be at most {rules.METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX} s (Metrics "
        "Insights queries read the last 2 weeks)"
    )


def window(now: datetime, rule: evaluation.AlarmRule) -> tuple[datetime, datetime]:
    """(start, end) of what a run at ``now`` reads: period-aligned start, ``now`` as the end (the
    current period so far counts, as it does for an alarm evaluated within the period)."""
    start = evaluation.align(now, rule.period_seconds) - timedelta(
        seconds=(lookback_periods(rule) - 1) * rule.period_seconds
    )
    return start, now


def judge(
    points: Mapping[datetime, float],
    rule: evaluation.AlarmRule,
    now: datetime,
    not_before: datetime | None = None,
) -> str:
    """The state the deployed evaluation reaches at ``now`` over ``points`` (timestamp -> value), replayed
    from OK over ``window``. Datapoints of periods that ended before ``not_before`` (the last resume)
    count as missing: a resumed target starts afresh, as the function's alarm path does."""
    start, end = window(now, rule)
    period = timedelta(seconds=rule.period_seconds)
    kept = {
        t: v
        for t, v in points.items()
        if start <= t <= end and (not_before is None or evaluation.align(t, rule.period_seconds) + period > not_before)
    }
    series = evaluation.to_series(kept, start, end + timedelta(microseconds=1), rule.period_seconds)
    states = evaluation.replay(series, rule, initial=evaluation.OK).states
    return states[-1] if states else evaluation.OK


@dataclass(frozen=True)
class Verdict:
    """One target's metric in breach of a tier at the run's time."""

    configuration_set: str | None
    """The set, or None for the account."""
    metric: str
    """Full metric name (``Reputation.BounceRate``)."""
    tier: str
    threshold: float
    latest: float | None
    """The newest datapoint in the window."""
    highest: float
    """The highest datapoint in the window: how far past the threshold the target went."""

    @property
    def severity(self) -> float:
        """``highest / threshold``: the order in which a run handles breaches (worst first)."""
        return self.highest / self.threshold

    def describe(self) -> str:
        who = f"set {self.configuration_set!r}" if self.configuration_set is not None else "the account"
        short = contract.METRIC_SHORT_NAMES[self.metric]
        return f"{who}: {short} rate up to {self.highest:.4%} breaches the {self.tier} threshold {self.threshold:.4%}"


Thresholds = Callable[[str | None, str, str], float | None]
"""(configuration set or None, metric, tier) => the threshold, or None when that tier is not evaluated."""
Rules = Callable[[float], evaluation.AlarmRule]
"""threshold => the deployed evaluation at that threshold."""


def verdicts(
    series: Mapping[str | None, Mapping[str, Mapping[datetime, float]]],
    thresholds: Thresholds,
    rule_at: Rules,
    now: datetime,
    not_before: Callable[[str | None], datetime | None] = lambda _target: None,
) -> list[Verdict]:
    """Every (target, metric, tier) in breach at ``now``, worst first: critical before warning, then by
    severity, then by name. ``series``: target (set name, None for the account) => metric => points."""
    found: list[Verdict] = []
    for target, by_metric in series.items():
        for metric, points in by_metric.items():
            found += _breaches(target, metric, points, thresholds, rule_at, now, not_before(target))
    return sorted(found, key=_order)


def _breaches(
    target: str | None,
    metric: str,
    points: Mapping[datetime, float],
    thresholds: Thresholds,
    rule_at: Rules,
    now: datetime,
    not_before: datetime | None,
) -> Iterable[Verdict]:
    """The most severe tier ``target``'s ``metric`` breaches, if any: a critical breach is reported (and
    acted on) as critical only, never also as a warning of the same metric."""
    if not points:
        return
    for tier in SEVERITY_ORDER:
        threshold = thresholds(target, metric, tier)
        if threshold is None:
            continue
        rule = rule_at(threshold)
        if judge(points, rule, now, not_before) != evaluation.ALARM:
            continue
        start, _ = window(now, rule)
        recent = [points[t] for t in sorted(points) if t >= start]
        yield Verdict(target, metric, tier, threshold, recent[-1] if recent else None, max(recent, default=0.0))
        return


def _order(verdict: Verdict) -> tuple[int, float, str, str]:
    return (
        SEVERITY_ORDER.index(verdict.tier),
        -verdict.severity,
        verdict.configuration_set or "",
        verdict.metric,
    )


def saturated(returned_series: int, breaching_series: int) -> bool:
    """The query returned its maximum of series and every one breaches: more sets may be breaching
    beyond what one query shows (the next run continues once these are paused)."""
    return returned_series >= rules.METRICS_INSIGHTS_SERIES_MAX and breaching_series >= returned_series


def episode_key(configuration_set: str | None, metric: str, tier: str) -> str:
    """The key of one warning (or critical) episode in the run's state: ``set/<name>/<metric>/<tier>``
    or ``account/<metric>/<tier>`` (set names cannot hold '/')."""
    short = contract.METRIC_SHORT_NAMES[metric]
    if configuration_set is None:
        return f"{contract.SCOPE_ACCOUNT}/{short}/{tier}"
    return f"set/{configuration_set}/{short}/{tier}"
