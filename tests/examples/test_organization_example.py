"""The organization example: a hub guard whose sweep covers two member accounts, and a member role stack per
member that deploys into the member account and allows exactly what the hub's policy does there."""

from __future__ import annotations

import json

import pytest

from examples.organization.stack import (
    HUB_ACCOUNT,
    HUB_FUNCTION_ROLE_ARN,
    HUB_REGION,
    HUB_STACK_NAME,
    MEMBER_STACK_PREFIX,
    MEMBERS,
    NAME_PREFIX,
)
from ses_guard_policy import contract, hub, manifest
from ses_reputation_guard.pause_function import HUB_TIMEOUT_SECONDS
from tests.conftest import SynthOutput, assert_stack_validates

FIRST, SECOND = "111111111111", "222222222222"
MEMBER_STACKS = [f"{MEMBER_STACK_PREFIX}{account}" for account in (FIRST, SECOND)]
STACKS = [HUB_STACK_NAME, *MEMBER_STACKS]


def test_the_example_synthesizes_a_hub_stack_and_one_member_stack_per_member(synth: SynthOutput) -> None:
    assert STACKS == ["organization-hub", "organization-member-111111111111", "organization-member-222222222222"]
    assert set(STACKS) <= set(synth.stacks())
    assert [member.account_id for member in MEMBERS] == [FIRST, SECOND]


def test_the_hub_function_role_arn_is_the_one_the_hub_stack_creates(synth: SynthOutput) -> None:
    config = synth.config(HUB_STACK_NAME)
    assert config["provider"]["aws"][0]["region"] == HUB_REGION
    name = config["resource"]["aws_iam_role"]["guard_function_role"]["name"]
    assert name == f"{NAME_PREFIX}-${{data.aws_region.guard_region.name}}-pause-function"
    in_hub_region = name.replace("${data.aws_region.guard_region.name}", HUB_REGION)
    assert f"arn:aws:iam::{HUB_ACCOUNT}:role/{in_hub_region}" == HUB_FUNCTION_ROLE_ARN
    assert HUB_ACCOUNT == "123456789012"  # moto's default account: the end-to-end tier's hub


def test_the_hub_lists_its_members_in_encrypted_parameters_and_may_assume_only_their_roles(synth: SynthOutput) -> None:
    config = synth.config(HUB_STACK_NAME)
    resources = config["resource"]
    function = resources["aws_lambda_function"]["guard_function"]
    assert function["timeout"] == HUB_TIMEOUT_SECONDS == 900
    parameters = resources["aws_ssm_parameter"]["guard_hub_members"]
    assert parameters["name"] == f"/{NAME_PREFIX}/policy/members/${{each.key}}"
    assert parameters["type"] == "SecureString" and parameters["key_id"] == "${aws_kms_key.guard_key.arn}"
    sweep = manifest.parse(synth.manifest(HUB_STACK_NAME), source="organization").sweep
    assert sweep is not None
    entries = {
        account: manifest.parse_member_entry(json.loads(text), account, sweep, source=account)
        for account, text in parameters["for_each"].items()
    }
    assert list(entries) == [FIRST, SECOND]
    assert (entries[FIRST].regions, entries[FIRST].action) == (("us-east-1", "eu-west-1"), "pause")
    assert (entries[SECOND].regions, entries[SECOND].action) == (("eu-west-1",), "notify")
    assert entries[SECOND].thresholds == {"bounce_critical": 0.03}
    [assume] = [
        s
        for s in config["data"]["aws_iam_policy_document"]["guard_function_hub_policy"]["statement"]
        if s["sid"] == "AssumeMemberRoles"
    ]
    partition = "${data.aws_partition.guard_partition.partition}"
    assert assume["resources"] == [hub.member_role_arn(partition, account, NAME_PREFIX) for account in (FIRST, SECOND)]


def test_the_hub_ships_its_members_in_the_manifest_asset_but_not_in_the_functions_environment(synth) -> None:
    shipped = synth.manifest(HUB_STACK_NAME)
    parsed = manifest.parse(shipped, source="examples/organization")
    assert parsed.hub is not None and sorted(parsed.hub.members) == [FIRST, SECOND]
    variables = synth.config(HUB_STACK_NAME)["resource"]["aws_lambda_function"]["guard_function"]["environment"]
    environment = json.loads(variables["variables"][contract.ENV_POLICY_MANIFEST])
    assert environment["hub"] == {"members_path": f"/{NAME_PREFIX}/policy/members/", "include_hub": True}


@pytest.mark.parametrize(
    ("account", "regions", "sets_paused", "account_paused"),
    [(FIRST, ["us-east-1", "eu-west-1"], True, True), (SECOND, ["eu-west-1"], False, False)],
)
def test_each_member_stack_deploys_into_its_account_a_role_trusting_only_the_hub_function(
    synth: SynthOutput, account: str, regions: list[str], sets_paused: bool, account_paused: bool
) -> None:
    config = synth.config(f"{MEMBER_STACK_PREFIX}{account}")
    [provider] = config["provider"]["aws"]
    assert provider["assume_role"] == [{"role_arn": f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"}]
    role = config["resource"]["aws_iam_role"]["member_role"]
    assert role["name"] == hub.member_role_name(NAME_PREFIX) == f"{NAME_PREFIX}-member"
    documents = config["data"]["aws_iam_policy_document"]
    [trust] = documents["member_trust"]["statement"]
    assert trust["principals"] == [{"type": "AWS", "identifiers": [HUB_FUNCTION_ROLE_ARN]}]
    [outside] = documents["member_regions_policy"]["statement"]
    assert outside["condition"][0]["values"] == regions
    policies = set(config["resource"]["aws_iam_role_policy"])
    assert ("member_set_pause" in policies) is sets_paused
    assert ("member_account_pause" in policies) is account_paused


@pytest.mark.slow
@pytest.mark.parametrize("rendering", ["json", "hcl"])
@pytest.mark.parametrize("stack", STACKS)
def test_the_organization_example_passes_terraform_validate(synth, terraform_cli_config, stack, rendering):
    assert_stack_validates(synth.stack_dir(stack), terraform_cli_config, rendering)
