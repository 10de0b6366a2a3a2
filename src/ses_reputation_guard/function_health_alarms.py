"""FunctionHealthAlarms: people hear about it when the guard itself fails.

A Lambda error or a message in the dead-letter queue means an alarm may not have been acted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_reputation_guard._cdktf import CloudwatchMetricAlarm, Construct
from ses_reputation_guard.context import GuardChild, GuardContext

ERRORS_ALARM_SUFFIX = "function-errors"
DEAD_LETTERS_ALARM_SUFFIX = "dead-letters"
"""The alarms are ``<name_prefix>-function-errors`` and ``<name_prefix>-dead-letters``."""


@dataclass(frozen=True)
class FunctionHealthAlarmsProps:
    function_name: str
    dead_letter_queue_name: str
    notification_topic_arn: str
    """Both alarms notify people here (ALARM and OK)."""
    period_seconds: int = 300
    """Evaluation period of both alarms, seconds. Default 300."""


class FunctionHealthAlarms(GuardChild[FunctionHealthAlarmsProps]):
    """Errors >= 1 and dead-letter queue depth >= 1, both notifying people."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: FunctionHealthAlarmsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        common: dict[str, Any] = {
            "comparison_operator": "GreaterThanOrEqualToThreshold",
            "threshold": 1,
            "evaluation_periods": 1,
            "period": props.period_seconds,
            # No invocations means no errors: missing data is healthy here.
            "treat_missing_data": "notBreaching",
            "alarm_actions": [props.notification_topic_arn],
            "ok_actions": [props.notification_topic_arn],
            "tags": context.tags,
        }
        self.errors_alarm = context.create(
            self,
            CloudwatchMetricAlarm,
            "function_errors_alarm",
            alarm_name=context.aws_name(ERRORS_ALARM_SUFFIX),
            alarm_description="The ses-reputation-guard pause function failed; check its logs and DLQ.",
            namespace="AWS/Lambda",
            metric_name="Errors",
            dimensions={"FunctionName": props.function_name},
            statistic="Sum",
            **common,
        )
        self.dead_letters_alarm = context.create(
            self,
            CloudwatchMetricAlarm,
            "dead_letters_alarm",
            alarm_name=context.aws_name(DEAD_LETTERS_ALARM_SUFFIX),
            alarm_description="An alarm notification reached the dead-letter queue unhandled: act by hand.",
            namespace="AWS/SQS",
            metric_name="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": props.dead_letter_queue_name},
            statistic="Maximum",
            **common,
        )
