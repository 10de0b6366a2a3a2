"""FleetReputationAlarms: at most four Metrics Insights alarms that watch every configuration set.

Alarms ``<name_prefix>-fleet-<bounce|complaint>-<warning|critical>``; each returned series (one set)
is a contributor with its own state and its own actions. How a critical alarm whose action is
``pause`` reaches the function is the policy's ``delivery``: ``eventbridge`` (default) leaves the alarm's
own actions to people (the notification topic) and lets ``FleetContributorDelivery``'s EventBridge rule
hand each contributor to the function; ``sns`` publishes one notification per set that crossed the
threshold to the pause topic; ``alarm-action`` makes the function itself an alarm action (invoked per
set, and at alarm level; ``FleetAlarmInvocation`` grants CloudWatch that invocation). Each way the
function pauses exactly that set, and a contributor reaches it by one path only. See ``fleet_policy`` for
the query and docs/fleet.md for limits and "Delivery".

Every value may be a Terraform token (the generated module's ``fleet_policy`` variable); the sets left
out of the query are then a Terraform list, and the same 2,048-character rule is applied at plan time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract, fleet_query, rules
from ses_reputation_guard._cdktf import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
    Construct,
    Fn,
    Op,
    TerraformLocal,
    TerraformStack,
    Token,
)
from ses_reputation_guard.alarm_settings import (
    METRICS,
    TieredAlarmsProps,
    reputation_alarm_tags,
    tiered_alarm_description,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import TerraformExpression, actions_for
from ses_reputation_guard.fleet_policy import (
    FleetPolicy,
    collect_window_problems,
)
from ses_reputation_guard.policy import ReputationThresholds
from ses_reputation_guard.validation import Problems, is_token

QUERY_ID = "rates"
# In each alarm's description: what a critical alarm does, and where to read on.
CRITICAL_CONSEQUENCE = "with action 'pause', pauses each configuration set (contributor) that crossed it."
SEE = "docs/fleet.md"


@dataclass(frozen=True, kw_only=True)
class FleetReputationAlarmsProps(TieredAlarmsProps):
    """The fleet's alarms: the shared tiers (``TieredAlarmsProps``; thresholds resolved from the
    policy, else the guard's defaults; ``enabled`` is the module's ``fleet_policy != null``) and the
    Metrics Insights window."""

    period_seconds: Any = 3600
    """Seconds per period: a multiple of 60 (may be a token). Default 3600."""
    evaluation_periods: Any = 1
    """Periods evaluated (may be a token). Default 1."""
    datapoints_to_alarm: Any = 1
    """Breaching periods that trigger the alarm (may be a token). Default 1."""
    excluded_sets: Sequence[str] | TerraformExpression = ()
    """Sets left out of the query because their own policy judges them: a Python sequence (dropped
    as a whole when the query would exceed 2,048 characters) or a Terraform list expression (the same
    rule, decided at plan time). Default none."""
    delivery: str = contract.FLEET_DELIVERY_EVENTBRIDGE
    """How a critical contributor reaches the function (may be a token): ``eventbridge`` (default; the
    alarms notify people only, an EventBridge rule delivers), ``sns`` (critical alarms with action
    ``pause`` also publish to the pause topic) or ``alarm-action`` (they also invoke ``function_arn``)."""
    function_arn: str = ""
    """The guard's function, a critical alarm's action with delivery ``alarm-action`` (may be a token).
    Required when ``delivery`` is ``alarm-action`` or a token. Default "" (none)."""

    @classmethod
    def from_policy(
        cls,
        policy: FleetPolicy,
        *,
        default_thresholds: ReputationThresholds,
        explicit_sets: Sequence[str] | TerraformExpression,
        notification_topic_arn: str,
        pause_topic_arn: str,
        function_arn: str = "",
    ) -> FleetReputationAlarmsProps:
        """Props for a guard whose explicit per-set policies are ``explicit_sets`` (names, or a
        Terraform list of them)."""
        return cls(
            thresholds=policy.thresholds or default_thresholds,
            notification_topic_arn=notification_topic_arn,
            pause_topic_arn=pause_topic_arn,
            action=policy.action,
            warning_alarms=policy.warning_alarms,
            period_seconds=policy.period_seconds,
            evaluation_periods=policy.evaluation_periods,
            datapoints_to_alarm=policy.datapoints_to_alarm,
            excluded_sets=_excluded(explicit_sets, policy.exclude_explicit_sets),
            enabled=policy.enabled,
            delivery=policy.delivery,
            function_arn=function_arn,
        )

    def collect_problems(self, problems: Problems, subject: str = "fleet_policy") -> None:
        problems.choice(f"{subject}.action", self.action, rules.ACTION)
        problems.choice(f"{subject}.delivery", self.delivery, rules.FLEET_DELIVERY)
        may_invoke = is_token(self.delivery) or self.delivery == contract.FLEET_DELIVERY_ALARM_ACTION
        if may_invoke and not self.function_arn:
            problems.add(f"{subject}.delivery={self.delivery!r}: the function's ARN (function_arn) is missing")
        self.thresholds.collect_problems(f"{subject}.thresholds", problems)
        collect_window_problems(
            problems, subject, self.period_seconds, self.evaluation_periods, self.datapoints_to_alarm
        )

    def critical_actions(self) -> Any:
        """With action ``pause``: the pause topic only with delivery ``sns``, the function only with
        ``alarm-action`` (people's topic kept); with ``eventbridge`` the rule delivers each contributor, so
        an action on the pause topic or the function would deliver it a second time."""
        delivery, notify = self.delivery, self.notification_topic_arn
        if not is_token(delivery):
            if delivery == contract.FLEET_DELIVERY_SNS:
                return super().critical_actions()
            if delivery == contract.FLEET_DELIVERY_ALARM_ACTION:
                return actions_for(self.action, self.function_arn, notify)
            return [notify]
        pausing = Op.eq(self.action, contract.ACTION_PAUSE)
        by_topic = Fn.conditional(
            Op.and_(pausing, Op.eq(delivery, contract.FLEET_DELIVERY_SNS)), [self.pause_topic_arn, notify], [notify]
        )
        invoking = Op.and_(pausing, Op.eq(delivery, contract.FLEET_DELIVERY_ALARM_ACTION))
        return Token.as_list(Fn.conditional(invoking, [self.function_arn, notify], by_topic))

    def planned_alarm_count(self) -> int:
        """Alarms created, counting a token flag as on (the most the Region quota must allow)."""
        if self.enabled is False:
            return 0
        tiers = 1 if self.warning_alarms is False else len(contract.TIERS)
        return len(METRICS) * tiers


class FleetReputationAlarms(GuardChild[FleetReputationAlarmsProps]):
    """``alarms`` maps (metric, tier) to each alarm created; ``queries`` maps metric to its query."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: FleetReputationAlarmsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        Problems.refuse("FleetReputationAlarmsProps", props.collect_problems, self._check_region_quota)
        self.queries = self._queries()
        self.alarms: dict[tuple[str, str], Any] = {
            (metric_short, tier): self._alarm(metric_short, tier, actions, action, count)
            for metric_short, tier, actions, action, count in props.tiered_alarms()
        }

    def _check_region_quota(self, problems: Problems) -> None:
        """This stack's Metrics Insights alarms (all its guards) against the per-Region quota. Other
        stacks and alarms made outside Terraform share the quota: counting those is the user's job."""
        stack = TerraformStack.of(self)
        fleets = [c for c in stack.node.find_all() if isinstance(c, FleetReputationAlarms)]
        total = sum(fleet.props.planned_alarm_count() for fleet in fleets)
        limit = rules.METRICS_INSIGHTS_ALARMS_PER_REGION
        if total > limit:
            problems.add(
                f"stack {stack.node.id!r} would create {total} Metrics Insights alarms: CloudWatch allows "
                f"{limit} per account and Region by default (other stacks' and manual alarms count too)"
            )

    def _queries(self) -> dict[str, str]:
        """Metric short name -> query text, leaving the explicit sets out while the query fits."""
        excluded = self.props.excluded_sets
        if isinstance(excluded, TerraformExpression):
            where = self._where_local(excluded)
            return {short: _with_where(fleet_query.build(name), where) for short, name in METRICS.items()}
        names = fleet_query.fitting_exclusions(list(excluded))
        return {short: fleet_query.build(name, names) for short, name in METRICS.items()}

    def _where_local(self, excluded: TerraformExpression) -> str:
        """The same rule as ``fitting_exclusions``, evaluated by Terraform: all or none."""
        context = self.context
        clause_role, where_role = "fleet_exclusions", "fleet_where"
        set_key = f'\\"{contract.DIMENSION_CONFIGURATION_SET}\\"'
        clause = f'join(" AND ", [for name in sort({excluded.text}) : "{set_key} != \'${{name}}\'"])'
        context.create(self, TerraformLocal, clause_role, expression=f"${{{clause}}}")
        clause_ref = f"local.{context.address(clause_role)}"
        budget = fleet_query.exclusion_budget() - len(" WHERE ")
        where = f'${{{clause_ref} != "" && length({clause_ref}) <= {budget} ? " WHERE ${{{clause_ref}}}" : ""}}'
        context.create(self, TerraformLocal, where_role, expression=where)
        return f"local.{context.address(where_role)}"

    def _alarm(self, metric_short: str, tier: str, actions: Any, action: str, count: Any) -> Any:
        context, props = self.context, self.props
        subject = f"{METRICS[metric_short]} of any configuration set without its own policy"
        return context.create(
            self,
            CloudwatchMetricAlarm,
            f"fleet_{metric_short}_{tier}",
            alarm_name=contract.ALARM_NAME_FLEET.format(prefix=context.name_prefix, metric=metric_short, tier=tier),
            alarm_description=tiered_alarm_description(subject, tier, CRITICAL_CONSEQUENCE, SEE),
            metric_query=[
                CloudwatchMetricAlarmMetricQuery(
                    id=QUERY_ID,
                    expression=self.queries[metric_short],
                    label=f"{metric_short} rate per configuration set",
                    period=props.period_seconds,
                    return_data=True,
                )
            ],
            evaluation_periods=props.evaluation_periods,
            datapoints_to_alarm=props.datapoints_to_alarm,
            threshold=getattr(props.thresholds, f"{metric_short}_{tier}"),
            comparison_operator="GreaterThanOrEqualToThreshold",
            # AWS: "ignore (maintain the alarm state)": SES publishes the rates irregularly.
            treat_missing_data="ignore",
            alarm_actions=actions,
            ok_actions=[props.notification_topic_arn],
            tags=reputation_alarm_tags(context, contract.SCOPE_FLEET, tier, action),
            count=count,
        )


def _excluded(
    explicit_sets: Sequence[str] | TerraformExpression, exclude: bool | TerraformExpression
) -> Sequence[str] | TerraformExpression:
    """The sets to leave out of the query: all explicit ones, none, or (a Terraform flag) decided at plan."""
    if isinstance(exclude, TerraformExpression):
        names = (
            explicit_sets.text if isinstance(explicit_sets, TerraformExpression) else json.dumps(sorted(explicit_sets))
        )
        return TerraformExpression(f"{exclude.text} ? {names} : []")
    if not exclude:
        return ()
    return explicit_sets if isinstance(explicit_sets, TerraformExpression) else tuple(explicit_sets)


def _with_where(query: str, where: str) -> str:
    """``query`` with ``where`` (a Terraform reference to the `` WHERE ...`` text) before ``GROUP BY``:
    one ``join`` expression whose string literals are escaped here (the query's double quotes would
    otherwise end an HCL template string)."""
    head, tail = query.split(" GROUP BY ", 1)
    return f'${{join("", [{json.dumps(head)}, {where}, {json.dumps(" GROUP BY " + tail)}])}}'
