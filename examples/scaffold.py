"""What every example stack shares: one guard per stack, the project's tags, the operator's opt-in.

    def build(app: App) -> list[GuardStack]:
        return [example_stack(app, "per-set", ReputationGuardProps(
            name_prefix="ses-guard-sets", notification_emails=["deliverability@example.com"]))]

builds the stack ``per-set`` (``guarded_stack``: one ``ReputationGuard`` in us-east-1) whose
resources are tagged ``project = ses-reputation-guard`` and ``example = per-set``, and whose managed
configuration sets may be deleted only with ``SES_GUARD_ALLOW_CONFIGURATION_SET_DELETION=true``
(``opt_in.py``).
"""

from __future__ import annotations

from dataclasses import replace

from examples.opt_in import configuration_set_deletion_allowed
from ses_reputation_guard import DEFAULT_REGION, App, GuardStack, ReputationGuardProps, guarded_stack

PROJECT = "ses-reputation-guard"
"""The ``project`` tag of every example's resources."""


def example_stack(
    app: App, stack_name: str, props: ReputationGuardProps, *, example: str = "", region: str = DEFAULT_REGION
) -> GuardStack:
    """The stack ``stack_name`` in ``region`` (default us-east-1) guarded by ``props``, plus:

    - tags ``project`` and ``example`` (``example``, default the stack name) before ``props.tags``;
    - ``allow_configuration_set_deletion`` from the environment, never from ``props``.
    """
    props = replace(
        props,
        tags={"project": PROJECT, "example": example or stack_name, **props.tags},
        allow_configuration_set_deletion=configuration_set_deletion_allowed(),
    )
    return guarded_stack(app, stack_name, props, region=region).stack
