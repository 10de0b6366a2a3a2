"""ManagedConfigurationSets: the SES configuration sets the guard creates, reputation metrics on.

Sending status is deliberately not managed: the Lambda pauses sets through the API, and a later
``terraform apply`` must not re-enable them (``ignore_changes = [sending_options]``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_guard_lambda import contract
from ses_reputation_guard._cdktf import (
    Construct,
    Sesv2ConfigurationSet,
    Sesv2ReputationOptions,
    TerraformIterator,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import TerraformExpression


@dataclass(frozen=True)
class ManagedConfigurationSetsProps:
    managed_sets: TerraformExpression
    """Map of set name => normalized record (``action`` at least) of the sets to create."""


class ManagedConfigurationSets(Construct):
    """``aws_sesv2_configuration_set.<prefix>_configuration_sets``, ``for_each`` keyed by set name."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: ManagedConfigurationSetsProps
    ) -> None:
        super().__init__(scope, construct_id)
        self.context = context
        self.props = props
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
            lifecycle=TerraformResourceLifecycle(ignore_changes=["sending_options"]),
        )
