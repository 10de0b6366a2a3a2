"""GuardStack: one AWS provider, a provider range both 5.100 and 6.x satisfy, a portable backend."""

from __future__ import annotations

import pytest

from ses_reputation_guard._cdktf import App, TerraformStack
from ses_reputation_guard.guard_stack import (
    AWS_PROVIDER_VERSION_RANGE,
    BackendConfigError,
    GuardStack,
    GuardStackProps,
    configure_backend,
)
from tests.constructs.support import synthesized


@pytest.fixture
def app(tmp_path) -> App:
    return App(outdir=str(tmp_path / "cdktf.out"))


def backend_of(app, environ) -> dict:
    stack = TerraformStack(app, "edge")
    configure_backend(stack, "edge", environ, region="eu-west-1")
    backend: dict = synthesized(stack)["terraform"]["backend"]
    return backend


def test_stack_has_one_provider_in_its_region_and_admits_provider_5_100_and_6(app):
    stack = GuardStack(app, "edge", GuardStackProps(region="eu-west-1", default_tags={"team": "mail"}))
    config = synthesized(stack)
    assert config["provider"]["aws"] == [{"region": "eu-west-1", "default_tags": [{"tags": {"team": "mail"}}]}]
    assert (
        config["terraform"]["required_providers"]["aws"]["version"] == AWS_PROVIDER_VERSION_RANGE == ">= 5.100, < 7.0"
    )


def test_local_state_lives_in_the_project_root_outside_the_regenerable_output(app):
    # relative to cdktf.out/stacks/<stack>: no machine path in the output
    assert backend_of(app, {}) == {"local": {"path": "../../../terraform.edge.tfstate"}}


def test_s3_state_is_encrypted_keyed_by_stack_and_locked_natively_without_a_table(app):
    backend = backend_of(app, {"SES_GUARD_BACKEND": "s3", "SES_GUARD_STATE_BUCKET": "state"})
    assert backend == {
        "s3": {
            "bucket": "state",
            "key": "ses-reputation-guard/edge.tfstate",
            "region": "eu-west-1",
            "encrypt": True,
            "use_lockfile": True,
        }
    }


def test_s3_state_can_use_a_lock_table_another_region_and_path_style_urls(app):
    backend = backend_of(
        app,
        {
            "SES_GUARD_BACKEND": "S3",
            "SES_GUARD_STATE_BUCKET": "state",
            "SES_GUARD_STATE_KEY_PREFIX": "/teams/mail/",
            "SES_GUARD_STATE_REGION": "us-west-2",
            "SES_GUARD_STATE_LOCK_TABLE": "locks",
            "SES_GUARD_STATE_PATH_STYLE": "true",
        },
    )["s3"]
    assert (backend["key"], backend["region"], backend["dynamodb_table"]) == (
        "teams/mail/edge.tfstate",
        "us-west-2",
        "locks",
    )
    assert backend["use_path_style"] is True and "use_lockfile" not in backend


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SES_GUARD_BACKEND": "consul"}, "SES_GUARD_BACKEND='consul': must be 'local' or 's3'"),
        ({"SES_GUARD_BACKEND": "s3"}, "SES_GUARD_BACKEND=s3 needs SES_GUARD_STATE_BUCKET"),
    ],
)
def test_a_misconfigured_backend_is_refused_with_the_variable_to_fix(app, environ, message):
    with pytest.raises(BackendConfigError, match=message):
        configure_backend(TerraformStack(app, "edge"), "edge", environ)


def test_a_stack_can_deploy_into_another_account_through_a_role_its_provider_assumes(app):
    arn = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"
    stack = GuardStack(app, "member", GuardStackProps(region="eu-west-1", assume_role_arn=arn))
    assert synthesized(stack)["provider"]["aws"] == [{"region": "eu-west-1", "assume_role": [{"role_arn": arn}]}]


def test_without_a_role_to_assume_the_provider_has_no_assume_role_block(app):
    stack = GuardStack(app, "edge", GuardStackProps(region="eu-west-1"))
    assert synthesized(stack)["provider"]["aws"] == [{"region": "eu-west-1"}]
