"""The evidence a pause rests on: SES's own ``AWS/SES`` datapoints (GetMetricData) and, for a Metrics
Insights contributor, CloudWatch's list of contributors in ALARM (DescribeAlarmContributors).

Namespaces starting with ``AWS/`` are reserved for AWS services, so these datapoints come from SES;
alarm states, SNS messages and invocations can all be produced by anyone with the IAM rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import botocore
from botocore.exceptions import ClientError

from ses_guard_policy import contract, evaluation

from .budget import Budget, error_code
from .cloudwatch_alarm import aware_utc
from .events import MetricRef
from .paging import pages

# A replay reaches back at most this many periods (84 days of hourly periods, 7 of 5-minute ones):
# an event older than that is refused rather than judged on a partial history.
MAX_REPLAY_PERIODS = 2016


@dataclass(frozen=True)
class Evidence:
    holds: bool
    at_transition: str
    """The deployed alarm's state, replayed over SES's datapoints, when the event says it changed."""
    now: str
    """Its state at the latest evaluation."""
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
    rule: evaluation.AlarmRule,
    statistic: str,
    metric: MetricRef,
    window: tuple[datetime, datetime],
    not_before: datetime | None,
) -> Evidence:
    """Would the deployed alarm (``rule`` over ``statistic`` of ``metric``) be in ALARM both at the
    claimed transition and now? ``window`` is (the claimed transition, now). SES's datapoints from
    the evaluation range before the transition up to now are replayed with the model's evaluation
    engine, as CloudWatch evaluates the alarm: M of the latest N periods, missing-data treatment,
    the operator. Newer healthy datapoints beat an old breach. Datapoints whose period ended before
    ``not_before`` (the last resume) count as missing."""
    changed, now = window
    period = rule.period_seconds
    transition = evaluation.align(min(changed, now), period)
    first = transition - timedelta(seconds=rule.range_periods * period)
    if (now - first).total_seconds() / period > MAX_REPLAY_PERIODS:
        summary = f"the claimed transition ({changed:%Y-%m-%d %H:%M} UTC) is over {MAX_REPLAY_PERIODS} periods old"
        return Evidence(False, evaluation.INSUFFICIENT_DATA, evaluation.INSUFFICIENT_DATA, (), summary)
    points = _datapoints(cloudwatch, budget, metric, statistic, period, (first, now))
    if not_before is not None:
        points = {
            t: v for t, v in points.items() if evaluation.align(t, period) + timedelta(seconds=period) > not_before
        }
    series = evaluation.to_series(points, first, max(now, transition + timedelta(seconds=period)), period)
    states = evaluation.replay(series, rule, initial=evaluation.OK).states
    index = rule.range_periods  # the period holding the transition; CloudWatch may have acted on the one before
    at_transition = evaluation.ALARM if evaluation.ALARM in states[index - 1 : index + 1] else states[index]
    values = tuple(points[t] for t in sorted(points, reverse=True))
    held = at_transition == evaluation.ALARM and states[-1] == evaluation.ALARM
    summary = (
        f"{statistic} of {metric.namespace} {metric.name}{_where(metric)} judged by the deployed alarm "
        f"({rule.describe()}): {at_transition} at the claimed transition ({changed:%Y-%m-%d %H:%M} UTC), "
        f"{states[-1]} now; {len(values)} datapoint(s) since {first:%Y-%m-%d %H:%M} UTC"
        + (f", only after the last resume {not_before:%Y-%m-%d %H:%M:%S} UTC" if not_before else "")
    )
    return Evidence(held, at_transition, states[-1], values, summary)


def _datapoints(
    cloudwatch: Any, budget: Budget, metric: MetricRef, statistic: str, period: int, span: tuple[datetime, datetime]
) -> dict[datetime, float]:
    """GetMetricData of one statistic over ``span`` (start aligned to the period grid): timestamp -> value."""
    query = {
        "Id": "evidence",
        "MetricStat": {
            "Metric": {
                "Namespace": metric.namespace,
                "MetricName": metric.name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in metric.dimensions],
            },
            "Period": period,
            "Stat": statistic,
        },
        "ReturnData": True,
    }
    points: dict[datetime, float] = {}
    get_metric_data = partial(budget.call, cloudwatch.get_metric_data)
    request = {"MetricDataQueries": [query], "StartTime": span[0], "EndTime": span[1], "ScanBy": "TimestampDescending"}
    for response in pages(get_metric_data, **request):
        for result in response.get("MetricDataResults", []):
            for stamp, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False):
                moment = aware_utc(stamp)
                if moment is not None:
                    points[moment] = float(value)
    return points


def _where(metric: MetricRef) -> str:
    return "".join(f" {k}={v}" for k, v in metric.dimensions) or " (account-wide)"


# CloudWatch reports at most 100 contributors in ALARM ("100+ time series evaluated to ALARM").
MAX_CONTRIBUTORS = 100


class ContributorsUnavailableError(RuntimeError):
    """DescribeAlarmContributors cannot be called (the shipped model is missing) or failed: the record fails
    and is retried (then dead-lettered); nothing is skipped silently."""


@dataclass(frozen=True)
class ContributorCheck:
    confirmed: bool | None
    """True: listed in ALARM; False: not listed; None: could not be checked (see ``note``)."""
    since: datetime | None
    note: str


@dataclass(frozen=True)
class Contributor:
    """One contributor DescribeAlarmContributors lists in ALARM."""

    contributor_id: str
    attributes: tuple[tuple[str, str], ...]
    state_reason: str
    since: datetime | None

    @property
    def configuration_set(self) -> str | None:
        return dict(self.attributes).get(contract.DIMENSION_CONFIGURATION_SET)


def _describe(cloudwatch: Any) -> Any:
    """The client's DescribeAlarmContributors; the zip ships its model, so a client without it means the
    model did not load (a broken package): a clear error, never a silent skip."""
    describe = getattr(cloudwatch, "describe_alarm_contributors", None)
    if describe is None:
        raise ContributorsUnavailableError(
            f"DescribeAlarmContributors is not in this CloudWatch client (botocore {botocore.__version__}): the "
            "CloudWatch model shipped in the zip (ses_guard_lambda/data) was not loaded"
        )
    return describe


def list_contributors(cloudwatch: Any, budget: Budget, alarm_name: str) -> tuple[list[Contributor], bool]:
    """The alarm's contributors in ALARM (DescribeAlarmContributors, paged, each page through the budget),
    at most `MAX_CONTRIBUTORS`; and whether more were listed than that. Raises
    `ContributorsUnavailableError` when the call cannot be made or fails."""
    found: list[Contributor] = []
    try:
        for response in pages(partial(budget.call, _describe(cloudwatch)), AlarmName=alarm_name):
            for item in response.get("AlarmContributors", []):
                if len(found) == MAX_CONTRIBUTORS:
                    return found, True
                found.append(_contributor(item))
    except ClientError as exc:
        raise ContributorsUnavailableError(
            f"DescribeAlarmContributors of {alarm_name} failed ({error_code(exc)}): {exc}"
        ) from exc
    return found, False


def _contributor(item: Any) -> Contributor:
    attributes = item.get("ContributorAttributes") or {}
    return Contributor(
        contributor_id=str(item.get("ContributorId", "")),
        attributes=tuple(sorted((str(k), str(v)) for k, v in attributes.items())),
        state_reason=str(item.get("StateReason", "")),
        since=aware_utc(item.get("StateTransitionedTimestamp")),
    )


def contributor_status(cloudwatch: Any, budget: Budget, alarm_name: str, configuration_set: str) -> ContributorCheck:
    """Is the set's contributor in ALARM now? DescribeAlarmContributors (API of 2025-09; its model ships in
    the zip). When the call fails (missing permission, an emulator without the API) the check is skipped,
    noted, and the GetMetricData evidence alone decides; a client without the API raises
    `ContributorsUnavailableError` (the record fails)."""
    describe = _describe(cloudwatch)
    try:
        for response in pages(partial(budget.call, describe), AlarmName=alarm_name):
            for contributor in map(_contributor, response.get("AlarmContributors", [])):
                if contributor.configuration_set == configuration_set:
                    note = "contributor in ALARM (DescribeAlarmContributors)"
                    return ContributorCheck(True, contributor.since, note)
    except ClientError as exc:
        note = f"DescribeAlarmContributors failed ({error_code(exc)}): GetMetricData alone decides"
        return ContributorCheck(None, None, note)
    return ContributorCheck(
        False, None, f"contributor {configuration_set} is not in ALARM now (DescribeAlarmContributors)"
    )
