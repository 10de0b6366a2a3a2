"""Session-wide fixtures: synthesize every example stack and the module ONCE per test session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.terraform import (
    find_provider_mirror,
    require_terraform,
    run_terraform,
    terraform_cli_env,
)

__all__ = ["ROOT", "SynthOutput", "assert_stack_validates", "run_terraform"]

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

    def manifest(self, stack: str) -> dict[str, Any]:
        """The policy manifest shipped as the stack's asset."""
        [path] = (self.stack_dir(stack) / "assets").glob("*/*/policy_manifest.json")
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded

    def configuration_sets(self, stack: str) -> dict[str, Any]:
        """The per-set records of the stack's manifest."""
        sets: dict[str, Any] = self.manifest(stack)["configuration_sets"]
        return sets


def assert_stack_validates(stack_dir: Path, cli_config: dict[str, str], rendering: str) -> None:
    """``terraform init`` and ``validate`` of a synthesized stack in one of its renderings (``json``: the
    stack's cdk.tf.json; ``hcl``: its HCL folder, which must also validate without a warning)."""
    directory = stack_dir / "hcl" if rendering == "hcl" else stack_dir
    run_terraform(["init", "-input=false", "-backend=false"], directory, cli_config)
    result = run_terraform(["validate"], directory, cli_config)
    assert "Success! The configuration is valid" in result.stdout
    assert rendering == "json" or "Warning" not in result.stdout + result.stderr


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
    """Complete environment for terraform without AWS: the offline provider mirror when there is one
    (symlinked by ``init``), else one shared plugin cache so the registry download happens once."""
    require_terraform()  # raises, naming the prerequisite
    config_dir = tmp_path_factory.mktemp("terraform-cli")
    mirror = find_provider_mirror()
    cache = None if mirror else config_dir / "plugin-cache"
    return terraform_cli_env(config_dir, mirror=mirror, plugin_cache_dir=cache)


# --- two workers (make test runs pytest -n 2 --dist loadfile --no-loadscope-reorder) -------------------
# A file's tests run in one worker (its module fixtures are built once); the slowest files are handed
# out first so both workers finish together. Measured with --durations (docs/benchmarks.md), slowest first.
SLOWEST_FILES = (
    "tests/e2e/test_e2e_deploy.py",
    "tests/e2e/test_e2e_cdktn.py",
    "tests/toolchain/test_cdktn_synth.py",
    "tests/e2e/test_e2e_fleet.py",
    "tests/e2e/test_e2e_organization.py",
    "tests/module/test_module_consumer_shapes.py",
    "tests/module/test_module_no_drift.py",
    "tests/module/test_rules_both_sides.py",
    "tests/e2e/test_ses_emulator.py",
    "tests/constructs/test_dashboard.py",
    "tests/module/test_module_fleet_and_chat.py",
    "tests/module/test_module_pause_scope.py",
    "tests/policy/test_checkov_scan.py",
    "tests/constructs/test_chat_notifications.py",
    "tests/examples/test_chat_example.py",
    "tests/examples/test_readme_snippet.py",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return SLOWEST_FILES.index(path) if path in SLOWEST_FILES else len(SLOWEST_FILES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the collection order is kept among the other files
