"""What a sweep run reads from CloudWatch and SES: SES's own ``AWS/SES`` datapoints, never a claim.

- ``insights_series``: ONE GetMetricData per reputation metric holding the model's Metrics Insights query
  (``ses_guard_policy.sweep.queries()``), paged with ``NextToken``: the worst 500 sets of the Region.
- ``account_series``: one plain GetMetricData (MetricStat, both metrics, no dimension, ``Maximum``).
- ``set_series``: plain MetricStat queries for named sets (the scan beyond the top 500), batched within
  GetMetricData's limits (500 metrics and 100,800 datapoints a call).
- ``configuration_set_names``: every set of the Region (SES v2 ListConfigurationSets, 1,000 a page).

Every call goes through the invocation's budget (throttling retries within the time left).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Final

from ses_guard_policy import contract, evaluation, sweep

from .budget import Budget
from .cloudwatch_alarm import aware_utc
from .config import is_valid_set_name
from .paging import pages

Points = dict[datetime, float]
STATISTIC: Final = "Maximum"  # the query's MAX(), per period
# Which set a GROUP BY series is. No AWS page we found states the default Label of a Metrics Insights
# GROUP BY series, so the query asks for a documented dynamic label: "${PROP('Dim.dimension_name')}: The
# value of the specified dimension" (CloudWatch User Guide, "Use dynamic labels",
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/graph-dynamic-labels.html), which
# MetricDataQuery.Label accepts ("You can put dynamic expressions into a label", CloudWatch API Reference,
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html). Each
# series' Label is then exactly its set's name; a label that is not a valid set name is not guessed at:
# the series is counted as unreadable and logged.
SET_LABEL: Final = f"${{PROP('Dim.{contract.DIMENSION_CONFIGURATION_SET}')}}"
# GetMetricData without a Metrics Insights query: "as many as 500 different metrics in a single request,
# with a total of as many as 100,800 data points" (CloudWatch API Reference, GetMetricData).
METRICS_PER_CALL_MAX: Final = 500
DATAPOINTS_PER_CALL_MAX: Final = 100_800
LIST_PAGE_SIZE: Final = 1000


@dataclass
class InsightsResult:
    """One metric's query: set name => datapoints, in the query's order (worst first)."""

    metric: str
    series: dict[str, Points] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    """Labels that are not a set name (logged; such a series is never judged)."""
    calls: int = 0


def _request(queries: list[dict[str, Any]], window: tuple[datetime, datetime]) -> dict[str, Any]:
    return {"MetricDataQueries": queries, "StartTime": window[0], "EndTime": window[1], "ScanBy": "TimestampDescending"}


def _points(result: Mapping[str, Any]) -> Points:
    points: Points = {}
    for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
        moment = aware_utc(stamp)
        if moment is not None:
            points[moment] = float(value)
    return points


def insights_series(
    cloudwatch: Any, budget: Budget, metric: str, period: int, window: tuple[datetime, datetime]
) -> InsightsResult:
    """The model's query for ``metric`` over ``window``: every returned series by set name (pages merged)."""
    query = {
        "Id": sweep.QUERY_IDS[metric],
        "Expression": sweep.queries()[metric],
        "Period": period,
        "Label": SET_LABEL,
        "ReturnData": True,
    }
    found = InsightsResult(metric)
    for response in pages(partial(budget.call, cloudwatch.get_metric_data), **_request([query], window)):
        found.calls += 1
        for result in response.get("MetricDataResults", []):
            label = str(result.get("Label", ""))
            if not is_valid_set_name(label):
                found.unreadable.append(label)
                continue
            found.series.setdefault(label, {}).update(_points(result))
    return found


def _metric_stat(query_id: str, metric: str, period: int, dimensions: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": contract.SES_NAMESPACE, "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": STATISTIC,
        },
        "ReturnData": True,
    }


def _collect(
    cloudwatch: Any, budget: Budget, queries: list[dict[str, Any]], window: tuple[datetime, datetime]
) -> tuple[dict[str, Points], int]:
    """Datapoints by query id over every page; and the number of calls made."""
    by_id: dict[str, Points] = {}
    calls = 0
    for response in pages(partial(budget.call, cloudwatch.get_metric_data), **_request(queries, window)):
        calls += 1
        for result in response.get("MetricDataResults", []):
            by_id.setdefault(str(result.get("Id")), {}).update(_points(result))
    return by_id, calls


def account_series(
    cloudwatch: Any, budget: Budget, period: int, window: tuple[datetime, datetime]
) -> tuple[dict[str, Points], int]:
    """The account-wide rates (no dimension): metric => datapoints; and the calls made."""
    ids = {f"account_{sweep.QUERY_IDS[m]}": m for m in contract.REPUTATION_METRICS}
    queries = [_metric_stat(query_id, metric, period, []) for query_id, metric in ids.items()]
    by_id, calls = _collect(cloudwatch, budget, queries, window)
    return {metric: by_id.get(query_id, {}) for query_id, metric in ids.items()}, calls


def sets_per_call(rule: evaluation.AlarmRule) -> int:
    """How many sets (two metrics each) one plain GetMetricData can read over a run's lookback."""
    per_metric = max(1, sweep.lookback_periods(rule))
    metrics = min(METRICS_PER_CALL_MAX, DATAPOINTS_PER_CALL_MAX // per_metric)
    return max(1, metrics // len(contract.REPUTATION_METRICS))


def set_series(
    cloudwatch: Any, budget: Budget, names: Sequence[str], period: int, window: tuple[datetime, datetime]
) -> tuple[dict[str, dict[str, Points]], int]:
    """Both metrics of each named set (one call's worth: see ``sets_per_call``): set => metric => datapoints."""
    ids: dict[str, tuple[str, str]] = {}
    queries = []
    for index, name in enumerate(names):
        dimensions = [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": name}]
        for metric in contract.REPUTATION_METRICS:
            query_id = f"s{index}_{sweep.QUERY_IDS[metric]}"
            ids[query_id] = (name, metric)
            queries.append(_metric_stat(query_id, metric, period, dimensions))
    by_id, calls = _collect(cloudwatch, budget, queries, window)
    found: dict[str, dict[str, Points]] = {}
    for query_id, (name, metric) in ids.items():
        points = by_id.get(query_id)
        if points:
            found.setdefault(name, {})[metric] = points
    return found, calls


def configuration_set_names(sesv2: Any, budget: Budget) -> tuple[list[str], int]:
    """Every configuration set of the Region, sorted; and the calls made."""
    names: list[str] = []
    calls = 0
    for response in pages(partial(budget.call, sesv2.list_configuration_sets), PageSize=LIST_PAGE_SIZE):
        calls += 1
        names += [str(name) for name in response.get("ConfigurationSets", [])]
    return sorted(set(names)), calls


def highest(points: Iterable[float]) -> float:
    return max(points, default=0.0)
