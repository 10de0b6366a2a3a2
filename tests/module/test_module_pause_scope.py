"""The module's ``pause_scope`` variable, planned by a consumer against the local emulator: each scope
renders the IAM grant the constructs render (``tests/constructs/test_function_role.py``), and a name
pattern that leaves out a pausing set fails the plan with the constructs' rule sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract, rules
from tests.module.conftest import MODULE_DIR, copy_consumer_example
from tests.support.aws_env import FAKE_ACCOUNT_ID
from tests.support.terraform import plan_json, run_terraform

pytestmark = pytest.mark.slow

MODULE = "module.ses_guard"
PREFIX = "ses-guard-scope"
SET_ARN_PREFIX = f"arn:aws:ses:us-east-1:{FAKE_ACCOUNT_ID}:configuration-set/"
ROOT_MODULE = f"""
provider "aws" {{}}

variable "pause_scope" {{
  type = string
}}

module "ses_guard" {{
  source      = "../../modules/{MODULE_DIR.name}"
  name_prefix = "{PREFIX}"
  pause_scope = var.pause_scope
  notification_emails = ["ops@example.com"]
  configuration_sets = {{
    tenant-a   = {{ action = "pause", managed = false }}
    tenant-b   = {{ action = "pause", managed = false }}
    tenant-vip = {{ action = "notify", managed = false }}
  }}
}}
"""


@pytest.fixture(scope="module")
def scope_workspace(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> Path:
    directory = copy_consumer_example(tmp_path_factory.mktemp("pause-scope"))
    (directory / "main.tf").write_text(ROOT_MODULE)
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return directory


def plan_policies(directory: Path, env: dict[str, str], scope: str) -> dict[str, list[dict[str, Any]]]:
    """Policy document address => its statements, as read at plan time with ``pause_scope = scope``
    (the documents depend only on data sources; the role policies using them wait for the role)."""
    plan_file = f"{scope.replace(':', '-').replace('*', 'x')}.tfplan"
    shown = plan_json(directory, env, "-lock=false", "-var", f"pause_scope={scope}", plan_file=plan_file)
    [module] = [m for m in shown["prior_state"]["values"]["root_module"]["child_modules"] if m["address"] == MODULE]
    return {
        resource["address"]: json.loads(resource["values"]["json"])["Statement"]
        for resource in module["resources"]
        if resource["type"] == "aws_iam_policy_document"
    }


def statement(policies: dict[str, list[dict[str, Any]]], sid: str) -> dict[str, Any]:
    return next(s for statements in policies.values() for s in statements if s.get("Sid") == sid)


def resources(item: dict[str, Any]) -> list[str]:
    found = item["Resource"]
    return sorted(found if isinstance(found, list) else [found])


def test_listed_scope_grants_exactly_the_pausing_sets(scope_workspace, emulator_env):
    policies = plan_policies(scope_workspace, emulator_env, rules.PAUSE_SCOPE_LISTED)
    grant = statement(policies, "PauseAndReadGuardedConfigurationSets")
    assert resources(grant) == [SET_ARN_PREFIX + "tenant-a", SET_ARN_PREFIX + "tenant-b"]
    conditions = grant.get("Condition", {}).values()
    assert all(value in (["*"], "*") for test in conditions for value in test.values())  # vacuous tag tests


def test_tagged_scope_grants_sets_tagged_for_this_guard_with_the_action_pause(scope_workspace, emulator_env):
    grant = statement(plan_policies(scope_workspace, emulator_env, rules.PAUSE_SCOPE_TAGGED),
                      "PauseAndReadGuardedConfigurationSets")  # fmt: skip
    assert resources(grant) == [SET_ARN_PREFIX + "*"]
    assert grant["Condition"] == {
        "StringEquals": {
            f"aws:ResourceTag/{contract.TAG_GUARD}": PREFIX,
            f"aws:ResourceTag/{contract.TAG_ACTION}": contract.ACTION_PAUSE,
        }
    }


def test_name_pattern_scope_grants_the_pattern_and_denies_covered_notify_only_sets_by_name(
    scope_workspace, emulator_env
):
    policies = plan_policies(scope_workspace, emulator_env, f"{rules.PAUSE_SCOPE_NAME_PATTERN}tenant-*")
    assert resources(statement(policies, "PauseAndReadGuardedConfigurationSets")) == [SET_ARN_PREFIX + "tenant-*"]
    assert resources(statement(policies, "NeverPauseNotifyOnlySetsByName")) == [SET_ARN_PREFIX + "tenant-vip"]
    assert statement(policies, "NeverPauseNotifyOnlySets")["Effect"] == "Deny"


def test_a_name_pattern_that_leaves_out_a_pausing_set_fails_the_plan_naming_the_set(scope_workspace, emulator_env):
    args = ["plan", "-input=false", "-lock=false", "-var", f"pause_scope={rules.PAUSE_SCOPE_NAME_PATTERN}tenant-a*"]
    output = " ".join(run_terraform(args, scope_workspace, emulator_env, ok=(1,)).output.split())
    assert 'leaves out ["tenant-b"]' in output
    assert rules.PAUSE_SCOPE_COVERAGE_RULE in output
