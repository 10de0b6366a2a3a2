"""ConfigurationSetReputationAlarms: per-set bounce and complaint alarms, ``for_each`` over a map.

One resource block per metric and tier iterates over every set, so synth time and output size do
not grow with the number of sets, and addresses are keyed by set name
(``aws_cloudwatch_metric_alarm.guard_set_bounce_critical["marketing"]``): adding a set never
re-creates the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import Construct, TerraformIterator, TerraformResourceLifecycle, Token
from ses_reputation_guard.alarm_settings import (
    METRICS,
    RESUMING_SENDING,
    AlarmSettings,
    ordered_thresholds,
    reputation_alarm,
    reputation_alarm_tags,
    tiered_alarm_description,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import TerraformExpression, actions_for


@dataclass(frozen=True)
class ConfigurationSetReputationAlarmsProps:
    sets: TerraformExpression
    """The normalized set map (see ``policy.normalized_set_record``): critical alarms for each set."""
    warning_sets: TerraformExpression
    """The same map filtered to sets whose ``warning_alarms`` is true: warning alarms for each."""
    settings: AlarmSettings
    notification_topic_arn: str
    """Every alarm notifies people here (ALARM and OK)."""
    pause_topic_arn: str
    """Critical alarms of sets whose action is ``pause`` also publish here."""
    managed_sets_address: str | None = None
    """Address of the managed ``aws_sesv2_configuration_set`` block: alarms on managed sets reference
    it, so Terraform (and scanners) see which set an alarm watches. None (default): no managed sets."""


class ConfigurationSetReputationAlarms(GuardChild[ConfigurationSetReputationAlarmsProps]):
    """Four ``for_each`` alarm blocks ``<name_prefix>-set-<set>-<metric>-<tier>``: bounce and
    complaint, warning and critical. ``alarms`` maps (metric, tier) to each block."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: ConfigurationSetReputationAlarmsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        self.alarms: dict[tuple[str, str], Any] = {}
        for tier, sets in ((contract.TIER_WARNING, props.warning_sets), (contract.TIER_CRITICAL, props.sets)):
            for metric_short in METRICS:
                self.alarms[(metric_short, tier)] = self._alarms(metric_short, tier, sets)

    def _alarms(self, metric_short: str, tier: str, sets_expression: TerraformExpression) -> Any:
        context, props = self.context, self.props
        metric_name = METRICS[metric_short]
        sets = TerraformIterator.from_map(Token.as_any_map(sets_expression.interpolated))
        set_name = sets.key
        watched_set = set_name
        if props.managed_sets_address:
            watched_set = f"${{try({props.managed_sets_address}[each.key].configuration_set_name, each.key)}}"
        if tier == contract.TIER_CRITICAL:
            action = sets.get_string("action")
            actions = actions_for(action, props.pause_topic_arn, props.notification_topic_arn)
        else:
            action, actions = contract.ACTION_NOTIFY, [props.notification_topic_arn]
        consequence = f"action {action} (pause stops only this set)."  # critical alarms only
        return reputation_alarm(
            context,
            self,
            f"set_{metric_short}_{tier}",
            alarm_name=contract.ALARM_NAME_SET.format(
                prefix=context.name_prefix, configuration_set=set_name, metric=metric_short, tier=tier
            ),
            alarm_description=tiered_alarm_description(
                f"configuration set {set_name}: {metric_name}", tier, consequence, RESUMING_SENDING
            ),
            metric_name=metric_name,
            threshold=sets.get_number(f"{metric_short}_{tier}"),
            settings=props.settings,
            dimensions={contract.DIMENSION_CONFIGURATION_SET: watched_set},
            alarm_actions=actions,
            ok_actions=[props.notification_topic_arn],
            tags=reputation_alarm_tags(context, contract.SCOPE_CONFIGURATION_SET, tier, action, set_name),
            for_each=sets,
            lifecycle=_ordered_thresholds(metric_short) if tier == contract.TIER_WARNING else None,
        )


def _ordered_thresholds(metric_short: str) -> TerraformResourceLifecycle:
    """Plan-time check on the *resolved* per-set thresholds (overrides merged with defaults),
    which variable validation cannot see."""
    warning, critical = f"each.value.{metric_short}_warning", f"each.value.{metric_short}_critical"
    return ordered_thresholds(
        f"${{{warning} < {critical}}}",
        f"configuration set ${{each.key}}: {metric_short} ",
        f"${{{warning}}}",
        f"${{{critical}}}",
    )
