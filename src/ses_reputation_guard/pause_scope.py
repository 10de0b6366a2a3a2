"""Which configuration sets the pause function may pause: a scope the user chose, never a silent widening.

``ReputationGuardProps.pause_scope`` (rules and sentences in ``ses_guard_policy.rules``):

- ``listed`` (default): one ARN per set whose action is ``pause``. IAM holds a role's inline policies
  to 10,240 characters, so the names (plus 69 characters per ARN) must total at most
  ``limits.SET_ARNS_CHARS_MAX``, about 85 sets of 15-character names; beyond that synth (and the
  module's plan) refuse, naming the two other scopes.
- ``tagged``: any set of this account and Region tagged ``ses-reputation-guard:guard = <name_prefix>``
  and ``ses-reputation-guard:action = pause``. Managed sets carry both tags; tag an existing set
  yourself (``aws sesv2 tag-resource``), or its pause is refused by IAM (and the function's error
  alarm tells people).
- ``name-pattern:<pattern>``: the sets whose names match (IAM wildcards ``*`` and ``?``), for example
  ``name-pattern:tenant-*``. Every pausing set must match, and notify-only sets the pattern covers
  are denied by name.

Whatever the scope, IAM refuses to pause a set tagged ``ses-reputation-guard:action = notify``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ses_guard_policy import limits, rules
from ses_reputation_guard.validation import Problems, is_token


def is_name_pattern(scope: str) -> bool:
    return not is_token(scope) and scope.startswith(rules.PAUSE_SCOPE_NAME_PATTERN)


def name_pattern(scope: str) -> str:
    """``tenant-*`` of ``name-pattern:tenant-*``."""
    return scope.removeprefix(rules.PAUSE_SCOPE_NAME_PATTERN)


glob_regex = rules.glob_regex


def covered(names: Sequence[str], scope: str) -> list[str]:
    """The names a ``name-pattern:`` scope covers (none for the other scopes)."""
    if not is_name_pattern(scope):
        return []
    missed = set(rules.PAUSE_SCOPE_COVERAGE.missed(scope, names))
    return [name for name in names if name not in missed]


def collect_problems(scope: str, pausing: Sequence[str] | None, notify_only: Sequence[str], problems: Problems) -> None:
    """The scope's own form, and, when the sets are known (``pausing`` not None), whether it fits them."""
    if is_token(scope):
        return
    if not rules.PAUSE_SCOPE.check(scope):
        problems.pattern("pause_scope", scope, rules.PAUSE_SCOPE)
        return
    if not rules.PAUSE_SCOPE_LITERAL.check(scope):
        problems.add(f"pause_scope={scope!r}: {rules.PAUSE_SCOPE_LITERAL.sentence}")
        return
    if pausing is None:
        return
    budget = limits.SET_ARNS_BUDGET
    if scope == rules.PAUSE_SCOPE_LISTED and not budget.check(list(pausing)):
        problems.add(
            f"pause_scope='listed' with {len(pausing)} pausing sets takes {budget.cost(list(pausing))} "
            f"characters: {budget.sentence}"
        )
    missed = rules.PAUSE_SCOPE_COVERAGE.missed(scope, pausing)
    if missed:
        problems.add(f"pause_scope={scope!r} leaves out {missed!r}: {rules.PAUSE_SCOPE_COVERAGE.sentence}")
    denied = covered(notify_only, scope)
    if not budget.check(denied):
        problems.add(
            f"pause_scope={scope!r} covers {len(denied)} notify-only sets, denied by name in "
            f"{budget.cost(denied)} characters: {budget.sentence}"
        )


# --- HCL (no ``${}``), for a scope or sets known only at plan time ---------------------------------
def scope_is_pattern_hcl(scope: str) -> str:
    """``scope`` is an HCL expression of the scope string."""
    return f'startswith({scope}, "{rules.PAUSE_SCOPE_NAME_PATTERN}")'


def pattern_regex_hcl(scope: str) -> str:
    """The anchored regex of the name pattern in ``scope`` (``glob_regex`` at plan time)."""
    pattern = f'trimprefix({scope}, "{rules.PAUSE_SCOPE_NAME_PATTERN}")'
    return f'"^${{replace(replace({pattern}, "*", ".*"), "?", ".")}}$"'


def arns_chars_hcl(names: str) -> str:
    """Characters the ARNs of the list ``names`` take in a policy (``limits.SET_ARNS_BUDGET.cost``)."""
    return f'length(join("", {names})) + {limits.SET_ARNS_BUDGET.per_item} * length({names})'
