"""``examples/terraform_module_organization``: the member module in two member accounts, a provider alias
each assuming OrganizationAccountAccessRole there (issue "[6 of 7]"). Validated, and planned against the
local emulator, whose STS answers each member's AssumeRole with that member's account."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.e2e.moto_server import MotoServer
from tests.module.conftest import copy_consumer_example
from tests.module.test_module_fleet_and_chat import planned_resources
from tests.module.test_terraform_validate import validate
from tests.support.terraform import run_terraform

pytestmark = pytest.mark.slow

EXAMPLE_DIR = ROOT / "examples" / "terraform_module_organization"
MEMBER_MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard-member"
MEMBERS = {"one": "222222222222", "two": "333333333333"}


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
def organization_plan(
    tmp_path_factory: pytest.TempPathFactory, module_emulator: MotoServer, emulator_env: dict[str, str]
) -> dict[str, dict[str, Any]]:
    # the role AWS Organizations creates in each account it creates: the emulator refuses AssumeRole on a
    # role that does not exist (tests/e2e/ses_emulator_sts.py)
    for account in MEMBERS.values():
        iam = module_emulator.boto3_client("iam", account_id=account)
        if not any(role["RoleName"] == ACCESS_ROLE for role in iam.list_roles()["Roles"]):
            iam.create_role(RoleName=ACCESS_ROLE, AssumeRolePolicyDocument=json.dumps(ACCESS_TRUST))
    directory = copy_example(tmp_path_factory.mktemp("organization-consumer"))
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return planned_resources(directory, emulator_env)


def test_the_example_sources_the_member_module_once_per_member_with_its_provider_alias():
    text = (EXAMPLE_DIR / "main.tf").read_text()
    for label, account in MEMBERS.items():
        assert f'alias  = "member_{label}"' in text and f"providers = {{ aws = aws.member_{label} }}" in text
        assert f'member_{label}  = "{account}"' in text or f'member_{label} = "{account}"' in text
    assert text.count(':role/OrganizationAccountAccessRole"') == len(MEMBERS)


def test_organization_example_passes_terraform_validate(terraform_cli_config, tmp_path):
    validate(copy_example(tmp_path / "repo"), terraform_cli_config)


def test_each_member_gets_its_role_in_its_own_account(organization_plan):
    for label in MEMBERS:
        role = organization_plan[f"module.ses_guard_member_{label}.aws_iam_role.member_role"]
        assert (role["name"], role["max_session_duration"]) == ("ses-guard-org-member", 3600)
        trust = {s["Sid"]: s for s in json.loads(role["assume_role_policy"])["Statement"]}
        assert set(trust) == {"OnlyTheHubFunctionRole", "OperatorRoles"}
        for statement in trust.values():
            assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


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
