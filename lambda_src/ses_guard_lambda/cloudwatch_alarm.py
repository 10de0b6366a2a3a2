"""What CloudWatch says about an alarm (DescribeAlarms, ListTagsForResource), and whether an event's
claim agrees with it. An event is only a claim; these are the facts the pause rests on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ses_guard_policy import contract, fleet_query

from .budget import Budget, error_code
from .events import AlarmEvent, MetricRef


@dataclass(frozen=True)
class AlarmFacts:
    name: str
    arn: str
    state: str
    state_since: datetime | None
    """When the alarm last changed state (StateTransitionedTimestamp; StateUpdatedTimestamp if absent)."""
    metrics: tuple[MetricRef, ...]
    """The single metric, or the MetricStats of a metric-math alarm."""
    expressions: tuple[str, ...]
    statistic: str | None
    """For the evidence query: Statistic / ExtendedStatistic, the MetricStat's Stat, or the query's function."""
    period: int | None
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float | None
    operator: str | None
    treat_missing_data: str = "missing"
    """TreatMissingData (CloudWatch's default ``missing`` when absent)."""

    @property
    def evaluation_seconds(self) -> int:
        return self.evaluation_periods * (self.period or 0)


def describe_alarm(cloudwatch: Any, budget: Budget, name: str) -> AlarmFacts | None:
    """The metric alarm called ``name``, or None when no such alarm exists."""
    response = budget.call(cloudwatch.describe_alarms, AlarmNames=[name], AlarmTypes=["MetricAlarm"])
    alarms = [a for a in response.get("MetricAlarms", []) if a.get("AlarmName") == name]
    return _facts(alarms[0]) if alarms else None


def _facts(alarm: Mapping[str, Any]) -> AlarmFacts:
    metrics: list[MetricRef] = []
    expressions: list[str] = []
    statistic = alarm.get("Statistic") or alarm.get("ExtendedStatistic")
    period = alarm.get("Period")
    if alarm.get("MetricName"):
        metrics.append(_metric_ref(alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Dimensions")))
    for query in alarm.get("Metrics") or []:
        stat = query.get("MetricStat")
        if stat:
            metric = stat.get("Metric") or {}
            metrics.append(_metric_ref(metric.get("Namespace"), metric.get("MetricName"), metric.get("Dimensions")))
            statistic, period = stat.get("Stat"), stat.get("Period")
        if query.get("Expression"):
            expressions.append(str(query["Expression"]))
            period = period or query.get("Period")
    if expressions and not metrics:
        query = fleet_query.parse(expressions[0])
        statistic = query.statistic if query is not None else None
    evaluation_periods = int(alarm.get("EvaluationPeriods") or 1)
    since = alarm.get("StateTransitionedTimestamp") or alarm.get("StateUpdatedTimestamp")
    return AlarmFacts(
        name=str(alarm["AlarmName"]),
        arn=str(alarm.get("AlarmArn", "")),
        state=str(alarm.get("StateValue", "")),
        state_since=aware_utc(since),
        metrics=tuple(metrics),
        expressions=tuple(expressions),
        statistic=statistic,
        period=int(period) if period else None,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=int(alarm.get("DatapointsToAlarm") or evaluation_periods),
        threshold=float(alarm["Threshold"]) if alarm.get("Threshold") is not None else None,
        operator=alarm.get("ComparisonOperator"),
        treat_missing_data=str(alarm.get("TreatMissingData") or "missing"),
    )


def _metric_ref(namespace: Any, name: Any, dimensions: Sequence[Mapping[str, str]] | None) -> MetricRef:
    pairs = tuple(sorted((d["Name"], d["Value"]) for d in dimensions or []))
    return MetricRef(str(namespace or ""), str(name or ""), pairs)


def aware_utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fleet_query_metric(expression: str) -> str | None:
    """The reputation metric of a fleet query grouped by configuration set (no set pinned, no filter
    on sets other than exclusions), or None if it is not one."""
    query = fleet_query.parse(expression)
    if query is None or not query.per_set or query.set_name or query.unknown_filter or query.statistic is None:
        return None
    return query.metric


def fetch_tags(cloudwatch: Any, budget: Budget, alarm_arn: str) -> dict[str, str] | None:
    """The alarm's tags, or None when the alarm no longer exists."""
    try:
        response = budget.call(cloudwatch.list_tags_for_resource, ResourceARN=alarm_arn)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    return {tag["Key"]: tag["Value"] for tag in response.get("Tags", [])}


def claim_problem(event: AlarmEvent, alarm: AlarmFacts) -> str | None:
    """Why CloudWatch's alarm does not back the event's claim, or None when it does."""
    if alarm.arn != event.alarm_arn:
        return f"the alarm's ARN is {alarm.arn!r}, the event names {event.alarm_arn!r}"
    if alarm.state != "ALARM":
        return f"alarm {alarm.name} is {alarm.state} now, not ALARM"
    if event.metrics and set(event.metrics) != set(alarm.metrics):
        return f"the event names metric(s) {_show(event.metrics)}, the alarm watches {_show(alarm.metrics)}"
    if event.expressions and [_squash(e) for e in event.expressions] != [_squash(e) for e in alarm.expressions]:
        return "the event's query differs from the alarm's"
    if event.threshold is not None and event.threshold != alarm.threshold:
        return f"the event names threshold {event.threshold:g}, the alarm's is {alarm.threshold!r}"
    if event.comparison_operator is not None and event.comparison_operator != alarm.operator:
        return f"the event names operator {event.comparison_operator}, the alarm's is {alarm.operator}"
    if not alarm.metrics:
        problem = query_problem(alarm)
        if problem is not None:
            return problem
    if alarm.statistic is None or alarm.period is None:
        return "the alarm's statistic or period cannot be read for the evidence query"
    return None


def query_problem(alarm: AlarmFacts) -> str | None:
    """An alarm without MetricStat must be one Metrics Insights query grouped by configuration set."""
    if len(alarm.expressions) != 1:
        return "a query alarm must hold exactly one Metrics Insights query"
    if fleet_query_metric(alarm.expressions[0]) is None:
        return f"the query is not grouped by {contract.DIMENSION_CONFIGURATION_SET!r} over one SES reputation metric"
    return None


def _show(metrics: Sequence[MetricRef]) -> str:
    return ", ".join(f"{m.namespace}/{m.name}{dict(m.dimensions) or ''}" for m in metrics) or "none"


def _squash(expression: str) -> str:
    return " ".join(expression.split())
