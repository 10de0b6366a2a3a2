"""FleetContributorDelivery: the documented path from a fleet alarm's contributor to the function.

A Metrics Insights alarm grouped by configuration set reports each set (contributor) that changes
state. CloudWatch sends every such change to EventBridge as an event whose shape the CloudWatch User
Guide documents in full ("Alarm events and EventBridge", Multi Time Series Alarm, "Alarm Contributor
Example"; https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html)::

    {"source": "aws.cloudwatch", "detail-type": "CloudWatch Alarm Contributor State Change",
     "resources": ["arn:aws:cloudwatch:<region>:<account>:alarm:<alarm name>"],
     "detail": {"alarmName": ..., "alarmContributor": {"id": ..., "attributes": {"<dimension>": "<value>"}},
                "state": {"value": "ALARM", "reason": ..., "timestamp": ...}, "configuration": {...}}}

(tests/events/eventbridge_fleet_contributor_state_change.json is that example with the guard's values).
CloudWatch guarantees the delivery of alarm state change events to EventBridge (same page).

Created here, each counted when ``enabled`` is a Terraform flag:

- ``rule``: ``<name_prefix>-fleet-contributors``, matching ``source``, ``detail-type``, the ARNs of the
  guard's own critical fleet alarms (``resources``) and ``detail.state.value = ALARM``: a contributor
  going OK, another alarm's contributor, or any other event never reaches the function;
- ``target``: the guard's function (EventBridge invokes it asynchronously: Lambda's retries and the
  function's dead-letter queue apply);
- ``permission``: ``lambda:InvokeFunction`` for ``events.amazonaws.com``, pinned to this rule's ARN.

The function accepts these events only when its ``ACCEPTED_SOURCES`` lists ``eventbridge`` (the guard
sets it together with this rule), and then verifies each contributor as it does any alarm (DescribeAlarms,
the deployed policy, SES's datapoints). Why this path and not the alarm's SNS action: docs/fleet.md,
"Delivery".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import CloudwatchEventRule, Construct, Fn
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, count_for
from ses_reputation_guard.function_trigger import invoke_function_from_rule
from ses_reputation_guard.validation import Problems, is_token

RULE_SUFFIX = "fleet-contributors"
"""The rule is ``<name_prefix>-fleet-contributors``."""


@dataclass(frozen=True)
class FleetContributorDeliveryProps:
    """Which alarms' contributors reach which function. Values may be Terraform tokens."""

    alarm_names: Sequence[str]
    """Names of the guard's critical fleet alarms (``<prefix>-fleet-<metric>-critical``): the rule matches
    their ARNs only. At least one."""
    function_arn: str
    """The guard's function: the rule's only target."""
    function_name: str
    """The same function, by name: the invoke permission names it."""
    enabled: Flag = True
    """Create the rule at all; a token makes it counted (the generated module's fleet policy with action
    ``pause`` and delivery ``eventbridge``). Default True."""

    def collect_problems(self, problems: Problems, subject: str = "fleet_policy") -> None:
        if not is_token(self.alarm_names) and not list(self.alarm_names):
            problems.add(f"{subject}: no critical fleet alarm to deliver contributors from")
        if not isinstance(self.enabled, bool) and not is_token(self.enabled):
            problems.add(f"{subject}.enabled={self.enabled!r}: must be True or False")


def contributor_event_pattern(alarm_arns: Sequence[str]) -> dict[str, Any]:
    """The EventBridge pattern: contributor changes to ALARM of exactly these alarms (CloudWatch User
    Guide, "Alarm events and EventBridge": ``source``, ``detail-type``, ``resources``, ``detail.state.value``)."""
    return {
        "source": [contract.EVENTS_SOURCE_CLOUDWATCH],
        "detail-type": [contract.DETAIL_TYPE_CONTRIBUTOR_STATE_CHANGE],
        "resources": list(alarm_arns),
        "detail": {"state": {"value": ["ALARM"]}},
    }


class FleetContributorDelivery(GuardChild[FleetContributorDeliveryProps]):
    """``rule``, ``target`` and ``permission`` (each None when ``enabled`` is False)."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: FleetContributorDeliveryProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        Problems.refuse("FleetContributorDeliveryProps", props.collect_problems)
        self.rule: Any = None
        self.target: Any = None
        self.permission: Any = None
        self.count = count_for(props.enabled)
        if self.count is SKIP:
            return
        alarm_arns = [context.arn("cloudwatch", f"alarm:{name}") for name in props.alarm_names]
        self.rule = context.create(
            self,
            CloudwatchEventRule,
            "fleet_contributors",
            name=context.aws_name(RULE_SUFFIX),
            description="ses-reputation-guard: configuration sets crossing a critical fleet alarm, to the function",
            event_pattern=Fn.jsonencode(contributor_event_pattern(alarm_arns)),
            tags=context.component_tags("fleet-contributor-rule"),
            count=self.count,
        )
        self.permission, self.target = invoke_function_from_rule(
            self,
            context,
            self.rule,
            function_arn=props.function_arn,
            function_name=props.function_name,
            count=self.count,
            statement_id="AllowGuardFleetContributorRule",
            addresses=("fleet_invoke_permission", "fleet_contributors_target"),
        )
