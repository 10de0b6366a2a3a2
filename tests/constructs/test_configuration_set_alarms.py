"""ConfigurationSetReputationAlarms: four for_each blocks keyed by set name, whatever the number of sets."""

from __future__ import annotations

from ses_guard_policy import contract, rules
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.configuration_set_alarms import (
    ConfigurationSetReputationAlarms,
    ConfigurationSetReputationAlarmsProps,
)
from ses_reputation_guard.expressions import TerraformExpression
from tests.constructs.support import (
    ALARM_TOPICS,
    CONTEXT,
    NOTIFICATION_TOPIC_ARN,
    PAUSE_TOPIC_ARN,
    guard_tags,
    resources,
    synthesized,
)


def set_alarms(stack, managed_sets_address: str | None = "aws_sesv2_configuration_set.managed") -> dict:
    ConfigurationSetReputationAlarms(
        stack,
        "set_alarms",
        CONTEXT,
        ConfigurationSetReputationAlarmsProps(
            sets=TerraformExpression("local.sets"),
            warning_sets=TerraformExpression("local.warning_sets"),
            settings=AlarmSettings(),
            **ALARM_TOPICS,
            managed_sets_address=managed_sets_address,
        ),
    )
    return resources(synthesized(stack), "aws_cloudwatch_metric_alarm")


def test_critical_alarms_iterate_over_every_set_and_warnings_over_sets_that_want_them(stack):
    alarms = set_alarms(stack)
    assert set(alarms) == {f"guard_set_{m}_{t}" for m in ("bounce", "complaint") for t in ("warning", "critical")}
    assert alarms["guard_set_bounce_critical"]["for_each"] == "${local.sets}"
    assert alarms["guard_set_complaint_warning"]["for_each"] == "${local.warning_sets}"


def test_each_alarm_is_named_and_thresholded_from_its_sets_record(stack):
    critical = set_alarms(stack)["guard_set_bounce_critical"]
    assert critical["alarm_name"] == f"{CONTEXT.name_prefix}-set-${{each.key}}-bounce-critical"
    assert critical["threshold"] == "${each.value.bounce_critical}"
    assert critical["metric_name"] == "Reputation.BounceRate"


def test_alarms_watch_the_set_dimension_through_the_managed_set_when_there_is_one(stack):
    alarms = set_alarms(stack)
    dimension = alarms["guard_set_bounce_critical"]["dimensions"]
    assert dimension == {
        contract.DIMENSION_CONFIGURATION_SET: (
            "${try(aws_sesv2_configuration_set.managed[each.key].configuration_set_name, each.key)}"
        )
    }


def test_without_managed_sets_alarms_watch_the_set_by_name(stack):
    dimension = set_alarms(stack, managed_sets_address=None)["guard_set_bounce_critical"]["dimensions"]
    assert dimension == {contract.DIMENSION_CONFIGURATION_SET: "${each.key}"}


def test_critical_alarms_reach_the_pause_topic_only_for_sets_whose_action_is_pause(stack):
    alarms = set_alarms(stack)
    critical = alarms["guard_set_complaint_critical"]
    assert critical["alarm_actions"] == (
        f'${{(each.value.action == "pause") ? ["{PAUSE_TOPIC_ARN}", "{NOTIFICATION_TOPIC_ARN}"] : '
        f'["{NOTIFICATION_TOPIC_ARN}"]}}'
    )
    assert alarms["guard_set_complaint_warning"]["alarm_actions"] == [NOTIFICATION_TOPIC_ARN]


def test_tags_tell_the_function_the_guard_scope_set_tier_and_action(stack):
    alarms = set_alarms(stack)
    assert alarms["guard_set_bounce_critical"]["tags"] == guard_tags(
        {
            contract.TAG_SCOPE: "configuration-set",
            contract.TAG_CONFIGURATION_SET: "${each.key}",
            contract.TAG_TIER: "critical",
            contract.TAG_ACTION: "${each.value.action}",
        }
    )
    assert alarms["guard_set_bounce_warning"]["tags"][contract.TAG_ACTION] == "notify"


def test_plan_refuses_a_set_whose_resolved_warning_threshold_is_not_below_critical(stack):
    alarms = set_alarms(stack)
    [precondition] = alarms["guard_set_bounce_warning"]["lifecycle"]["precondition"]
    assert precondition["condition"] == "${each.value.bounce_warning < each.value.bounce_critical}"
    assert rules.WARNING_BELOW_CRITICAL_RULE in precondition["error_message"]
    assert "lifecycle" not in alarms["guard_set_bounce_critical"]
