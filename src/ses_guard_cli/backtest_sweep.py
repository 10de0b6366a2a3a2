"""The backtest of a sweep guard: every scheduled run replayed in memory over history read once.

At each run time ``t`` (every ``schedule_minutes`` over the backtest range, counted from the Unix epoch)
the decision is ``ses_guard_policy.sweep.verdicts`` at ``t`` over what the run would have read
(:func:`decisions_at`, pure: the function's live run must decide the same on the same datapoints). A
set's critical breach pauses it when the sweep's action is ``pause`` (the account's: when the account's
action is); a pause lasts (nobody resumes in a backtest). Warnings notify once per episode: a new notice
when a target breaches the warning tier after a run where it did not.

What a run sees, as the function does: per metric, the Metrics Insights query's 500 series with the
highest ``MAX`` over the run's window, explicit sets included (they take places and are then left to
their own alarms), protected sets left alone; the account's two rates when ``evaluate_account``.

History: the same queries (``sweep.queries()``) through GetMetricData, over the backtest range in
chunks of a day (a query returns at most 500 series: the backtest sees the 500 worst sets of each
chunk, as a run sees the 500 worst of its window), and the account's series with plain GetMetricData.
Metrics Insights reads only the last 2 weeks: the sweep's range is clipped to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from ses_guard_policy import contract, evaluation, manifest, rules, sweep

Points = Mapping[datetime, float]
Series = Mapping[str | None, Mapping[str, Points]]
"""target (set name, None for the account) => metric (``Reputation.BounceRate``) => timestamp => value."""
History = dict[str | None, dict[str, dict[datetime, float]]]
"""What ``fetch_sweep_history`` reads, shaped as ``Series``."""
CHUNK: Final = timedelta(days=1)
QUERY_RANGE: Final = timedelta(seconds=rules.METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX)
ACCOUNT: Final = "account"


class SweepBacktestError(ValueError):
    """A manifest without an enabled sweep; the message says which."""


# --- the decision of one run -------------------------------------------------------------------------
def thresholds_of(guard: manifest.Manifest, protected: frozenset[str] = frozenset()) -> sweep.Thresholds:
    """(target, metric, tier) => threshold, or None where the sweep does not judge: a set with its own
    policy or protected; otherwise the model's rule the function judges by (``manifest.Sweep.thresholds_of``)."""
    judged = _sweep_of(guard).thresholds_of(guard.account)

    def threshold(target: str | None, metric: str, tier: str) -> float | None:
        if target is not None and (target in guard.configuration_sets or target in protected):
            return None
        return judged(target, metric, tier)

    return threshold


def decisions_at(
    series: Series,
    guard: manifest.Manifest,
    now: datetime,
    *,
    protected: frozenset[str] = frozenset(),
    not_before: Callable[[str | None], datetime | None] = lambda _target: None,
) -> list[sweep.Verdict]:
    """What a sweep run at ``now`` decides over ``series``: ``sweep.verdicts`` on what the run reads (the
    500 highest series of each query over its window, then the sets it judges), worst first."""
    policy = _sweep_of(guard)
    start, end = sweep.window(now, policy.evaluation.alarm_rule(0.5))
    seen = {target: dict(by_metric) for target, by_metric in _read_by_run(series, start, end).items()}
    return sweep.verdicts(seen, thresholds_of(guard, protected), policy.evaluation.alarm_rule, now, not_before)


def _read_by_run(series: Series, start: datetime, end: datetime) -> dict[str | None, dict[str, Points]]:
    """The datapoints in [start, end] of the account and of the 500 sets each query ranks highest."""
    read: dict[str | None, dict[str, Points]] = {}
    for metric in contract.REPUTATION_METRICS:
        ranked = []
        for target, by_metric in series.items():
            points = {t: v for t, v in by_metric.get(metric, {}).items() if start <= t <= end}
            if not points:
                continue
            if target is None:
                read.setdefault(None, {})[metric] = points
            else:
                ranked.append((-max(points.values()), target, points))
        for _, target, points in sorted(ranked)[: rules.METRICS_INSIGHTS_SERIES_MAX]:
            read.setdefault(target, {})[metric] = points
    return read


def _sweep_of(guard: manifest.Manifest) -> manifest.Sweep:
    if guard.sweep is None or not guard.sweep.enabled:
        raise SweepBacktestError(f"guard {guard.name_prefix!r}: no enabled sweep in its policy manifest")
    return guard.sweep


# --- every run over a range ----------------------------------------------------------------------
def run_times(start: datetime, end: datetime, schedule_minutes: int) -> list[datetime]:
    """The scheduled runs in [start, end): every ``schedule_minutes``, counted from the Unix epoch."""
    step = schedule_minutes * 60
    first = evaluation.align(start, step)
    if first < start:
        first += timedelta(seconds=step)
    count = max(0, int((end - first).total_seconds() // step) + 1)
    return [t for t in (first + timedelta(seconds=step * i) for i in range(count)) if t < end]


@dataclass
class TargetOutcome:
    """One target over every run: when it would first be paused and warned, and how often it breached."""

    target: str
    first_pause: datetime | None = None
    first_warning: datetime | None = None
    critical_runs: int = 0
    warning_runs: int = 0
    warning_notices: int = 0
    highest: float = 0.0


@dataclass(frozen=True)
class SweepOutcome:
    label: str
    schedule_minutes: int
    runs: tuple[datetime, ...]
    targets: tuple[TargetOutcome, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def pauses(self) -> list[TargetOutcome]:
        return sorted((t for t in self.targets if t.first_pause), key=lambda t: (t.first_pause, t.target))


def replay_sweep(
    series: Series,
    guard: manifest.Manifest,
    start: datetime,
    end: datetime,
    *,
    protected: frozenset[str] = frozenset(),
    notes: Sequence[str] = (),
) -> SweepOutcome:
    """Every scheduled run in [start, end) decided by :func:`decisions_at`; pauses and notices as the
    function makes them (a pause lasts, a warning notifies once per episode)."""
    policy = _sweep_of(guard)
    runs = run_times(start, end, policy.schedule_minutes)
    outcomes: dict[str, TargetOutcome] = {}
    warned_before: set[str] = set()
    for now in runs:
        verdicts = decisions_at(series, guard, now, protected=protected)
        warned_now = _record_run(now, verdicts, guard, outcomes, warned_before)
        warned_before = warned_now
    ordered = sorted(outcomes.values(), key=lambda t: (t.target != ACCOUNT, t.target))
    return SweepOutcome(guard.name_prefix, policy.schedule_minutes, tuple(runs), tuple(ordered), tuple(notes))


def _record_run(
    now: datetime,
    verdicts: Iterable[sweep.Verdict],
    guard: manifest.Manifest,
    outcomes: dict[str, TargetOutcome],
    warned_before: set[str],
) -> set[str]:
    """Count one run's verdicts into ``outcomes``; the targets in warning breach now (for episodes)."""
    critical: set[str] = set()
    warned: set[str] = set()
    for verdict in verdicts:
        name = ACCOUNT if verdict.configuration_set is None else f"configuration-set:{verdict.configuration_set}"
        outcome = outcomes.setdefault(name, TargetOutcome(name))
        outcome.highest = max(outcome.highest, verdict.highest)
        if verdict.tier == contract.TIER_CRITICAL:
            critical.add(name)
            if outcome.first_pause is None and _pauses(verdict, guard):
                outcome.first_pause = now
        else:
            warned.add(name)
    for name in critical:
        outcomes[name].critical_runs += 1
    for name in warned:
        outcome = outcomes[name]
        outcome.warning_runs += 1
        outcome.first_warning = outcome.first_warning or now
        outcome.warning_notices += name not in warned_before
    return warned


def _pauses(verdict: sweep.Verdict, guard: manifest.Manifest) -> bool:
    if verdict.configuration_set is None:
        return guard.account is not None and guard.account.action == contract.ACTION_PAUSE
    return guard.sweep is not None and guard.sweep.action == contract.ACTION_PAUSE


# --- history: the sweep's own queries --------------------------------------------------------------
def sweep_range(start: datetime, end: datetime) -> tuple[datetime, list[str]]:
    """The start the sweep's queries can read from (the last 2 weeks before ``end``) and a note if clipped."""
    earliest = end - QUERY_RANGE
    if start >= earliest:
        return start, []
    return earliest, [
        f"the sweep is replayed from {earliest:%Y-%m-%d %H:%M} UTC: Metrics Insights queries read only the last 2 weeks"
    ]


def fetch_sweep_history(cloudwatch: Any, guard: manifest.Manifest, start: datetime, end: datetime) -> History:
    """Every set's series from the sweep's queries over [start, end), a day at a time (the 500 worst sets
    of each day), and the account's rates when the sweep judges the account."""
    from ses_guard_lambda.paging import pages

    policy = _sweep_of(guard)
    period = policy.evaluation.period
    series: History = {}
    for metric, query in sweep.queries().items():
        for chunk_start, chunk_end in _chunks(start, end):
            request = {
                "MetricDataQueries": [{"Id": "q", "Expression": query, "Period": period, "ReturnData": True}],
                "StartTime": chunk_start,
                "EndTime": chunk_end,
                "ScanBy": "TimestampAscending",
            }
            for response in pages(cloudwatch.get_metric_data, **request):
                _keep_results(response, metric, series)
    if policy.evaluate_account:
        _fetch_account(cloudwatch, period, start, end, series)
    return series


def _chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    bounds = [start]
    while bounds[-1] + CHUNK < end:
        bounds.append(bounds[-1] + CHUNK)
    return list(zip(bounds, [*bounds[1:], end], strict=True))


def _keep_results(response: Mapping[str, Any], metric: str, series: History) -> None:
    for result in response.get("MetricDataResults", []):
        if result.get("StatusCode") in ("InternalError", "Forbidden"):
            raise SweepHistoryError(f"GetMetricData Metrics Insights query failed: {result.get('StatusCode')}")
        label = result.get("Label")
        if not label or label == result.get("Id") or not result.get("Timestamps"):
            continue  # a query matching nothing returns one empty series under its Id
        points = series.setdefault(label, {}).setdefault(metric, {})
        points.update(zip(result["Timestamps"], result["Values"], strict=True))


def _fetch_account(cloudwatch: Any, period: int, start: datetime, end: datetime, series: History) -> None:
    from ses_guard_cli.backtest_history import SeriesKey, fetch_history

    keys = [SeriesKey(metric, None, "Maximum", period) for metric in contract.REPUTATION_METRICS]
    for key, history in fetch_history(cloudwatch, keys, start, end).items():
        points = {history.timestamp(i): v for i, v in enumerate(history.values) if v is not None}
        if points:
            series.setdefault(None, {})[key.metric] = points


class SweepHistoryError(RuntimeError):
    """CloudWatch answered, but not with the sweep's history."""


# --- words ---------------------------------------------------------------------------------------
def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _row(t: TargetOutcome) -> tuple[str, ...]:
    counts = (t.critical_runs, t.warning_runs, t.warning_notices)
    return (t.target, _when(t.first_pause), _when(t.first_warning), *map(str, counts), f"{t.highest:.6g}")


def sweep_text(outcome: SweepOutcome) -> str:
    runs = outcome.runs
    span = f"{_when(runs[0])} to {_when(runs[-1])} UTC" if runs else "no run in range"
    lines = [
        f"Sweep {outcome.label!r}: {len(runs)} runs every {outcome.schedule_minutes} min ({span})",
        *(f"  note: {note}" for note in outcome.notes),
    ]
    if not outcome.targets:
        lines.append("  No target breached in any run.")
        return "\n".join(lines)
    header = ("TARGET", "FIRST PAUSE", "FIRST WARNING", "CRITICAL RUNS", "WARNING RUNS", "NOTICES", "HIGHEST")
    rows = [_row(t) for t in outcome.targets]
    from ses_guard_cli.backtest_report import format_table

    lines += ["", format_table(rows, header)]
    pauses = outcome.pauses
    lines += ["", f"Would-be sweep pauses ({outcome.label}): {len(pauses) or 'none'}"]
    lines += [f"  {_when(t.first_pause)}  {t.target}" for t in pauses]
    return "\n".join(lines)
