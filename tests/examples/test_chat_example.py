"""The chat example (examples/chat): validates and plans against the emulator (moto_server).

A plan creates nothing, so the chat configurations need no real Slack or Teams workspace: the
emulator answers the data sources (caller identity, partition, Region) and Terraform checks every
argument against the provider's schema.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from examples.chat.stack import NAME_PREFIX, REGION, SLACK_CHANNELS, STACK_NAME, TEAMS_CHANNELS
from tests.conftest import SynthOutput, run_terraform
from tests.e2e.moto_server import MotoServer, moto_server, terraform_env


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with moto_server(log_path=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        yield server


@pytest.fixture(scope="module")
def planned(
    synth: SynthOutput, emulator: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """Every resource the plan creates, by address, with its planned values."""
    workspace = tmp_path_factory.mktemp("chat")
    # The stack's local backend path is ../../../terraform.<stack>.tfstate: keep it inside the workspace.
    stack_dir = workspace / "a" / "b" / STACK_NAME
    shutil.copytree(synth.stack_dir(STACK_NAME), stack_dir, ignore=shutil.ignore_patterns("hcl"))
    env = terraform_env(emulator.endpoint_url, tmp_path_factory.mktemp("terraform-env"))
    run_terraform(["init", "-input=false"], stack_dir, env)
    run_terraform(["validate"], stack_dir, env)
    run_terraform(["plan", "-input=false", "-out=plan.tfplan"], stack_dir, env)
    shown = json.loads(run_terraform(["show", "-json", "plan.tfplan"], stack_dir, env).stdout)
    return {
        c["address"]: c["change"]["after"] for c in shown["resource_changes"] if c["change"]["actions"] == ["create"]
    }


def test_chat_example_plans_a_configuration_per_channel_subscribed_to_the_notification_topic(planned):
    slack = {a: v for a, v in planned.items() if a.startswith("aws_chatbot_slack_channel_configuration.")}
    assert {v["configuration_name"] for v in slack.values()} == {
        f"{NAME_PREFIX}-{REGION}-slack-{c.label}" for c in SLACK_CHANNELS
    }
    assert {(v["slack_team_id"], v["slack_channel_id"]) for v in slack.values()} == {
        (c.team_id, c.channel_id) for c in SLACK_CHANNELS
    }
    [teams] = [v for a, v in planned.items() if a.startswith("aws_chatbot_teams_channel_configuration.")]
    assert (teams["tenant_id"], teams["team_id"], teams["channel_id"]) == (
        TEAMS_CHANNELS[0].tenant_id,
        TEAMS_CHANNELS[0].team_id,
        TEAMS_CHANNELS[0].channel_id,
    )
    for configuration in [*slack.values(), teams]:
        assert configuration["guardrail_policy_arns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]
        assert configuration["user_authorization_required"] is True


def test_chat_example_plans_the_read_only_channel_role(planned):
    role = planned["aws_iam_role.guard_chat_role"]
    assert role["name"] == f"{NAME_PREFIX}-{REGION}-chat"
    trust = json.loads(role["assume_role_policy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "chatbot.amazonaws.com"}]
    policy = json.loads(planned["aws_iam_role_policy.guard_chat_role_policy"]["policy"])
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions and all(a.startswith(("cloudwatch:Describe", "cloudwatch:Get", "cloudwatch:List")) for a in actions)


def test_chat_example_plans_the_dashboard(planned):
    dashboard = planned["aws_cloudwatch_dashboard.guard_dashboard"]
    assert dashboard["dashboard_name"] == f"{NAME_PREFIX}-{REGION}-reputation"
