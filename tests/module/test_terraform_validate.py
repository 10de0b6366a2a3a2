"""`terraform init` (offline provider mirror) and `terraform validate` on every synthesized stack,
JSON and HCL, on the generated module and on the plain-Terraform consumer example."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.module.conftest import copy_consumer_example, write_module
from tests.support.terraform import run_terraform

pytestmark = pytest.mark.slow

STACKS = ("account-wide", "per-set", "multi-region-us-east-1", "multi-region-eu-west-1")


def validate(directory: Path, env: dict[str, str]) -> str:
    run_terraform(["init", "-input=false", "-backend=false"], directory, env)
    result = run_terraform(["validate"], directory, env)
    assert "Success! The configuration is valid" in result.stdout
    return result.stdout + result.stderr


@pytest.mark.parametrize("stack", STACKS)
def test_json_stack_passes_terraform_validate(synth, terraform_cli_config, stack):
    validate(synth.stack_dir(stack), terraform_cli_config)


@pytest.mark.parametrize("stack", STACKS)
def test_hcl_stack_passes_terraform_validate_without_warnings(synth, terraform_cli_config, stack):
    output = validate(synth.stack_dir(stack) / "hcl", terraform_cli_config)
    assert "Warning" not in output


def test_generated_module_passes_terraform_validate_without_warnings(generated_module, terraform_cli_config, tmp_path):
    output = validate(write_module(generated_module, tmp_path / "module"), terraform_cli_config)
    assert "Warning" not in output


def test_generated_module_is_terraform_fmt_clean(generated_module, terraform_cli_config, tmp_path):
    module_dir = write_module(generated_module, tmp_path / "module")
    result = run_terraform(["fmt", "-check", "-diff", str(module_dir)], tmp_path, terraform_cli_config, ok=None)
    assert result.returncode == 0, result.output


def test_consumer_example_passes_terraform_validate(terraform_cli_config, tmp_path):
    validate(copy_consumer_example(tmp_path / "repo"), terraform_cli_config)
