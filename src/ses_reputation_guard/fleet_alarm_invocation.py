"""FleetAlarmInvocation: the guard's critical fleet alarms may invoke the function directly (delivery ``alarm-action``).

A CloudWatch alarm whose action is a Lambda function invokes it asynchronously as the service principal
``lambda.alarms.cloudwatch.amazonaws.com``; the function's resource policy must allow that principal, and
AWS's example pins it to the alarm's account (``--source-account``) and ARN (``--source-arn``): CloudWatch
User Guide, "Invoke a Lambda function from an alarm",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-actions-Lambda.html. For a Metrics
Insights alarm over many series, the Lambda action runs at alarm level and per contributor ("Acting on
alarm changes", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Acting_Alarm_Changes.html).

Created here, each counted when ``enabled`` is a Terraform flag: one ``lambda_permission`` per critical fleet
alarm (``permissions``), principal ``lambda.alarms.cloudwatch.amazonaws.com``, ``source_arn`` that alarm's ARN
and ``source_account`` the guard's account. The alarms' own action names the function
(``FleetReputationAlarmsProps.critical_actions``); the function accepts these events only when its
``ACCEPTED_SOURCES`` lists ``alarm-action`` (the guard sets it together with these permissions). Why and
when: docs/fleet.md, "Delivery".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import Construct, LambdaPermission
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, count_for
from ses_reputation_guard.validation import Problems, is_token


@dataclass(frozen=True)
class FleetAlarmInvocationProps:
    """Which alarms may invoke which function. Values may be Terraform tokens."""

    alarm_names: Mapping[str, str]
    """Metric short name (``bounce``, ``complaint``) -> name of the guard's critical fleet alarm for it
    (``<prefix>-fleet-<metric>-critical``): one permission each. At least one."""
    function_name: str
    """The guard's function, by name: each permission names it."""
    enabled: Flag = True
    """Create the permissions at all; a token makes them counted (the generated module's fleet policy with
    action ``pause`` and delivery ``alarm-action``). Default True."""

    def collect_problems(self, problems: Problems, subject: str = "fleet_policy") -> None:
        if not dict(self.alarm_names):
            problems.add(f"{subject}: no critical fleet alarm to invoke the function from")
        if not isinstance(self.enabled, bool) and not is_token(self.enabled):
            problems.add(f"{subject}.enabled={self.enabled!r}: must be True or False")


class FleetAlarmInvocation(GuardChild[FleetAlarmInvocationProps]):
    """``permissions``: metric short name -> its ``lambda_permission`` (empty when ``enabled`` is False)."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: FleetAlarmInvocationProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        Problems.refuse("FleetAlarmInvocationProps", props.collect_problems)
        self.permissions: dict[str, Any] = {}
        self.count = count_for(props.enabled)
        if self.count is SKIP:
            return
        for metric, alarm_name in props.alarm_names.items():
            self.permissions[metric] = context.create(
                self,
                LambdaPermission,
                f"fleet_{metric}_alarm_invoke_permission",
                statement_id=f"AllowGuardFleet{metric.capitalize()}CriticalAlarm",
                action="lambda:InvokeFunction",
                function_name=props.function_name,
                principal=contract.PRINCIPAL_ALARM_ACTION,
                source_arn=context.arn("cloudwatch", f"alarm:{alarm_name}"),
                source_account=context.account_id,
                count=self.count,
            )
