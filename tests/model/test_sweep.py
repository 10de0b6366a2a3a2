"""Sweep mode's decision (ses_guard_policy.sweep): the queries, the window a run reads and the replay that judges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ses_guard_policy import contract, evaluation, fleet_query, manifest, rules, sweep

NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
BOUNCE, COMPLAINT = contract.METRIC_BOUNCE_RATE, contract.METRIC_COMPLAINT_RATE
DEFAULTS = {"bounce_warning": 0.02, "bounce_critical": 0.04, "complaint_warning": 0.0005, "complaint_critical": 0.0008}
THRESHOLDS = {
    (BOUNCE, contract.TIER_WARNING): 0.02,
    (BOUNCE, contract.TIER_CRITICAL): 0.04,
    (COMPLAINT, contract.TIER_WARNING): 0.0005,
    (COMPLAINT, contract.TIER_CRITICAL): 0.0008,
}


def two_of_three(threshold: float) -> evaluation.AlarmRule:
    return evaluation.AlarmRule(
        threshold=threshold, evaluation_periods=3, datapoints_to_alarm=2, treat_missing_data=evaluation.IGNORE
    )


def hourly(*values: float | None, end: datetime = NOW) -> dict[datetime, float]:
    """Datapoints five minutes into each hour, the last one in ``end``'s hour; None leaves an hour empty."""
    last = evaluation.align(end, 3600) + timedelta(minutes=5)
    count = len(values)
    return {last - timedelta(hours=count - 1 - i): v for i, v in enumerate(values) if v is not None}


def test_the_queries_are_the_fleet_query_per_metric_without_exclusions() -> None:
    assert sweep.queries() == {metric: fleet_query.build(metric) for metric in contract.REPUTATION_METRICS}
    assert all(fleet_query.is_fleet_query(fleet_query.parse(q)) for q in sweep.queries().values())


def test_a_run_reads_twice_the_evaluation_range_from_a_period_boundary_to_now() -> None:
    rule = two_of_three(0.04)
    start, end = sweep.window(NOW, rule)
    assert end == NOW
    assert start == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 10 periods: 01:00 .. the current 10:00 period
    assert sweep.lookback_periods(rule) == 2 * (3 + evaluation.EXTRA_PERIODS_IN_RANGE)


def test_two_breaching_periods_of_the_last_three_are_a_breach_and_one_spike_is_not() -> None:
    rule = two_of_three(0.04)
    assert sweep.judge(hourly(0.05, 0.01, 0.06), rule, NOW) == evaluation.ALARM
    assert sweep.judge(hourly(0.01, 0.09, 0.01), rule, NOW) == evaluation.OK


def test_datapoints_before_the_last_resume_count_as_missing() -> None:
    rule = two_of_three(0.04)
    points = hourly(0.05, 0.06, 0.07)
    assert sweep.judge(points, rule, NOW) == evaluation.ALARM
    resumed = evaluation.align(NOW, 3600) + timedelta(minutes=10)  # only the current period is after it
    assert sweep.judge(points, rule, NOW, not_before=resumed) == evaluation.OK


def test_the_judgement_equals_the_engine_replay_over_the_same_window() -> None:
    rule = two_of_three(0.04)
    points = hourly(0.05, None, 0.01, 0.06, 0.07)
    start, end = sweep.window(NOW, rule)
    series = evaluation.to_series(points, start, end + timedelta(microseconds=1), 3600)
    expected = evaluation.replay(series, rule, initial=evaluation.OK).states[-1]
    assert sweep.judge(points, rule, NOW) == expected == evaluation.ALARM


def test_verdicts_put_critical_first_then_the_worst_and_report_each_metric_once() -> None:
    series = {
        "mild": {BOUNCE: hourly(0.045, 0.045, 0.045)},
        "worst": {BOUNCE: hourly(0.09, 0.09, 0.09), COMPLAINT: hourly(0.0006, 0.0006, 0.0006)},
        "healthy": {BOUNCE: hourly(0.001, 0.001, 0.001)},
        None: {BOUNCE: hourly(0.03, 0.03, 0.03)},
    }
    found = sweep.verdicts(series, lambda _t, m, tier: THRESHOLDS[(m, tier)], two_of_three, NOW)
    assert [(v.configuration_set, v.metric, v.tier) for v in found] == [
        ("worst", BOUNCE, contract.TIER_CRITICAL),
        ("mild", BOUNCE, contract.TIER_CRITICAL),
        (None, BOUNCE, contract.TIER_WARNING),  # 0.03 / 0.02: worse than 0.0006 / 0.0005
        ("worst", COMPLAINT, contract.TIER_WARNING),
    ]
    assert found[0].severity == pytest.approx(0.09 / 0.04) and found[0].latest == 0.09


def test_a_tier_without_threshold_is_not_judged() -> None:
    series = {"set": {BOUNCE: hourly(0.03, 0.03, 0.03)}}
    only_critical = sweep.verdicts(
        series,
        lambda _t, m, tier: THRESHOLDS[(m, tier)] if tier == contract.TIER_CRITICAL else None,
        two_of_three,
        NOW,
    )
    assert only_critical == []


def test_a_query_is_saturated_only_when_every_one_of_its_500_series_breaches() -> None:
    most = rules.METRICS_INSIGHTS_SERIES_MAX
    assert sweep.saturated(most, most)
    assert not sweep.saturated(most, most - 1)
    assert not sweep.saturated(10, 10)


def test_episode_keys_name_the_scope_the_set_the_metric_and_the_tier() -> None:
    assert sweep.episode_key("news", BOUNCE, contract.TIER_WARNING) == "set/news/bounce/warning"
    assert sweep.episode_key(None, COMPLAINT, contract.TIER_CRITICAL) == "account/complaint/critical"


def test_a_window_longer_than_two_weeks_is_refused_naming_the_numbers() -> None:
    daily = evaluation.AlarmRule(threshold=0.04, period_seconds=86_400, evaluation_periods=7, datapoints_to_alarm=1)
    problem = sweep.window_problem(daily)
    assert problem is not None and "86400 s x 18 periods" in problem and "2 weeks" in problem
    assert sweep.window_problem(two_of_three(0.04)) is None


def test_the_manifest_sweep_section_reads_with_the_query_statistic_and_writes_back_the_same() -> None:
    document = {
        "alarm": {"statistic": "Average", "treat_missing_data": "ignore"},
        "default_thresholds": DEFAULTS,
        "account": {"action": "notify", "enabled": False},
        "sweep": {"action": "pause", "evaluation_periods": 3, "datapoints_to_alarm": 2, "bounce_critical": 0.03},
    }
    guard = manifest.parse(document, source="test")
    assert guard.sweep is not None
    assert guard.sweep.evaluation.statistic == "Maximum"  # the query's MAX, whatever the alarms' statistic
    assert (guard.sweep.thresholds.bounce_critical, guard.sweep.schedule_minutes) == (0.03, 60)
    assert manifest.parse(guard.to_document(), source="again").sweep == guard.sweep


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"schedule_minutes": 2}, "schedule_minutes=2"),
        ({"action": "delete"}, "action='delete'"),
        ({"period": 86_400, "evaluation_periods": 7}, "2 weeks"),
        ({"datapoints_to_alarm": 4, "evaluation_periods": 3}, "datapoints_to_alarm=4"),
        ({"surprise": 1}, "unknown key 'surprise'"),
    ],
)
def test_a_bad_sweep_section_is_refused_naming_the_value(change: dict[str, object], named: str) -> None:
    document = {
        "default_thresholds": DEFAULTS,
        "sweep": {"action": "pause", **change},
    }
    with pytest.raises(manifest.ManifestError, match="sweep") as raised:
        manifest.parse(document, source="test")
    assert named in str(raised.value)
