"""GuardStack: a cdktf stack with the AWS provider, a portable backend and a provider version range.

Backend: local by default (a relative state path, so generated files carry no machine paths).
Teams switch to S3 with state locking through the environment, with no code change:

| variable | meaning |
| --- | --- |
| ``SES_GUARD_BACKEND`` | ``local`` (default) or ``s3`` |
| ``SES_GUARD_STATE_BUCKET`` | S3 bucket for state (required for ``s3``) |
| ``SES_GUARD_STATE_KEY_PREFIX`` | key is ``<prefix>/<stack>.tfstate``; default ``ses-reputation-guard`` |
| ``SES_GUARD_STATE_REGION`` | bucket Region. Default: the stack's Region |
| ``SES_GUARD_STATE_LOCK_TABLE`` | DynamoDB lock table; without it, S3 native locking (``use_lockfile``) |
| ``SES_GUARD_STATE_PATH_STYLE`` | ``true`` for path-style S3 URLs (S3-compatible endpoints, emulators) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ses_reputation_guard._cdktf import AwsProvider, Construct, LocalBackend, S3Backend, TerraformStack

# The prebuilt bindings pin the provider to exactly 6.25.0; the module and stacks use only
# arguments that 5.100 also knows, and admit both (an offline mirror may hold 5.100).
AWS_PROVIDER_VERSION_RANGE = ">= 5.100, < 7.0"
TERRAFORM_VERSION_RANGE = ">= 1.5"


class BackendConfigError(ValueError):
    pass


@dataclass(frozen=True)
class GuardStackProps:
    region: str
    """AWS Region of the guard (SES reputation is regional)."""
    default_tags: Mapping[str, str] = field(default_factory=dict)
    """Provider ``default_tags``. Default none."""
    provider_alias: str | None = None
    """Alias of the provider, for stacks with several Regions. Default none."""
    assume_role_arn: str | None = None
    """A role the provider assumes (its ``assume_role`` block), so the stack deploys into that role's
    account: the AWS Organizations pattern, ``arn:aws:iam::<member>:role/OrganizationAccountAccessRole``
    from the management account's credentials (docs/organization.md). Default none (the credentials'
    own account)."""


def configure_backend(
    stack: TerraformStack, stack_name: str, environ: Mapping[str, str] | None = None, *, region: str | None = None
) -> None:
    """Local backend unless ``SES_GUARD_BACKEND=s3`` (see module docstring)."""
    env = os.environ if environ is None else environ
    kind = env.get("SES_GUARD_BACKEND", "local").strip().lower()
    if kind == "local":
        # Relative to the stack folder (cdktf.out/stacks/<stack>): the project root, where cdktf keeps
        # state by default, so deleting the regenerable cdktf.out never loses state.
        LocalBackend(stack, path=f"../../../terraform.{stack_name}.tfstate")
        return
    if kind != "s3":
        raise BackendConfigError(f"SES_GUARD_BACKEND={kind!r}: must be 'local' or 's3'")
    bucket = env.get("SES_GUARD_STATE_BUCKET", "")
    if not bucket:
        raise BackendConfigError("SES_GUARD_BACKEND=s3 needs SES_GUARD_STATE_BUCKET (the state bucket name)")
    prefix = env.get("SES_GUARD_STATE_KEY_PREFIX", "ses-reputation-guard").strip("/")
    lock_table = env.get("SES_GUARD_STATE_LOCK_TABLE")
    backend = S3Backend(
        stack,
        bucket=bucket,
        key=f"{prefix}/{stack_name}.tfstate",
        region=env.get("SES_GUARD_STATE_REGION") or region or env.get("AWS_REGION") or "us-east-1",
        encrypt=True,
        dynamodb_table=lock_table or None,
        use_path_style=env.get("SES_GUARD_STATE_PATH_STYLE", "").lower() == "true" or None,
    )
    if not lock_table:
        # S3 native locking (Terraform >= 1.10); not in the 0.21 bindings, hence the override.
        backend.add_override("use_lockfile", True)


class GuardStack(TerraformStack):
    """A stack with one AWS provider (``self.provider``) and the backend chosen by the environment."""

    def __init__(self, scope: Construct, stack_name: str, props: GuardStackProps) -> None:
        super().__init__(scope, stack_name)
        self.props = props
        self.provider = AwsProvider(
            self,
            "aws",
            region=props.region,
            alias=props.provider_alias,
            default_tags=[{"tags": dict(props.default_tags)}] if props.default_tags else None,
            # a struct given as a dict is keyed by its jsii (camelCase) names: the block's role_arn
            assume_role=[{"roleArn": props.assume_role_arn}] if props.assume_role_arn else None,
        )
        configure_backend(self, stack_name, region=props.region)
        self.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION_RANGE)
        # No required_version here: checkov's terraform_json parser fails on a string in the
        # terraform block. The HCL rendering and the module's versions.tf carry it.
