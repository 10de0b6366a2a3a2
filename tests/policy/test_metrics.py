"""policies/sesrg/metrics.py: which Metrics Insights queries CKV_SESRG_3 counts as watching sets."""

from __future__ import annotations

import pytest

from policies.sesrg.metrics import InsightsQuery, parse_insights_query

# The query fleet mode creates (docs/policies.md), with HCL's escaped quotes and with lower-case keywords.
FLEET = (
    'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
    'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC LIMIT 500'
)


@pytest.mark.parametrize(
    "sql", [FLEET, FLEET.replace('"', '\\"'), FLEET.replace("SELECT", "select").replace("GROUP BY", "group by")]
)
def test_a_query_grouped_by_configuration_set_watches_every_set(sql: str) -> None:
    assert parse_insights_query(sql) == InsightsQuery("bounce", per_set=True)


def test_a_query_over_the_namespace_grouped_by_set_watches_every_set() -> None:
    sql = 'SELECT AVG("Reputation.ComplaintRate") FROM "AWS/SES" GROUP BY "ses:configuration-set" ORDER BY AVG() DESC'
    assert parse_insights_query(sql) == InsightsQuery("complaint", per_set=True)


def test_an_ungrouped_query_aggregates_the_sets_and_watches_none_of_them() -> None:
    sql = 'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set")'
    assert parse_insights_query(sql) == InsightsQuery("bounce", per_set=False)


def test_a_where_clause_on_one_set_pins_the_query_to_that_set() -> None:
    sql = 'SELECT MAX("Reputation.BounceRate") FROM "AWS/SES" WHERE "ses:configuration-set" = \'marketing\''
    assert parse_insights_query(sql) == InsightsQuery("bounce", per_set=False, set_name="marketing")


def test_other_filters_on_the_set_dimension_leave_the_watched_sets_unknown() -> None:
    sql = (
        'SELECT MAX("Reputation.BounceRate") FROM "AWS/SES" WHERE "ses:configuration-set" != \'test\' '
        'GROUP BY "ses:configuration-set"'
    )
    query = parse_insights_query(sql)
    assert query is not None and query.per_set and query.unknown_filter


@pytest.mark.parametrize(
    "sql",
    [
        "m1 * 100",
        'SELECT MAX("Reputation.BounceRate") FROM "AWS/SESv2" GROUP BY "ses:configuration-set"',
        'SELECT MAX("Send") FROM "AWS/SES" GROUP BY "ses:configuration-set"',
    ],
)
def test_expressions_that_are_not_reputation_queries_are_ignored(sql: str) -> None:
    assert parse_insights_query(sql) is None
