"""The main module's ``hub_policy`` input, prepared for hub mode (issue "[6 of 7]"): its members' entries
are the JSON text the constructs write (``HubPolicy.member_documents``), and every bad value is refused at
plan in the words of the rule the constructs check. Planned in a root holding only the variable (no
provider, no AWS)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ses_guard_modulegen import hub_variable
from ses_guard_policy import rules
from ses_reputation_guard.hub_policy import HubMember, HubPolicy, ThresholdOverrides
from tests.support.terraform import run_terraform, terraform_cli_env

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on the PATH")

MEMBERS = (
    HubMember(account_id="222222222222", regions=("us-east-1", "eu-west-1"), action="pause"),
    HubMember(
        account_id="333333333333",
        regions=("eu-west-1",),
        action="notify",
        account_action="notify",
        evaluate_account=False,
        protected_configuration_sets=("transactional",),
        thresholds=ThresholdOverrides(bounce_critical=0.03, complaint_warning=0.0005),
    ),
    HubMember(account_id="444444444444"),
)


def as_variable(members: tuple[HubMember, ...]) -> dict[str, Any]:
    """The props' members as the module's ``hub_policy`` value (a map by account id)."""
    entries = {}
    for member in members:
        entry: dict[str, Any] = {"regions": list(member.regions)}
        for name in ("action", "account_action", "evaluate_account"):
            if getattr(member, name) is not None:
                entry[name] = getattr(member, name)
        if member.protected_configuration_sets:
            entry["protected_configuration_sets"] = list(member.protected_configuration_sets)
        if member.thresholds is not None:
            entry["thresholds"] = member.thresholds.given()
        entries[member.account_id] = entry
    return {"members": entries}


def root(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "variables.tf").write_text(
        hub_variable.variable().render() + 'variable "sweep_policy" {\n  type    = any\n  default = {}\n}\n'
    )
    (directory / "main.tf").write_text(
        f'output "documents" {{\n  value = {hub_variable.member_documents_hcl()}\n}}\n\n'
        f'output "pairs" {{\n  value = {hub_variable.member_region_pairs()}\n}}\n'
    )
    return directory


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("hub-variable")
    env = terraform_cli_env(base / "cli")
    directory = root(base / "root")
    run_terraform(["init", "-input=false", "-backend=false"], directory, env)
    return directory, env


def plan(workspace: tuple[Path, dict[str, str]], value: Any, name: str) -> Any:
    directory, env = workspace
    (directory / "terraform.tfvars.json").write_text(json.dumps({"hub_policy": value}))
    return run_terraform(["plan", "-input=false", f"-state={name}.tfstate"], directory, env, ok=None)


def test_each_members_entry_is_the_json_text_the_constructs_write(workspace):
    directory, env = workspace
    (directory / "terraform.tfvars.json").write_text(json.dumps({"hub_policy": as_variable(MEMBERS)}))
    run_terraform(["apply", "-auto-approve", "-input=false", "-state=entries.tfstate"], directory, env)
    shown = json.loads(run_terraform(["output", "-json", "-state=entries.tfstate"], directory, env).stdout)
    assert shown["documents"]["value"] == HubPolicy(members=MEMBERS).member_documents()
    assert shown["pairs"]["value"] == [
        "222222222222/us-east-1",
        "222222222222/eu-west-1",
        "333333333333/eu-west-1",
        "444444444444",
    ]


def test_hub_mode_off_has_no_member(workspace):
    directory, env = workspace
    (directory / "terraform.tfvars.json").write_text(json.dumps({"hub_policy": None}))
    run_terraform(["apply", "-auto-approve", "-input=false", "-state=off.tfstate"], directory, env)
    shown = json.loads(run_terraform(["output", "-json", "-state=off.tfstate"], directory, env).stdout)
    assert shown["documents"]["value"] == {} and shown["pairs"]["value"] == []


@pytest.mark.parametrize(
    ("members", "rule"),
    [
        ({"12345": {}}, rules.ACCOUNT_ID),
        ({"222222222222": {"regions": ["Europe"]}}, rules.REGION_NAME),
        ({"222222222222": {"regions": ["eu-west-1", "eu-west-1"]}}, rules.HUB_MEMBER_REGIONS_UNIQUE),
        ({f"{n:012d}": {} for n in range(1, rules.HUB_MEMBER_REGIONS_MAX + 2)}, rules.HUB_MEMBER_REGIONS),
        ({"222222222222": {"action": "stop"}}, rules.ACTION),
        ({"222222222222": {"account_action": "pause!"}}, rules.ACTION),
        ({"222222222222": {"protected_configuration_sets": ["bad name"]}}, rules.CONFIGURATION_SET_NAME),
        ({"222222222222": {"thresholds": {"bounce_critical": 3}}}, rules.RATIO),
        ({"222222222222": {"thresholds": {"complaint_critical": 0.008}}}, rules.AWS_PAUSE_LEVEL),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_a_bad_value_fails_the_plan_in_the_rules_words(workspace, members, rule):
    result = plan(workspace, {"members": members}, rule.name)
    assert result.returncode != 0
    output = " ".join(result.output.replace("│", " ").split())
    assert rule.sentence in output, output[-2000:]
    assert "hub_policy.members" in output or "hub_policy" in output


def test_the_rules_the_constructs_check_are_each_rendered():
    rendered = {validation.rule.name for validation in hub_variable.validations() if validation.rule is not None}
    assert {
        rules.ACCOUNT_ID.name,
        rules.REGION_NAME.name,
        rules.HUB_MEMBER_REGIONS.name,
        rules.HUB_MEMBER_REGIONS_UNIQUE.name,
        rules.ACTION.name,
        rules.RATIO.name,
    } <= rendered


def test_the_local_holds_whether_hub_mode_is_on_include_hub_and_the_members_entries():
    assert hub_variable.local_attributes() == {
        "enabled": "var.hub_policy != null",
        "include_hub": "try(var.hub_policy.include_hub, true)",
        "member_documents": hub_variable.member_documents_hcl(),
        "member_thresholds": "{ for a, m in merge(var.hub_policy[*].members...) : a => m.thresholds }",
    }
    assert HubPolicy().include_hub is True
