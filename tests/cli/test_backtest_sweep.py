"""backtest_sweep: a sweep guard replayed run by run with the model's decision (``sweep.verdicts``)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.stub import Stubber

from ses_guard_cli import backtest, cli
from ses_guard_cli.backtest_sweep import (
    ACCOUNT,
    decisions_at,
    replay_sweep,
    run_times,
    sweep_range,
    sweep_text,
)
from ses_guard_policy import contract, manifest, rules
from tests.cli.support import BOUNCE, COMPLAINT, REGION, START, manifest_document, write_stack

HEALTHY = 0.01
BREACHING = 0.05  # above the default bounce critical threshold 0.04


def sweep_guard(**sweep: object) -> manifest.Manifest:
    """Account notify-only, 'vip' with its own policy, a sweep pausing at 2 of 3 hourly periods."""
    document = manifest_document(
        account={"action": "notify"},
        configuration_sets={"vip": {"action": "pause"}},
        sweep={"action": "pause", "evaluation_periods": 3, "datapoints_to_alarm": 2, **sweep},
    )
    return manifest.parse(document, source="test")


def hourly(breaching_hours: set[int], hours: int = 24) -> dict[datetime, float]:
    return {START + timedelta(hours=h): BREACHING if h in breaching_hours else HEALTHY for h in range(hours)}


def history() -> dict[str | None, dict[str, dict[datetime, float]]]:
    """Two sets breach 2 of 3 hours, one spikes once, the explicit set breaches all day, the account is fine."""
    return {
        None: {BOUNCE: hourly(set()), COMPLAINT: {}},
        "alpha": {BOUNCE: hourly({5, 6})},
        "beta": {BOUNCE: hourly({10, 12})},
        "spike": {BOUNCE: hourly({8})},
        "vip": {BOUNCE: hourly(set(range(24)))},
    }


def test_the_scheduled_runs_fall_every_schedule_minutes_from_the_epoch() -> None:
    runs = run_times(START + timedelta(minutes=10), START + timedelta(hours=3), 60)
    assert runs == [START + timedelta(hours=h) for h in (1, 2)]
    assert len(run_times(START, START + timedelta(hours=1), 15)) == 4


def test_a_run_decides_with_the_models_verdicts_and_leaves_the_explicit_set_to_its_own_alarms() -> None:
    guard = sweep_guard()
    verdicts = decisions_at(history(), guard, START + timedelta(hours=6))
    critical = [(v.configuration_set, v.tier) for v in verdicts if v.tier == contract.TIER_CRITICAL]
    assert critical == [("alpha", contract.TIER_CRITICAL)]
    assert all(v.configuration_set != "vip" for v in verdicts)
    assert decisions_at(history(), guard, START + timedelta(hours=5)) == [
        v for v in decisions_at(history(), guard, START + timedelta(hours=5)) if v.tier == contract.TIER_WARNING
    ]  # one breaching period of the three: warning at most, never critical


def test_two_sets_breaching_m_of_n_are_paused_once_the_spike_and_the_explicit_set_are_not() -> None:
    outcome = replay_sweep(history(), sweep_guard(), START, START + timedelta(hours=24))
    assert len(outcome.runs) == 24
    pauses = {t.target: t.first_pause for t in outcome.pauses}
    assert pauses == {
        "configuration-set:alpha": START + timedelta(hours=6),
        "configuration-set:beta": START + timedelta(hours=12),
    }
    by_target = {t.target: t for t in outcome.targets}
    assert "configuration-set:vip" not in by_target and ACCOUNT not in by_target
    assert "configuration-set:spike" not in by_target  # one breaching period of three: no tier reached


def test_a_warning_notifies_once_per_episode_not_once_per_run() -> None:
    series = history()
    warning = 0.03  # between the default bounce warning 0.02 and critical 0.04
    series["gamma"] = {BOUNCE: {t: warning if v == BREACHING else v for t, v in hourly({2, 3, 4, 14, 15}).items()}}
    outcome = replay_sweep(series, sweep_guard(), START, START + timedelta(hours=24))
    gamma = {t.target: t for t in outcome.targets}["configuration-set:gamma"]
    assert (gamma.warning_runs, gamma.warning_notices) == (3 + 2, 2)  # runs 3, 4, 5 and 15, 16: two episodes
    assert (gamma.first_warning, gamma.first_pause) == (START + timedelta(hours=3), None)
    alpha = {t.target: t for t in outcome.targets}["configuration-set:alpha"]
    assert alpha.warning_runs == 0  # a critical breach is reported as critical only (sweep.verdicts)


def test_the_account_pauses_only_when_its_own_action_says_pause() -> None:
    series = history()
    series[None][BOUNCE] = hourly({3, 4})
    notify = replay_sweep(series, sweep_guard(), START, START + timedelta(hours=8))
    account = {t.target: t for t in notify.targets}[ACCOUNT]
    assert account.critical_runs >= 1 and account.first_pause is None
    document = manifest_document(account={"action": "pause"}, sweep={"action": "notify"})
    paused = replay_sweep(series, manifest.parse(document, source="t"), START, START + timedelta(hours=8))
    assert [t.target for t in paused.pauses] == [ACCOUNT]


def test_a_run_sees_the_500_highest_series_of_each_query_as_the_function_does() -> None:
    series: dict[str | None, dict[str, dict[datetime, float]]] = {
        f"s{n:04d}": {BOUNCE: {START: 0.05 + n / 1_000_000}} for n in range(rules.METRICS_INSIGHTS_SERIES_MAX + 1)
    }
    document = manifest_document(sweep={"action": "pause", "warning_notices": False, "evaluate_account": False})
    verdicts = decisions_at(series, manifest.parse(document, source="t"), START)
    assert len(verdicts) == rules.METRICS_INSIGHTS_SERIES_MAX
    assert "s0000" not in {v.configuration_set for v in verdicts}  # the lowest one is beyond the 500


def test_the_sweep_range_is_clipped_to_the_two_weeks_a_query_reads() -> None:
    end = START + timedelta(days=30)
    start, notes = sweep_range(START, end)
    assert start == end - timedelta(days=14) and "last 2 weeks" in notes[0]
    assert sweep_range(end - timedelta(days=3), end) == (end - timedelta(days=3), [])


def test_the_report_lists_each_target_with_its_first_pause_and_warning() -> None:
    text = sweep_text(replay_sweep(history(), sweep_guard(), START, START + timedelta(hours=24)))
    assert text.startswith("Sweep 'g': 24 runs every 60 min (2026-06-01 00:00 to 2026-06-01 23:00 UTC)")
    assert "Would-be sweep pauses (g): 2" in text
    assert "  2026-06-01 06:00  configuration-set:alpha" in text


def test_backtest_of_a_sweep_stack_reads_the_sweeps_own_queries(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    client, stub = cloudwatch_stub
    guard = manifest_document(sweep={"action": "pause", "warning_notices": False})
    stack = write_stack(tmp_path / "sweep", guard, region=REGION)
    end = START + timedelta(hours=4)
    for metric in (BOUNCE, COMPLAINT):
        values = [0.05] * 4 if metric == BOUNCE else [0.0001] * 4
        times = [START + timedelta(hours=h) for h in range(4)]
        result = {"Id": "q", "Label": "alpha", "Timestamps": times, "Values": values, "StatusCode": "Complete"}
        stub.add_response("get_metric_data", {"MetricDataResults": [result]})
    stub.add_response("get_metric_data", {"MetricDataResults": []})  # the account's two rates: no data
    args = cli.build_parser().parse_args(["backtest", "--stack", str(stack), "--days", "1", "--end", end.isoformat()])
    out_stream, err_stream = io.StringIO(), io.StringIO()
    code = backtest.run(args, out=out_stream, err=err_stream, cloudwatch_factory=lambda _region: client)
    out, err = out_stream.getvalue(), err_stream.getvalue()
    assert (code, err) == (0, ""), err
    assert "Would-be sweep pauses (g): 1" in out and "configuration-set:alpha" in out
