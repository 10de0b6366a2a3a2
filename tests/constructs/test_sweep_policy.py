"""SweepPolicy: every bad value named with the rule it broke, all of them in one error, tokens left to Terraform."""

from __future__ import annotations

import pytest

from ses_guard_policy import rules
from ses_reputation_guard import (
    GuardValidationError,
    ReputationGuard,
    ReputationGuardProps,
    ReputationThresholds,
    SweepPolicy,
)
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.validation import Problems

EMAILS = ["deliverability@example.com"]


def problems_of(policy: SweepPolicy) -> list[str]:
    problems = Problems()
    policy.collect_problems(problems)
    return problems.items


def guard_problems(**props) -> list[str]:
    with pytest.raises(GuardValidationError) as raised:
        ReputationGuardProps(notification_emails=EMAILS, **props).validate()
    return raised.value.problems


def test_the_defaults_are_valid_and_match_the_documented_values():
    policy = SweepPolicy()
    assert problems_of(policy) == []
    assert (policy.action, policy.thresholds, policy.warning_notices, policy.evaluate_account) == (
        "pause",
        None,
        True,
        True,
    )
    assert (
        (policy.schedule_minutes, policy.period_seconds) == (rules.SWEEP_SCHEDULE_MINUTES_DEFAULT, 3600) == (60, 3600)
    )
    assert (policy.evaluation_periods, policy.datapoints_to_alarm, policy.enabled) == (1, 1, True)


def test_every_bad_value_is_named_with_its_rule_in_one_error():
    problems = guard_problems(
        sweep_policy=SweepPolicy(
            action="stop",  # type: ignore[arg-type]
            thresholds=ReputationThresholds(bounce_critical=5),
            warning_notices="yes",  # type: ignore[arg-type]
            evaluate_account=1,  # type: ignore[arg-type]
            schedule_minutes=2,
            period_seconds=90,
            evaluation_periods=0,
            datapoints_to_alarm=0,
        )
    )
    expected = [
        f"sweep_policy.action='stop': {rules.ACTION.sentence}",
        "sweep_policy.thresholds.bounce_critical=5",
        "sweep_policy.warning_notices='yes': must be True or False",
        "sweep_policy.evaluate_account=1: must be True or False",
        f"sweep_policy.schedule_minutes=2: {rules.SWEEP_SCHEDULE_MINUTES.sentence}",
        "sweep_policy.period_seconds=90: must be a multiple of 60",
        f"sweep_policy.evaluation_periods=0: {rules.ALARM_EVALUATION_PERIODS.sentence}",
        f"sweep_policy.datapoints_to_alarm=0: {rules.ALARM_DATAPOINTS.sentence}",
    ]
    for line in expected:
        assert any(problem.startswith(line) for problem in problems), (line, problems)
    assert len([p for p in problems if p.startswith("sweep_policy")]) == len(expected)


@pytest.mark.parametrize("minutes", [4, 1441, 0, -5])
def test_a_schedule_outside_five_minutes_to_a_day_is_refused(minutes):
    assert problems_of(SweepPolicy(schedule_minutes=minutes)) == [
        f"sweep_policy.schedule_minutes={minutes}: {rules.SWEEP_SCHEDULE_MINUTES.sentence}"
    ]


def test_datapoints_above_evaluation_periods_are_refused():
    [problem] = problems_of(SweepPolicy(period_seconds=300, evaluation_periods=2, datapoints_to_alarm=3))
    assert problem.startswith("sweep_policy: ")


def test_an_evaluation_range_an_alarm_could_not_have_is_refused():
    # 8 daily periods: longer than PutMetricAlarm's 7 days (the sweep judges as an alarm would)
    [problem] = problems_of(SweepPolicy(period_seconds=86_400, evaluation_periods=8, datapoints_to_alarm=1))
    assert problem == (
        "sweep_policy: period_seconds x evaluation_periods = 691200 s: must not exceed 604800 s "
        "(PutMetricAlarm: 7 days, or 1 day for periods under an hour)"
    )


def test_a_lookback_longer_than_metrics_insights_reads_is_refused_naming_the_two_weeks():
    # a run reads twice the evaluation range: 7 daily periods (and the range's own margin) exceed 2 weeks
    [problem] = problems_of(SweepPolicy(period_seconds=86_400, evaluation_periods=7, datapoints_to_alarm=1))
    assert (
        problem.startswith("sweep_policy: period 86400 s x ")
        and "(Metrics Insights queries read the last 2 weeks)" in problem
    )


def test_sweep_thresholds_are_held_to_aws_levels_like_every_other():
    problems = guard_problems(sweep_policy=SweepPolicy(thresholds=ReputationThresholds(complaint_critical=0.008)))
    assert any(
        p.startswith("sweep_policy.thresholds.complaint_critical=0.008: at or above AWS's pause") for p in problems
    )


def test_protected_sets_are_checked_by_name_count_and_duplicates():
    problems = guard_problems(protected_configuration_sets=["ok", "bad name", "ok"])
    assert f"protected_configuration_sets item='bad name': {rules.CONFIGURATION_SET_NAME.sentence}" in problems
    assert "protected_configuration_sets lists 'ok' more than once" in problems
    many = [f"set-{i}" for i in range(rules.PROTECTED_SETS_MAX + 1)]
    [too_many] = guard_problems(protected_configuration_sets=many)
    assert too_many == f"protected_configuration_sets has 26 names: {rules.PROTECTED_SETS_COUNT.sentence}"


def test_tokens_are_left_to_terraform(stack):
    minutes = Token.as_number(TerraformVariable(stack, "minutes", type="number").value)
    action = Token.as_string(TerraformVariable(stack, "action", type="string").value)
    flag = Token.as_any(TerraformVariable(stack, "flag", type="bool").value)
    names = Token.as_list(TerraformVariable(stack, "protected", type="list(string)").value)
    policy = SweepPolicy(action=action, schedule_minutes=minutes, evaluate_account=flag, enabled=flag)  # type: ignore[arg-type]
    assert problems_of(policy) == []
    ReputationGuardProps(notification_emails=EMAILS, sweep_policy=policy, protected_configuration_sets=names).validate()


def test_the_guard_refuses_a_bad_sweep_before_creating_anything(stack):
    with pytest.raises(GuardValidationError, match=r"sweep_policy.schedule_minutes=1"):
        ReputationGuard(
            stack,
            "guard",
            ReputationGuardProps(notification_emails=EMAILS, sweep_policy=SweepPolicy(schedule_minutes=1)),
        )
    [guard] = [child for child in stack.node.children if child.node.id == "guard"]
    assert guard.node.children == []
