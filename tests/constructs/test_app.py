"""app.py: the cdktf app and a stack holding one guard, from public names only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ses_reputation_guard
from ses_reputation_guard import (
    DEFAULT_REGION,
    GUARD_ID,
    GuardStack,
    GuardValidationError,
    ReputationGuard,
    ReputationGuardProps,
    TerraformStack,
    _cdktf,
    guard_stack,
    guarded_stack,
    new_app,
)
from tests.constructs.support import synthesized

PROPS = ReputationGuardProps(name_prefix="app-guard", notification_emails=["ops@example.com"])


@pytest.fixture(autouse=True)
def local_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    """GuardStack reads its backend from the environment: these tests expect the default."""
    monkeypatch.delenv("SES_GUARD_BACKEND", raising=False)


def test_the_public_app_and_stack_are_the_cdks_own_classes() -> None:
    assert (ses_reputation_guard.App, TerraformStack) == (_cdktf.App, _cdktf.TerraformStack)


def test_the_public_version_ranges_are_the_ones_every_guard_stack_requires() -> None:
    assert ses_reputation_guard.AWS_PROVIDER_VERSION_RANGE == guard_stack.AWS_PROVIDER_VERSION_RANGE
    assert ses_reputation_guard.TERRAFORM_VERSION_RANGE == guard_stack.TERRAFORM_VERSION_RANGE


@pytest.mark.parametrize("as_text", [False, True], ids=["path", "str"])
def test_an_app_synthesizes_into_the_folder_it_was_given(tmp_path: Path, as_text: bool) -> None:
    outdir = tmp_path / "out"
    app = new_app(str(outdir) if as_text else outdir)
    TerraformStack(app, "tiny")
    app.synth()
    assert (outdir / "stacks" / "tiny" / "cdk.tf.json").is_file()


def test_an_app_without_a_folder_writes_where_the_cdktf_cli_says(tmp_path: Path) -> None:
    # The CDK reads CDKTF_OUTDIR in its Node process, started once per Python process: ask a new one.
    outdir = tmp_path / "from-cli"
    shown = subprocess.run(
        [sys.executable, "-c", "from ses_reputation_guard import new_app; print(new_app().outdir)"],
        env={**os.environ, "CDKTF_OUTDIR": str(outdir)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == str(outdir)


def test_a_guarded_stack_holds_one_guard_with_the_given_props_in_the_given_region(tmp_path: Path) -> None:
    stack, guard = guarded_stack(new_app(tmp_path), "edge", PROPS, region="eu-west-1")
    assert isinstance(stack, GuardStack) and isinstance(guard, ReputationGuard)
    assert (stack.node.id, stack.props.region) == ("edge", "eu-west-1")
    assert (guard.node.id, guard.node.scope, guard.props) == (GUARD_ID, stack, PROPS)
    config = synthesized(stack)
    assert config["provider"]["aws"] == [{"region": "eu-west-1"}]
    assert config["terraform"]["backend"] == {"local": {"path": "../../../terraform.edge.tfstate"}}
    assert config["resource"]["aws_sns_topic"]["guard_notifications_topic"]["name"] == "app-guard-notifications"


def test_a_guarded_stack_is_in_us_east_1_unless_told_otherwise(tmp_path: Path) -> None:
    guarded = guarded_stack(new_app(tmp_path), "default-region", PROPS)
    assert guarded.stack.props.region == DEFAULT_REGION == "us-east-1"


def test_invalid_props_are_refused_before_the_guard_creates_anything(tmp_path: Path) -> None:
    app = new_app(tmp_path)
    with pytest.raises(GuardValidationError, match="name_prefix"):
        guarded_stack(
            app, "invalid", ReputationGuardProps(name_prefix="Bad_Prefix", notification_emails=["ops@example.com"])
        )
    guard = app.node.find_child("invalid").node.find_child(GUARD_ID)
    assert guard.node.children == []
