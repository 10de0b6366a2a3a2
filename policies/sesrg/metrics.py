"""SES reputation metrics as CloudWatch alarms name them, and the Metrics Insights queries that watch them.

The names and the query parser are the policy model's (``sesrg.ses_guard_policy``, a generated copy of
src/ses_guard_policy: ``contract`` and ``fleet_query``), so the pack reads a query exactly as the guard
builds and the function verifies it. This module only maps the model's reading onto what CKV_SESRG_3
needs: which set(s) a query watches, or that it cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass

from sesrg.ses_guard_policy import contract, fleet_query

NAMESPACE = contract.SES_NAMESPACE
DIMENSION = contract.DIMENSION_CONFIGURATION_SET
REPUTATION_METRICS = dict(contract.METRIC_SHORT_NAMES)  # full name -> "bounce" / "complaint"


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
    query = fleet_query.parse(sql)
    if query is None:
        return None
    unknown = query.unknown_filter
    if query.excluded_sets:  # every set but these: which sets that leaves is the pack's unknown
        unknown = "WHERE " + fleet_query.exclusion_clause(query.excluded_sets)
    return InsightsQuery(query.metric_short, query.per_set, query.set_name, unknown)
