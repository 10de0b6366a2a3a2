"""The guard's alarm-name shapes (``contract.ALARM_NAME_*``), parsed exactly.

The patterns are derived from the contract's format strings and the configuration-set rule in
``rules``, so the shapes are written once. Matching uses ``fullmatch``: a trailing newline or any
other extra character makes a name foreign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from . import contract, rules


@dataclass(frozen=True)
class AlarmName:
    """A name of one of the three shapes. ``configuration_set`` is set for the per-set shape only."""

    scope: str
    metric: str
    """The metric's full name, e.g. ``Reputation.BounceRate``."""
    tier: str
    configuration_set: str | None = None


def _alternatives(values: tuple[str, ...]) -> str:
    return "|".join(re.escape(v) for v in values)


def _unanchored(pattern: str) -> str:
    return pattern.removeprefix("^").removesuffix("$")


@cache
def _patterns(prefix: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    fields = {
        "prefix": re.escape(prefix),
        "metric": f"(?P<metric>{_alternatives(tuple(contract.METRIC_SHORT_NAMES.values()))})",
        "tier": f"(?P<tier>{_alternatives(contract.TIERS)})",
        "configuration_set": f"(?P<set>{_unanchored(rules.CONFIGURATION_SET_NAME.pattern)})",
    }
    shapes = (
        (contract.SCOPE_ACCOUNT, contract.ALARM_NAME_ACCOUNT),
        (contract.SCOPE_CONFIGURATION_SET, contract.ALARM_NAME_SET),
        (contract.SCOPE_FLEET, contract.ALARM_NAME_FLEET),
    )
    return tuple((scope, re.compile(shape.format(**fields))) for scope, shape in shapes)


_METRIC_BY_SHORT = {short: full for full, short in contract.METRIC_SHORT_NAMES.items()}


def parse(name: str, prefix: str) -> AlarmName | None:
    """The shape of ``name`` for the guard ``prefix``, or None when it is none of ours."""
    for scope, pattern in _patterns(prefix):
        match = pattern.fullmatch(name)
        if match:
            groups = match.groupdict()
            return AlarmName(scope, _METRIC_BY_SHORT[groups["metric"]], groups["tier"], groups.get("set"))
    return None


def set_alarm_prefix(prefix: str, configuration_set: str) -> str:
    """What every per-set alarm name of ``configuration_set`` starts with (for DescribeAlarms)."""
    head = contract.ALARM_NAME_SET.split("{metric}", 1)[0]
    return head.format(prefix=prefix, configuration_set=configuration_set)
