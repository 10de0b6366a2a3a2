"""Reputation history from CloudWatch: GetMetricData (batched, paginated) and set discovery (ListMetrics).

Facts this relies on (CloudWatch API Reference, GetMetricData and ListMetrics):
- retention: periods under 60 s for 3 hours, 60 s for 15 days, 300 s for 63 days, 3600 s for 455 days;
- one GetMetricData call takes up to 500 queries and returns up to 100,800 datapoints; more come
  with ``NextToken``; start times more than 63 days ago are rounded down to the hour;
- ListMetrics returns only metrics that received data in the past two weeks, so a set that stopped
  publishing earlier is found only when the policy names it.
The client is passed in (boto3 is imported by the caller, lazily).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from ses_guard_lambda.paging import pages
from ses_guard_policy import contract
from ses_guard_policy.evaluation import PeriodSeries, align, to_series

MAX_QUERIES_PER_CALL: Final = 500
MAX_DATAPOINTS_PER_CALL: Final = 100_800
# (shortest period in seconds, days CloudWatch keeps datapoints at that period)
RETENTION: Final = ((3600, 455), (300, 63), (60, 15))
HIGH_RESOLUTION_RETENTION: Final = timedelta(hours=3)


class HistoryError(RuntimeError):
    """CloudWatch answered, but not with the history asked for."""


@dataclass(frozen=True)
class SeriesKey:
    """One series GetMetricData returns: a reputation metric for the account (set None) or one set."""

    metric: str
    configuration_set: str | None
    statistic: str
    period_seconds: int

    def sort_key(self) -> tuple[str, bool, str, str, int]:
        return (
            self.metric,
            self.configuration_set is not None,
            self.configuration_set or "",
            self.statistic,
            self.period_seconds,
        )

    def dimensions(self) -> list[dict[str, str]]:
        if self.configuration_set is None:
            return []
        return [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": self.configuration_set}]


def retention(period_seconds: int) -> timedelta:
    """How far back CloudWatch keeps datapoints of this period."""
    for shortest, days in RETENTION:
        if period_seconds >= shortest:
            return timedelta(days=days)
    return HIGH_RESOLUTION_RETENTION


def history_window(end: datetime, days: int | None, period_seconds: int) -> tuple[datetime, datetime, bool]:
    """(start, end, clipped): period-aligned; ``days`` None means as far back as CloudWatch keeps."""
    keep = retention(period_seconds)
    wanted = keep if days is None else timedelta(days=days)
    clipped = wanted > keep
    last = align(end, period_seconds)  # the current period is incomplete: not evaluated
    first = align(last - min(wanted, keep), period_seconds)
    if first < last - keep:
        first += timedelta(seconds=period_seconds)
    return first, last, clipped


def discover_sets(cloudwatch: Any) -> list[str]:
    """Configuration sets that published a reputation metric in the past two weeks (ListMetrics)."""
    found: set[str] = set()
    paginator = cloudwatch.get_paginator("list_metrics")
    for metric in contract.REPUTATION_METRICS:
        pages = paginator.paginate(
            Namespace=contract.SES_NAMESPACE,
            MetricName=metric,
            Dimensions=[{"Name": contract.DIMENSION_CONFIGURATION_SET}],
        )
        for page in pages:
            for item in page.get("Metrics", []):
                dimensions = item.get("Dimensions", [])
                if len(dimensions) == 1 and dimensions[0]["Name"] == contract.DIMENSION_CONFIGURATION_SET:
                    found.add(dimensions[0]["Value"])
    return sorted(found)


def fetch_history(
    cloudwatch: Any, keys: Iterable[SeriesKey], start: datetime, end: datetime
) -> dict[SeriesKey, PeriodSeries]:
    """Every series in ``keys`` over [start, end), laid on its period grid (missing periods are None)."""
    ordered = sorted(set(keys), key=SeriesKey.sort_key)
    datapoints: dict[SeriesKey, dict[datetime, float]] = {key: {} for key in ordered}
    for offset in range(0, len(ordered), MAX_QUERIES_PER_CALL):
        batch = ordered[offset : offset + MAX_QUERIES_PER_CALL]
        _fetch_batch(cloudwatch, batch, start, end, datapoints)
    return {key: to_series(points, start, end, key.period_seconds) for key, points in datapoints.items()}


def metric_data_queries(batch: Sequence[SeriesKey]) -> list[dict[str, Any]]:
    return [
        {
            "Id": f"q{index}",
            "MetricStat": {
                "Metric": {
                    "Namespace": contract.SES_NAMESPACE,
                    "MetricName": key.metric,
                    "Dimensions": key.dimensions(),
                },
                "Period": key.period_seconds,
                "Stat": key.statistic,
            },
            "ReturnData": True,
        }
        for index, key in enumerate(batch)
    ]


def _fetch_batch(
    cloudwatch: Any,
    batch: Sequence[SeriesKey],
    start: datetime,
    end: datetime,
    datapoints: Mapping[SeriesKey, dict[datetime, float]],
) -> None:
    queries = metric_data_queries(batch)
    request = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending"}
    for response in pages(cloudwatch.get_metric_data, **request):
        for result in response.get("MetricDataResults", []):
            if result.get("StatusCode") in ("InternalError", "Forbidden"):
                raise HistoryError(f"GetMetricData query {result['Id']} failed: {result.get('StatusCode')}")
            key = batch[int(result["Id"][1:])]
            datapoints[key].update(zip(result.get("Timestamps", []), result.get("Values", []), strict=True))
