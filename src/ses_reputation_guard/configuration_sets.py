"""ManagedConfigurationSets: the SES configuration sets the guard creates, reputation metrics on.

Sending status is deliberately not managed: the Lambda pauses sets through the API, and a later
``terraform apply`` must not re-enable them (``ignore_changes = [sending_options]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_lambda import contract
from ses_reputation_guard._cdktf import (
    Construct,
    Sesv2ConfigurationSet,
    Sesv2ReputationOptions,
    TerraformIterator,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.expressions import merged_tags
from ses_reputation_guard.naming import named


@dataclass(frozen=True)
class ManagedConfigurationSetsProps:
    resource_prefix: str
    managed_sets_expression: str
    """Terraform expression (no ``${}``) of the normalized set map filtered to ``managed`` sets."""
    tags: Any
    name_prefix: str
    """The guard that manages the sets (tag ``ses-reputation-guard:guard``)."""


class ManagedConfigurationSets(Construct):
    """``aws_sesv2_configuration_set`` for each managed set, keyed by set name."""

    def __init__(self, scope: Construct, construct_id: str, props: ManagedConfigurationSetsProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        sets = TerraformIterator.from_map(Token.as_any_map(f"${{{props.managed_sets_expression}}}"))
        self.configuration_sets = named(
            Sesv2ConfigurationSet(
                self,
                "sets",
                for_each=sets,
                configuration_set_name=sets.key,
                reputation_options=Sesv2ReputationOptions(reputation_metrics_enabled=True),
                # The action tag lets IAM refuse to pause a notify-only set (see PauseFunction).
                tags=merged_tags(
                    props.tags,
                    {contract.TAG_GUARD: props.name_prefix, contract.TAG_ACTION: sets.get_string("action")},
                ),
                lifecycle=TerraformResourceLifecycle(ignore_changes=["sending_options"]),
            ),
            props.resource_prefix,
            "configuration_sets",
        )
