"""Input validation shared by every construct: collect every problem, then raise once.

Every pattern, limit and rule sentence comes from ``ses_guard_policy.rules`` (shared with the
generated module's ``validation`` blocks and the function), so a bad value is refused with the same
words at synth time and at plan time. Values that are unresolved Terraform tokens (``${var.x}``,
cdktf token strings, numbers, lists or maps) are skipped: Terraform checks them at plan time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ses_guard_policy import rules
from ses_reputation_guard._cdktf import Token


class GuardValidationError(ValueError):
    """Raised with every problem found in a set of props, one per line."""

    def __init__(self, subject: str, problems: list[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{subject}: {len(problems)} invalid value(s):\n{lines}")


# cdktf encodes number tokens as huge negative doubles (about -1.8e289); plain values never get there.
_NUMBER_TOKEN_CEILING = -1e280


def is_token(value: object) -> bool:
    """True for values Terraform resolves later (cdktf tokens or ``${...}`` expressions).

    Decided in Python where possible: a jsii round trip per value would dominate synth time at
    10,000 configuration sets.
    """
    if isinstance(value, str):
        return "${" in value  # cdktf string tokens render as ${TfToken[...]}
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        # NaN and infinities are never tokens (and jsii cannot serialize them).
        return math.isfinite(value) and value <= _NUMBER_TOKEN_CEILING and Token.is_unresolved(value)
    if isinstance(value, (list, tuple)):
        return bool(value) and bool(Token.is_unresolved(list(value)))
    if isinstance(value, Mapping):
        return bool(value) and bool(Token.is_unresolved(dict(value)))
    # An IResolvable (what Token.as_any returns) is a jsii object; plain Python objects never are tokens.
    return hasattr(value, "__jsii_ref__") and bool(Token.is_unresolved(value))


@dataclass
class Problems:
    """Accumulates problems so a caller sees all of them at once."""

    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self, subject: str) -> None:
        if self.items:
            raise GuardValidationError(subject, self.items)

    @classmethod
    def refuse(cls, subject: str, *collectors: Callable[[Problems], None]) -> None:
        """Raise with every problem the ``collectors`` record (a construct calls it before creating
        anything, so nothing is half-built)."""
        problems = cls()
        for collect in collectors:
            collect(problems)
        problems.raise_if_any(subject)

    def ratio(self, name: str, value: float | None) -> None:
        if value is None:
            self.add(f"{name}=None: {rules.RATIO_RULE}")
            return
        if is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            self.add(f"{name}={value!r}: must be a number: {rules.RATIO_RULE}")
            return
        if not rules.RATIO.check(value):
            hint = f" (did you mean {value / 100:g} for {value:g} %?)" if 1 <= value < 100 else ""
            self.add(f"{name}={value!r}: {rules.RATIO_RULE}{hint}")

    def aws_levels(self, name: str, threshold: str, value: Any, review_level_acknowledged: Any = False) -> None:
        """``value`` of the threshold ``threshold`` (``bounce_critical``...) below AWS's pause level, and below
        its review level unless ``review_level_acknowledged``; one problem per value, naming the probable
        percentage. A value that is no ratio is ``ratio``'s to report; a token (value or flag) Terraform's."""
        if is_token(value) or not rules.RATIO.check(value):
            return
        for level in (rules.AWS_PAUSE_LEVEL, rules.AWS_REVIEW_LEVEL):  # the pause level first: one problem
            if level.acknowledgement is not None and is_token(review_level_acknowledged):
                continue
            if not level.check(threshold, value, acknowledged=bool(review_level_acknowledged)):
                self.add(f"{name}={value!r}: {level.explain(threshold, value)}")
                return

    def warning_below_critical(self, subject: str, warning: float | None, critical: float | None) -> None:
        if warning is None or critical is None or is_token(warning) or is_token(critical):
            return
        numbers = isinstance(warning, (int, float)) and isinstance(critical, (int, float))
        if numbers and not rules.WARNING_BELOW_CRITICAL.check(warning, critical):
            self.add(f"{subject}: {rules.warning_below_critical(repr(warning), repr(critical))}")

    def check(self, name: str, value: Any, rule: rules.ChoiceRule | rules.PatternRule) -> None:
        """``value`` follows ``rule`` (a token is Terraform's to check at plan time)."""
        if not is_token(value) and not rule.check(value):
            self.add(f"{name}={value!r}: {rule.sentence}")

    choice = pattern = check

    def whole_number(self, name: str, value: int, rule: rules.WholeNumberRule) -> None:
        """A whole number of ``rule``'s range, then a multiple of its step (a Python ``int``, never a float)."""
        if is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, int) or not rule.in_range(value):
            self.add(f"{name}={value!r}: {rule.sentence}")
        elif not rule.check(value):
            self.add(f"{name}={value!r}: {rule.step_sentence}")

    def each_pattern(self, name: str, values: Iterable[str], rule: rules.PatternRule) -> None:
        """Every item of a list matches ``rule``, no item twice (a token list is skipped)."""
        if is_token(values):
            return
        seen: set[str] = set()
        for value in values:
            self.pattern(f"{name} item", value, rule)
            if value in seen:
                self.add(f"{name} lists {value!r} more than once")
            seen.add(value)

    def tags(self, name: str, tags: Mapping[str, str]) -> None:
        """AWS tag rules, with room left on every alarm for the guard's own tags."""
        if is_token(tags):
            return
        if not rules.TAG_COUNT.check(dict(tags)):
            self.add(f"{name} has {len(tags)} tags: {rules.TAG_COUNT.sentence}")
        for key, value in tags.items():
            if not rules.TAG_KEY.check(key):
                self.add(f"{name} key {key!r}: {rules.TAG_KEY.sentence}")
            if not rules.TAG_VALUE.check(value):
                self.add(f"{name}[{key!r}]={value!r}: {rules.TAG_VALUE.sentence}")
