"""The member module planned against the local emulator (issue "[6 of 7]"): the trust policy Terraform
assembles from its counted parts (hub function's role, operators, organization) and the operators'
policies, for the combinations a plan decides; and bad operator ARNs refused at plan in the rule's words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_guard_modulegen import member_module
from ses_guard_policy import contract, rules
from tests.conftest import ROOT
from tests.module.test_module_fleet_and_chat import planned_resources
from tests.support.terraform import run_terraform

pytestmark = pytest.mark.slow

MODULE_DIR = ROOT / "modules" / member_module.MODULE_DIR_NAME
HUB = "arn:aws:iam::111111111111:role/ses-guard-us-east-1-pause-function"
OPERATORS = ["arn:aws:iam::111111111111:role/deliverability", "arn:aws:iam::444444444444:role/ops/on-call"]
ORGANIZATION = "o-a1b2c3d4e5"
# Module block name => its inputs: every trust combination, and operators with nothing to pause.
ROLES: dict[str, dict[str, Any]] = {
    "plain": {"name_prefix": "plain"},
    "organization": {"name_prefix": "org", "organization_id": ORGANIZATION},
    "operators": {"name_prefix": "ops", "operator_role_arns": OPERATORS, "pause_scope": "tagged"},
    "operators_in_organization": {
        "name_prefix": "ops-org",
        "organization_id": ORGANIZATION,
        "operator_role_arns": OPERATORS,
        "pausing_configuration_sets": ["marketing"],
    },
    "operators_read_only": {"name_prefix": "ops-ro", "operator_role_arns": OPERATORS[:1]},
}


def root_module(directory: Path, roles: dict[str, dict[str, Any]]) -> Path:
    """A root with one member module block per entry of ``roles`` (the committed module beside it)."""
    (directory / "module").mkdir(parents=True)
    for path in MODULE_DIR.iterdir():
        (directory / "module" / path.name).write_bytes(path.read_bytes())
    blocks = []
    for name, inputs in roles.items():
        lines = [f'module "{name}" {{', '  source = "./module"', f"  hub_function_role_arn = {json.dumps(HUB)}"]
        lines += [f"  {key} = {json.dumps(value)}" for key, value in inputs.items()]
        blocks.append("\n".join([*lines, "}"]))
    (directory / "main.tf").write_text('provider "aws" {}\n\n' + "\n\n".join(blocks) + "\n")
    return directory


@pytest.fixture(scope="module")
def member_plan(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> dict[str, dict[str, Any]]:
    directory = root_module(tmp_path_factory.mktemp("member-plan"), ROLES)
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return planned_resources(directory, emulator_env)


def trust(plan: dict[str, dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    document = json.loads(plan[f"module.{name}.aws_iam_role.member_role"]["assume_role_policy"])
    return {statement["Sid"]: statement for statement in document["Statement"]}


def policies(plan: dict[str, dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    prefix = f"module.{name}.aws_iam_role_policy."
    return {
        values["name"]: json.loads(values["policy"]) for address, values in plan.items() if address.startswith(prefix)
    }


@pytest.mark.parametrize("name", list(ROLES))
def test_the_trust_names_the_hub_and_the_operators_exactly_within_the_organization_when_given(member_plan, name):
    inputs = ROLES[name]
    statements = trust(member_plan, name)
    expected = {"OnlyTheHubFunctionRole": [HUB]}
    if inputs.get("operator_role_arns"):
        expected["OperatorRoles"] = inputs["operator_role_arns"]
    assert set(statements) == set(expected)
    for sid, principals in expected.items():
        statement = statements[sid]
        assert (statement["Effect"], statement["Action"]) == ("Allow", "sts:AssumeRole")
        found = statement["Principal"]["AWS"]
        assert sorted([found] if isinstance(found, str) else found) == sorted(principals)
        if "organization_id" in inputs:
            assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": ORGANIZATION}}
        else:
            assert "Condition" not in statement


def test_operators_get_the_status_and_resume_policies_only_with_operators_and_a_scope(member_plan):
    assert {n for n in policies(member_plan, "plain") if n.startswith("member-operator")} == set()
    assert set(policies(member_plan, "operators_read_only")) == {"member-read", "member-operator-status"}
    resume = policies(member_plan, "operators_in_organization")["member-operator-resume"]
    [untag] = resume["Statement"]
    assert (untag["Sid"], untag["Action"]) == ("RemovePauseTags", "ses:UntagResource")
    assert untag["Resource"].endswith(":configuration-set/marketing")
    assert untag["Condition"] == {"ForAllValues:StringEquals": {"aws:TagKeys": list(contract.PAUSE_TAG_KEYS)}}
    [find] = policies(member_plan, "operators")["member-operator-status"]["Statement"]
    assert (find["Action"], find["Resource"]) == ("tag:GetResources", "*")


def test_a_bad_operator_arn_fails_the_plan_in_the_rules_words(tmp_path: Path, emulator_env: dict[str, str]):
    bad = {"bad": {"operator_role_arns": ["arn:aws:iam::111111111111:root", OPERATORS[0], OPERATORS[0]]}}
    directory = root_module(tmp_path, bad)
    run_terraform(["init", "-input=false"], directory, emulator_env)
    result = run_terraform(["plan", "-input=false"], directory, emulator_env, ok=None)
    assert result.returncode != 0
    output = " ".join(result.output.split())
    assert rules.OPERATOR_ROLE_ARN.sentence in output.replace("│ ", "")
    assert "operator_role_arns lists a role more than once" in output
