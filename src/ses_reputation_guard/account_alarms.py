"""AccountReputationAlarms: bounce and complaint alarms on the account-wide series (no dimension)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_lambda import contract
from ses_reputation_guard._cdktf import Construct
from ses_reputation_guard.alarm_settings import METRICS, ResolvedAlarmSettings, reputation_alarm
from ses_reputation_guard.expressions import SKIP, actions_for, count_for, merged_tags
from ses_reputation_guard.naming import named


@dataclass(frozen=True)
class AccountReputationAlarmsProps:
    name_prefix: str
    """Alarm names are ``<name_prefix>-account-<metric>-<tier>``."""
    resource_prefix: str
    enabled: Any
    """Create the alarms at all (bool or token)."""
    action: Any
    """``pause`` or ``notify`` for the critical tier (str or token)."""
    warning_alarms: Any
    """Create the warning tier (bool or token)."""
    thresholds: dict[str, Any]
    """``{"bounce": (warning, critical), "complaint": (warning, critical)}``, ratios 0-1."""
    settings: ResolvedAlarmSettings
    notification_topic_arn: str
    pause_topic_arn: str
    tags: Any


class AccountReputationAlarms(Construct):
    """Up to four alarms; the critical ones publish to the pause topic when the action is ``pause``."""

    def __init__(self, scope: Construct, construct_id: str, props: AccountReputationAlarmsProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        self.alarms: dict[tuple[str, str], Any] = {}
        critical_actions = actions_for(props.action, props.pause_topic_arn, props.notification_topic_arn)
        for metric_short, metric_name in METRICS.items():
            warning, critical = props.thresholds[metric_short]
            for tier, threshold, actions, action, flags in (
                (
                    contract.TIER_WARNING,
                    warning,
                    [props.notification_topic_arn],
                    contract.ACTION_NOTIFY,
                    (props.enabled, props.warning_alarms),
                ),
                (contract.TIER_CRITICAL, critical, critical_actions, props.action, (props.enabled,)),
            ):
                count = count_for(*flags)
                if count is SKIP:
                    continue
                alarm_name = contract.ALARM_NAME_ACCOUNT.format(
                    prefix=props.name_prefix, metric=metric_short, tier=tier
                )
                tags = merged_tags(
                    props.tags,
                    {
                        contract.TAG_GUARD: props.name_prefix,
                        contract.TAG_SCOPE: contract.SCOPE_ACCOUNT,
                        contract.TAG_TIER: tier,
                        contract.TAG_ACTION: action,
                    },
                )
                role = f"account_{metric_short}_{tier}"
                self.alarms[(metric_short, tier)] = named(
                    reputation_alarm(
                        self,
                        role,
                        alarm_name=alarm_name,
                        description=(
                            f"SES account-wide {metric_name} reached the {tier} threshold. "
                            + (
                                "Notifies people."
                                if tier == contract.TIER_WARNING
                                else "Critical: pauses account sending when the account action is 'pause'."
                            )
                            + " See ses-reputation-guard README, 'Resuming sending'."
                        ),
                        metric_name=metric_name,
                        threshold=threshold,
                        settings=props.settings,
                        alarm_actions=actions,
                        ok_actions=[props.notification_topic_arn],
                        tags=tags,
                        count=count,
                    ),
                    props.resource_prefix,
                    role,
                )
