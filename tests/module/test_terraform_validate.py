"""`terraform init` (offline provider mirror) and `terraform validate` on every synthesized stack,
JSON and HCL, on the generated module and on the plain-Terraform consumer example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_terraform

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
    module_dir = tmp_path / "module"
    for relative, content in generated_module.items():
        (module_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (module_dir / relative).write_bytes(content)
    output = validate(module_dir, terraform_cli_config)
    assert "Warning" not in output


def test_consumer_example_passes_terraform_validate(terraform_cli_config, tmp_path):
    workspace = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "terraform_module", workspace / "examples" / "terraform_module")
    shutil.copytree(
        ROOT / "modules" / "terraform-aws-ses-reputation-guard",
        workspace / "modules" / "terraform-aws-ses-reputation-guard",
    )
    validate(workspace / "examples" / "terraform_module", terraform_cli_config)
