"""Parse every alarm delivery shape into one frozen `AlarmEvent`.

Shapes understood (docs/lambda.md has examples):

* ``sns``: one record of an SNS event; ``Sns.Message`` is the JSON text of a CloudWatch alarm
  notification (``AlarmName``, ``AWSAccountId``, ``NewStateValue``, ``Trigger`` ...).
* ``alarm-action``: the event CloudWatch sends when the function is itself the alarm action
  (``source: aws.cloudwatch``, ``alarmArn``, ``alarmData``).
* ``eventbridge``: "CloudWatch Alarm State Change" and "CloudWatch Alarm Contributor State Change"
  events (``detail-type``, ``detail``).

Metrics Insights contributors. EventBridge documents ``detail.alarmContributor = {"id", "attributes"}``.
The shape inside SNS notifications and alarm-action events is not documented in the sources we
had, so we look, in this order, for a contributor object under ``alarmContributor``,
``AlarmContributor`` or ``Contributor`` (top level of the message / ``alarmData`` / ``detail``, then
``Trigger``) whose attribute map is ``attributes``, ``Attributes`` or ``ContributorAttributes``, and
for a bare ``ContributorAttributes`` map at the same levels. Attribute maps must map strings to
strings; anything else is a parse error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import contract


class EventParseError(ValueError):
    """The input cannot be understood; the record fails (it is retried, then dead-lettered)."""


SOURCE_SNS = "sns"
SOURCE_ALARM_ACTION = "alarm-action"
SOURCE_EVENTBRIDGE = "eventbridge"

_EVENTBRIDGE_DETAIL_TYPES = frozenset({"CloudWatch Alarm State Change", "CloudWatch Alarm Contributor State Change"})
_STATES = frozenset({"ALARM", "OK", "INSUFFICIENT_DATA"})
_ALARM_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):cloudwatch:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):alarm:(?P<name>.+)$"
)
_DATAPOINT = re.compile(r"\[\s*(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*\(")
_CONTRIBUTOR_KEYS = ("alarmContributor", "AlarmContributor", "Contributor", "contributor")
_ATTRIBUTE_KEYS = ("attributes", "Attributes", "ContributorAttributes", "contributorAttributes")

Dimensions = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class MetricRef:
    """One metric the alarm watches (the single metric, or a MetricStat inside a math alarm)."""

    namespace: str
    name: str
    dimensions: Dimensions = ()

    def dimension(self, key: str) -> str | None:
        for name, value in self.dimensions:
            if name == key:
                return value
        return None


@dataclass(frozen=True)
class AlarmEvent:
    source: str
    alarm_name: str
    alarm_arn: str
    account_id: str
    region: str
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
    topic_arn: str | None = None
    message_id: str | None = None

    def contributor_attribute(self, key: str) -> str | None:
        for name, value in self.contributor or ():
            if name == key:
                return value
        return None


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
    except ValueError as exc:
        raise EventParseError(f"Sns.Message is not JSON ({exc}); it starts with {message[:60]!r}") from None
    if not isinstance(body, Mapping):
        raise EventParseError("Sns.Message must hold a JSON object")
    return parse_sns_message(body, topic_arn=_opt_str(sns, "TopicArn"), message_id=_opt_str(sns, "MessageId"))


def parse_sns_message(
    body: Mapping[str, Any], topic_arn: str | None = None, message_id: str | None = None
) -> AlarmEvent:
    """A CloudWatch alarm notification as published to SNS (the decoded ``Sns.Message``)."""
    alarm_name = _str(body, "AlarmName")
    alarm_arn = _opt_str(body, "AlarmArn")
    account = _str(body, "AWSAccountId")
    arn_parts = _arn_parts(alarm_arn, alarm_name, account) if alarm_arn else None
    if alarm_arn is None:
        # Older notifications lack AlarmArn; the Region is then only known from the topic ARN.
        region = _region_from_arn(topic_arn) or ""
        alarm_arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm_name}"
    region = arn_parts[0] if arn_parts else alarm_arn.split(":")[3]
    trigger = body.get("Trigger")
    if trigger is not None and not isinstance(trigger, Mapping):
        raise EventParseError("Trigger must be an object")
    trigger = trigger or {}
    metrics: list[MetricRef] = []
    expressions: list[str] = []
    if trigger.get("MetricName") is not None:
        metrics.append(
            MetricRef(
                namespace=_str(trigger, "Namespace"),
                name=_str(trigger, "MetricName"),
                dimensions=_dimension_list(trigger.get("Dimensions")),
            )
        )
    for item in _list(trigger, "Metrics"):
        if not isinstance(item, Mapping):
            raise EventParseError("Trigger.Metrics entries must be objects")
        if item.get("Expression") is not None:
            expressions.append(_str(item, "Expression"))
        if item.get("MetricStat") is not None:
            metric = _obj(_obj(item, "MetricStat"), "Metric")
            metrics.append(
                MetricRef(
                    namespace=_str(metric, "Namespace"),
                    name=_str(metric, "MetricName"),
                    dimensions=_dimension_list(metric.get("Dimensions")),
                )
            )
    reason = _opt_str(body, "NewStateReason") or ""
    return AlarmEvent(
        source=SOURCE_SNS,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        account_id=account,
        region=region,
        new_state=_state(body.get("NewStateValue"), "NewStateValue"),
        old_state=_opt_str(body, "OldStateValue"),
        reason=reason,
        state_change_time=_opt_str(body, "StateChangeTime") or "",
        metrics=tuple(metrics),
        expressions=tuple(expressions),
        threshold=_opt_float(trigger, "Threshold"),
        comparison_operator=_opt_str(trigger, "ComparisonOperator"),
        value=_value_from_reason(reason, None),
        contributor=_find_contributor(body, trigger),
        topic_arn=topic_arn,
        message_id=message_id,
    )


# --- direct alarm action and EventBridge --------------------------------------------------------


def parse_alarm_action(event: Mapping[str, Any]) -> AlarmEvent:
    data = _obj(event, "alarmData")
    return _parse_camel(
        source=SOURCE_ALARM_ACTION,
        alarm_arn=_str(event, "alarmArn"),
        account=_str(event, "accountId"),
        region=_str(event, "region"),
        data=data,
    )


def parse_eventbridge(event: Mapping[str, Any]) -> AlarmEvent:
    detail_type = event.get("detail-type")
    if detail_type not in _EVENTBRIDGE_DETAIL_TYPES:
        raise EventParseError(f"unsupported EventBridge detail-type {detail_type!r}")
    resources = _list(event, "resources")
    if not resources or not isinstance(resources[0], str):
        raise EventParseError("EventBridge event has no alarm ARN in 'resources'")
    return _parse_camel(
        source=SOURCE_EVENTBRIDGE,
        alarm_arn=resources[0],
        account=_str(event, "account"),
        region=_str(event, "region"),
        data=_obj(event, "detail"),
        message_id=_opt_str(event, "id"),
    )


def _parse_camel(
    *,
    source: str,
    alarm_arn: str,
    account: str,
    region: str,
    data: Mapping[str, Any],
    message_id: str | None = None,
) -> AlarmEvent:
    alarm_name = _str(data, "alarmName")
    _arn_parts(alarm_arn, alarm_name, None)
    state = _obj(data, "state")
    previous = data.get("previousState")
    configuration = data.get("configuration") or {}
    if not isinstance(configuration, Mapping):
        raise EventParseError("configuration must be an object")
    metrics: list[MetricRef] = []
    expressions: list[str] = []
    for item in _list(configuration, "metrics"):
        if not isinstance(item, Mapping):
            raise EventParseError("configuration.metrics entries must be objects")
        if item.get("expression") is not None:
            expressions.append(_str(item, "expression"))
        if item.get("metricStat") is not None:
            metric = _obj(_obj(item, "metricStat"), "metric")
            metrics.append(
                MetricRef(
                    namespace=_str(metric, "namespace"),
                    name=_str(metric, "name"),
                    dimensions=_dimension_map(metric.get("dimensions")),
                )
            )
    reason = _opt_str(state, "reason") or ""
    reason_data = _reason_data(state.get("reasonData"))
    threshold = _opt_float(reason_data, "threshold")
    if threshold is None:
        threshold = _opt_float(configuration, "threshold")
    return AlarmEvent(
        source=source,
        alarm_name=alarm_name,
        alarm_arn=alarm_arn,
        account_id=account,
        region=region,
        new_state=_state(state.get("value"), "state.value"),
        old_state=_opt_str(previous, "value") if isinstance(previous, Mapping) else None,
        reason=reason,
        state_change_time=_opt_str(state, "timestamp") or "",
        metrics=tuple(metrics),
        expressions=tuple(expressions),
        threshold=threshold,
        comparison_operator=_opt_str(configuration, "comparisonOperator"),
        value=_value_from_reason(reason, reason_data),
        contributor=_find_contributor(data, None),
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


def _arn_parts(arn: str, alarm_name: str, account: str | None) -> tuple[str, str]:
    match = _ALARM_ARN.match(arn)
    if not match:
        raise EventParseError(f"alarm ARN {arn!r} is not a CloudWatch alarm ARN")
    if match["name"] != alarm_name:
        raise EventParseError(f"alarm ARN {arn!r} does not name alarm {alarm_name!r}")
    if account is not None and match["account"] != account:
        raise EventParseError(f"alarm ARN {arn!r} does not belong to account {account!r}")
    return match["region"], match["account"]


def _region_from_arn(arn: str | None) -> str | None:
    if not arn:
        return None
    parts = arn.split(":")
    return parts[3] if len(parts) > 4 else None


def _state(value: Any, field: str) -> str:
    if value not in _STATES:
        raise EventParseError(f"{field} must be one of {sorted(_STATES)}, got {value!r}")
    return str(value)


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
    if parent is None:
        return None
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EventParseError(f"{key!r} must be a string, got {_kind(value)}")
    return value


def _opt_float(parent: Mapping[str, Any] | None, key: str) -> float | None:
    if parent is None:
        return None
    value = parent.get(key)
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


def _string_map(value: Mapping[Any, Any], what: str) -> Dimensions:
    result = []
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            raise EventParseError(f"{what} must map strings to strings, got {key!r}: {val!r}")
        result.append((key, val))
    return tuple(sorted(result))


def _find_contributor(top: Mapping[str, Any], trigger: Mapping[str, Any] | None) -> Dimensions | None:
    for level in (top, trigger):
        if not level:
            continue
        for key in _CONTRIBUTOR_KEYS:
            contributor = level.get(key)
            if contributor is None:
                continue
            if not isinstance(contributor, Mapping):
                raise EventParseError(f"{key!r} must be an object, got {_kind(contributor)}")
            for attr_key in _ATTRIBUTE_KEYS:
                attributes = contributor.get(attr_key)
                if attributes is not None:
                    if not isinstance(attributes, Mapping):
                        raise EventParseError(f"{key}.{attr_key} must be an object")
                    return _string_map(attributes, f"{key}.{attr_key}")
            raise EventParseError(f"{key!r} has no attribute map ({', '.join(_ATTRIBUTE_KEYS)})")
        attributes = level.get("ContributorAttributes")
        if attributes is not None:
            if not isinstance(attributes, Mapping):
                raise EventParseError("ContributorAttributes must be an object")
            return _string_map(attributes, "ContributorAttributes")
    return None


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
