"""``examples/terraform_module_organization``: the hub guard (the main module with ``sweep_policy`` and
``hub_policy``) in the hub account, and the member module in two member accounts, a provider alias each
assuming OrganizationAccountAccessRole there (issue "[6 of 7]"). Validated, and planned against the local
emulator, whose STS answers each member's AssumeRole with that member's account."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import hub
from ses_reputation_guard.hub_policy import HubMember, HubPolicy, ThresholdOverrides
from tests.conftest import ROOT
from tests.e2e.moto_server import MotoServer
from tests.module.conftest import copy_consumer_example
from tests.module.test_terraform_validate import validate
from tests.support.terraform import plan_json, run_terraform

pytestmark = pytest.mark.slow

EXAMPLE_DIR = ROOT / "examples" / "terraform_module_organization"
MEMBER_MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard-member"
MEMBERS = {"one": "222222222222", "two": "333333333333"}
HUB = "module.ses_guard"
PREFIX = "ses-guard-org"
# The example's hub_policy as the constructs' props: the module must write the same entries.
HUB_POLICY = HubPolicy(
    members=[
        HubMember(MEMBERS["one"], regions=["us-east-1", "eu-west-1"], action="pause"),
        HubMember(
            MEMBERS["two"],
            regions=["eu-west-1"],
            action="notify",
            account_action="notify",
            thresholds=ThresholdOverrides(bounce_critical=0.03),
        ),
    ]
)


def copy_example(workspace: Path) -> Path:
    """The example with both modules in the repository's relative layout."""
    directory = copy_consumer_example(workspace, EXAMPLE_DIR)
    shutil.copytree(
        MEMBER_MODULE_DIR, workspace / "modules" / MEMBER_MODULE_DIR.name, ignore=shutil.ignore_patterns(".terraform*")
    )
    return directory


ACCESS_ROLE = "OrganizationAccountAccessRole"
ACCESS_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
    ],
}


@pytest.fixture(scope="module")
def organization_shown(
    tmp_path_factory: pytest.TempPathFactory, module_emulator: MotoServer, emulator_env: dict[str, str]
) -> dict[str, Any]:
    # the role AWS Organizations creates in each account it creates: the emulator refuses AssumeRole on a
    # role that does not exist (tests/e2e/ses_emulator_sts.py)
    for account in MEMBERS.values():
        iam = module_emulator.boto3_client("iam", account_id=account)
        if not any(role["RoleName"] == ACCESS_ROLE for role in iam.list_roles()["Roles"]):
            iam.create_role(RoleName=ACCESS_ROLE, AssumeRolePolicyDocument=json.dumps(ACCESS_TRUST))
    directory = copy_example(tmp_path_factory.mktemp("organization-consumer"))
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return plan_json(directory, emulator_env)


@pytest.fixture(scope="module")
def organization_plan(organization_shown: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Address => planned values of every resource the plan creates."""
    return {
        change["address"]: change["change"]["after"]
        for change in organization_shown["resource_changes"]
        if change["change"]["actions"] == ["create"]
    }


def test_the_example_sources_the_member_module_once_per_member_with_its_provider_alias():
    text = (EXAMPLE_DIR / "main.tf").read_text()
    for label, account in MEMBERS.items():
        assert f'alias  = "member_{label}"' in text and f"providers = {{ aws = aws.member_{label} }}" in text
        assert f'member_{label}  = "{account}"' in text or f'member_{label} = "{account}"' in text
    assert text.count(':role/OrganizationAccountAccessRole"') == len(MEMBERS)
    assert text.count("hub_function_role_arn = module.ses_guard.function_role_arn") == len(MEMBERS)
    assert "hub_policy = {" in text and "sweep_policy = {" in text


def test_organization_example_passes_terraform_validate(terraform_cli_config, tmp_path):
    validate(copy_example(tmp_path / "repo"), terraform_cli_config)


def test_each_member_gets_its_role_in_its_own_account_trusting_the_hub_function_role(
    organization_shown, organization_plan
):
    calls = organization_shown["configuration"]["root_module"]["module_calls"]
    changes = {change["address"]: change["change"] for change in organization_shown["resource_changes"]}
    for label in MEMBERS:
        address = f"module.ses_guard_member_{label}.aws_iam_role.member_role"
        role = organization_plan[address]
        assert (role["name"], role["max_session_duration"]) == (hub.member_role_name(PREFIX), 3600)
        # the trust names the hub function's role, known once the hub's role exists (the hub applies first)
        assert changes[address]["after_unknown"]["assume_role_policy"] is True
        expressions = calls[f"ses_guard_member_{label}"]["expressions"]
        assert expressions["hub_function_role_arn"]["references"][0] == "module.ses_guard.function_role_arn"
        assert expressions["name_prefix"]["references"][0] == "local.name_prefix"


def test_the_hub_stores_each_members_entry_as_the_constructs_write_it(organization_plan):
    documents = HUB_POLICY.member_documents()
    assert isinstance(documents, dict)
    for account, text in documents.items():
        parameter = organization_plan[f'{HUB}.aws_ssm_parameter.guard_hub_members["{account}"]']
        assert (parameter["name"], parameter["type"]) == (f"{hub.members_path(PREFIX)}{account}", "SecureString")
        assert parameter["value"] == text
    assert sorted(a for a in organization_plan if ".guard_hub_members[" in a) == sorted(
        f'{HUB}.aws_ssm_parameter.guard_hub_members["{account}"]' for account in MEMBERS.values()
    )


def test_the_hub_function_may_assume_exactly_the_member_roles_and_list_its_members_path(organization_plan):
    policy = organization_plan[f"{HUB}.aws_iam_role_policy.guard_function_hub[0]"]
    assert policy["name"] == "guard-hub"
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    assert set(statements) == {"AssumeMemberRoles", "ListHubMembers"}
    assume = statements["AssumeMemberRoles"]
    assert assume["Action"] == "sts:AssumeRole"
    assert sorted(assume["Resource"]) == [hub.member_role_arn("aws", account, PREFIX) for account in MEMBERS.values()]
    path = f"arn:aws:ssm:us-east-1:123456789012:parameter{hub.members_path(PREFIX).rstrip('/')}"
    assert sorted(statements["ListHubMembers"]["Resource"]) == [path, f"{path}/*"]


def test_the_hub_function_runs_for_up_to_900_seconds_on_its_hourly_sweep(organization_plan):
    function = organization_plan[f"{HUB}.aws_lambda_function.guard_function"]
    assert (function["function_name"], function["timeout"]) == (f"{PREFIX}-pause", 900)
    rule = organization_plan[f"{HUB}.aws_cloudwatch_event_rule.guard_sweep_schedule[0]"]
    assert rule["schedule_expression"] == "rate(60 minutes)"


def test_member_one_may_pause_tagged_sets_and_the_account_member_two_only_reads(organization_plan):
    def policies(label: str) -> set[str]:
        prefix = f"module.ses_guard_member_{label}.aws_iam_role_policy."
        return {values["name"] for address, values in organization_plan.items() if address.startswith(prefix)}

    assert policies("one") == {
        "member-read",
        "member-set-pause",
        "member-account-pause",
        "member-operator-status",
        "member-operator-resume",
        "member-regions",
    }
    assert policies("two") == {"member-read", "member-operator-status", "member-regions"}
    pause = json.loads(
        organization_plan["module.ses_guard_member_one.aws_iam_role_policy.member_set_pause[0]"]["policy"]
    )
    grant = next(s for s in pause["Statement"] if s["Sid"] == "PauseAndReadGuardedConfigurationSets")
    assert grant["Resource"] == f"arn:aws:ses:*:{MEMBERS['one']}:configuration-set/*"
