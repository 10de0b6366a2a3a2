"""The evidence a pause rests on: SES's own ``AWS/SES`` datapoints (GetMetricData) and, for a Metrics
Insights contributor, CloudWatch's list of contributors in ALARM (DescribeAlarmContributors).

Namespaces starting with ``AWS/`` are reserved for AWS services, so these datapoints come from SES;
alarm states, SNS messages and invocations can all be produced by anyone with the IAM rights.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import botocore
from botocore.exceptions import ClientError

from ses_guard_policy import contract

from .budget import Budget, error_code
from .cloudwatch_alarm import PAUSING_OPERATORS, AlarmFacts, aware_utc
from .events import MetricRef
from .paging import pages

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
}


@dataclass(frozen=True)
class Evidence:
    holds: bool
    breaching: int
    needed: int
    values: tuple[float, ...]
    """The datapoints considered, most recent first."""
    summary: str

    @property
    def latest(self) -> float | None:
        return self.values[0] if self.values else None

    @property
    def highest(self) -> float | None:
        return max(self.values) if self.values else None


def measure(
    cloudwatch: Any,
    budget: Budget,
    alarm: AlarmFacts,
    metric: MetricRef,
    window: tuple[datetime, datetime],
    not_before: datetime | None,
) -> Evidence:
    """Did ``metric`` breach the alarm's threshold, with its statistic and period, at least
    DatapointsToAlarm times within its evaluation range? ``window`` is (when the alarm changed state,
    now): the range reaches EvaluationPeriods x Period, plus one period of slack for late datapoints,
    back from the earlier of the two, so a delayed invocation (retries, a throttled burst) still sees
    the datapoints the alarm saw. Datapoints whose period ended before ``not_before`` (the last
    resume) do not count."""
    changed, now = window
    period = alarm.period or 0
    start = min(changed, now) - timedelta(seconds=(alarm.evaluation_periods + 1) * period)
    query = {
        "Id": "evidence",
        "MetricStat": {
            "Metric": {
                "Namespace": metric.namespace,
                "MetricName": metric.name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in metric.dimensions],
            },
            "Period": period,
            "Stat": alarm.statistic,
        },
        "ReturnData": True,
    }
    points: list[tuple[datetime, float]] = []
    get_metric_data = partial(budget.call, cloudwatch.get_metric_data)
    request = {"MetricDataQueries": [query], "StartTime": start, "EndTime": now, "ScanBy": "TimestampDescending"}
    for response in pages(get_metric_data, **request):
        for result in response.get("MetricDataResults", []):
            points += zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
    if not_before is not None:
        points = [(t, v) for t, v in points if (aware_utc(t) or now) + timedelta(seconds=period) > not_before]
    points.sort(key=lambda point: point[0], reverse=True)
    values = tuple(float(v) for _, v in points)
    threshold = alarm.threshold or 0.0
    compare = _COMPARE[alarm.operator or ""]
    breaching = sum(1 for v in values if compare(v, threshold))
    sign = PAUSING_OPERATORS[alarm.operator or ""]
    summary = (
        f"{breaching} of {len(values)} {alarm.statistic} datapoint(s) of {metric.namespace} {metric.name}"
        f"{_where(metric)} over {period} s {sign} {threshold:g} since {start:%Y-%m-%d %H:%M} UTC"
        f" (needed {alarm.datapoints_to_alarm}"
        + (f"; only after the last resume {not_before:%Y-%m-%d %H:%M:%S} UTC" if not_before else "")
        + ")"
    )
    return Evidence(breaching >= alarm.datapoints_to_alarm, breaching, alarm.datapoints_to_alarm, values, summary)


def _where(metric: MetricRef) -> str:
    return "".join(f" {k}={v}" for k, v in metric.dimensions) or " (account-wide)"


@dataclass(frozen=True)
class ContributorCheck:
    confirmed: bool | None
    """True: listed in ALARM; False: not listed; None: could not be checked (see ``note``)."""
    since: datetime | None
    note: str


def contributor_status(cloudwatch: Any, budget: Budget, alarm_name: str, configuration_set: str) -> ContributorCheck:
    """Is the set's contributor in ALARM now? DescribeAlarmContributors (API of 2025-09) when the SDK
    and the endpoint know it; otherwise (older boto3 in the Lambda runtime, an emulator, missing
    permission) the check is skipped and the GetMetricData evidence alone decides."""
    describe = getattr(cloudwatch, "describe_alarm_contributors", None)
    if describe is None:
        note = f"DescribeAlarmContributors is not in botocore {botocore.__version__}: GetMetricData alone decides"
        return ContributorCheck(None, None, note)
    try:
        for response in pages(partial(budget.call, describe), AlarmName=alarm_name):
            for contributor in response.get("AlarmContributors", []):
                attributes = contributor.get("ContributorAttributes") or {}
                if attributes.get(contract.DIMENSION_CONFIGURATION_SET) == configuration_set:
                    since = aware_utc(contributor.get("StateTransitionedTimestamp"))
                    return ContributorCheck(True, since, "contributor in ALARM (DescribeAlarmContributors)")
    except ClientError as exc:
        note = f"DescribeAlarmContributors failed ({error_code(exc)}): GetMetricData alone decides"
        return ContributorCheck(None, None, note)
    return ContributorCheck(
        False, None, f"contributor {configuration_set} is not in ALARM now (DescribeAlarmContributors)"
    )
