"""AccountReputationAlarms: the account-wide series, a warning tier that notifies and a critical one that pauses."""

from __future__ import annotations

from ses_guard_policy import contract, rules
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.account_alarms import AccountReputationAlarms, AccountReputationAlarmsProps
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.policy import ReputationThresholds
from tests.constructs.support import (
    ALARM_TOPICS,
    CONTEXT,
    NOTIFICATION_TOPIC_ARN,
    PAUSE_TOPIC_ARN,
    PREFIX,
    guard_tags,
    resources,
    synthesized,
)

THRESHOLDS = ReputationThresholds(
    bounce_warning=0.01, bounce_critical=0.02, complaint_warning=0.0003, complaint_critical=0.0006
)


def account_alarms(stack, thresholds=THRESHOLDS, **props) -> dict:
    AccountReputationAlarms(
        stack,
        "account_alarms",
        CONTEXT,
        AccountReputationAlarmsProps(
            thresholds=thresholds,
            settings=AlarmSettings(),
            **ALARM_TOPICS,
            **props,
        ),
    )
    return resources(synthesized(stack), "aws_cloudwatch_metric_alarm")


def test_four_alarms_watch_the_account_series_without_dimension(stack):
    alarms = account_alarms(stack)
    assert set(alarms) == {
        f"guard_account_{metric}_{tier}" for metric in ("bounce", "complaint") for tier in ("warning", "critical")
    }
    bounce = alarms["guard_account_bounce_critical"]
    assert bounce["alarm_name"] == f"{PREFIX}-account-bounce-critical"
    assert (bounce["namespace"], bounce["metric_name"]) == ("AWS/SES", "Reputation.BounceRate")
    assert "dimensions" not in bounce
    assert alarms["guard_account_complaint_warning"]["metric_name"] == "Reputation.ComplaintRate"
    assert {name: alarm["threshold"] for name, alarm in alarms.items()} == {
        "guard_account_bounce_warning": 0.01,
        "guard_account_bounce_critical": 0.02,
        "guard_account_complaint_warning": 0.0003,
        "guard_account_complaint_critical": 0.0006,
    }


def test_critical_alarms_pause_through_the_pause_topic_and_warnings_only_notify(stack):
    alarms = account_alarms(stack, action="pause")
    for metric in ("bounce", "complaint"):
        critical = alarms[f"guard_account_{metric}_critical"]
        assert critical["alarm_actions"] == [PAUSE_TOPIC_ARN, NOTIFICATION_TOPIC_ARN]
        assert critical["ok_actions"] == [NOTIFICATION_TOPIC_ARN]
        assert critical["tags"] == guard_tags(
            {contract.TAG_SCOPE: "account", contract.TAG_TIER: "critical", contract.TAG_ACTION: "pause"}
        )
        warning = alarms[f"guard_account_{metric}_warning"]
        assert warning["alarm_actions"] == [NOTIFICATION_TOPIC_ARN]
        assert (warning["tags"][contract.TAG_TIER], warning["tags"][contract.TAG_ACTION]) == ("warning", "notify")


def test_a_notify_only_account_policy_never_reaches_the_pause_topic(stack):
    alarms = account_alarms(stack, action="notify")
    for alarm in alarms.values():
        assert PAUSE_TOPIC_ARN not in alarm["alarm_actions"]
        assert alarm["tags"][contract.TAG_ACTION] == "notify"


def test_a_disabled_account_policy_creates_no_alarm(stack):
    assert account_alarms(stack, enabled=False) == {}


def test_without_the_warning_tier_only_critical_alarms_are_created(stack):
    assert set(account_alarms(stack, warning_alarms=False)) == {
        "guard_account_bounce_critical",
        "guard_account_complaint_critical",
    }


def test_flags_known_only_at_plan_time_become_counts(stack):
    enabled = Token.as_any(TerraformVariable(stack, "enabled", type="bool").value)
    warnings = Token.as_any(TerraformVariable(stack, "warnings", type="bool").value)
    alarms = account_alarms(stack, enabled=enabled, warning_alarms=warnings)
    assert alarms["guard_account_bounce_critical"]["count"] == "${var.enabled ? 1 : 0}"
    assert alarms["guard_account_bounce_warning"]["count"] == "${(var.enabled && var.warnings) ? 1 : 0}"


def test_plan_refuses_resolved_account_thresholds_out_of_order_when_they_are_expressions(stack):
    """The module resolves an account threshold left null to the default's at plan time, where no
    variable validation sees both: the warning alarm checks the resolved pair in a precondition."""
    warning, critical = (
        Token.as_number(TerraformVariable(stack, name, type="number").value)
        for name in ("bounce_warning", "bounce_critical")
    )
    alarms = account_alarms(stack, ReputationThresholds(bounce_warning=warning, bounce_critical=critical))
    [precondition] = alarms["guard_account_bounce_warning"]["lifecycle"]["precondition"]
    assert precondition["condition"] == "${(var.bounce_warning < var.bounce_critical)}"
    assert rules.WARNING_BELOW_CRITICAL_RULE in precondition["error_message"]
    assert "lifecycle" not in alarms["guard_account_bounce_critical"]
    assert "lifecycle" not in alarms["guard_account_complaint_warning"]  # plain numbers: checked at synth


def test_plain_number_thresholds_need_no_plan_time_check(stack):
    assert all("lifecycle" not in alarm for alarm in account_alarms(stack).values())
