"""Input validation shared by every construct: collect every problem, then raise once.

Values that are unresolved Terraform tokens (``${var.x}``, cdktf token strings or numbers) are
skipped: Terraform's own ``validation`` blocks check them at plan time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ses_guard_lambda import contract, rules
from ses_reputation_guard._cdktf import Token

# Every pattern and limit lives in ses_guard_lambda.rules (shared with the module and the function).
CONFIGURATION_SET_NAME_PATTERN = re.compile(rules.CONFIGURATION_SET_NAME.pattern)
CONFIGURATION_SET_NAME_RULE = rules.CONFIGURATION_SET_NAME.rule
MAX_CONFIGURATION_SETS = rules.MAX_CONFIGURATION_SETS
EMAIL_PATTERN = re.compile(rules.EMAIL.pattern)
E164_PATTERN = re.compile(rules.E164_PHONE_NUMBER.pattern)
NAME_PREFIX_PATTERN = re.compile(rules.NAME_PREFIX.pattern)
ACTIONS = contract.ACTIONS
LOG_RETENTION_DAYS = rules.LOG_RETENTION_DAYS
ALARM_STATISTICS = rules.ALARM_STATISTICS


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
        return Token.is_unresolved(value)
    return False


@dataclass
class Problems:
    """Accumulates problems so a caller sees all of them at once."""

    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self, subject: str) -> None:
        if self.items:
            raise GuardValidationError(subject, self.items)

    def ratio(self, name: str, value: float | None, *, allow_none: bool = False) -> None:
        if value is None:
            if not allow_none:
                self.add(f"{name}=None: a ratio in (0, 1) is required")
            return
        if is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            self.add(f"{name}={value!r}: must be a number (a ratio in (0, 1))")
            return
        if not 0 < value < 1:
            hint = f" (did you mean {value / 100:g} for {value:g} %?)" if 1 <= value < 100 else ""
            self.add(f"{name}={value!r}: must be a ratio strictly between 0 and 1, not a percentage{hint}")

    def warning_below_critical(self, subject: str, warning: float | None, critical: float | None) -> None:
        if warning is None or critical is None or is_token(warning) or is_token(critical):
            return
        if isinstance(warning, (int, float)) and isinstance(critical, (int, float)) and warning >= critical:
            self.add(f"{subject}: warning threshold {warning!r} must be below critical threshold {critical!r}")

    def choice(self, name: str, value: str, choices: Iterable[str]) -> None:
        options = tuple(choices)
        if is_token(value):
            return
        if value not in options:
            self.add(f"{name}={value!r}: must be one of {', '.join(repr(c) for c in options)}")

    def integer(self, name: str, value: int, *, minimum: int, maximum: int) -> None:
        if is_token(value):
            return
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            self.add(f"{name}={value!r}: must be a whole number from {minimum} to {maximum}")

    def pattern(self, name: str, value: str, pattern: re.Pattern[str], rule: str) -> None:
        if is_token(value):
            return
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.add(f"{name}={value!r}: {rule}")
