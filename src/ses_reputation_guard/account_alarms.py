"""AccountReputationAlarms: bounce and complaint alarms on the account-wide series (no dimension)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import Construct, Op, TerraformResourceLifecycle, Token
from ses_reputation_guard.alarm_settings import (
    METRICS,
    RESUMING_SENDING,
    AlarmSettings,
    TieredAlarmsProps,
    ordered_thresholds,
    reputation_alarm,
    reputation_alarm_tags,
    tiered_alarm_description,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.validation import is_token

# In each alarm's description: what a critical alarm does, and where to read on.
CRITICAL_CONSEQUENCE = "pauses account sending when the account action is 'pause'."


@dataclass(frozen=True, kw_only=True)
class AccountReputationAlarmsProps(TieredAlarmsProps):
    """The account's alarms: the shared tiers (``TieredAlarmsProps``) and their evaluation settings."""

    settings: AlarmSettings
    """Period, evaluation periods, datapoints to alarm and statistic of every account alarm."""


class AccountReputationAlarms(GuardChild[AccountReputationAlarmsProps]):
    """Up to four alarms ``<name_prefix>-account-<metric>-<tier>``; the critical ones publish to the
    pause topic when the action is ``pause``. ``alarms`` maps (metric, tier) to each alarm created."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: AccountReputationAlarmsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        self.alarms: dict[tuple[str, str], Any] = {
            (metric_short, tier): self._alarm(metric_short, tier, actions, action, count)
            for metric_short, tier, actions, action, count in props.tiered_alarms()
        }

    def _alarm(self, metric_short: str, tier: str, actions: Any, action: str, count: Any) -> Any:
        context, props = self.context, self.props
        metric_name = METRICS[metric_short]
        description = tiered_alarm_description(
            f"account-wide {metric_name}", tier, CRITICAL_CONSEQUENCE, RESUMING_SENDING
        )
        return reputation_alarm(
            context,
            self,
            f"account_{metric_short}_{tier}",
            alarm_name=contract.ALARM_NAME_ACCOUNT.format(prefix=context.name_prefix, metric=metric_short, tier=tier),
            alarm_description=description,
            metric_name=metric_name,
            threshold=getattr(props.thresholds, f"{metric_short}_{tier}"),
            settings=props.settings,
            alarm_actions=actions,
            ok_actions=[props.notification_topic_arn],
            tags=reputation_alarm_tags(context, contract.SCOPE_ACCOUNT, tier, action),
            count=count,
            lifecycle=self._ordered_thresholds(metric_short) if tier == contract.TIER_WARNING else None,
        )

    def _ordered_thresholds(self, metric_short: str) -> TerraformResourceLifecycle | None:
        """Plan-time check of the *resolved* thresholds when they are Terraform expressions (the module:
        an account threshold left null takes the default's), which variable validation cannot see.
        Plain numbers were checked at synth."""
        warning = getattr(self.props.thresholds, f"{metric_short}_warning")
        critical = getattr(self.props.thresholds, f"{metric_short}_critical")
        if not (is_token(warning) or is_token(critical)):
            return None
        return ordered_thresholds(
            Op.lt(warning, critical), f"account {metric_short}: ", Token.as_string(warning), Token.as_string(critical)
        )
