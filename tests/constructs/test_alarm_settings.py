"""AlarmSettings (limits from the rules table) and the reputation alarm every tier shares."""

from __future__ import annotations

import pytest

from ses_guard_policy import contract, rules
from ses_reputation_guard.alarm_settings import AlarmSettings, reputation_alarm
from ses_reputation_guard.validation import Problems
from tests.constructs.support import CONTEXT, resources, synthesized


def problems_of(settings: AlarmSettings) -> list[str]:
    problems = Problems()
    settings.collect_problems(problems)
    return problems.items


def test_default_settings_evaluate_one_hour_on_the_worst_published_rate():
    assert AlarmSettings() == AlarmSettings(
        period_seconds=3600, evaluation_periods=1, datapoints_to_alarm=1, statistic="Maximum"
    )
    assert problems_of(AlarmSettings()) == []


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (AlarmSettings(period_seconds=90), "alarm_settings.period_seconds=90: must be a multiple of 60"),
        (
            AlarmSettings(period_seconds=rules.ALARM_PERIOD_SECONDS_MAX + 60),
            "alarm_settings.period_seconds=86460: must be a whole number from 60 to 86400",
        ),
        (
            AlarmSettings(evaluation_periods=25, datapoints_to_alarm=1),
            "alarm_settings.evaluation_periods=25: must be a whole number from 1 to 24",
        ),
        (
            AlarmSettings(evaluation_periods=2, datapoints_to_alarm=3),
            "alarm_settings.datapoints_to_alarm=3: must not exceed evaluation_periods, here 2",
        ),
        (
            AlarmSettings(statistic="p99"),
            "alarm_settings.statistic='p99': must be one of 'Average', 'Maximum', 'Minimum'",
        ),
    ],
)
def test_settings_outside_cloudwatch_limits_are_refused(settings, problem):
    assert problems_of(settings) == [problem]


@pytest.mark.parametrize(
    ("period", "periods", "allowed"),
    [
        (3600, 24, True),  # a day of hourly periods
        (21_600, 24, True),  # 6 days: long periods may reach 7 days
        (86_400, 7, True),  # exactly 604,800 s
        (86_400, 8, False),
        (86_400, 24, False),  # 24 days: the case the issue found accepted at synth
        (1800, 24, True),  # 12 hours
    ],
)
def test_the_evaluation_range_stays_within_what_cloudwatch_accepts(period, periods, allowed):
    found = problems_of(AlarmSettings(period_seconds=period, evaluation_periods=periods))
    if allowed:
        assert found == []
    else:
        assert found == [
            f"alarm_settings period_seconds={period} x evaluation_periods={periods} = {period * periods} s: "
            f"{rules.EVALUATION_RANGE_RULE}"
        ]


def test_reputation_alarm_follows_aws_recommendation_and_the_settings(stack):
    settings = AlarmSettings(period_seconds=600, evaluation_periods=3, datapoints_to_alarm=2, statistic="Average")
    reputation_alarm(
        CONTEXT,
        stack,
        "an_alarm",
        alarm_name="n",
        alarm_description="d",
        metric_name=contract.METRIC_BOUNCE_RATE,
        threshold=0.04,
        settings=settings,
        alarm_actions=["a"],
        ok_actions=["o"],
        tags={"t": "v"},
    )
    alarm = resources(synthesized(stack), "aws_cloudwatch_metric_alarm")["guard_an_alarm"]
    assert alarm == {
        "alarm_name": "n",
        "alarm_description": "d",
        "namespace": "AWS/SES",
        "metric_name": "Reputation.BounceRate",
        "statistic": "Average",
        "period": 600,
        "evaluation_periods": 3,
        "datapoints_to_alarm": 2,
        "threshold": 0.04,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "treat_missing_data": "ignore",
        "alarm_actions": ["a"],
        "ok_actions": ["o"],
        "tags": {"t": "v"},
    }
