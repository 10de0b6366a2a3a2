"""FleetPolicy and the fleet helpers that need no stack: validation, the query, the shipped policy table."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from ses_guard_policy import contract, rules
from ses_reputation_guard import lambda_package
from ses_reputation_guard.fleet_policy import FleetPolicy, package_with_policy_table, policy_table
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
    ],
)
def test_invalid_fleet_policy_names_the_value_and_the_rule(policy: FleetPolicy, expected: str) -> None:
    found = problems_of(policy)
    assert any(expected in problem for problem in found), found


def test_period_problem_quotes_the_metrics_insights_rule() -> None:
    [problem] = problems_of(FleetPolicy(period_seconds=90))
    assert rules.METRICS_INSIGHTS_PERIOD_RULE in problem


def test_policy_table_ships_inside_the_function_package_deterministically() -> None:
    table = policy_table({"vip": "pause", "transactional": "notify"})
    package = lambda_package.build_zip_bytes()
    with_table = package_with_policy_table(package, table)
    assert with_table == package_with_policy_table(package, table)
    archive = zipfile.ZipFile(io.BytesIO(with_table))
    shipped = archive.read(f"{lambda_package.PACKAGE_NAME}/{contract.POLICY_TABLE_FILE}")
    assert json.loads(shipped) == {
        "format": contract.POLICY_TABLE_FORMAT,
        "configuration_sets": {"transactional": "notify", "vip": "pause"},
    }
    assert set(zipfile.ZipFile(io.BytesIO(package)).namelist()) < set(archive.namelist())
