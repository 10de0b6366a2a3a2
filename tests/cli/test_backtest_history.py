"""``backtest_history``: GetMetricData (batched, paginated, on the period grid), ListMetrics discovery and
the history window CloudWatch keeps. Requests go through botocore's Stubber: exact request shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from ses_guard_cli.backtest_history import (
    MAX_QUERIES_PER_CALL,
    HistoryError,
    SeriesKey,
    discover_sets,
    fetch_history,
    history_window,
    metric_data_queries,
    retention,
)
from tests.cli.support import BOUNCE, COMPLAINT, START


def _request(keys: list[SeriesKey], end: datetime) -> dict[str, Any]:
    return {
        "MetricDataQueries": metric_data_queries(keys),
        "StartTime": START,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }


def test_history_follows_next_token_and_lays_datapoints_on_the_hour_grid(
    cloudwatch_stub: tuple[Any, Stubber],
) -> None:
    client, stub = cloudwatch_stub
    key = SeriesKey(BOUNCE, None, "Maximum", 3600)
    end = START + timedelta(hours=4)
    request = _request([key], end)
    first = {
        "Id": "q0",
        "Timestamps": [START, START + timedelta(hours=1)],
        "Values": [0.01, 0.05],
        "StatusCode": "PartialData",
    }
    stub.add_response("get_metric_data", {"MetricDataResults": [first], "NextToken": "t1"}, request)
    second = {"Id": "q0", "Timestamps": [START + timedelta(hours=3)], "Values": [0.02], "StatusCode": "Complete"}
    stub.add_response("get_metric_data", {"MetricDataResults": [second]}, {**request, "NextToken": "t1"})
    history = fetch_history(client, [key], START, end)
    assert history[key].values == (0.01, 0.05, None, 0.02)
    query = request["MetricDataQueries"][0]["MetricStat"]
    assert query["Metric"]["Dimensions"] == [] and query["Stat"] == "Maximum" and query["Period"] == 3600


def test_history_asks_for_at_most_500_series_per_call_with_the_set_dimension(
    cloudwatch_stub: tuple[Any, Stubber],
) -> None:
    client, stub = cloudwatch_stub
    keys = [SeriesKey(BOUNCE, f"set-{i:03d}", "Maximum", 3600) for i in range(MAX_QUERIES_PER_CALL + 1)]
    ordered = sorted(keys, key=SeriesKey.sort_key)
    end = START + timedelta(hours=1)
    for batch in (ordered[:MAX_QUERIES_PER_CALL], ordered[MAX_QUERIES_PER_CALL:]):
        stub.add_response("get_metric_data", {"MetricDataResults": []}, _request(batch, end))
    history = fetch_history(client, keys, START, end)
    assert len(history) == MAX_QUERIES_PER_CALL + 1
    dimension = metric_data_queries([keys[0]])[0]["MetricStat"]["Metric"]["Dimensions"]
    assert dimension == [{"Name": "ses:configuration-set", "Value": "set-000"}]


def test_a_query_cloudwatch_could_not_answer_is_a_history_error_naming_the_query(
    cloudwatch_stub: tuple[Any, Stubber],
) -> None:
    client, stub = cloudwatch_stub
    key = SeriesKey(COMPLAINT, "m", "Maximum", 3600)
    end = START + timedelta(hours=1)
    failed = {"Id": "q0", "Timestamps": [], "Values": [], "StatusCode": "Forbidden"}
    stub.add_response("get_metric_data", {"MetricDataResults": [failed]}, _request([key], end))
    with pytest.raises(HistoryError) as refused:
        fetch_history(client, [key], START, end)
    assert str(refused.value) == "GetMetricData query q0 failed: Forbidden"


def test_set_discovery_keeps_only_series_with_exactly_the_set_dimension(
    cloudwatch_stub: tuple[Any, Stubber],
) -> None:
    client, stub = cloudwatch_stub
    dimension = [{"Name": "ses:configuration-set"}]
    listed = [
        {"Namespace": "AWS/SES", "MetricName": BOUNCE, "Dimensions": [{"Name": "ses:configuration-set", "Value": "b"}]},
        {"Namespace": "AWS/SES", "MetricName": BOUNCE, "Dimensions": [{"Name": "ses:configuration-set", "Value": "a"}]},
        {
            "Namespace": "AWS/SES",
            "MetricName": BOUNCE,
            "Dimensions": [{"Name": "ses:configuration-set", "Value": "a"}, {"Name": "x", "Value": "y"}],
        },
    ]
    stub.add_response(
        "list_metrics", {"Metrics": listed}, {"Namespace": "AWS/SES", "MetricName": BOUNCE, "Dimensions": dimension}
    )
    stub.add_response(
        "list_metrics",
        {"Metrics": listed[1:2]},
        {"Namespace": "AWS/SES", "MetricName": COMPLAINT, "Dimensions": dimension},
    )
    assert discover_sets(client) == ["a", "b"]


def test_history_window_goes_back_as_far_as_cloudwatch_keeps_each_period() -> None:
    end = datetime(2026, 6, 30, 12, 40, tzinfo=UTC)
    start, last, clipped = history_window(end, None, 3600)
    assert (last, last - start, clipped) == (datetime(2026, 6, 30, 12, tzinfo=UTC), timedelta(days=455), False)
    start, last, clipped = history_window(end, 100, 300)
    assert (last, last - start, clipped) == (datetime(2026, 6, 30, 12, 40, tzinfo=UTC), timedelta(days=63), True)


@pytest.mark.parametrize(
    ("period", "kept"),
    [(3600, timedelta(days=455)), (300, timedelta(days=63)), (60, timedelta(days=15)), (10, timedelta(hours=3))],
)
def test_retention_is_what_cloudwatch_keeps_at_each_period(period: int, kept: timedelta) -> None:
    assert retention(period) == kept
