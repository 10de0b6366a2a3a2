"""Hub mode for real, three accounts in the emulator (issue 24): the organization example's hub stack is
deployed into the hub account (moto's default) and its member stacks into two member accounts, through
each one's ``OrganizationAccountAccessRole`` (the provider's ``assume_role``; moto's STS issues the member
account's credentials, and the emulator refuses a role that does not exist, as AWS does).

1. Hub and member 1 are deployed, member 2 not yet: a set of member 1 breaches in eu-west-1 (2 of the last
   3 hours over the critical threshold); the same set name in member 2 and a set in the hub's own Region
   stay healthy. The hub's scheduled run pauses the set in member 1 only, its report on the hub's topic
   names member 1 and the Region, and member 2 (no role yet) is reported unreachable while the others are
   still swept.
2. Member 2 is deployed: the next run sweeps it too; nothing more is paused, no second report.
3. Every stack's plan is empty; destroy leaves no role and no guard resource behind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from examples.organization.stack import HUB_STACK_NAME, MEMBER_ACCESS_ROLE, MEMBER_STACK_PREFIX, MEMBERS, NAME_PREFIX
from ses_guard_policy import contract, hub
from tests.e2e.deploy_helpers import (
    LOCAL_STATE_DELETION_OPT_IN,
    Deployer,
    account_sending_enabled,
    delete_queue,
    deployed_rule_to_function,
    eventbridge_event,
    guard_leftovers,
    invoke_deployed_function,
    publish_ses_datapoints,
    receive_notifications,
    set_sending_enabled,
    stack_dir,
    stack_lambda_zip,
    subscribe_queue,
    topic_arn,
)
from tests.e2e.moto_server import MotoServer

pytestmark = pytest.mark.e2e

HUB_REGION = "us-east-1"
EU = "eu-west-1"
MEMBER_ONE, MEMBER_TWO = (member.account_id for member in MEMBERS)
HOT = "tenant-hot"
CALM = "tenant-calm"


def member_stack(account: str) -> str:
    return f"{MEMBER_STACK_PREFIX}{account}"


def publish_hourly(server: MotoServer, account: str | None, region: str, name: str, values: list[float]) -> None:
    """SES's bounce rate of set ``name``, one datapoint per hour, the last in the current hour (oldest first)."""
    ages = [timedelta(hours=len(values) - 1 - index, minutes=1) for index in range(len(values))]
    publish_ses_datapoints(
        server, region, contract.METRIC_BOUNCE_RATE, name, zip(ages, values, strict=True), account_id=account
    )


def create_set(server: MotoServer, account: str | None, region: str, name: str) -> None:
    """The application's set, created through SES in that account, tagged for the guard's ``tagged`` scope."""
    tags = [
        {"Key": contract.TAG_GUARD, "Value": NAME_PREFIX},
        {"Key": contract.TAG_ACTION, "Value": contract.ACTION_PAUSE},
    ]
    server.boto3_client("sesv2", region, account_id=account).create_configuration_set(
        ConfigurationSetName=name, ReputationOptions={"ReputationMetricsEnabled": True}, Tags=tags
    )


def organization_access_roles(server: MotoServer) -> None:
    """What AWS Organizations creates in each account it creates: the role the member stacks deploy through."""
    for account in (MEMBER_ONE, MEMBER_TWO):
        server.boto3_client("iam", account_id=account).create_role(
            RoleName=MEMBER_ACCESS_ROLE, AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}'
        )


def hub_run(server: MotoServer, zip_path: Path, workdir: Path) -> dict[str, Any]:
    """The deployed schedule's event, delivered to the deployed hub function."""
    rule, _, function = deployed_rule_to_function(server, HUB_REGION, f"{NAME_PREFIX}-sweep", f"{NAME_PREFIX}-pause")
    event = eventbridge_event(
        HUB_REGION,
        account=function["FunctionArn"].split(":")[4],
        source=contract.EVENTS_SOURCE_SCHEDULE,
        detail_type=contract.DETAIL_TYPE_SCHEDULED,
        resources=[rule["Arn"]],
        detail={},
        time=datetime.now(UTC),
    )
    outcome = invoke_deployed_function(server, HUB_REGION, f"{NAME_PREFIX}-pause", zip_path, event, workdir)
    assert outcome["ok"], outcome
    summary: dict[str, Any] = outcome["summary"]
    return summary


def test_a_breach_in_member_one_pauses_there_only_and_the_hub_reports_it_and_the_unreachable_member(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server = fresh_emulator
    env = deployer.env(HUB_REGION, **LOCAL_STATE_DELETION_OPT_IN)
    organization_access_roles(server)
    deployer.deploy([HUB_STACK_NAME, member_stack(MEMBER_ONE)], local_synth, env)
    role = server.boto3_client("iam", account_id=MEMBER_ONE).get_role(RoleName=hub.member_role_name(NAME_PREFIX))
    assert role["Role"]["Arn"] == hub.member_role_arn("aws", MEMBER_ONE, NAME_PREFIX)

    for account in (MEMBER_ONE, MEMBER_TWO):
        create_set(server, account, EU, HOT)
    create_set(server, None, HUB_REGION, CALM)
    publish_hourly(server, MEMBER_ONE, EU, HOT, [0.01, 0.07, 0.08])  # 2 of the last 3 hours over 0.04
    publish_hourly(server, MEMBER_TWO, EU, HOT, [0.001, 0.001, 0.001])
    publish_hourly(server, None, HUB_REGION, CALM, [0.001, 0.001, 0.001])
    topic = topic_arn(server, HUB_REGION, f"{NAME_PREFIX}-notifications")
    queue = subscribe_queue(server, HUB_REGION, topic, "e2e-organization")
    zip_path = stack_lambda_zip(local_synth, HUB_STACK_NAME)

    first = hub_run(server, zip_path, tmp_path)
    swept = first["hub"]["members"]
    assert swept[f"{MEMBER_ONE}/{EU}"]["paused"] == [f"configuration-set:{HOT}"], first
    assert f"{MEMBER_ONE}/{HUB_REGION}" in swept and swept[f"{MEMBER_ONE}/{HUB_REGION}"]["paused"] == []
    assert list(first["hub"]["unreachable"]) == [f"{MEMBER_TWO}/{EU}"], first
    assert "AccessDenied" in first["hub"]["unreachable"][f"{MEMBER_TWO}/{EU}"]
    assert not set_sending_enabled(server, EU, HOT, account_id=MEMBER_ONE)
    assert set_sending_enabled(server, EU, HOT, account_id=MEMBER_TWO)
    assert set_sending_enabled(server, HUB_REGION, CALM)
    assert all(account_sending_enabled(server, r, account_id=MEMBER_ONE) for r in (EU, HUB_REGION))

    subjects = [str(note.get("Subject", "")) for note in receive_notifications(server, HUB_REGION, queue)]
    paused = [s for s in subjects if "PAUSED" in s]
    assert len(paused) == 1 and f"{MEMBER_ONE}/{EU}" in paused[0] and HOT in paused[0], subjects
    unreachable = [s for s in subjects if "UNREACHABLE" in s]
    assert len(unreachable) == 1 and f"{MEMBER_TWO}/{EU}" in unreachable[0], subjects

    deployer.deploy([member_stack(MEMBER_TWO)], local_synth, env)
    second = hub_run(server, zip_path, tmp_path)
    assert second["hub"]["unreachable"] == {} and f"{MEMBER_TWO}/{EU}" in second["hub"]["members"], second
    assert all(result["paused"] == [] for result in second["hub"]["members"].values()), second
    assert set_sending_enabled(server, EU, HOT, account_id=MEMBER_TWO)
    again = [str(note.get("Subject", "")) for note in receive_notifications(server, HUB_REGION, queue)]
    assert not [s for s in again if "PAUSED" in s or "UNREACHABLE" in s], again
    delete_queue(server, HUB_REGION, queue)

    stacks = [HUB_STACK_NAME, member_stack(MEMBER_ONE), member_stack(MEMBER_TWO)]
    for stack in stacks:
        deployer.assert_converged(stack_dir(local_synth, stack), env, f"after the hub's runs ({stack})")
    deployer.destroy(stacks, local_synth, env)
    assert guard_leftovers(server, HUB_REGION, NAME_PREFIX, []) == {}
    for account in (MEMBER_ONE, MEMBER_TWO):
        roles = server.boto3_client("iam", account_id=account).list_roles()["Roles"]
        assert [r["RoleName"] for r in roles] == [MEMBER_ACCESS_ROLE], roles
        assert (
            HOT in server.boto3_client("sesv2", EU, account_id=account).list_configuration_sets()["ConfigurationSets"]
        )
