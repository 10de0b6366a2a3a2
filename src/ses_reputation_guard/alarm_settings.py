"""How reputation alarms evaluate: one frozen settings object shared by the account and per-set alarms."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract, rules
from ses_reputation_guard._cdktf import CloudwatchMetricAlarm, Construct, Precondition, TerraformResourceLifecycle
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, actions_for, count_for
from ses_reputation_guard.policy import ReputationThresholds
from ses_reputation_guard.validation import Problems

METRICS = {
    contract.METRIC_SHORT_BOUNCE: contract.METRIC_BOUNCE_RATE,
    contract.METRIC_SHORT_COMPLAINT: contract.METRIC_COMPLAINT_RATE,
}


@dataclass(frozen=True)
class AlarmSettings:
    """Evaluation of every reputation alarm. SES does not document how often it publishes the rates.

    Each value may be a Terraform token of the same type (the generated module's variables)."""

    period_seconds: int = 3600
    """Length of one evaluation period, seconds. Default 3600: SES recomputes the rates over a
    representative volume, so shorter periods mostly see missing data."""
    evaluation_periods: int = 1
    """Periods evaluated. Default 1."""
    datapoints_to_alarm: int = 1
    """Breaching periods (of ``evaluation_periods``) that trigger the alarm. Default 1."""
    statistic: str = "Maximum"
    """Statistic of the rate within a period: ``Maximum`` (default; acts on the worst published
    value), ``Average`` or ``Minimum``."""

    def collect_problems(self, problems: Problems) -> None:
        problems.whole_number("alarm_settings.period_seconds", self.period_seconds, rules.ALARM_PERIOD)
        problems.whole_number(
            "alarm_settings.evaluation_periods", self.evaluation_periods, rules.ALARM_EVALUATION_PERIODS
        )
        problems.whole_number("alarm_settings.datapoints_to_alarm", self.datapoints_to_alarm, rules.ALARM_DATAPOINTS)
        periods, datapoints, period = self.evaluation_periods, self.datapoints_to_alarm, self.period_seconds
        if _whole(datapoints) and _whole(periods) and not rules.DATAPOINTS_NOT_ABOVE_PERIODS.check(datapoints, periods):
            problems.add(
                f"alarm_settings.datapoints_to_alarm={datapoints!r}: {rules.DATAPOINTS_RULE}, here {periods!r}"
            )
        window = rules.ALARM_EVALUATION_RANGE
        if _whole(period) and _whole(periods) and period * periods > window.limit(period):
            problems.add(
                f"alarm_settings period_seconds={period!r} x evaluation_periods={periods!r} = {period * periods} s: "
                f"{window.sentence}"
            )
        problems.choice("alarm_settings.statistic", self.statistic, rules.ALARM_STATISTIC)


def reputation_alarm(
    context: GuardContext, scope: Construct, role: str, *, settings: AlarmSettings, **alarm: Any
) -> Any:
    """One SES reputation alarm as AWS recommends: static threshold, >=, missing data keeps the state.

    ``alarm``: the ``CloudwatchMetricAlarm`` arguments that differ per alarm (``alarm_name``,
    ``alarm_description``, ``metric_name``, ``dimensions``, ``threshold``, the actions, ``tags``,
    ``count`` or ``for_each``, ``lifecycle``)."""
    return context.create(
        scope,
        CloudwatchMetricAlarm,
        role,
        namespace=contract.SES_NAMESPACE,
        statistic=settings.statistic,
        period=settings.period_seconds,
        evaluation_periods=settings.evaluation_periods,
        datapoints_to_alarm=settings.datapoints_to_alarm,
        comparison_operator="GreaterThanOrEqualToThreshold",
        # AWS: "ignore (maintain the alarm state)": rates are published irregularly.
        treat_missing_data="ignore",
        **alarm,
    )


@dataclass(frozen=True, kw_only=True)
class TieredAlarmsProps:
    """What a guard-wide alarm set (account, fleet) shares: one warning and one critical alarm per
    metric. Ratios are 0-1."""

    thresholds: ReputationThresholds
    """Warning and critical ratios for bounce and complaint; values may be tokens."""
    notification_topic_arn: str
    """Every alarm notifies people here (ALARM and OK)."""
    pause_topic_arn: str
    """Critical alarms also publish here when ``action`` is ``pause``."""
    action: str = contract.ACTION_PAUSE
    """``pause`` or ``notify`` for the critical tier (may be a token). Default pause."""
    enabled: Flag = True
    """Create the alarms at all. Default True."""
    warning_alarms: Flag = True
    """Create the warning tier. Default True."""

    def critical_actions(self) -> Any:
        """Alarm actions of the critical tier: the pause topic too when ``action`` is ``pause``."""
        return actions_for(self.action, self.pause_topic_arn, self.notification_topic_arn)

    def tiered_alarms(self) -> Iterator[tuple[str, str, Any, str, Any]]:
        """(metric short name, tier, alarm actions, action tag, count) of each alarm: warning alarms
        notify people, critical ones also publish to the pause topic when ``action`` is ``pause``.
        Tiers switched off by a Python ``False`` are left out."""
        critical_actions = self.critical_actions()
        for metric_short in METRICS:
            tiers = (
                (contract.TIER_WARNING, [self.notification_topic_arn], contract.ACTION_NOTIFY, self.warning_alarms),
                (contract.TIER_CRITICAL, critical_actions, self.action, True),
            )
            for tier, actions, tier_action, tier_enabled in tiers:
                count = count_for(self.enabled, tier_enabled)
                if count is not SKIP:
                    yield metric_short, tier, actions, tier_action, count


RESUMING_SENDING = "README, 'Resuming sending'"
"""Where an account or per-set alarm's description sends people (``tiered_alarm_description``'s ``see``)."""


def tiered_alarm_description(subject: str, tier: str, critical_consequence: str, see: str) -> str:
    """A guard-wide alarm's description: ``SES <subject> reached the <tier> threshold.``, what the
    alarm does (warnings notify people; ``critical_consequence`` for critical ones) and where to read more."""
    consequence = "Notifies people." if tier == contract.TIER_WARNING else f"Critical: {critical_consequence}"
    return f"SES {subject} reached the {tier} threshold. {consequence} See ses-reputation-guard {see}."


def ordered_thresholds(condition: Any, subject: str, warning: str, critical: str) -> TerraformResourceLifecycle:
    """A plan-time check that the *resolved* warning threshold is below the critical one (what
    variable validation cannot see once defaults are merged in); ``subject`` starts the message."""
    message = f"{subject}{rules.warning_below_critical(warning, critical)} (after defaults are applied)."
    return TerraformResourceLifecycle(precondition=[Precondition(condition=condition, error_message=message)])


def reputation_alarm_tags(
    context: GuardContext, alarm_scope: str, tier: str, action: Any, configuration_set: Any = None
) -> Any:
    """The guard's tags plus those the function reads from a reputation alarm (``contract.TAG_*``)."""
    tags = {contract.TAG_GUARD: context.name_prefix, contract.TAG_SCOPE: alarm_scope}
    if configuration_set is not None:
        tags[contract.TAG_CONFIGURATION_SET] = configuration_set
    tags[contract.TAG_TIER] = tier
    tags[contract.TAG_ACTION] = action
    return context.tags_with(tags)


def _whole(value: object) -> bool:
    """A Python whole number (tokens are floats; booleans are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)
