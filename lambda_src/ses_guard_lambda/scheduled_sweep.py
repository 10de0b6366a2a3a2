"""Sweep mode's run (docs/sweep.md): on a schedule, judge every configuration set of the Region and the
account from SES's own datapoints, pause the worst critical breaches, notify warnings once per episode.

The scheduled invocation is recognised by its shape alone (``is_scheduled_event``: EventBridge's
"Scheduled Event", ``source`` ``aws.events``); nothing else in it is read (not its time, account or
resources), so a forged invocation can at most start a run early. A run:
1. takes the lock (``sweep_state``; another run in progress: log and stop, not an error);
2. reads one Metrics Insights GetMetricData per metric (the worst 500 sets) and the account's rates
   (``sweep_query``);
3. decides with the model alone (``ses_guard_policy.sweep.verdicts``), then acts on each breach, worst
   first, at most ``rules.SWEEP_MAX_PAUSES_PER_RUN`` pauses and within the time left (``sweep_targets``);
4. closes the episodes of targets it saw out of breach, continues beyond the top 500 when a query was
   full (``sweep_beyond``), writes its state, logs one ``sweep_summary`` line and releases the lock.
A failed read fails the run (Lambda retries, then the dead-letter queue); a failure on one target does
not stop the others: the run raises ``SweepError`` naming each at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ses_guard_policy import contract, rules
from ses_guard_policy import sweep as model
from ses_guard_policy.manifest import Manifest, Sweep
from ses_guard_policy.sweep import Verdict

from . import hub_run, log, sweep_beyond, sweep_query, sweep_targets
from .budget import BudgetExhaustedError
from .config import ConfigError
from .deployed_policy import DeployedPolicy
from .sweep_query import Points
from .sweep_report import Where
from .sweep_run import CountingBudget, SweepError, SweepRun, parse_iso, target_name
from .sweep_state import StateTable
from .verify import Invocation

Series = dict[str | None, dict[str, Points]]


def is_scheduled_event(event: Any) -> bool:
    """EventBridge's "Scheduled Event" by shape (EventBridge User Guide, "Creating a rule that runs on a
    schedule"); the only fields read."""
    return (
        isinstance(event, Mapping)
        and event.get("source") == contract.EVENTS_SOURCE_SCHEDULE
        and event.get("detail-type") == contract.DETAIL_TYPE_SCHEDULED
    )


def handle_scheduled(inv: Invocation) -> dict[str, Any]:
    """A scheduled invocation: a sweep run when the deployed manifest has an enabled sweep, else ignored.
    The state table is read and written with ``inv.clients.dynamodb``."""
    guard = inv.config.manifest
    policy = guard.sweep if guard is not None else None
    if guard is None or policy is None or not policy.enabled:
        reason = "the deployed policy has no enabled sweep: a scheduled event is not ours"
        log.emit("INFO", "ignored", source=contract.SCOPE_SWEEP, reason=reason)
        return {"sweep": False, "ignored": reason}
    table = inv.config.sweep_state_table
    if table is None:
        raise ConfigError(f"the deployed policy has a sweep but {contract.ENV_SWEEP_STATE_TABLE} is not set")
    if inv.clients.dynamodb is None:
        raise ConfigError("the deployed policy has a sweep but the function was given no DynamoDB client")
    budget = CountingBudget.of(inv.budget)
    inv = _with_budget(inv, budget)
    state = StateTable(inv.clients.dynamodb, table, budget)
    owner = inv.request_id or "unknown-request"
    now = inv.clock.now()
    if not state.acquire_lock(owner, now, budget.remaining()):
        log.emit("INFO", "sweep_skipped", reason="another sweep run holds the lock", owner=owner)
        return {"sweep": True, "skipped": "another sweep run holds the lock"}
    try:
        if guard.hub is None:
            return sweep(_own_run(inv, guard, policy, state, now, budget))
        return _hub_run(inv, guard, policy, state, now, budget)
    finally:
        _release(state, owner)


def _own_run(
    inv: Invocation, guard: Manifest, policy: Sweep, state: StateTable, now: datetime, budget: CountingBudget
) -> SweepRun:
    """The sweep of the guard's own account and Region."""
    where = Where(inv.ctx.region, inv.ctx.account_id, inv.function_arn, now)
    account = guard.account if policy.evaluate_account else None
    return SweepRun(inv, policy, account, state, state.load_episodes(), now, budget, where)


def _hub_run(
    inv: Invocation, guard: Manifest, policy: Sweep, state: StateTable, now: datetime, budget: CountingBudget
) -> dict[str, Any]:
    """Hub mode (``hub_run``): the hub's own Region (unless ``include_hub`` is off), then every member
    Region, each isolated from the others; failed targets anywhere fail the invocation at the end."""
    assert guard.hub is not None
    summary: dict[str, Any] = {"sweep": True, "skipped": None}
    failures: dict[str, str] = {}
    if guard.hub.include_hub:
        try:
            summary.update(sweep(_own_run(inv, guard, policy, state, now, budget)))
        except SweepError as exc:
            failures.update(exc.failures)
        except sweep_targets.AWS_ERRORS as exc:  # the hub's own reads: the members still go on
            failures["hub"] = f"{type(exc).__name__}: {exc}"
    members = hub_run.run_members(hub_run.HubRun(inv, guard, policy, state, now, budget, sweep))
    summary["hub"] = members
    failures.update(members["failed"])
    if failures:
        raise SweepError(failures)
    return summary


def _with_budget(inv: Invocation, budget: CountingBudget) -> Invocation:
    guard = inv.config.manifest
    policy = DeployedPolicy(guard, inv.clients.ssm, budget) if guard is not None else None
    return replace(inv, budget=budget, policy=policy)


def _release(state: StateTable, owner: str) -> None:
    try:
        if not state.release_lock(owner):
            log.emit("WARNING", "sweep_lock_lost", reason="the lease ran out and another run took the lock")
    except Exception as exc:  # never hide the run's own outcome; the lease ends on its own
        log.emit("ERROR", "sweep_lock_release_failed", reason=f"{type(exc).__name__}: {exc}")


def sweep(run: SweepRun) -> dict[str, Any]:
    """One account and Region's sweep (the guard's own, or a hub member's): read, decide, act, remember."""
    started = run.budget.clock.monotonic()
    try:
        results, series = read_series(run)
    except Exception as exc:
        log.emit("ERROR", "sweep_failed", reason=f"reading the datapoints failed: {type(exc).__name__}: {exc}")
        raise
    found = decide(run, series)
    act(run, found, series)
    seen: dict[str | None, set[str]] = {name: set(by_metric) for name, by_metric in series.items()}
    beyond = sweep_beyond.continue_beyond(run, results, found, seen, act)
    close_episodes(run, seen, found + beyond.verdicts)
    if run.state.save_episodes(run.episodes):
        log.emit("INFO", "sweep_episodes_saved", open=len(run.episodes.open))
    sweep_beyond.send_summary_notices(run, beyond)
    summary = summarize(run, results, series, found + beyond.verdicts, beyond, started)
    if run.tally.failed:
        raise SweepError(run.tally.failed)
    return summary


def read_series(run: SweepRun) -> tuple[dict[str, sweep_query.InsightsResult], Series]:
    """Both Insights queries (the worst 500 sets each) and the account's rates: target => metric => points."""
    period = run.policy.evaluation.period
    window = model.window(run.now, run.rule_at(0.5))
    cloudwatch = run.inv.clients.cloudwatch
    results = {m: sweep_query.insights_series(cloudwatch, run.budget, m, period, window) for m in _metrics()}
    series: Series = {}
    for metric, result in results.items():
        if result.unreadable:
            log.emit("WARNING", "sweep_unreadable_series", metric=metric, labels=result.unreadable[:20])
        for name, points in result.series.items():
            series.setdefault(name, {})[metric] = points
    if run.account is not None:
        account, _ = sweep_query.account_series(cloudwatch, run.budget, period, window)
        series[None] = {metric: points for metric, points in account.items() if points}
    return results, series


def _metrics() -> tuple[str, ...]:
    return contract.REPUTATION_METRICS


def decide(run: SweepRun, series: Series) -> list[Verdict]:
    """The run's only decision: the model's ``verdicts`` (the account judged from its last resume on)."""
    resumed = parse_iso(run.episodes.account_resumed_at)
    return model.verdicts(
        series, run.thresholds, run.rule_at, run.now, not_before=lambda t: resumed if t is None else None
    )


def act(run: SweepRun, found: list[Verdict], series: Mapping[str | None, Mapping[str, Points]]) -> None:
    """Each breach, worst first: the account, then sets new to the run's state before those already in an
    open episode (so that re-checking paused sets never starves new breaches), then warnings."""
    critical = [v for v in found if v.tier == contract.TIER_CRITICAL]
    accounts = [v for v in critical if v.configuration_set is None]
    sets = [v for v in critical if v.configuration_set is not None]
    ordered = accounts + [v for v in sets if not run.is_open(v)] + [v for v in sets if run.is_open(v)]
    for verdict in ordered:
        _handle(run, verdict, lambda v: _critical(run, v, series))
    for verdict in found:  # the model reports a metric at its most severe tier only
        if verdict.tier == contract.TIER_WARNING:
            _handle(run, verdict, lambda v: _warning(run, v))


def _critical(run: SweepRun, verdict: Verdict, series: Mapping[str | None, Mapping[str, Points]]) -> None:
    if verdict.configuration_set is None:
        return sweep_targets.handle_account_critical(run, verdict)
    if len(run.tally.paused) >= rules.SWEEP_MAX_PAUSES_PER_RUN and not run.is_open(verdict):
        run.tally.add(run.tally.deferred, target_name(verdict.configuration_set))
        return None
    points = dict(series.get(verdict.configuration_set, {}).get(verdict.metric, {}))
    return sweep_targets.handle_set_critical(run, verdict, points)


def _warning(run: SweepRun, verdict: Verdict) -> None:
    name = verdict.configuration_set
    if name is not None and run.inv.policy is not None and run.inv.policy.set_policy(name) is not None:
        return sweep_targets.exclude(run, verdict, "own_policy", "own policy in the deployed manifest")
    return sweep_targets.notify_once(run, verdict, "warning tier")


def _handle(run: SweepRun, verdict: Verdict, step: Any) -> None:
    """One breach; time left permitting (else deferred to the next run). A failure is recorded, and the
    run goes on with the next target."""
    target = target_name(verdict.configuration_set)
    if not run.has_time():
        run.tally.add(run.tally.deferred, target)
        return
    try:
        step(verdict)
    except (*sweep_targets.AWS_ERRORS, sweep_targets.ReportFailedError) as exc:
        run.fail(verdict, f"{type(exc).__name__}: {exc}")
        if isinstance(exc, BudgetExhaustedError):
            run.out_of_time = True


def close_episodes(run: SweepRun, seen: Mapping[str | None, set[str]], found: list[Verdict]) -> None:
    """An episode closes when the run saw its target's metric (a series was returned for it) and the target
    is no longer in breach of that tier. A target the run did not see keeps its episode (absent from a full
    top-500 answer is not healthy); one unseen for ``STALE_DAYS`` is dropped."""
    breaching = {run.key(v) for v in found}
    # A critical breach is also above the warning threshold: its warning episode stays open, so that falling
    # back from critical to warning notifies nothing new.
    breaching |= {model.episode_key(v.configuration_set, v.metric, contract.TIER_WARNING) for v in found}
    seen_keys = {
        model.episode_key(target, metric, tier)
        for target, metrics in seen.items()
        for metric in metrics
        for tier in contract.TIERS
    }
    for key, opened in list(run.episodes.open.items()):
        if key in seen_keys and key not in breaching:
            del run.episodes.open[key]
            log.emit("INFO", "sweep_episode_closed", episode=key, opened=opened)
        elif key not in seen_keys and _stale(run, opened):
            del run.episodes.open[key]
            log.emit("INFO", "sweep_episode_dropped", episode=key, opened=opened, reason="not seen for long")
    _expire_account_resume(run)


STALE_DAYS = 14


def _stale(run: SweepRun, opened: str) -> bool:
    moment = parse_iso(opened)
    return moment is None or (run.now - moment).days >= STALE_DAYS


def _expire_account_resume(run: SweepRun) -> None:
    """The account's resume time matters while datapoints before it are in the window; then it goes."""
    resumed = parse_iso(run.episodes.account_resumed_at)
    start, _ = model.window(run.now, run.rule_at(0.5))
    if resumed is not None and resumed < start:
        run.episodes.account_resumed_at = None


def summarize(
    run: SweepRun,
    results: Mapping[str, sweep_query.InsightsResult],
    series: Series,
    found: list[Verdict],
    beyond: sweep_beyond.Beyond,
    started: float,
) -> dict[str, Any]:
    """The ``sweep_summary`` log line, and the handler's return value (the same facts plus the lists)."""
    tally = run.tally
    tiers = {tier: sum(1 for v in found if v.tier == tier) for tier in contract.TIERS}
    counts = {
        "series": {contract.METRIC_SHORT_NAMES[m]: len(r.series) for m, r in results.items()},
        "unreadable_series": sum(len(r.unreadable) for r in results.values()),
        "sets_evaluated": len([t for t in series if t is not None]) + beyond.scanned,
        "breaches": tiers,
        "paused": len(tally.paused),
        "already_paused": len(tally.already_paused),
        "excluded": dict(tally.excluded_kinds),
        "resumed": len(tally.resumed),
        "deferred": len(tally.deferred),
        "failed": len(tally.failed),
        "notices_sent": tally.notices_sent,
        "notices_held": len(tally.held),
        "saturated": beyond.saturated,
        "beyond_top_500": beyond.full,
        "waiting": beyond.waiting,
        "scanned_beyond": beyond.scanned,
        "calls": run.budget.calls,
        "throttling_retries": run.budget.retries,
        "duration_seconds": round(run.budget.clock.monotonic() - started, 3),
        "dry_run": run.inv.config.dry_run,
    }
    log.emit("ERROR" if tally.failed else "INFO", "sweep_summary", **counts)
    lists = {
        "paused": tally.paused,
        "already_paused": tally.already_paused,
        "warned": tally.warned,
        "excluded": list(tally.excluded),
        "excluded_reasons": dict(tally.excluded),
        "resumed": tally.resumed,
        "deferred": tally.deferred,
        "failed": dict(tally.failed),
    }
    return {"sweep": True, "skipped": None, **lists, "counts": counts}
