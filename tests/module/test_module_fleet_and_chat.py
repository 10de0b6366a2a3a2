"""The module's fleet, chat and dashboard variables, planned by a consumer against the local emulator:
``examples/terraform_module_fleet`` (``fleet_policy = { action = "pause" }`` and a Slack channel)
and the default example (dashboard on, no fleet alarms, no chat)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract
from ses_guard_policy.fleet_query import build as fleet_query
from tests.module.conftest import FLEET_CONSUMER_DIR, copy_consumer_example
from tests.module.test_terraform_validate import validate
from tests.support.terraform import plan_json, run_terraform

pytestmark = pytest.mark.slow

MODULE = "module.ses_guard"
FLEET_ALARMS = [f"{metric}_{tier}" for metric in ("bounce", "complaint") for tier in contract.TIERS]
SLACK = [{"label": "alerts", "team_id": "T01ABCDEF", "channel_id": "C01ABCDEF"}]


def planned_resources(directory: Path, env: dict[str, str], *args: str) -> dict[str, dict[str, Any]]:
    """Address => planned values of every resource the plan creates."""
    shown = plan_json(directory, env, *args)
    return {
        change["address"]: change["change"]["after"]
        for change in shown["resource_changes"]
        if change["change"]["actions"] == ["create"]
    }


@pytest.fixture(scope="module")
def fleet_plan(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> dict[str, dict[str, Any]]:
    directory = copy_consumer_example(tmp_path_factory.mktemp("fleet-consumer"), FLEET_CONSUMER_DIR)
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return planned_resources(directory, emulator_env, "-var", f"slack_channels={json.dumps(SLACK)}")


def test_fleet_example_passes_terraform_validate(terraform_cli_config, tmp_path):
    validate(copy_consumer_example(tmp_path / "repo", FLEET_CONSUMER_DIR), terraform_cli_config)


def test_fleet_policy_plans_four_metrics_insights_alarms_leaving_the_explicit_sets_out(fleet_plan):
    alarms = {name: fleet_plan[f"{MODULE}.aws_cloudwatch_metric_alarm.guard_fleet_{name}[0]"] for name in FLEET_ALARMS}
    bounce_critical = alarms["bounce_critical"]
    assert bounce_critical["alarm_name"] == "ses-guard-fleet-fleet-bounce-critical"
    assert bounce_critical["threshold"] == 0.04  # the guard's default thresholds
    [query] = bounce_critical["metric_query"]
    assert query["expression"] == fleet_query("Reputation.BounceRate", ["transactional", "vip"])
    assert query["period"] == 3600
    assert bounce_critical["tags"]["ses-reputation-guard:action"] == contract.ACTION_PAUSE
    assert alarms["complaint_warning"]["tags"]["ses-reputation-guard:action"] == contract.ACTION_NOTIFY


def test_fleet_pause_lets_the_function_pause_any_set_of_the_region(fleet_plan):
    policy = json.loads(fleet_plan[f"{MODULE}.aws_iam_role_policy.guard_function_set_pause[0]"]["policy"])
    pausing = next(s for s in policy["Statement"] if s["Sid"] == "PauseAndReadGuardedConfigurationSets")
    resources = pausing["Resource"] if isinstance(pausing["Resource"], list) else [pausing["Resource"]]
    assert [arn.rsplit(":", 1)[1] for arn in resources] == ["configuration-set/*"]


def test_slack_channels_plan_one_chat_configuration_and_its_role(fleet_plan):
    channel = fleet_plan[f'{MODULE}.aws_chatbot_slack_channel_configuration.guard_slack_channels["alerts"]']
    assert (channel["slack_team_id"], channel["slack_channel_id"]) == ("T01ABCDEF", "C01ABCDEF")
    assert f"{MODULE}.aws_iam_role.guard_chat_role[0]" in fleet_plan
    assert f"{MODULE}.aws_cloudwatch_dashboard.guard_dashboard[0]" in fleet_plan


def test_default_module_plans_the_dashboard_and_neither_fleet_alarms_nor_chat(
    consumer_workspace: Path, emulator_env: dict[str, str]
):
    planned = planned_resources(consumer_workspace, emulator_env)
    assert f"{MODULE}.aws_cloudwatch_dashboard.guard_dashboard[0]" in planned
    assert not [address for address in planned if "guard_fleet_" in address or "chat" in address]
