"""Session-wide fixtures: synthesize every example stack and the module ONCE per test session."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SynthOutput:
    outdir: Path

    def stack_dir(self, stack: str) -> Path:
        return self.outdir / "stacks" / stack

    def config(self, stack: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.stack_dir(stack) / "cdk.tf.json").read_text())
        return loaded

    def stacks(self) -> list[str]:
        return sorted(p.name for p in (self.outdir / "stacks").iterdir() if p.is_dir())

    def configuration_sets(self, stack: str) -> dict[str, Any]:
        """The per-set records shipped as the stack's asset."""
        [path] = (self.stack_dir(stack) / "assets").glob("*/*/configuration_sets.json")
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> SynthOutput:
    import main

    outdir = tmp_path_factory.mktemp("cdktf.out")
    main.synth_stacks(outdir, hcl=True)
    return SynthOutput(outdir)


@pytest.fixture(scope="session")
def generated_module() -> dict[str, bytes]:
    from ses_guard_modulegen.generator import render_module

    return render_module()


@pytest.fixture(scope="session")
def terraform_cli_config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Env for terraform: the offline provider mirror when there is one, a shared plugin cache."""
    from tests.e2e.moto_server import write_cli_config

    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH: install Terraform >= 1.5 (see README prerequisites)")
    config_dir = tmp_path_factory.mktemp("terraform-cli")
    config = write_cli_config(config_dir / "terraform.rc")
    # One copy of the ~700 MB provider for the whole session: later inits link to the cache.
    cache = config_dir / "plugin-cache"
    cache.mkdir()
    config.write_text(config.read_text() + f'plugin_cache_dir = "{cache}"\n')
    return {
        "TF_CLI_CONFIG_FILE": str(config),
        "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }


def run_terraform(
    args: list[str], cwd: Path, env: dict[str, str], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    import os

    result = subprocess.run(
        ["terraform", *args, "-no-color"],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"terraform {' '.join(args)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    return result
