"""ConfigurationSetMap: the views of the per-set policy map that the per-set resources iterate over.

The map itself (set name => normalized record, see ``policy.normalized_set_record``) is a Terraform
expression: a stack reads it from a file it ships, the generated module builds it from its variable.
Every view is a ``locals`` value, so each set-dependent resource is one ``for_each`` block whatever
the number of sets. When the sets or the pause scope are known only at plan time, ``checks`` holds
the plan-time form of the scope's rules (``pause_scope.py``) for the policy that grants pausing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ses_guard_policy import contract, limits, rules
from ses_reputation_guard._cdktf import Construct, Precondition
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.pause_scope import (
    arns_chars_hcl,
    glob_regex,
    is_name_pattern,
    name_pattern,
    pattern_regex_hcl,
    scope_is_pattern_hcl,
)


@dataclass(frozen=True)
class ConfigurationSetMapProps:
    sets: TerraformExpression
    """The normalized set map."""
    pause_scope: str | TerraformExpression = rules.PAUSE_SCOPE_LISTED
    """Which sets the function may pause (``pause_scope.py``), or an expression of it. Default listed."""
    check_at_plan: bool = False
    """Also check the scope against the sets at plan time (sets or scope unknown at synth). Default False."""


class ConfigurationSetMap(GuardChild[ConfigurationSetMapProps]):
    """``all`` (the map), ``warning`` and ``managed`` (filtered maps), ``pausing_names`` and
    ``pausing_arns`` (lists), ``notify_only_arns_in_scope`` (notify-only sets a name pattern covers,
    or None): expressions of locals named ``<prefix>_<view>``."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: ConfigurationSetMapProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        sets = props.sets.text
        self.all = props.sets
        self.arn_prefix = context.local(self, "configuration_set_arn_prefix", context.arn("ses", "configuration-set/"))
        self.warning = context.local(
            self, "warning_sets", f"${{{{for name, s in {sets} : name => s if s.warning_alarms}}}}"
        )
        self.managed = context.local(self, "managed_sets", f"${{{{for name, s in {sets} : name => s if s.managed}}}}")
        self.pausing_names = context.local(
            self, "pausing_set_names", f'${{[for name, s in {sets} : name if s.action == "{contract.ACTION_PAUSE}"]}}'
        )
        self.pausing_arns = context.local(self, "pausing_set_arns", f"${{{self._arns(self.pausing_names.text)}}}")
        self.scope = self._scope()
        self.notify_only_names_in_scope = self._notify_only_names_in_scope()
        self.notify_only_arns_in_scope = (
            context.local(
                self, "notify_only_set_arns_in_scope", f"${{{self._arns(self.notify_only_names_in_scope.text)}}}"
            )
            if self.notify_only_names_in_scope is not None
            else None
        )
        self.checks = self._checks() if props.check_at_plan else []

    def _arns(self, names: str) -> str:
        return f'[for name in {names} : "{self.arn_prefix.interpolated}${{name}}"]'

    def _scope(self) -> str:
        """The scope as HCL: a string literal or the expression."""
        scope = self.props.pause_scope
        return scope.text if isinstance(scope, TerraformExpression) else f'"{scope}"'

    def _pattern_regex(self) -> str:
        """HCL string of the scope's name pattern as a regex."""
        scope = self.props.pause_scope
        if isinstance(scope, TerraformExpression):
            return pattern_regex_hcl(self.scope)
        return f'"{glob_regex(name_pattern(scope))}"'

    def _notify_only_names_in_scope(self) -> TerraformExpression | None:
        """Notify-only sets a ``name-pattern:`` scope covers (denied by name); None when it cannot apply."""
        scope = self.props.pause_scope
        planned = isinstance(scope, TerraformExpression)
        if not isinstance(scope, TerraformExpression) and not is_name_pattern(scope):
            return None
        covered = (
            f'[for name, s in {self.props.sets.text} : name if s.action == "{contract.ACTION_NOTIFY}" '
            f"&& can(regex({self._pattern_regex()}, name))]"
        )
        if planned:
            covered = f"{scope_is_pattern_hcl(self.scope)} ? {covered} : []"
        return self.context.local(self, "notify_only_set_names_in_scope", f"${{{covered}}}")

    def _checks(self) -> list[Precondition]:
        """The scope's rules at plan time, for the policy that grants pausing (``pause_scope.py``)."""
        scope = self.props.pause_scope
        planned = isinstance(scope, TerraformExpression)
        names, budget = self.pausing_names.text, limits.SET_ARNS_CHARS_MAX
        checks = []
        if planned or scope == rules.PAUSE_SCOPE_LISTED:
            checks.append(
                _check(
                    f'{self.scope} == "{rules.PAUSE_SCOPE_LISTED}"' if planned else None,
                    f"{arns_chars_hcl(names)} <= {budget}",
                    # no double quotes outside ${}: cdktf's HCL rendering does not escape them
                    f"pause_scope 'listed' with ${{length({names})}} pausing sets takes "
                    f"${{{arns_chars_hcl(names)}}} characters: {limits.SET_ARNS_BUDGET_RULE}.",
                )
            )
        if self.notify_only_names_in_scope is not None:
            denied = self.notify_only_names_in_scope.text
            missed = f"[for name in {names} : name if !can(regex({self._pattern_regex()}, name))]"
            checks.append(
                _check(
                    scope_is_pattern_hcl(self.scope) if planned else None,
                    f"length({missed}) == 0",
                    f"pause_scope ${{{self.scope}}} leaves out ${{jsonencode({missed})}}: "
                    f"{rules.PAUSE_SCOPE_COVERAGE_RULE}.",
                )
            )
            checks.append(
                _check(
                    None,
                    f"{arns_chars_hcl(denied)} <= {budget}",
                    f"pause_scope ${{{self.scope}}} covers ${{length({denied})}} notify-only sets, denied by name "
                    f"in ${{{arns_chars_hcl(denied)}}} characters: {limits.SET_ARNS_BUDGET_RULE}.",
                )
            )
        return checks


def _check(when: str | None, condition: str, message: str) -> Precondition:
    """A plan-time check of ``condition`` (HCL), only where ``when`` (HCL) holds, if given."""
    full = f"!({when}) || ({condition})" if when else condition
    return Precondition(condition=f"${{{full}}}", error_message=message)
