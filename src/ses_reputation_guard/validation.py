"""Input validation shared by every construct: collect every problem, then raise once.

Every pattern, limit and rule sentence comes from ``ses_guard_policy.rules`` (shared with the
generated module's ``validation`` blocks and the function), so a bad value is refused with the same
words at synth time and at plan time. Values that are unresolved Terraform tokens (``${var.x}``,
cdktf token strings, numbers, lists or maps) are skipped: Terraform checks them at plan time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ses_guard_policy import rules
from ses_reputation_guard._cdktf import Token

# Re-exported for the module generator, which still imports them from here.
ALARM_STATISTICS = rules.ALARM_STATISTICS
LOG_RETENTION_DAYS = rules.LOG_RETENTION_DAYS
MAX_CONFIGURATION_SETS = rules.MAX_CONFIGURATION_SETS


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


def compiled(rule: rules.PatternRule) -> re.Pattern[str]:
    return re.compile(rule.pattern)


@dataclass
class Problems:
    """Accumulates problems so a caller sees all of them at once."""

    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self, subject: str) -> None:
        if self.items:
            raise GuardValidationError(subject, self.items)

    def ratio(self, name: str, value: float | None) -> None:
        if value is None:
            self.add(f"{name}=None: {rules.RATIO_RULE}")
            return
        if is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            self.add(f"{name}={value!r}: must be a number: {rules.RATIO_RULE}")
            return
        if not 0 < value < 1:
            hint = f" (did you mean {value / 100:g} for {value:g} %?)" if 1 <= value < 100 else ""
            self.add(f"{name}={value!r}: {rules.RATIO_RULE}{hint}")

    def warning_below_critical(self, subject: str, warning: float | None, critical: float | None) -> None:
        if warning is None or critical is None or is_token(warning) or is_token(critical):
            return
        if isinstance(warning, (int, float)) and isinstance(critical, (int, float)) and warning >= critical:
            self.add(f"{subject}: {rules.warning_below_critical(repr(warning), repr(critical))}")

    def choice(self, name: str, value: Any, choices: Iterable[Any]) -> None:
        options = tuple(choices)
        if is_token(value):
            return
        if value not in options:
            self.add(f"{name}={value!r}: {rules.one_of(options)}")

    def integer(self, name: str, value: int, *, minimum: int, maximum: int, multiple_of: int = 1) -> None:
        if is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.add(f"{name}={value!r}: {rules.whole_number(minimum, maximum)}")
        elif value % multiple_of:
            self.add(f"{name}={value!r}: {rules.multiple_of(multiple_of)}")

    def alarm_period(self, name: str, value: int) -> None:
        """A CloudWatch metric alarm's period in seconds (whole minutes within the allowed range)."""
        self.integer(
            name,
            value,
            minimum=rules.ALARM_PERIOD_SECONDS_MIN,
            maximum=rules.ALARM_PERIOD_SECONDS_MAX,
            multiple_of=rules.ALARM_PERIOD_SECONDS_MULTIPLE,
        )

    def pattern(self, name: str, value: str, rule: rules.PatternRule) -> None:
        if is_token(value):
            return
        if not isinstance(value, str) or not compiled(rule).fullmatch(value):
            self.add(f"{name}={value!r}: {rule.rule}")

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
        if len(tags) > rules.USER_TAGS_MAX:
            self.add(f"{name} has {len(tags)} tags: {rules.TAG_COUNT_RULE}")
        for key, value in tags.items():
            if (
                not isinstance(key, str)
                or not 1 <= len(key) <= rules.TAG_KEY_MAX_LENGTH
                or key.startswith(rules.TAG_RESERVED_PREFIX)
            ):
                self.add(f"{name} key {key!r}: {rules.TAG_KEY_RULE}")
            if (
                not isinstance(value, str)
                or len(value) > rules.TAG_VALUE_MAX_LENGTH
                or value.startswith(rules.TAG_RESERVED_PREFIX)
            ):
                self.add(f"{name}[{key!r}]={value!r}: {rules.TAG_VALUE_RULE}")
