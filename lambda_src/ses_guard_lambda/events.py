"""Parse every alarm delivery shape into one frozen `AlarmEvent` (docs/lambda.md, "Inputs understood").

* ``sns``: one record of an SNS event; ``Sns.Message`` is the JSON text of a CloudWatch alarm
  notification (``AlarmName``, ``AWSAccountId``, ``NewStateValue``, ``Trigger`` ...).
* ``alarm-action``: the event CloudWatch sends when the function is itself the alarm action
  (``source: aws.cloudwatch``, ``alarmArn``, ``alarmData``).
* ``eventbridge``: "CloudWatch Alarm State Change" and "CloudWatch Alarm Contributor State Change".

The three shapes name the same things with different keys (``MetricName`` / ``name``, a dimension
list / a dimension map); one parser reads the metrics of all three through a table of key names.
An event is *malformed* (``EventParseError``: the record fails, is retried, then dead-lettered) when
it cannot be read; an event that reads fine but names another account or Region is parsed and left
to the decision rule to ignore.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ses_guard_policy import contract

SOURCE_SNS = contract.SOURCE_SNS
SOURCE_ALARM_ACTION = contract.SOURCE_ALARM_ACTION
SOURCE_EVENTBRIDGE = contract.SOURCE_EVENTBRIDGE


class EventParseError(ValueError):
    """The input cannot be understood; the record fails (it is retried, then dead-lettered)."""


# Every CloudWatch alarm notification to SNS has these (User Guide, "Using Amazon SNS notifications"; the
# published samples in tests/events).
ALARM_NOTIFICATION_KEYS = frozenset({"AlarmName", "NewStateValue"})


class NotOursError(Exception):
    """A record recognisably not this guard's to judge: ignored with one log line, never failed (so
    outsiders cannot keep the Errors and dead-letter alarms firing)."""


def check_sns_topic(record: Any, pause_topic_arn: str) -> None:
    """Before the body is parsed: an SNS record from any topic but the pause topic is not ours.

    A record whose shape hides its topic is left to the parser, which fails it as malformed."""
    sns = record.get("Sns") if isinstance(record, Mapping) else None
    topic = sns.get("TopicArn") if isinstance(sns, Mapping) else None
    if isinstance(topic, str) and topic != pause_topic_arn:
        raise NotOursError(f"SNS topic {topic[:200]!r} is not the pause topic (its message was not read)")


class NotAStateChangeError(NotOursError):
    """A well-formed CloudWatch event that is no alarm state change (e.g. "CloudWatch Alarm
    Configuration Change", sent when an alarm is created, updated or deleted): ignored, never failed."""


_EVENTBRIDGE_DETAIL_TYPES = frozenset({"CloudWatch Alarm State Change", "CloudWatch Alarm Contributor State Change"})
_STATES = frozenset({"ALARM", "OK", "INSUFFICIENT_DATA"})
_ALARM_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):cloudwatch:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):alarm:(?P<name>.+)"
)
_DATAPOINT = re.compile(r"\[\s*(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*\(")
# Contributors, only in the shapes AWS sends (tests/events/README.md cites each):
# * SNS notification: top-level "AlarmContributorId" and "AlarmContributorAttributes" (CloudWatch User
#   Guide, "Log alarms"; the same names as AlarmHistoryItem in DescribeAlarmHistory);
# * EventBridge "CloudWatch Alarm Contributor State Change": detail.alarmContributor = {id, attributes}
#   ("Alarm events and EventBridge"); the alarm-action event's alarmData mirrors EventBridge's detail.
_SNS_CONTRIBUTOR_ID = contract.SNS_CONTRIBUTOR_ID
_SNS_CONTRIBUTOR_ATTRIBUTES = contract.SNS_CONTRIBUTOR_ATTRIBUTES
_CAMEL_CONTRIBUTOR = "alarmContributor"

Dimensions = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MetricRef:
    """One metric the alarm watches (the single metric, or a MetricStat inside a math alarm)."""

    namespace: str
    name: str
    dimensions: Dimensions = ()

    def dimension(self, key: str) -> str | None:
        return dict(self.dimensions).get(key)


@dataclass(frozen=True)
class AlarmEvent:
    source: str
    alarm_name: str
    alarm_arn: str
    account_id: str
    """The account the event names (``AWSAccountId`` / ``accountId`` / ``account``)."""
    region: str
    """The Region the event names (SNS: from the alarm ARN; the ``Region`` field is a display name)."""
    new_state: str
    old_state: str | None
    reason: str
    state_change_time: str
    metrics: tuple[MetricRef, ...]
    expressions: tuple[str, ...] = ()
    threshold: float | None = None
    comparison_operator: str | None = None
    value: float | None = None
    contributor: Dimensions | None = None
    """The contributor's attributes (a multi-series alarm's per-contributor delivery), else None."""
    contributor_id: str | None = None
    contributor_problem: str = ""
    """Why the contributor keys the event carries cannot be read ("" when fine or absent): a fleet alarm's
    event is then judged like the alarm-level one (DescribeAlarmContributors), any other fails its record."""
    topic_arn: str | None = None
    message_id: str | None = None
    drill: bool = False

    @property
    def arn_account(self) -> str:
        return self.alarm_arn.split(":")[4]

    @property
    def arn_region(self) -> str:
        return self.alarm_arn.split(":")[3]

    @property
    def changed_at(self) -> datetime | None:
        return parse_time(self.state_change_time) if self.state_change_time else None

    def contributor_attribute(self, key: str) -> str | None:
        return dict(self.contributor or ()).get(key)


# --- entry points -----------------------------------------------------------------------------


def split_records(event: Any) -> list[tuple[str, Any]]:
    """Split an invocation payload into (kind, record) pairs; kind is one of the SOURCE_* values.

    Raises EventParseError when the payload as a whole is not a shape we know.
    """
    if not isinstance(event, Mapping):
        raise EventParseError(f"event must be a JSON object, got {type(event).__name__}")
    if "Records" in event:
        records = event["Records"]
        if not isinstance(records, list):
            raise EventParseError("'Records' must be a list")
        return [(SOURCE_SNS, record) for record in records]
    if event.get("source") == "aws.cloudwatch" and "alarmData" in event:
        return [(SOURCE_ALARM_ACTION, event)]
    if event.get("source") == "aws.cloudwatch" and "detail-type" in event:
        return [(SOURCE_EVENTBRIDGE, event)]
    raise EventParseError(f"unrecognised event shape (keys: {sorted(map(str, event))[:10]})")


def parse_record(kind: str, record: Any) -> AlarmEvent:
    if kind == SOURCE_SNS:
        return parse_sns_record(record)
    _check_size(record)
    if kind == SOURCE_ALARM_ACTION:
        return parse_alarm_action(record)
    if kind == SOURCE_EVENTBRIDGE:
        return parse_eventbridge(record)
    raise EventParseError(f"unknown record kind {kind!r}")


def parse_time(text: str) -> datetime:
    """CloudWatch's timestamps (``2026-11-28T01:34:12.311+0000``, ``...Z``) as aware UTC datetimes."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise EventParseError(f"state change time {text[:40]!r} is not an ISO 8601 timestamp") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


# --- the metric parser shared by the three shapes -----------------------------------------------


@dataclass(frozen=True)
class _Keys:
    """How one delivery shape names the parts of a metric."""

    expression: str
    metric_stat: str
    metric: str
    namespace: str
    name: str
    dimensions: str
    read_dimensions: Callable[[Any], Dimensions]


def _metric(parent: Mapping[str, Any], keys: _Keys) -> MetricRef:
    return MetricRef(
        namespace=_str(parent, keys.namespace),
        name=_str(parent, keys.name),
        dimensions=keys.read_dimensions(parent.get(keys.dimensions)),
    )


def _metric_queries(items: Sequence[Any], keys: _Keys) -> tuple[list[MetricRef], list[str]]:
    """A list of metric-data queries: (MetricStat metrics, expressions)."""
    metrics: list[MetricRef] = []
    expressions: list[str] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise EventParseError("metric queries must be objects")
        if item.get(keys.expression) is not None:
            expressions.append(_str(item, keys.expression))
        if item.get(keys.metric_stat) is not None:
            metrics.append(_metric(_obj(_obj(item, keys.metric_stat), keys.metric), keys))
    return metrics, expressions


# --- SNS ----------------------------------------------------------------------------------------


def parse_sns_record(record: Any) -> AlarmEvent:
    if not isinstance(record, Mapping):
        raise EventParseError("SNS record must be an object")
    source = record.get("EventSource", record.get("eventSource"))
    if source != "aws:sns":
        raise EventParseError(f"record is not from SNS (EventSource {source!r})")
    sns = _obj(record, "Sns")
    message = sns.get("Message")
    if not isinstance(message, str):
        raise EventParseError("Sns.Message must be a string")
    size = len(message.encode("utf-8"))
    if size > contract.MAX_MESSAGE_BYTES:
        raise EventParseError(f"Sns.Message is {size} bytes, over the limit of {contract.MAX_MESSAGE_BYTES}")
    try:
        body = json.loads(message)
    except ValueError:
        body = None
    if not isinstance(body, Mapping) or not body.keys() >= ALARM_NOTIFICATION_KEYS:
        # Not a CloudWatch alarm notification at all (anyone allowed to publish to the topic can send
        # this): ignored, so it cannot keep the Errors and dead-letter alarms firing. One that has the
        # shape but breaks it further on still fails loudly.
        raise NotOursError(f"Sns.Message is not a CloudWatch alarm notification; it starts with {message[:60]!r}")
    event = parse_sns_message(body, topic_arn=_opt_str(sns, "TopicArn"), message_id=_opt_str(sns, "MessageId"))
    return _with_drill(event, _sns_drill_flag(sns))


def parse_sns_message(
    body: Mapping[str, Any], topic_arn: str | None = None, message_id: str | None = None
) -> AlarmEvent:
    """A CloudWatch alarm notification as published to SNS (the decoded ``Sns.Message``)."""
    alarm_name = _str(body, "AlarmName")
    account = _str(body, "AWSAccountId")
    alarm_arn = _opt_str(body, "AlarmArn")
    if alarm_arn is None:
        # Older notifications lack AlarmArn; the Region is then only known from the topic ARN.
        alarm_arn = f"arn:aws:cloudwatch:{_region_from_arn(topic_arn)}:{account}:alarm:{alarm_name}"
    _check_arn(alarm_arn, alarm_name)
    trigger = body.get("Trigger") or {}
    if not isinstance(trigger, Mapping):
        raise EventParseError("Trigger must be an object")
    metrics, expressions = _metric_queries(_list(trigger, "Metrics"), _SNS_KEYS)
    if trigger.get("MetricName") is not None:
        metrics.insert(0, _metric(trigger, _SNS_KEYS))
    reason = _opt_str(body, "NewStateReason") or ""
    contributor, contributor_id, contributor_problem = _readable_contributor(_sns_contributor, body)
    return AlarmEvent(
        source=SOURCE_SNS,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        account_id=account,
        region=alarm_arn.split(":")[3],
        new_state=_state(body.get("NewStateValue"), "NewStateValue"),
        old_state=_opt_str(body, "OldStateValue"),
        reason=reason,
        state_change_time=_time_text(body, "StateChangeTime"),
        metrics=tuple(metrics),
        expressions=tuple(expressions),
        threshold=_opt_float(trigger, "Threshold"),
        comparison_operator=_opt_str(trigger, "ComparisonOperator"),
        value=_value_from_reason(reason, None),
        contributor=contributor,
        contributor_id=contributor_id,
        contributor_problem=contributor_problem,
        topic_arn=topic_arn,
        message_id=message_id,
    )


# --- direct alarm action and EventBridge --------------------------------------------------------


def parse_alarm_action(event: Mapping[str, Any]) -> AlarmEvent:
    parsed = _parse_camel(
        source=SOURCE_ALARM_ACTION,
        alarm_arn=_str(event, "alarmArn"),
        account=_str(event, "accountId"),
        region=_str(event, "region"),
        data=_obj(event, "alarmData"),
    )
    return _with_drill(parsed, _camel_drill_flag(event))


def parse_eventbridge(event: Mapping[str, Any]) -> AlarmEvent:
    detail_type = event.get("detail-type")
    if detail_type not in _EVENTBRIDGE_DETAIL_TYPES:
        if isinstance(detail_type, str) and detail_type and isinstance(event.get("detail"), Mapping):
            raise NotAStateChangeError(f"EventBridge {detail_type[:80]!r} event: not an alarm state change")
        raise EventParseError(f"unsupported EventBridge detail-type {detail_type!r}")
    resources = _list(event, "resources")
    if not resources or not isinstance(resources[0], str):
        raise EventParseError("EventBridge event has no alarm ARN in 'resources'")
    parsed = _parse_camel(
        source=SOURCE_EVENTBRIDGE,
        alarm_arn=resources[0],
        account=_str(event, "account"),
        region=_str(event, "region"),
        data=_obj(event, "detail"),
        message_id=_opt_str(event, "id"),
    )
    return _with_drill(parsed, _camel_drill_flag(event))


def _parse_camel(
    *, source: str, alarm_arn: str, account: str, region: str, data: Mapping[str, Any], message_id: str | None = None
) -> AlarmEvent:
    alarm_name = _str(data, "alarmName")
    _check_arn(alarm_arn, alarm_name)
    state = _obj(data, "state")
    previous = data.get("previousState")
    configuration = data.get("configuration") or {}
    if not isinstance(configuration, Mapping):
        raise EventParseError("configuration must be an object")
    metrics, expressions = _metric_queries(_list(configuration, "metrics"), _CAMEL_KEYS)
    reason = _opt_str(state, "reason") or ""
    reason_data = _reason_data(state.get("reasonData"))
    threshold = _opt_float(reason_data, "threshold")
    contributor, contributor_id, contributor_problem = _readable_contributor(_camel_contributor, data)
    return AlarmEvent(
        source=source,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        account_id=account,
        region=region,
        new_state=_state(state.get("value"), "state.value"),
        old_state=_opt_str(previous, "value") if isinstance(previous, Mapping) else None,
        reason=reason,
        state_change_time=_time_text(state, "timestamp"),
        metrics=tuple(metrics),
        expressions=tuple(expressions),
        threshold=threshold if threshold is not None else _opt_float(configuration, "threshold"),
        comparison_operator=_opt_str(configuration, "comparisonOperator"),
        value=_value_from_reason(reason, reason_data),
        contributor=contributor,
        contributor_id=contributor_id,
        contributor_problem=contributor_problem,
        message_id=message_id,
    )


# --- helpers --------------------------------------------------------------------------------------


def _check_size(event: Any) -> None:
    try:
        size = len(json.dumps(event, separators=(",", ":")).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        raise EventParseError(f"event is not JSON-serialisable: {exc}") from None
    if size > contract.MAX_MESSAGE_BYTES:
        raise EventParseError(f"event is {size} bytes, over the limit of {contract.MAX_MESSAGE_BYTES}")


def _check_arn(arn: str, alarm_name: str) -> None:
    """A CloudWatch alarm ARN naming this alarm. Its account and Region are compared later."""
    match = _ALARM_ARN.fullmatch(arn)
    if not match:
        raise EventParseError(f"alarm ARN {arn!r} is not a CloudWatch alarm ARN")
    if match["name"] != alarm_name:
        raise EventParseError(f"alarm ARN {arn!r} does not name alarm {alarm_name!r}")


def _region_from_arn(arn: str | None) -> str:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 4 else ""


def _with_drill(event: AlarmEvent, drill: bool) -> AlarmEvent:
    return replace(event, drill=True) if drill else event


def _sns_drill_flag(sns: Mapping[str, Any]) -> bool:
    attributes = sns.get("MessageAttributes")
    if not isinstance(attributes, Mapping):
        return False
    marker = attributes.get(contract.DRILL_ATTRIBUTE)
    return isinstance(marker, Mapping) and str(marker.get("Value", "")).lower() == "true"


def _camel_drill_flag(event: Mapping[str, Any]) -> bool:
    return str(event.get(contract.DRILL_ATTRIBUTE, "")).lower() == "true"


def _state(value: Any, field: str) -> str:
    if value not in _STATES:
        raise EventParseError(f"{field} must be one of {sorted(_STATES)}, got {value!r}")
    return str(value)


def _time_text(parent: Mapping[str, Any], key: str) -> str:
    """The timestamp text, checked to parse (a malformed time is a malformed event)."""
    text = _opt_str(parent, key) or ""
    if text:
        parse_time(text)
    return text


def _obj(parent: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = parent.get(key)
    if not isinstance(value, Mapping):
        raise EventParseError(f"{key!r} must be an object, got {_kind(value)}")
    return value


def _list(parent: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = parent.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EventParseError(f"{key!r} must be a list, got {_kind(value)}")
    return value


def _str(parent: Mapping[str, Any], key: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value:
        raise EventParseError(f"{key!r} must be a non-empty string, got {_kind(value)}")
    return value


def _opt_str(parent: Mapping[str, Any] | None, key: str) -> str | None:
    value = None if parent is None else parent.get(key)
    if value is not None and not isinstance(value, str):
        raise EventParseError(f"{key!r} must be a string, got {_kind(value)}")
    return value


def _opt_float(parent: Mapping[str, Any] | None, key: str) -> float | None:
    value = None if parent is None else parent.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise EventParseError(f"{key!r} must be a number, got {_kind(value)}")
    try:
        return float(value)
    except ValueError:
        raise EventParseError(f"{key!r} must be a number, got {value!r}") from None


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {value!r}"[:80]


def _dimension_list(value: Any) -> Dimensions:
    """SNS notifications: [{"name": ..., "value": ...}] (lower-case keys; upper-case accepted)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise EventParseError(f"Dimensions must be a list, got {_kind(value)}")
    result = []
    for item in value:
        if not isinstance(item, Mapping):
            raise EventParseError("Dimensions entries must be objects")
        name = item.get("name", item.get("Name"))
        val = item.get("value", item.get("Value"))
        if not isinstance(name, str) or not isinstance(val, str):
            raise EventParseError(f"dimension {dict(item)!r} must have string name and value")
        result.append((name, val))
    return tuple(sorted(result))


def _dimension_map(value: Any) -> Dimensions:
    """Alarm-action and EventBridge events: {"name": "value"}."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise EventParseError(f"dimensions must be an object, got {_kind(value)}")
    return _string_map(value, "dimensions")


_SNS_KEYS = _Keys("Expression", "MetricStat", "Metric", "Namespace", "MetricName", "Dimensions", _dimension_list)
_CAMEL_KEYS = _Keys("expression", "metricStat", "metric", "namespace", "name", "dimensions", _dimension_map)


def _string_map(value: Mapping[Any, Any], what: str) -> Dimensions:
    result = []
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            raise EventParseError(f"{what} must map strings to strings, got {key!r}: {val!r}")
        result.append((key, val))
    return tuple(sorted(result))


def _optional_object(parent: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = parent.get(key)
    if value is not None and not isinstance(value, Mapping):
        raise EventParseError(f"{key!r} must be an object, got {_kind(value)}")
    return value


def _readable_contributor(
    read: Callable[[Mapping[str, Any]], tuple[Dimensions | None, str | None]], parent: Mapping[str, Any]
) -> tuple[Dimensions | None, str | None, str]:
    """(attributes, id, problem): contributor keys that cannot be read name no contributor; the problem
    says why (a fleet alarm's event then lists its contributors, any other event fails: ``verify``)."""
    try:
        attributes, contributor_id = read(parent)
    except EventParseError as exc:
        return None, None, f"its contributor cannot be read: {exc}"
    return attributes, contributor_id, ""


def _sns_contributor(body: Mapping[str, Any]) -> tuple[Dimensions | None, str | None]:
    """(``AlarmContributorAttributes``, ``AlarmContributorId``) at the top level of the SNS message."""
    attributes = _optional_object(body, _SNS_CONTRIBUTOR_ATTRIBUTES)
    contributor_id = _opt_str(body, _SNS_CONTRIBUTOR_ID)
    if attributes is None:
        return None, contributor_id
    return _string_map(attributes, _SNS_CONTRIBUTOR_ATTRIBUTES), contributor_id


def _camel_contributor(data: Mapping[str, Any]) -> tuple[Dimensions | None, str | None]:
    """(attributes, id) of ``alarmContributor`` in an EventBridge detail (or alarm-action alarmData)."""
    contributor = _optional_object(data, _CAMEL_CONTRIBUTOR)
    if contributor is None:
        return None, None
    attributes = _string_map(_obj(contributor, "attributes"), f"{_CAMEL_CONTRIBUTOR}.attributes")
    return attributes, _opt_str(contributor, "id")


def _reason_data(value: Any) -> Mapping[str, Any] | None:
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return value
    if not isinstance(value, str):
        raise EventParseError(f"reasonData must be a JSON string, got {_kind(value)}")
    try:
        data = json.loads(value)
    except ValueError:
        return None  # informative only: the decision does not depend on it
    return data if isinstance(data, Mapping) else None


def _value_from_reason(reason: str, reason_data: Mapping[str, Any] | None) -> float | None:
    """The most recent datapoint: reasonData.recentDatapoints, else the first "[v (" in the reason."""
    if reason_data is not None:
        points = reason_data.get("recentDatapoints")
        if isinstance(points, list) and points and isinstance(points[-1], int | float):
            return float(points[-1])
    match = _DATAPOINT.search(reason)
    return float(match["value"]) if match else None
