"""FunctionHealthAlarms: people hear about it when the guard itself fails.

A Lambda error or a message in the dead-letter queue means an alarm may not have been acted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_reputation_guard._cdktf import CloudwatchMetricAlarm, Construct
from ses_reputation_guard.naming import named


@dataclass(frozen=True)
class FunctionHealthAlarmsProps:
    name_prefix: str
    """Alarms ``<name_prefix>-function-errors`` and ``<name_prefix>-dead-letters``."""
    resource_prefix: str
    function_name: str
    dead_letter_queue_name: str
    notification_topic_arn: str
    tags: Any
    period_seconds: int = 300
    """Evaluation period of both alarms, seconds. Default 300."""


class FunctionHealthAlarms(Construct):
    """Errors >= 1 and dead-letter queue depth >= 1, both notifying people."""

    def __init__(self, scope: Construct, construct_id: str, props: FunctionHealthAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        common: dict[str, Any] = {
            "comparison_operator": "GreaterThanOrEqualToThreshold",
            "threshold": 1,
            "evaluation_periods": 1,
            "period": props.period_seconds,
            # No invocations means no errors: missing data is healthy here.
            "treat_missing_data": "notBreaching",
            "alarm_actions": [props.notification_topic_arn],
            "ok_actions": [props.notification_topic_arn],
            "tags": props.tags,
        }
        self.errors_alarm = named(
            CloudwatchMetricAlarm(
                self,
                "errors",
                alarm_name=f"{props.name_prefix}-function-errors",
                alarm_description="The ses-reputation-guard pause function failed; check its logs and DLQ.",
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions={"FunctionName": props.function_name},
                statistic="Sum",
                **common,
            ),
            props.resource_prefix,
            "function_errors_alarm",
        )
        self.dead_letters_alarm = named(
            CloudwatchMetricAlarm(
                self,
                "dead_letters",
                alarm_name=f"{props.name_prefix}-dead-letters",
                alarm_description="An alarm notification reached the dead-letter queue unhandled: act by hand.",
                namespace="AWS/SQS",
                metric_name="ApproximateNumberOfMessagesVisible",
                dimensions={"QueueName": props.dead_letter_queue_name},
                statistic="Maximum",
                **common,
            ),
            props.resource_prefix,
            "dead_letters_alarm",
        )
