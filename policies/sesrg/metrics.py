"""SES reputation metrics as CloudWatch alarms name them, and the Metrics Insights queries that watch them.

Plain Python (no checkov). Sources: SES Developer Guide ("Exporting reputation metrics for a
configuration set": namespace ``AWS/SES``, metrics ``Reputation.BounceRate`` / ``Reputation.ComplaintRate``,
dimension ``ses:configuration-set``) and the CloudWatch Metrics Insights query syntax
(``SELECT FUNCTION(metric) FROM namespace | SCHEMA(namespace, dims...) [WHERE ...] [GROUP BY ...]
[ORDER BY ...] [LIMIT n]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NAMESPACE = "AWS/SES"
DIMENSION = "ses:configuration-set"
REPUTATION_METRICS = {"Reputation.BounceRate": "bounce", "Reputation.ComplaintRate": "complaint"}

_QUERY = re.compile(
    r"^\s*SELECT\s+\w+\s*\(\s*(?P<metric>\"[^\"]+\"|[\w.]+)\s*\)\s+"
    r"FROM\s+(?:SCHEMA\s*\(\s*(?P<schema>[^)]*)\)|(?P<namespace>\"[^\"]+\"|[\w/]+))"
    r"(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_CLAUSE = re.compile(r"\b(WHERE|GROUP\s+BY|ORDER\s+BY|LIMIT)\b", re.IGNORECASE)
_SET_EQUALS = re.compile(r"^\s*\"?ses:configuration-set\"?\s*=\s*'(?P<name>[^']*)'\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class InsightsQuery:
    """A Metrics Insights query over an SES reputation metric.

    ``per_set``: it returns one series per configuration set (``GROUP BY "ses:configuration-set"``), so an
    alarm on it has one contributor per set -- it watches every set (fleet mode). ``set_name``: a WHERE
    clause pins it to one set. ``unknown_filter``: another condition on the set dimension (``!=``,
    ``LIKE``, ``IN``, ``OR``) whose effect on a given set the pack does not evaluate.
    """

    metric: str  # "bounce" or "complaint"
    per_set: bool
    set_name: str | None = None
    unknown_filter: str | None = None


def parse_insights_query(sql: str) -> InsightsQuery | None:
    """The reputation metric a Metrics Insights query watches, or None for any other expression."""
    text = sql.replace('\\"', '"')
    match = _QUERY.match(text)
    if match is None:
        return None
    metric = REPUTATION_METRICS.get(match.group("metric").strip('"'))
    schema = [part.strip().strip('"') for part in (match.group("schema") or "").split(",")]
    namespace = schema[0] if match.group("schema") is not None else match.group("namespace").strip('"')
    if metric is None or namespace != NAMESPACE:
        return None
    clauses = _clauses(match.group("rest"))
    group_by = [key.strip().strip('"') for key in clauses.get("GROUP BY", "").split(",")]
    set_name: str | None = None
    unknown: str | None = None
    where = clauses.get("WHERE", "")
    if DIMENSION in where:
        conditions = re.split(r"\bAND\b", where, flags=re.IGNORECASE)
        pinned = [m.group("name") for c in conditions if (m := _SET_EQUALS.match(c))]
        if pinned and not re.search(r"\bOR\b", where, re.IGNORECASE):
            set_name = pinned[0]
        else:
            unknown = f"WHERE {where.strip()}"
    return InsightsQuery(metric, DIMENSION in group_by, set_name, unknown)


def _clauses(rest: str) -> dict[str, str]:
    found: dict[str, str] = {}
    matches = list(_CLAUSE.finditer(rest))
    for position, clause in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(rest)
        found[re.sub(r"\s+", " ", clause.group(1).upper())] = rest[clause.end() : end]
    return found
