"""ManagedConfigurationSets: the SES configuration sets the guard creates, reputation metrics on.

Sending status is deliberately not managed: the Lambda pauses sets through the API, and a later
``terraform apply`` must not re-enable them (``ignore_changes = [sending_options]``), nor remove the
tags the function writes when it pauses one (``contract.PAUSE_TAG_KEYS``).

No surprise destroys: every send that names a deleted configuration set fails, so by default the
block carries ``prevent_destroy``. A plan that would delete a managed set (the set removed from the
map, flipped to ``managed = False``, or ``destroy``) then stops with "Instance cannot be destroyed"
and changes nothing. To stop managing a set but keep it, forget it first:
``terraform state rm 'aws_sesv2_configuration_set.<prefix>_configuration_sets["<name>"]'``. To delete
sets on purpose, opt in with ``allow_deletion`` (``ReputationGuardProps.allow_configuration_set_deletion``)
for that one deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import (
    Construct,
    Sesv2ConfigurationSet,
    Sesv2ReputationOptions,
    TerraformIterator,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import TerraformExpression

NO_SETS = TerraformExpression("{}")
"""For a guard without sets that still protects the sets it created before (the block stays)."""


@dataclass(frozen=True)
class ManagedConfigurationSetsProps:
    managed_sets: TerraformExpression
    """Map of set name => normalized record (``action`` at least) of the sets to create."""
    allow_deletion: bool = False
    """True: Terraform may delete a managed set. Default False (``prevent_destroy``)."""


class ManagedConfigurationSets(GuardChild[ManagedConfigurationSetsProps]):
    """``aws_sesv2_configuration_set.<prefix>_configuration_sets``, ``for_each`` keyed by set name."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: ManagedConfigurationSetsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        sets = TerraformIterator.from_map(Token.as_any_map(props.managed_sets.interpolated))
        self.configuration_sets = context.create(
            self,
            Sesv2ConfigurationSet,
            "configuration_sets",
            for_each=sets,
            configuration_set_name=sets.key,
            reputation_options=Sesv2ReputationOptions(reputation_metrics_enabled=True),
            # The action tag lets IAM refuse to pause a notify-only set (see FunctionRole).
            tags=context.tags_with(
                {contract.TAG_GUARD: context.name_prefix, contract.TAG_ACTION: sets.get_string("action")}
            ),
            lifecycle=TerraformResourceLifecycle(
                # The function tags what it pauses (`ses-guard status` finds them): apply keeps those tags.
                ignore_changes=["sending_options", *(f'tags["{key}"]' for key in contract.PAUSE_TAG_KEYS)],
                prevent_destroy=not props.allow_deletion,
            ),
        )
