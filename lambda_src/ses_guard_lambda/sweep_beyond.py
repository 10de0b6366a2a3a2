"""Beyond the worst 500: what a run does when a Metrics Insights query returned its maximum of series.

A query returns at most 500 series, the highest ``MAX()`` first ("Metrics Insights quotas"). When one
returned 500 and the lowest of them still reached a threshold the run evaluates, sets beyond them may
breach too (``may_breach_beyond``; the model's ``saturated``, every returned series in critical breach,
is the narrower case the summary reports). Metrics Insights' WHERE knows only ``=``, ``!=`` and ``AND``
(CloudWatch User Guide, "Metrics Insights query components and syntax"): no ``LIKE`` or ``NOT IN`` to
shard by name, and ``!=`` per set does not fit 500 names in a 2,048-character query. So the run reads
the rest by name instead: every set of the Region (ListConfigurationSets), minus the ones the query
returned, sorted, in plain GetMetricData calls of one MetricStat per set and metric (the same
``AWS/SES`` metric, ``Maximum`` per period, as the query's ``MAX()``), judged by the same model
``verdicts`` and handled like the others. The scan starts after the cursor item and stops when the time
or the run's pauses run out, leaving the cursor at the last set whose breaches were all handled; the
next run continues there, and a finished scan deletes the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Final

from ses_guard_policy import contract, rules
from ses_guard_policy import sweep as model
from ses_guard_policy.sweep import Verdict

from . import log, sweep_query, sweep_report
from .report import Report
from .sweep_query import InsightsResult, Points
from .sweep_run import SweepRun
from .sweep_targets import AWS_ERRORS, publish

ANY_SET: Final = "any-set"  # thresholds() of sets do not depend on the name
SCAN: Final = "scan-beyond-top-500"

Act = Callable[[SweepRun, list[Verdict], Mapping[str | None, Mapping[str, Points]]], None]


@dataclass
class Beyond:
    """What the run found beyond the top 500."""

    saturated: dict[str, bool] = field(default_factory=dict)
    """Per metric (short name): the model's ``saturated`` (500 series, every one in critical breach)."""
    full: list[str] = field(default_factory=list)
    """Metrics (short names) whose query was full and whose last series reached a threshold."""
    waiting: int | None = None
    """Sets of the Region not among the series the queries returned (counted only when ``needed``)."""
    scanned: int = 0
    verdicts: list[Verdict] = field(default_factory=list)
    progress: str = "not needed"


def may_breach_beyond(run: SweepRun, metric: str, result: InsightsResult) -> bool:
    """The query was full, and its lowest series reached the lowest threshold evaluated for sets."""
    if len(result.series) < rules.METRICS_INSIGHTS_SERIES_MAX:
        return False
    thresholds = [run.thresholds(ANY_SET, metric, tier) for tier in contract.TIERS]
    lowest = min((t for t in thresholds if t is not None), default=None)
    last = min(sweep_query.highest(points.values()) for points in result.series.values())
    return lowest is not None and last >= lowest


def continue_beyond(
    run: SweepRun,
    results: Mapping[str, InsightsResult],
    found: list[Verdict],
    seen: MutableMapping[str | None, set[str]],
    act: Act,
) -> Beyond:
    beyond = Beyond(saturated=_saturated(results, found))
    full = [metric for metric, result in results.items() if may_breach_beyond(run, metric, result)]
    try:
        cursor = run.state.load_cursor()
        if not full:
            if cursor is not None:
                run.state.save_cursor(None, run.now)
            return beyond
        beyond.full = [contract.METRIC_SHORT_NAMES[metric] for metric in full]
        names, _ = sweep_query.configuration_set_names(run.inv.clients.sesv2, run.budget)
        # Per metric: a set among the worst 500 of the complaint query may still be beyond the bounce
        # query's 500, so it is read again for bounce (and only for bounce).
        unseen = {metric: {n for n in names if n not in results[metric].series} for metric in full}
        rest = sorted({name for names_of_metric in unseen.values() for name in names_of_metric})
        beyond.waiting = len(rest)
        todo = [name for name in rest if cursor is None or name > cursor]
        _scan(run, todo, unseen, seen, beyond, act)
    except AWS_ERRORS as exc:
        run.tally.failed[SCAN] = f"{type(exc).__name__}: {exc}"
        log.emit("ERROR", "sweep_target_failed", target=SCAN, reason=run.tally.failed[SCAN])
    log.emit("WARNING", "sweep_saturated", metrics=beyond.full, waiting=beyond.waiting, progress=beyond.progress)
    return beyond


def _saturated(results: Mapping[str, InsightsResult], found: list[Verdict]) -> dict[str, bool]:
    flags = {}
    for metric, result in results.items():
        breaching = {
            v.configuration_set
            for v in found
            if v.metric == metric and v.tier == contract.TIER_CRITICAL and v.configuration_set in result.series
        }
        flags[contract.METRIC_SHORT_NAMES[metric]] = model.saturated(len(result.series), len(breaching))
    return flags


def _scan(
    run: SweepRun,
    todo: list[str],
    unseen: Mapping[str, set[str]],
    seen: MutableMapping[str | None, set[str]],
    beyond: Beyond,
    act: Act,
) -> None:
    """Read ``todo`` in batches, act on each batch's breaches, move the cursor past fully handled batches;
    a set is judged on the metrics whose query did not return it (``unseen``: metric => set names)."""
    size = sweep_query.sets_per_call(run.rule_at(0.5))
    window = model.window(run.now, run.rule_at(0.5))
    done: str | None = None
    for start in range(0, len(todo), size):
        if not run.has_time() or len(run.tally.paused) >= rules.SWEEP_MAX_PAUSES_PER_RUN:
            break
        batch = todo[start : start + size]
        read, _ = sweep_query.set_series(
            run.inv.clients.cloudwatch, run.budget, batch, run.policy.evaluation.period, window
        )
        series: dict[str | None, Mapping[str, Points]] = {
            name: {metric: points for metric, points in by_metric.items() if name in unseen.get(metric, ())}
            for name, by_metric in read.items()
        }
        beyond.scanned += len(batch)
        for name, by_metric in read.items():
            seen[name] = set(by_metric)
        verdicts = model.verdicts(series, run.thresholds, run.rule_at, run.now)
        beyond.verdicts += verdicts
        left_behind = len(run.tally.deferred) + len(run.tally.failed)
        act(run, verdicts, series)
        if len(run.tally.deferred) + len(run.tally.failed) > left_behind:
            break  # some breach of this batch is not handled yet: the next run starts with this batch
        done = batch[-1]
    finished = not todo or done == todo[-1]
    if finished:
        run.state.save_cursor(None, run.now)
        beyond.progress = f"{beyond.scanned} set(s) read this run; every set of the Region was read"
    elif done is not None:
        run.state.save_cursor(done, run.now)
        beyond.progress = f"{beyond.scanned} set(s) read this run; the next run continues after {done!r}"
    else:
        beyond.progress = f"{beyond.scanned} set(s) read this run; the next run starts at the same place"


def send_summary_notices(run: SweepRun, beyond: Beyond) -> None:
    """Best effort (the log has each): the notices held over the cap, and the saturation summary."""
    if run.tally.held:
        _publish_quietly(run, "held", lambda: sweep_report.held_notices(run.tally.held, run.where))
    if beyond.full:
        _publish_quietly(
            run,
            "saturation",
            lambda: sweep_report.saturation_notice(beyond.full, beyond.waiting, beyond.progress, run.where),
        )


def _publish_quietly(run: SweepRun, what: str, render: Callable[[], Report]) -> None:
    try:
        publish(run, render())
    except AWS_ERRORS as exc:
        log.emit("ERROR", "sweep_notice_failed", notice=what, reason=f"{type(exc).__name__}: {exc}")
