"""The module's hub mode (``hub_policy``) refused at plan where the constructs refuse it at synth, and absent
from every plan of a consumer that does not set it. Planned by a root module against the local emulator;
what a hub plans with its members is in test_module_organization.py, its apply in
test_module_consumer_shapes.py ("hub with two members")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import rules
from ses_reputation_guard.hub_policy import HUB_NEEDS_SWEEP
from tests.module.conftest import MODULE_DIR, copy_consumer_example
from tests.module.test_module_fleet_and_chat import planned_resources
from tests.support.terraform import run_terraform

pytestmark = pytest.mark.slow

ROOT_MODULE = f"""
provider "aws" {{
  region = "us-east-1"
}}

variable "sweep_policy" {{
  type    = any
  default = null
}}

variable "hub_policy" {{
  type    = any
  default = null
}}

variable "allow_review_level" {{
  type    = bool
  default = false
}}

module "ses_guard" {{
  source = "../../modules/{MODULE_DIR.name}"

  name_prefix         = "ses-guard-hub-plan"
  notification_emails = ["ops@example.com"]
  sweep_policy        = var.sweep_policy
  hub_policy          = var.hub_policy

  allow_thresholds_at_or_above_aws_review_level = var.allow_review_level
}}
"""


@pytest.fixture(scope="module")
def hub_root(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> Path:
    directory = copy_consumer_example(tmp_path_factory.mktemp("hub-root"))
    (directory / "main.tf").write_text(ROOT_MODULE)
    for extra in directory.glob("*.tf"):
        if extra.name != "main.tf":
            extra.unlink()
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return directory


def plan(directory: Path, env: dict[str, str], **values: Any) -> Any:
    (directory / "terraform.tfvars.json").write_text(json.dumps(values))
    return run_terraform(["plan", "-input=false"], directory, env, ok=None)


def flattened(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


def test_a_hub_without_a_sweep_fails_the_plan_in_the_constructs_words(hub_root, emulator_env):
    result = plan(hub_root, emulator_env, hub_policy={"members": {"222222222222": {}}})
    assert result.returncode != 0
    assert f"{HUB_NEEDS_SWEEP}." in flattened(result.output)


@pytest.mark.parametrize(
    ("member", "rule"),
    [
        ({"12345": {}}, rules.ACCOUNT_ID),
        ({"222222222222": {"regions": ["eu-west-1", "eu-west-1"]}}, rules.HUB_MEMBER_REGIONS_UNIQUE),
        ({"222222222222": {"action": "stop"}}, rules.ACTION),
        ({"222222222222": {"thresholds": {"bounce_critical": 4}}}, rules.RATIO),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_a_bad_member_fails_the_plan_in_the_rules_words(hub_root, emulator_env, member, rule):
    result = plan(hub_root, emulator_env, sweep_policy={}, hub_policy={"members": member})
    assert result.returncode != 0
    assert rule.sentence in flattened(result.output)


def test_a_members_thresholds_are_checked_merged_over_the_sweeps_in_the_constructs_words(hub_root, emulator_env):
    # 0.01 is a fine ratio, but not above the sweep's own bounce warning (the default 0.02)
    below = {"222222222222": {"thresholds": {"bounce_critical": 0.01}}}
    result = plan(hub_root, emulator_env, sweep_policy={}, hub_policy={"members": below})
    assert result.returncode != 0
    assert (
        "hub_policy.members[222222222222] thresholds merged over the sweep's: bounce warning threshold 0.02 must "
        "be below critical threshold 0.01."
    ) in flattened(result.output)
    # against the sweep's own thresholds, not the defaults
    stricter = {"bounce_warning": 0.005, "bounce_critical": 0.009}
    result = plan(hub_root, emulator_env, sweep_policy=stricter, hub_policy={"members": below})
    assert result.returncode == 0, result.output[-3000:]


def test_a_members_threshold_at_aws_review_level_needs_the_guards_acknowledgement(hub_root, emulator_env):
    at_review = {"222222222222": {"thresholds": {"bounce_critical": 0.06}}}
    result = plan(hub_root, emulator_env, sweep_policy={}, hub_policy={"members": at_review})
    assert result.returncode != 0
    output = flattened(result.output)
    assert "hub_policy.members[222222222222] thresholds merged over the sweep's: bounce_critical=0.06: " in output
    assert rules.AWS_REVIEW_LEVEL.sentence in output
    acknowledged = plan(
        hub_root, emulator_env, sweep_policy={}, hub_policy={"members": at_review}, allow_review_level=True
    )
    assert acknowledged.returncode == 0, acknowledged.output[-3000:]


def test_a_hub_without_members_lists_its_path_but_may_assume_no_role(hub_root, emulator_env):
    (hub_root / "terraform.tfvars.json").write_text(json.dumps({"sweep_policy": {}, "hub_policy": {}}))
    planned = planned_resources(hub_root, emulator_env)
    policy = json.loads(planned["module.ses_guard.aws_iam_role_policy.guard_function_hub[0]"]["policy"])
    assert [statement["Sid"] for statement in policy["Statement"]] == ["ListHubMembers"]
    assert not [address for address in planned if ".guard_hub_members[" in address]
    assert planned["module.ses_guard.aws_lambda_function.guard_function"]["timeout"] == 900


def test_without_a_hub_policy_nothing_of_the_hub_is_planned(hub_root, emulator_env):
    (hub_root / "terraform.tfvars.json").write_text(json.dumps({"sweep_policy": {}}))
    planned = planned_resources(hub_root, emulator_env)
    assert not [address for address in planned if "hub" in address]
    assert planned["module.ses_guard.aws_lambda_function.guard_function"]["timeout"] == 300
