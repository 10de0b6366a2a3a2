"""The cdktf app and the common stack shape, from public names: one Region, one guard, one stack.

    app = new_app("cdktf.out")
    stack, guard = guarded_stack(app, "per-set", ReputationGuardProps(
        name_prefix="ses-guard-sets", notification_emails=["deliverability@example.com"]))
    app.synth()

``App`` and ``TerraformStack`` are the CDK's own classes (cdktf, or CDK Terrain: see ``_cdktf``),
re-exported so that callers never import the CDK or a private module for them. The version ranges
are what every ``GuardStack`` requires; an HCL rendering of a stack needs them too.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ses_reputation_guard._cdktf import App, TerraformStack
from ses_reputation_guard.guard_stack import (
    AWS_PROVIDER_VERSION_RANGE,
    TERRAFORM_VERSION_RANGE,
    GuardStack,
    GuardStackProps,
)
from ses_reputation_guard.reputation_guard import ReputationGuard, ReputationGuardProps

DEFAULT_REGION = "us-east-1"
"""Region of ``guarded_stack`` when none is given."""
GUARD_ID = "guard"
"""Construct id of the guard in its stack; it prefixes every Terraform address (``guard_...``)."""

__all__ = [
    "AWS_PROVIDER_VERSION_RANGE",
    "DEFAULT_REGION",
    "GUARD_ID",
    "TERRAFORM_VERSION_RANGE",
    "App",
    "GuardedStack",
    "TerraformStack",
    "guarded_stack",
    "new_app",
]


class GuardedStack(NamedTuple):
    """A stack and the one guard in it (a tuple: ``stack, guard = guarded_stack(...)``)."""

    stack: GuardStack
    guard: ReputationGuard


def new_app(outdir: str | Path | None = None) -> App:
    """A cdktf app that synthesizes into ``outdir``.

    Default None: the CDK's own choice, ``$CDKTF_OUTDIR`` (set by the cdktf CLI), else ``cdktf.out``
    in the working directory.
    """
    return App() if outdir is None else App(outdir=str(outdir))


def guarded_stack(
    app: App,
    stack_name: str,
    props: ReputationGuardProps,
    *,
    region: str = DEFAULT_REGION,
    assume_role_arn: str | None = None,
) -> GuardedStack:
    """A ``GuardStack`` named ``stack_name`` in ``region`` (default us-east-1) holding one
    ``ReputationGuard`` (id ``GUARD_ID``) built from ``props``; with ``assume_role_arn`` (default none) its
    provider assumes that role, deploying into the role's account (``GuardStackProps.assume_role_arn``).

    The stack reads its backend from the environment (``guard_stack.py``); an invalid ``props``
    raises ``GuardValidationError`` before the guard creates any resource.
    """
    stack = GuardStack(app, stack_name, GuardStackProps(region=region, assume_role_arn=assume_role_arn))
    return GuardedStack(stack, ReputationGuard(stack, GUARD_ID, props))
