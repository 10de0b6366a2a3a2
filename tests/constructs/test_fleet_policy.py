"""FleetPolicy and the fleet helpers that need no stack: validation, the query, the shipped policy table."""

from __future__ import annotations

import pytest

from ses_guard_policy import rules
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.validation import Problems


def problems_of(policy: FleetPolicy) -> list[str]:
    problems = Problems()
    policy.collect_problems(problems)
    return problems.items


def test_default_fleet_policy_is_valid_and_creates_four_alarms() -> None:
    assert problems_of(FleetPolicy()) == []
    assert FleetPolicy().alarm_count() == 4


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (FleetPolicy(period_seconds=90), "fleet_policy.period_seconds=90"),
        (FleetPolicy(period_seconds=3600, evaluation_periods=4), "3600 x evaluation_periods=4 = 14400 s"),
        (FleetPolicy(evaluation_periods=2, datapoints_to_alarm=3), "datapoints_to_alarm=3: must not exceed"),
        (FleetPolicy(action="stop"), "fleet_policy.action='stop'"),  # type: ignore[arg-type]
        (FleetPolicy(delivery="webhook"), f"fleet_policy.delivery='webhook': {rules.FLEET_DELIVERY.sentence}"),
    ],
)
def test_invalid_fleet_policy_names_the_value_and_the_rule(policy: FleetPolicy, expected: str) -> None:
    found = problems_of(policy)
    assert any(expected in problem for problem in found), found


def test_period_problem_quotes_the_metrics_insights_rule() -> None:
    [problem] = problems_of(FleetPolicy(period_seconds=90))
    assert rules.METRICS_INSIGHTS_PERIOD_RULE in problem


@pytest.mark.parametrize("delivery", ["eventbridge", "sns", "alarm-action"])
def test_each_delivery_choice_is_valid(delivery: str) -> None:
    assert problems_of(FleetPolicy(delivery=delivery)) == []
    assert "'alarm-action'" in rules.FLEET_DELIVERY.sentence
