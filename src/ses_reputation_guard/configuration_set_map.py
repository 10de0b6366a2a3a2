"""ConfigurationSetMap: the views of the per-set policy map that the per-set resources iterate over.

The map itself (set name => normalized record, see ``policy.normalized_set_record``) is a Terraform
expression: a stack reads it from a file it ships, the generated module builds it from its variable.
Every view is a ``locals`` value, so each set-dependent resource is one ``for_each`` block whatever
the number of sets.
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_guard_lambda import contract
from ses_reputation_guard._cdktf import Construct
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import TerraformExpression

# IAM policies are size-limited: past this many pausing sets the function may pause any set of this
# account and Region (the alarm tags and the notify-only Deny still decide which).
SET_ARN_WILDCARD_THRESHOLD = 50


@dataclass(frozen=True)
class ConfigurationSetMapProps:
    sets: TerraformExpression
    """The normalized set map."""


class ConfigurationSetMap(Construct):
    """``all`` (the map), ``warning`` and ``managed`` (filtered maps), ``pausing_names`` and
    ``pausing_arns`` (lists): expressions of locals named ``<prefix>_<view>``."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: ConfigurationSetMapProps
    ) -> None:
        super().__init__(scope, construct_id)
        self.context = context
        self.props = props
        sets = props.sets.text
        self.all = props.sets
        arn_prefix = context.local(self, "configuration_set_arn_prefix", context.arn("ses", "configuration-set/"))
        self.warning = context.local(
            self, "warning_sets", f"${{{{for name, s in {sets} : name => s if s.warning_alarms}}}}"
        )
        self.managed = context.local(self, "managed_sets", f"${{{{for name, s in {sets} : name => s if s.managed}}}}")
        self.pausing_names = context.local(
            self, "pausing_set_names", f'${{[for name, s in {sets} : name if s.action == "{contract.ACTION_PAUSE}"]}}'
        )
        names, prefix = self.pausing_names.text, arn_prefix.interpolated
        self.pausing_arns = context.local(
            self,
            "pausing_set_arns",
            f"${{length({names}) > {SET_ARN_WILDCARD_THRESHOLD} ? "
            f'["{prefix}*"] : [for name in {names} : "{prefix}${{name}}"]}}',
        )
