"""Every example synthesized under both toolchains: the same configuration but for the documented
differences (docs/toolchains.md), valid with the offline AWS provider 5.100, clean under checkov,
and the same generated Terraform module."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from examples.organization.stack import MEMBER_STACK_PREFIX
from tests.conftest import ROOT, SynthOutput, run_terraform
from tests.toolchain.cdktn_env import END_OF_LIFE_BANNER, CdktnSynth, run_in_cdktn
from tools.scan import run_checkov
from tools.snapshot import normalize_stack

pytestmark = pytest.mark.slow

DOCS = ROOT / "docs" / "toolchains.md"
# Normalized-JSON path -> (cdktf 0.21 value, cdktn 0.24 value). Each one is explained in DOCS.
DOCUMENTED_DIFFERENCES: dict[str, tuple[Any, Any]] = {
    "terraform.required_providers.aws.source": ("aws", "hashicorp/aws"),
}
OFFLINE_PROVIDER_VERSION = "5.100.0"
ASSET_HASH = re.compile(r"(?<=/)[0-9A-F]{32}(?=/)")


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1]}}`` -> ``{"a.b[0]": 1}``: one entry per leaf, for a readable difference list."""
    if isinstance(value, dict):
        leaves: dict[str, Any] = {}
        for key, item in value.items():
            leaves.update(flatten(item, f"{path}.{key}" if path else key))
        return leaves or {path: {}}
    if isinstance(value, list):
        leaves = {}
        for index, item in enumerate(value):
            leaves.update(flatten(item, f"{path}[{index}]"))
        return leaves or {path: []}
    return {path: value}


def differences(cdktf_stack: Path, cdktn_stack: Path) -> dict[str, tuple[Any, Any]]:
    left, right = flatten(normalize_stack(cdktf_stack)), flatten(normalize_stack(cdktn_stack))
    missing = "<absent>"
    return {
        path: (left.get(path, missing), right.get(path, missing))
        for path in sorted(left.keys() | right.keys())
        if left.get(path, missing) != right.get(path, missing)
    }


def test_the_comparison_runs_cdktf_in_process_and_cdktn_in_its_own_environment() -> None:
    from ses_reputation_guard._cdktf import TOOLCHAIN

    assert TOOLCHAIN.name == "cdktf"


def test_cdktn_synthesizes_every_example_stack(synth: SynthOutput, cdktn_synth: CdktnSynth) -> None:
    assert cdktn_synth.output.stacks() == synth.stacks()
    assert len(synth.stacks()) >= 4


def test_cdktn_synthesis_runs_on_node_22_without_an_end_of_life_warning(cdktn_synth: CdktnSynth) -> None:
    assert END_OF_LIFE_BANNER not in cdktn_synth.log.lower(), cdktn_synth.log[-2000:]


def test_cdktn_output_equals_cdktf_output_but_for_the_documented_differences(
    synth: SynthOutput, cdktn_synth: CdktnSynth
) -> None:
    for stack in synth.stacks():
        found = differences(synth.stack_dir(stack), cdktn_synth.output.stack_dir(stack))
        assert found == DOCUMENTED_DIFFERENCES, f"{stack}: undocumented toolchain differences {found}"


def test_cdktn_hcl_renderings_are_identical_but_for_the_asset_hash(synth: SynthOutput, cdktn_synth: CdktnSynth) -> None:
    def text(output: SynthOutput, stack: str) -> str:
        return ASSET_HASH.sub("<hash>", (output.stack_dir(stack) / "hcl" / "main.tf").read_text())

    for stack in synth.stacks():
        assert text(cdktn_synth.output, stack) == text(synth, stack), stack


def test_cdktn_metadata_differs_only_in_the_cdk_version(synth: SynthOutput, cdktn_synth: CdktnSynth) -> None:
    for stack in synth.stacks():
        cdktf_meta = synth.config(stack)["//"]["metadata"]
        cdktn_meta = cdktn_synth.output.config(stack)["//"]["metadata"]
        assert (cdktf_meta.pop("version"), cdktn_meta.pop("version")) == ("0.21.0", "0.24.0")
        assert cdktf_meta == cdktn_meta


def test_both_toolchains_name_the_function_asset_by_the_md5_of_its_zip(
    synth: SynthOutput, cdktn_synth: CdktnSynth
) -> None:
    """Same zip, same asset path: a migration plans no change to the function's package path. (A hub's member
    stack holds only the member role: no function, no zip.)"""
    for output in (synth, cdktn_synth.output):
        guarded = [stack for stack in output.stacks() if not stack.startswith(MEMBER_STACK_PREFIX)]
        assert len(guarded) < len(output.stacks())
        for stack in guarded:
            [zip_path] = output.stack_dir(stack).glob("assets/*/*/ses_guard_lambda.zip")
            assert zip_path.parent.name == hashlib.md5(zip_path.read_bytes()).hexdigest().upper(), zip_path
        for stack in set(output.stacks()) - set(guarded):
            assert not list(output.stack_dir(stack).glob("assets/*/*/ses_guard_lambda.zip")), stack


def test_every_toolchain_difference_is_explained_in_the_docs() -> None:
    text = DOCS.read_text()
    for path, (cdktf_value, cdktn_value) in DOCUMENTED_DIFFERENCES.items():
        assert f"`{path}`" in text and f'"{cdktf_value}"' in text and f'"{cdktn_value}"' in text, path


def test_cdktn_json_stacks_pass_terraform_validate_with_the_offline_provider_5_100(
    cdktn_synth: CdktnSynth, terraform_cli_config: dict[str, str]
) -> None:
    """The JSON is what `cdktn deploy` applies. (The HCL renderings equal cdktf's, see above, which
    tests/module/test_terraform_validate.py validates.)"""
    for stack in cdktn_synth.output.stacks():
        directory = cdktn_synth.output.stack_dir(stack)
        run_terraform(["init", "-input=false", "-backend=false"], directory, terraform_cli_config)
        lock = (directory / ".terraform.lock.hcl").read_text()
        installed = rf'provider "registry.terraform.io/hashicorp/aws" {{\s*version\s*=\s*"{OFFLINE_PROVIDER_VERSION}"'
        assert re.search(installed, lock), f"{stack}: {lock}"
        result = run_terraform(["validate"], directory, terraform_cli_config)
        assert "Success! The configuration is valid" in result.stdout, f"{stack}: {result.stdout}"


def test_cdktn_stacks_pass_checkov_with_no_failed_check(cdktn_synth: CdktnSynth, tmp_path: Path) -> None:
    stacks = [cdktn_synth.output.stack_dir(stack) for stack in cdktn_synth.output.stacks()]
    result = run_checkov(stacks, tmp_path / "reports")
    assert result.failed == [] and result.parsing_errors == [], result
    assert result.passed > 0


def test_cdktn_generates_the_same_terraform_module_byte_for_byte(generated_module: dict[str, bytes]) -> None:
    """Every file of the module (`python -m ses_guard_modulegen`) but the function zip, which our own
    builder makes without the CDK (tests/module compares it with the committed one)."""
    dump = (
        "import hashlib, json\n"
        "from ses_guard_modulegen.generator import render_module\n"
        "print(json.dumps({p: hashlib.sha256(c).hexdigest() for p, c in render_module().items()}))\n"
    )
    cdktn_hashes = json.loads(run_in_cdktn(["-c", dump]).stdout)
    cdktf_hashes = {path: hashlib.sha256(content).hexdigest() for path, content in generated_module.items()}
    assert cdktn_hashes.keys() == cdktf_hashes.keys()
    without_zip = {path for path in cdktf_hashes if not path.endswith(".zip")}
    assert len(without_zip) >= 4
    assert {p: cdktn_hashes[p] for p in without_zip} == {p: cdktf_hashes[p] for p in without_zip}
