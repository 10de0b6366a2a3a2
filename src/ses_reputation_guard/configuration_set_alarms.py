"""ConfigurationSetReputationAlarms: per-set bounce and complaint alarms, ``for_each`` over a map.

One resource block per metric and tier iterates over every set, so synth time and output size do
not grow with the number of sets, and addresses are keyed by set name
(``aws_cloudwatch_metric_alarm.guard_set_bounce_critical["marketing"]``): adding a set never
re-creates the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_lambda import contract
from ses_reputation_guard._cdktf import (
    Construct,
    Fn,
    Op,
    Precondition,
    TerraformIterator,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.alarm_settings import METRICS, ResolvedAlarmSettings, reputation_alarm
from ses_reputation_guard.expressions import merged_tags
from ses_reputation_guard.naming import named


@dataclass(frozen=True)
class ConfigurationSetReputationAlarmsProps:
    name_prefix: str
    """Alarm names are ``<name_prefix>-set-<configuration set>-<metric>-<tier>``."""
    resource_prefix: str
    sets_expression: str
    """Terraform expression (no ``${}``) of the normalized set map (see ``policy.normalized_set_record``)."""
    warning_sets_expression: str
    """The same map filtered to sets whose ``warning_alarms`` is true."""
    managed_sets_address: str | None
    """Address of the managed ``aws_sesv2_configuration_set`` block: alarms on managed sets reference
    it, so Terraform (and scanners) see which set an alarm watches. None: no managed sets."""
    settings: ResolvedAlarmSettings
    notification_topic_arn: str
    pause_topic_arn: str
    tags: Any


class ConfigurationSetReputationAlarms(Construct):
    """Four ``for_each`` alarm blocks: bounce and complaint, warning and critical."""

    def __init__(self, scope: Construct, construct_id: str, props: ConfigurationSetReputationAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        self.alarms: dict[tuple[str, str], Any] = {}
        for tier, expression in (
            (contract.TIER_WARNING, props.warning_sets_expression),
            (contract.TIER_CRITICAL, props.sets_expression),
        ):
            for metric_short, metric_name in METRICS.items():
                sets = TerraformIterator.from_map(Token.as_any_map(f"${{{expression}}}"))
                set_name = sets.key
                watched_set = set_name
                if props.managed_sets_address:
                    watched_set = f"${{try({props.managed_sets_address}[each.key].configuration_set_name, each.key)}}"
                action = sets.get_string("action") if tier == contract.TIER_CRITICAL else contract.ACTION_NOTIFY
                if tier == contract.TIER_CRITICAL:
                    actions: Any = Token.as_list(
                        Fn.conditional(
                            Op.eq(action, contract.ACTION_PAUSE),
                            [props.pause_topic_arn, props.notification_topic_arn],
                            [props.notification_topic_arn],
                        )
                    )
                else:
                    actions = [props.notification_topic_arn]
                role = f"set_{metric_short}_{tier}"
                self.alarms[(metric_short, tier)] = named(
                    reputation_alarm(
                        self,
                        role,
                        alarm_name=f"{props.name_prefix}-set-{set_name}-{metric_short}-{tier}",
                        description=(
                            f"SES configuration set {set_name}: {metric_name} reached the {tier} threshold. "
                            + (
                                "Notifies people."
                                if tier == contract.TIER_WARNING
                                else f"Critical: action {action} (pause stops only this set)."
                            )
                            + " See ses-reputation-guard README, 'Resuming sending'."
                        ),
                        metric_name=metric_name,
                        threshold=sets.get_number(f"{metric_short}_{tier}"),
                        settings=props.settings,
                        dimensions={contract.DIMENSION_CONFIGURATION_SET: watched_set},
                        alarm_actions=actions,
                        ok_actions=[props.notification_topic_arn],
                        tags=merged_tags(
                            props.tags,
                            {
                                contract.TAG_GUARD: props.name_prefix,
                                contract.TAG_SCOPE: contract.SCOPE_CONFIGURATION_SET,
                                contract.TAG_CONFIGURATION_SET: set_name,
                                contract.TAG_TIER: tier,
                                contract.TAG_ACTION: action,
                            },
                        ),
                        for_each=sets,
                        lifecycle=_ordered_thresholds(metric_short) if tier == contract.TIER_WARNING else None,
                    ),
                    props.resource_prefix,
                    role,
                )


def _ordered_thresholds(metric_short: str) -> TerraformResourceLifecycle:
    """Plan-time check on the *resolved* per-set thresholds (overrides merged with defaults),
    which variable validation cannot see."""
    warning, critical = f"each.value.{metric_short}_warning", f"each.value.{metric_short}_critical"
    return TerraformResourceLifecycle(
        precondition=[
            Precondition(
                condition=f"${{{warning} < {critical}}}",
                error_message=(
                    f"configuration set ${{each.key}}: {metric_short} warning threshold ${{{warning}}} must be below "
                    f"its critical threshold ${{{critical}}} (after defaults are applied)."
                ),
            )
        ]
    )
