"""Fixtures of the module tests: one emulator for every plan, and workspaces holding the module.

Plans run against moto_server (tests/e2e/moto_server.py): the module reads the caller identity,
partition and Region at plan time, and moto answers STS at once, so a plan takes a few seconds and
never reaches AWS.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.e2e.moto_server import MotoServer, moto_server
from tests.support.terraform import run_terraform, terraform_env

MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
CONSUMER_DIR = ROOT / "examples" / "terraform_module"
FLEET_CONSUMER_DIR = ROOT / "examples" / "terraform_module_fleet"
SWEEP_CONSUMER_DIR = ROOT / "examples" / "terraform_module_sweep"


def write_module(files: dict[str, bytes], destination: Path) -> Path:
    """The module's files (``generated_module``) written into ``destination``."""
    for relative, content in files.items():
        path = destination / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return destination


def copy_consumer_example(workspace: Path, example: Path = CONSUMER_DIR) -> Path:
    """A Terraform example (default ``examples/terraform_module``) with the committed module, in the
    repository's relative layout (so ``source = "../../modules/..."`` resolves); returns its folder."""
    shutil.copytree(MODULE_DIR, workspace / "modules" / MODULE_DIR.name, ignore=shutil.ignore_patterns(".terraform*"))
    shutil.copytree(example, workspace / "examples" / example.name, ignore=shutil.ignore_patterns(".terraform*"))
    return workspace / "examples" / example.name


@pytest.fixture(scope="session")
def module_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    with moto_server(log_path=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        yield server


@pytest.fixture(scope="session")
def emulator_env(module_emulator: MotoServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform plans against the emulator (fake keys, offline provider mirror)."""
    return terraform_env(module_emulator.endpoint_url, tmp_path_factory.mktemp("terraform-env"))


@pytest.fixture(scope="session")
def consumer_workspace(tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str]) -> Path:
    """The consumer example and the committed module, initialized once."""
    directory = copy_consumer_example(tmp_path_factory.mktemp("consumer"))
    run_terraform(["init", "-input=false"], directory, emulator_env)
    return directory
