"""When a query is full (``sweep_beyond``): the worst 500 sets are handled, the run says how many more may be
waiting, and the next run reads the rest by name and continues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from botocore.stub import ANY

from ses_guard_lambda import sweep_query
from ses_guard_policy import evaluation
from tests.stubbed_aws import FakeClock

TOP = [f"s{i:03d}" for i in range(500)]
ALL = [f"s{i:03d}" for i in range(520)]


def _expect_listing(sweep: Any, names: list[str]) -> None:
    sweep.aws.stubs["sesv2"].add_response(
        "list_configuration_sets", {"ConfigurationSets": names}, {"PageSize": sweep_query.LIST_PAGE_SIZE}
    )


def test_a_full_query_pauses_the_worst_500_and_says_how_many_more_may_be_waiting(sweep: Any) -> None:
    breaching = {name: sweep.points(0.2 + i / 10_000, 0.2) for i, name in enumerate(reversed(TOP))}
    sweep.expect_queries(bounce=breaching)
    for name in TOP:  # worst first: s000 is the highest
        sweep.expect_set_pause(name)
    _expect_listing(sweep, ALL)
    sweep.aws.expect_publish()  # the run's summary notice
    summary = sweep.run(sweep.config(sweep={"warning_notices": False}))
    sweep.aws.assert_all_calls_made()
    assert len(summary["paused"]) == 500 and summary["paused"][0] == "configuration-set:s000"
    assert summary["counts"]["saturated"] == {"bounce": True, "complaint": False}
    assert summary["counts"]["waiting"] == 20 and summary["counts"]["scanned_beyond"] == 0
    assert sweep.subjects()[-1] == "SES sweep in us-east-1: 500+ sets breach, 20 more may be waiting"
    assert sweep.item("cursor") is None


def _run_after_the_top_500_were_paused(sweep: Any, complaint: dict[str, Any] | None = None) -> dict[str, Any]:
    """A run after one that paused the worst 500 (still in breach: re-checked, found paused, not reported
    again); the scan beyond them finds s510 in breach of bounce and pauses it."""
    breaching = {name: sweep.points(0.2, 0.2) for name in TOP}
    episodes = {f"set/{n}/bounce/critical": {"S": "2026-11-28T00:35:12Z"} for n in TOP}
    sweep.dynamodb.put_item(TableName=sweep.table, Item={"pk": {"S": "episodes"}, "episodes": {"M": episodes}})
    sweep.expect_queries(bounce=breaching, complaint=complaint)
    for name in TOP:
        sweep.aws.expect_set_policy(name)
        sweep.aws.expect_set(name, sending_enabled=False)
    _expect_listing(sweep, ALL)
    stamps = sorted(sweep.points(0.2, 0.2), reverse=True)
    sweep.aws.stubs["cloudwatch"].add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "s10_bounce", "Label": "x", "Timestamps": stamps, "Values": [0.2, 0.2], "StatusCode": "Complete"}
            ]
        },
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampDescending"},
    )
    sweep.expect_set_pause("s510")
    sweep.aws.expect_publish()  # the run's summary notice
    summary: dict[str, Any] = sweep.run(sweep.config(sweep={"warning_notices": False}))
    sweep.aws.assert_all_calls_made()
    return summary


def test_the_next_run_reads_the_sets_beyond_the_top_500_and_pauses_those_in_breach(sweep: Any) -> None:
    summary = _run_after_the_top_500_were_paused(sweep)
    assert summary["paused"] == ["configuration-set:s510"] and len(summary["already_paused"]) == 500
    assert summary["counts"]["scanned_beyond"] == 20 and summary["counts"]["sets_evaluated"] == 520
    (batch,) = [c for c in sweep.aws.calls_to("GetMetricData") if len(c["MetricDataQueries"]) > 3]
    assert len(batch["MetricDataQueries"]) == 40
    assert batch["MetricDataQueries"][20]["MetricStat"]["Metric"]["Dimensions"] == [
        {"Name": "ses:configuration-set", "Value": "s510"}
    ]
    assert "every set of the Region was read" in sweep.reports()[-1]["Texts"]["email"]
    assert sweep.item("cursor") is None


def test_a_set_among_the_other_querys_worst_500_is_still_read_for_the_full_querys_metric(sweep: Any) -> None:
    # s510 is in the complaint query's answer (healthy), but beyond the bounce query's 500
    summary = _run_after_the_top_500_were_paused(sweep, complaint={"s510": sweep.points(0.0001, 0.0001)})
    assert summary["paused"] == ["configuration-set:s510"], summary
    assert summary["counts"]["waiting"] == 20 and summary["counts"]["scanned_beyond"] == 20


def test_notices_over_the_runs_cap_are_counted_in_one_notice_and_the_scan_still_runs(sweep: Any) -> None:
    clock = FakeClock()
    names = {f"n{i:03d}": sweep.points(0.2, 0.2) for i in range(500)}
    sweep.expect_queries(bounce=names, account=False)
    config = sweep.config(sweep={"action": "notify", "warning_notices": False, "evaluate_account": False})
    for name in names:
        sweep.aws.expect_set_policy(name)
    for _ in range(25):
        sweep.aws.expect_publish()
    _expect_listing(sweep, [*names, "z1", "z2"])
    sweep.aws.stubs["cloudwatch"].add_response(
        "get_metric_data",
        {"MetricDataResults": []},
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampDescending"},
    )
    sweep.aws.expect_publish()  # 475 notices held back: one notice counts them
    sweep.aws.expect_publish()  # the summary
    summary = sweep.run(config, clock=clock)
    sweep.aws.assert_all_calls_made()
    assert summary["counts"]["notices_sent"] == 25 and summary["counts"]["notices_held"] == 475
    assert summary["counts"]["scanned_beyond"] == 2 and sweep.item("cursor") is None


def test_batches_stay_within_getmetricdatas_500_metrics_and_100800_datapoints() -> None:
    hourly = evaluation.AlarmRule(threshold=0.05, period_seconds=3600, evaluation_periods=3, datapoints_to_alarm=2)
    assert sweep_query.sets_per_call(hourly) == 250
    minutely = evaluation.AlarmRule(threshold=0.05, period_seconds=60, evaluation_periods=1440, datapoints_to_alarm=1)
    assert sweep_query.sets_per_call(minutely) * 2 * (2 * minutely.range_periods) <= 100_800


def test_a_full_query_below_every_threshold_needs_no_scan(sweep: Any) -> None:
    healthy = {name: sweep.points(0.001) for name in TOP}
    sweep.expect_queries(bounce=healthy)
    summary = sweep.run(sweep.config(), clock=FakeClock(start=sweep.now + timedelta(minutes=1)))
    sweep.aws.assert_all_calls_made()
    assert summary["counts"]["waiting"] is None and sweep.aws.published == []


def test_the_scan_starts_after_the_cursor_and_a_batch_with_an_unhandled_breach_is_read_again(sweep: Any) -> None:
    sweep.dynamodb.put_item(TableName=sweep.table, Item={"pk": {"S": "cursor"}, "after": {"S": "y"}})
    full = {name: sweep.points(0.2, 0.2) for name in TOP}
    episodes = {f"set/{n}/bounce/critical": {"S": "2026-11-28T00:35:12Z"} for n in TOP}
    sweep.dynamodb.put_item(TableName=sweep.table, Item={"pk": {"S": "episodes"}, "episodes": {"M": episodes}})
    sweep.expect_queries(bounce=full, account=False)
    for name in TOP:
        sweep.aws.expect_set_policy(name)
        sweep.aws.expect_set(name, sending_enabled=False)
    _expect_listing(sweep, [*TOP, "a1", "z1"])
    stamps = sorted(sweep.points(0.2, 0.2), reverse=True)
    sweep.aws.stubs["cloudwatch"].add_response(
        "get_metric_data",
        {"MetricDataResults": [{"Id": "s0_bounce", "Timestamps": stamps, "Values": [0.2, 0.2]}]},
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampDescending"},
    )
    sweep.aws.expect_set_policy("z1")
    sweep.aws.expect_set("z1")
    sweep.aws.expect_set_tags("z1")
    sweep.aws.stubs["sesv2"].add_client_error("put_configuration_set_sending_options", "BadRequestException")
    sweep.aws.expect_publish()  # the summary notice
    config = sweep.config(sweep={"warning_notices": False, "evaluate_account": False})
    try:
        sweep.run(config)
    except Exception as exc:
        assert "configuration-set:z1" in str(exc)
    sweep.aws.assert_all_calls_made()
    (batch,) = [c for c in sweep.aws.calls_to("GetMetricData") if "MetricStat" in c["MetricDataQueries"][0]]
    assert [q["MetricStat"]["Metric"]["Dimensions"][0]["Value"] for q in batch["MetricDataQueries"]] == ["z1", "z1"]
    assert sweep.item("cursor")["after"]["S"] == "y"  # z1 is read again by the next run
