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


@dataclass(frozen=True, kw_only=True)
class FunctionHealthAlarmsProps:
    function_name: str
    """The pause function's name (the ``FunctionName`` dimension of its ``Errors`` metric)."""
    dead_letter_queue_name: str
    """Its dead-letter queue's name (the ``QueueName`` dimension of the queue depth)."""
    notification_topic_arn: str
    """Both alarms notify people here (ALARM and OK)."""
    period_seconds: int = 300
    """Evaluation period of both alarms, seconds. Default 300."""


# Both alarms fire at the first error or dead letter; no invocations means no errors, so missing
# data is healthy.
_FIRST_OCCURRENCE: dict[str, Any] = dict(
    comparison_operator="GreaterThanOrEqualToThreshold",
    threshold=1,
    evaluation_periods=1,
    treat_missing_data="notBreaching",
)


class FunctionHealthAlarms(GuardChild[FunctionHealthAlarmsProps]):
    """Errors >= 1 and dead-letter queue depth >= 1, both notifying people."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: FunctionHealthAlarmsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        errors = dict(
            namespace="AWS/Lambda", metric_name="Errors", statistic="Sum",
            dimensions={"FunctionName": props.function_name},
            alarm_description="The ses-reputation-guard pause function failed; check its logs and DLQ.",
        )  # fmt: skip
        dead_letters = dict(
            namespace="AWS/SQS", metric_name="ApproximateNumberOfMessagesVisible", statistic="Maximum",
            dimensions={"QueueName": props.dead_letter_queue_name},
            alarm_description="An alarm notification reached the dead-letter queue unhandled: act by hand.",
        )  # fmt: skip
        self.errors_alarm = self._alarm("function_errors_alarm", ERRORS_ALARM_SUFFIX, errors)
        self.dead_letters_alarm = self._alarm("dead_letters_alarm", DEAD_LETTERS_ALARM_SUFFIX, dead_letters)

    def _alarm(self, role: str, suffix: str, watched: dict[str, Any]) -> Any:
        """``<name_prefix>-<suffix>`` on the ``watched`` metric, telling people of ALARM and OK alike."""
        context, topic = self.context, self.props.notification_topic_arn
        return context.create(
            self, CloudwatchMetricAlarm, role, alarm_name=context.aws_name(suffix), period=self.props.period_seconds,
            alarm_actions=[topic], ok_actions=[topic], tags=context.component_tags(suffix), **watched,
            **_FIRST_OCCURRENCE,
        )  # fmt: skip
