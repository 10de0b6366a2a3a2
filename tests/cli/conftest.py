"""Fixtures of the operator tool's tests (plain helpers are in ``tests/cli/support.py``)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.cli.support import MODULE_PLAN_REGIONS
from tests.stubbed_aws import REGION, make_client


@pytest.fixture
def cloudwatch_stub() -> Iterator[tuple[Any, Stubber]]:
    """The operator's CloudWatch client and its active Stubber; every stubbed response must be used."""
    client = make_client("cloudwatch")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture(scope="session")
def module_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``terraform show -json`` of a real plan of each module example root (examples/terraform_module*,
    the committed module) against the emulator, as a module user would write it: example name -> file."""
    from tests.conftest import ROOT
    from tests.e2e.moto_server import moto_server
    from tests.support.terraform import plan_json, run_terraform, terraform_env

    base = tmp_path_factory.mktemp("module-plans")
    module = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
    shutil.copytree(module, base / "modules" / module.name, ignore=shutil.ignore_patterns(".terraform*"))
    plans = {}
    with moto_server(log_path=base / "emulator.log") as server:
        env = terraform_env(server.endpoint_url, base / "terraform-env")
        for name, region in MODULE_PLAN_REGIONS.items():
            root = base / "examples" / name  # the repository's layout: source = "../../modules/..." resolves
            shutil.copytree(ROOT / "examples" / name, root, ignore=shutil.ignore_patterns(".terraform*"))
            run_terraform(["init", "-input=false"], root, env)
            plans[name] = base / f"{name}.plan.json"
            plans[name].write_text(json.dumps(plan_json(root, env, f"-var=region={region}")))
    return plans


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """moto with the SES emulator (tests/e2e/ses_emulator.py), credentials of account 123456789012 in
    ``REGION`` and no AWS configuration; yields ``boto3``. A role assumed through moto's STS acts in the
    role's account (its own SES, SSM and tags), as in AWS."""
    import boto3
    from moto import mock_aws

    from ses_guard_cli import status
    from tests.e2e import ses_emulator

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    ses_emulator.install()
    with mock_aws():
        monkeypatch.setattr(status, "sts_factory", lambda region: boto3.client("sts", region_name=region))
        yield boto3
