"""The module plans for every consumer shape its README shows, including those without configuration sets.

Issue "[3 of 7]" found that a consumer with only ``notification_emails`` and ``account_policy`` failed
validation ("configuration_sets keys []: ..."): the one-regex check of every set name did not accept an
empty map. Each shape here is a root module that sources the committed module; ``terraform plan``
against the emulator must succeed, and every variable left out keeps a default that passes its own
validation (tests/modulegen/test_variables.py checks the same in Python).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.module.conftest import MODULE_DIR, copy_consumer_example
from tests.support.terraform import plan_json, run_terraform

pytestmark = pytest.mark.slow

SHAPES = {
    "account only": 'notification_emails = ["ops@example.com"]\n  account_policy = { action = "pause" }',
    "fleet only": 'notification_emails = ["ops@example.com"]\n  account_policy = { action = "notify" }\n'
    '  fleet_policy = { action = "pause" }',
    "defaults only": "",
}


def root_module(arguments: str) -> str:
    return (
        'provider "aws" {}\n\n'
        f'module "ses_guard" {{\n  source = "../../modules/{MODULE_DIR.name}"\n  {arguments}\n}}\n'
    )


@pytest.fixture(scope="module")
def shape_workspaces(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> dict[str, Path]:
    workspaces = {}
    for index, (shape, arguments) in enumerate(SHAPES.items()):
        directory = copy_consumer_example(tmp_path_factory.mktemp(f"shape-{index}"))
        (directory / "main.tf").write_text(root_module(arguments))
        run_terraform(["init", "-input=false"], directory, emulator_env)
        workspaces[shape] = directory
    return workspaces


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_consumer_without_configuration_sets_plans(
    shape: str, shape_workspaces: dict[str, Path], emulator_env: dict[str, str]
) -> None:
    shown = plan_json(shape_workspaces[shape], emulator_env, "-lock=false", plan_file="shape.tfplan")
    planned = {change["address"] for change in shown["resource_changes"]}
    assert "module.ses_guard.aws_lambda_function.guard_function" in planned
    assert not [address for address in planned if "guard_set_" in address]  # no per-set resources
    fleet = [address for address in planned if "guard_fleet_" in address]
    assert bool(fleet) == (shape == "fleet only")
