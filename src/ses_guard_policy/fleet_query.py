"""The Metrics Insights query over every configuration set: built and parsed here, and nowhere else.

One query per reputation metric watches every set of a Region (CloudWatch User Guide, "Metrics
Insights query components and syntax"; SES Developer Guide, "Exporting reputation metrics for a
configuration set")::

    SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set")
      [WHERE "ses:configuration-set" != 'a' AND ...] GROUP BY "ses:configuration-set" ORDER BY MAX() DESC

``SCHEMA(namespace, dimension)`` matches only the series with exactly that dimension (the per-set
series, not the account-wide ones); ``GROUP BY`` makes each set a contributor; multi-series alarms
need ``ORDER BY``, which also decides which 500 series are evaluated first. The fleet alarms, the
scheduled sweep, the function's verification, the backtest and the policy pack all use this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from . import contract, rules

DIMENSION: Final = f'"{contract.DIMENSION_CONFIGURATION_SET}"'  # label keys with ':' must be double-quoted
# Metrics Insights functions and the alarm statistic each one computes per period.
STATISTIC_OF_FUNCTION: Final = {
    "MAX": "Maximum",
    "MIN": "Minimum",
    "AVG": "Average",
    "SUM": "Sum",
    "COUNT": "SampleCount",
}
FUNCTION_OF_STATISTIC: Final = {statistic: function for function, statistic in STATISTIC_OF_FUNCTION.items()}
FUNCTION: Final = "MAX"  # the worst published value of each set in a period


def exclusion_clause(excluded_sets: Iterable[str]) -> str:
    """``"ses:configuration-set" != 'a' AND ...`` over the sorted names ("" for none).

    Set names are letters, digits, '_' and '-' (SES rule), so single quotes need no escaping.
    """
    return " AND ".join(f"{DIMENSION} != '{name}'" for name in sorted(excluded_sets))


def build(metric_name: str, excluded_sets: Iterable[str] = (), function: str = FUNCTION) -> str:
    """The query for ``metric_name`` (``Reputation.BounceRate``): each set's value, highest first."""
    clause = exclusion_clause(excluded_sets)
    where = f" WHERE {clause}" if clause else ""
    return (
        f'SELECT {function}("{metric_name}") FROM SCHEMA("{contract.SES_NAMESPACE}", {DIMENSION}){where} '
        f"GROUP BY {DIMENSION} ORDER BY {function}() DESC"
    )


def longest_query_metric() -> str:
    """The reputation metric with the longest name: if its query fits, every query fits."""
    return max(contract.REPUTATION_METRICS, key=len)


def exclusion_budget() -> int:
    """Characters left for `` WHERE <clause>`` in the longest query."""
    return rules.METRICS_INSIGHTS_QUERY_MAX_LENGTH - len(build(longest_query_metric()))


def fitting_exclusions(explicit_sets: Sequence[str]) -> tuple[str, ...]:
    """All of ``explicit_sets`` when every query with their ``WHERE`` fits in 2,048 characters, else
    none: a partial exclusion would leave some explicit sets to the function and some to the query."""
    clause = exclusion_clause(explicit_sets)
    if not clause or len(f" WHERE {clause}") > exclusion_budget():
        return ()
    return tuple(sorted(explicit_sets))


# --- parsing -------------------------------------------------------------------------------------------
_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<function>\w+)\s*\(\s*(?P<metric>\"[^\"]+\"|[\w.]+)\s*\)\s+"
    r"FROM\s+(?:SCHEMA\s*\(\s*(?P<schema>[^)]*)\)|(?P<namespace>\"[^\"]+\"|[\w/]+))"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CLAUSE = re.compile(r"\b(WHERE|GROUP\s+BY|ORDER\s+BY|LIMIT)\b", re.IGNORECASE)
_SET_EQUALS = re.compile(r"^\s*\"?ses:configuration-set\"?\s*=\s*'(?P<name>[^']*)'\s*$", re.IGNORECASE)
_SET_NOT_EQUALS = re.compile(r"^\s*\"?ses:configuration-set\"?\s*!=\s*'(?P<name>[^']*)'\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class InsightsQuery:
    """What a Metrics Insights query over an SES reputation metric watches.

    ``per_set``: one series per configuration set (``GROUP BY "ses:configuration-set"``), so an alarm
    on it has one contributor per set. ``set_name``: a WHERE clause pins it to one set.
    ``excluded_sets``: ``!=`` conditions joined by AND leave these sets out. ``unknown_filter``: any
    other condition, whose effect on a given set is not evaluated here.
    """

    function: str
    """The aggregation, upper case (``MAX``)."""
    metric: str
    """The full metric name (``Reputation.BounceRate``)."""
    per_set: bool
    schema: bool
    """``FROM SCHEMA("AWS/SES", "ses:configuration-set")`` (only the per-set series), not ``FROM "AWS/SES"``."""
    set_name: str | None = None
    excluded_sets: tuple[str, ...] = ()
    unknown_filter: str | None = None
    order_by: str | None = None

    @property
    def statistic(self) -> str | None:
        """The alarm statistic the function computes per period (``Maximum`` for ``MAX``)."""
        return STATISTIC_OF_FUNCTION.get(self.function)

    @property
    def metric_short(self) -> str:
        return contract.METRIC_SHORT_NAMES[self.metric]


def parse(sql: str) -> InsightsQuery | None:
    """The reputation metric query ``sql`` is, or None for any other expression (another namespace,
    another metric, not a SELECT)."""
    match = _QUERY.match(sql.replace('\\"', '"'))
    if match is None:
        return None
    metric = match.group("metric").strip('"')
    schema = [part.strip().strip('"') for part in (match.group("schema") or "").split(",")]
    namespace = schema[0] if match.group("schema") is not None else match.group("namespace").strip('"')
    if metric not in contract.REPUTATION_METRICS or namespace != contract.SES_NAMESPACE:
        return None
    clauses = _clauses(match.group("rest"))
    group_by = [key.strip().strip('"') for key in clauses.get("GROUP BY", "").split(",")]
    set_name, excluded, unknown = _where(clauses.get("WHERE", ""))
    order_by = " ".join(clauses["ORDER BY"].split()) if "ORDER BY" in clauses else None
    return InsightsQuery(
        function=match.group("function").upper(),
        metric=metric,
        per_set=contract.DIMENSION_CONFIGURATION_SET in group_by,
        schema=schema == [contract.SES_NAMESPACE, contract.DIMENSION_CONFIGURATION_SET],
        set_name=set_name,
        excluded_sets=excluded,
        unknown_filter=unknown,
        order_by=order_by,
    )


def _where(where: str) -> tuple[str | None, tuple[str, ...], str | None]:
    """(pinned set, excluded sets, unknown filter) of a WHERE clause; a clause that does not name the
    set dimension filters nothing per set."""
    if contract.DIMENSION_CONFIGURATION_SET not in where:
        return None, (), None
    if re.search(r"\bOR\b", where, re.IGNORECASE):
        return None, (), f"WHERE {where.strip()}"
    conditions = re.split(r"\bAND\b", where, flags=re.IGNORECASE)
    pinned = [m.group("name") for c in conditions if (m := _SET_EQUALS.match(c))]
    excluded = [m.group("name") for c in conditions if (m := _SET_NOT_EQUALS.match(c))]
    if pinned:
        return pinned[0], (), None
    if len(excluded) == len(conditions):
        return None, tuple(sorted(excluded)), None
    return None, (), f"WHERE {where.strip()}"


def _clauses(rest: str) -> dict[str, str]:
    found: dict[str, str] = {}
    matches = list(_CLAUSE.finditer(rest))
    for position, clause in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(rest)
        found[re.sub(r"\s+", " ", clause.group(1).upper())] = rest[clause.end() : end]
    return found


def is_fleet_query(query: InsightsQuery | None) -> bool:
    """The shape ``build`` writes: per set, over the per-set schema only, nothing but exclusions."""
    return (
        query is not None
        and query.per_set
        and query.schema
        and query.set_name is None
        and query.unknown_filter is None
        and query.statistic is not None
    )
