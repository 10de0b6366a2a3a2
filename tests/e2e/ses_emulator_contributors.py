"""DescribeAlarmContributors for the SES emulator (moto 5.2.5 lacks the operation).

Follows the CloudWatch API Reference, DescribeAlarmContributors
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmContributors.html):
``AlarmContributors[]`` of ``ContributorId``, ``ContributorAttributes``, ``StateReason`` and
``StateTransitionedTimestamp``, only contributors in ALARM, paged with ``NextToken``; errors
``ResourceNotFoundException`` (404) and ``InvalidNextToken`` (400).

Contributors are computed on request: the alarm's stored Metrics Insights query (its ``Metrics``) runs
over the account's and Region's stored datapoints of the latest three hours ("You can query the most
recent three hours of data for alarm condition evaluations", User Guide, "Metrics Insights quotas"),
and each returned series is replayed with the alarm's threshold, comparison, EvaluationPeriods,
DatapointsToAlarm and TreatMissingData by the project's own engine, ``ses_guard_policy.evaluation``.
A series whose last state is ALARM is a contributor, its attributes the GROUP BY dimension values and
its ``ContributorId`` the first 16 hex characters of the SHA-256 of those attributes (stable; AWS
does not document how it derives the id). Tests can replace the list of an alarm with
:func:`set_alarm_contributors`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.exceptions import CloudWatchException, ValidationError

from ses_guard_policy import evaluation

if __package__:
    from . import ses_emulator_insights as insights
else:  # run as a script (python tests/e2e/ses_emulator.py): tests/e2e is on sys.path
    import ses_emulator_insights as insights  # type: ignore[no-redef,import-not-found]

ALARM_EVALUATION_WINDOW = timedelta(hours=3)  # "Metrics Insights quotas": alarms read the latest 3 hours
PAGE_SIZE = 50  # not documented by AWS; small enough for tests to page
_OVERRIDES = "_ses_emulator_alarm_contributors"
_COMPARISON_WORDS = {
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "GreaterThanThreshold": "greater than",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}


class AlarmNotFoundError(CloudWatchException):
    code = "ResourceNotFoundException"

    def __init__(self, alarm_name: str):
        super().__init__(f"Alarm {alarm_name} does not exist.")


class InvalidNextTokenError(CloudWatchException):
    code = "InvalidNextToken"

    def __init__(self) -> None:
        super().__init__("The next token specified is invalid.")


def contributor_id(attributes: Mapping[str, str]) -> str:
    canonical = json.dumps(dict(attributes), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------
# Test hook
# --------------------------------------------------------------------------------------------------
def set_overrides(backend: Any, alarm_name: str, contributors: Sequence[Mapping[str, Any]] | None) -> None:
    """Replace (or with None, stop replacing) the computed contributors of one alarm."""
    overrides: dict[str, list[dict[str, Any]]] = backend.__dict__.setdefault(_OVERRIDES, {})
    if contributors is None:
        overrides.pop(alarm_name, None)
        return
    overrides[alarm_name] = [_normalized(entry) for entry in contributors]


def _normalized(entry: Mapping[str, Any]) -> dict[str, Any]:
    attributes = {str(k): str(v) for k, v in dict(entry["ContributorAttributes"]).items()}
    return {
        "ContributorId": entry.get("ContributorId") or contributor_id(attributes),
        "ContributorAttributes": attributes,
        "StateReason": entry.get("StateReason") or "Set by the ses_emulator test hook.",
        "StateTransitionedTimestamp": _moment(entry.get("StateTransitionedTimestamp")),
    }


def _moment(value: Any) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --------------------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------------------
def contributors(backend: Any, alarm: Any, now: datetime | None = None) -> list[dict[str, Any]]:
    """The alarm's contributors in ALARM: the test hook's list if set, else computed now."""
    overrides: dict[str, list[dict[str, Any]]] = backend.__dict__.get(_OVERRIDES, {})
    if alarm.name in overrides:
        return list(overrides[alarm.name])
    query = _insights_query(alarm)
    if query is None:
        return []  # a single-series alarm has no contributors
    now = now or datetime.now(UTC)
    period = int(query.period or alarm.period or insights.MIN_PERIOD_SECONDS)
    rule = _rule(alarm, max(period, insights.MIN_PERIOD_SECONDS))
    start = now - ALARM_EVALUATION_WINDOW
    result = insights.evaluate(backend, query.expression, start, now, period)
    found = []
    for group in result.groups:
        attributes = dict(zip(result.query.group_by, group.key, strict=True))
        contributor = _contributor(result, group, attributes, rule, start, now)
        if contributor is not None:
            found.append(contributor)
    return found


def _insights_query(alarm: Any) -> Any:
    queries = [q for q in alarm.metric_data_queries if insights.is_insights_expression(q.expression)]
    returned = [q for q in queries if q.return_data in (None, True, "true", "True")]
    return (returned or queries or [None])[0]


def _rule(alarm: Any, period: int) -> evaluation.AlarmRule:
    evaluation_periods = int(alarm.evaluation_periods or 1)
    try:
        return evaluation.AlarmRule(
            threshold=float(alarm.threshold),
            comparison=alarm.comparison_operator,
            period_seconds=period,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=int(alarm.datapoints_to_alarm or evaluation_periods),
            treat_missing_data=alarm.treat_missing_data or evaluation.MISSING,
        )
    except (TypeError, ValueError) as problem:
        raise ValidationError(f"Alarm {alarm.name} cannot be evaluated by the emulator: {problem}") from problem


def _contributor(
    result: insights.QueryResult,
    group: insights.Group,
    attributes: dict[str, str],
    rule: evaluation.AlarmRule,
    start: datetime,
    now: datetime,
) -> dict[str, Any] | None:
    datapoints = {
        insights.bucket_start(result.window, b).replace(tzinfo=UTC): insights.value_of(result.query.function, acc)
        for b, acc in group.buckets.items()
    }
    replayed = evaluation.replay(evaluation.to_series(datapoints, start, now, rule.period_seconds), rule)
    if not replayed.states or replayed.states[-1] != evaluation.ALARM:
        return None
    entered = [t for t in replayed.transitions if t.new == evaluation.ALARM][-1]
    return {
        "ContributorId": contributor_id(attributes),
        "ContributorAttributes": attributes,
        "StateReason": _state_reason(datapoints, rule),
        "StateTransitionedTimestamp": entered.at,
    }


def _state_reason(datapoints: Mapping[datetime, float], rule: evaluation.AlarmRule) -> str:
    """AWS's "Threshold Crossed" wording (User Guide example), over the latest N datapoints."""
    latest = sorted(datapoints.items(), reverse=True)[: rule.evaluation_periods]
    shown = ", ".join(f"{value!r} ({moment:%d/%m/%y %H:%M:%S})" for moment, value in latest)
    breaching = sum(rule.breaches(value) for _, value in latest)
    verb = "was" if len(latest) == 1 else "were"
    return (
        f"Threshold Crossed: {breaching} out of the last {len(latest)} datapoints [{shown}] {verb} "
        f"{_COMPARISON_WORDS.get(rule.comparison, rule.comparison)} the threshold ({rule.threshold!r}) "
        f"(minimum {rule.datapoints_to_alarm} datapoint for OK -> ALARM transition)."
    )


# --------------------------------------------------------------------------------------------------
# Paging
# --------------------------------------------------------------------------------------------------
def page(
    items: Sequence[dict[str, Any]], alarm_name: str, token: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` and the token of the next (None on the last page)."""
    offset = _offset(token, alarm_name, len(items)) if token else 0
    end = offset + PAGE_SIZE
    next_token = _token(alarm_name, end) if end < len(items) else None
    return list(items[offset:end]), next_token


def _token(alarm_name: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"alarm": alarm_name, "offset": offset}).encode()).decode()


def _offset(token: str, alarm_name: str, count: int) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = decoded["offset"]
        valid = decoded["alarm"] == alarm_name and isinstance(offset, int) and 0 < offset < count
    except (binascii.Error, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise InvalidNextTokenError()
    return int(offset)
