"""The module's sweep mode and protected sets, planned by a consumer against the local emulator:
``examples/terraform_module_sweep`` (``sweep_policy``, a protected set, the account judged by the run
with no account alarm, a stricter per-set policy). Its apply and destroy, and the
function's environment (unknown at plan), are in test_module_consumer_shapes.py (shapes with a sweep)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.module.conftest import SWEEP_CONSUMER_DIR, copy_consumer_example
from tests.module.test_module_fleet_and_chat import planned_resources
from tests.module.test_terraform_validate import validate
from tests.support.terraform import run_terraform

pytestmark = pytest.mark.slow

MODULE = "module.ses_guard"
PREFIX = "ses-guard-sweep"


@pytest.fixture(scope="module")
def sweep_plan(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> dict[str, dict[str, Any]]:
    directory = copy_consumer_example(tmp_path_factory.mktemp("sweep-consumer"), SWEEP_CONSUMER_DIR)
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return planned_resources(directory, emulator_env)


def test_sweep_example_passes_terraform_validate(terraform_cli_config, tmp_path):
    validate(copy_consumer_example(tmp_path / "repo", SWEEP_CONSUMER_DIR), terraform_cli_config)


def test_the_sweep_is_an_hourly_schedule_of_the_function_with_no_input(sweep_plan):
    rule = sweep_plan[f"{MODULE}.aws_cloudwatch_event_rule.guard_sweep_schedule[0]"]
    assert (rule["name"], rule["schedule_expression"]) == (f"{PREFIX}-sweep", "rate(60 minutes)")
    target = sweep_plan[f"{MODULE}.aws_cloudwatch_event_target.guard_sweep_target[0]"]
    assert target.get("input") is None and target.get("input_path") is None
    permission = sweep_plan[f"{MODULE}.aws_lambda_permission.guard_sweep_invoke_permission[0]"]
    assert permission["principal"] == "events.amazonaws.com"


def test_the_state_table_is_on_demand_encrypted_and_expires_its_items(sweep_plan):
    table = sweep_plan[f"{MODULE}.aws_dynamodb_table.guard_sweep_state[0]"]
    assert (table["name"], table["billing_mode"]) == (f"{PREFIX}-sweep-state", "PAY_PER_REQUEST")
    assert table["server_side_encryption"][0]["enabled"] is True
    assert table["ttl"][0]["enabled"] is True


def test_no_account_alarm_and_no_fleet_alarm_only_the_vip_sets_own(sweep_plan):
    prefix = f"{MODULE}.aws_cloudwatch_metric_alarm."
    alarms = sorted(a.removeprefix(prefix) for a in sweep_plan if a.startswith(prefix))
    assert not [a for a in alarms if a.startswith(("guard_account_", "guard_fleet_"))]
    assert {a.split('["', 1)[1].rstrip('"]') for a in alarms if a.startswith("guard_set_")} == {"vip"}


def test_the_example_outputs_the_schedule_and_the_table(sweep_plan: dict[str, dict[str, Any]]) -> None:
    text = (SWEEP_CONSUMER_DIR / "main.tf").read_text()
    for output in ("sweep_schedule_rule_arn", "sweep_state_table_name"):
        assert f"module.ses_guard.{output}" in text


def test_without_a_sweep_policy_nothing_of_the_sweep_is_planned(consumer_workspace: Path, emulator_env):
    planned = planned_resources(consumer_workspace, emulator_env)
    assert not [a for a in planned if "sweep" in a]
