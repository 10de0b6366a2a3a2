"""The fleet query (ses_guard_policy.fleet_query): built once, parsed once, for every reader."""

from __future__ import annotations

import pytest

from ses_guard_policy import contract, rules
from ses_guard_policy.fleet_query import (
    build,
    exclusion_budget,
    fitting_exclusions,
    is_fleet_query,
    parse,
)


def test_query_groups_and_orders_by_configuration_set_and_excludes_explicit_sets() -> None:
    query = build(contract.METRIC_BOUNCE_RATE, ["vip", "transactional"])
    assert query == (
        'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
        "WHERE \"ses:configuration-set\" != 'transactional' AND \"ses:configuration-set\" != 'vip' "
        'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC'
    )


def test_exclusions_are_all_or_nothing_within_the_query_length_limit() -> None:
    assert fitting_exclusions(["vip"]) == ("vip",)
    too_many = [f"customer-{index:05d}" for index in range(exclusion_budget() // 10)]
    assert fitting_exclusions(too_many) == ()
    assert len(build(contract.METRIC_COMPLAINT_RATE, fitting_exclusions(["vip"]))) <= (
        rules.METRICS_INSIGHTS_QUERY_MAX_LENGTH
    )


def test_a_built_query_parses_back_to_its_metric_function_and_exclusions() -> None:
    query = parse(build(contract.METRIC_COMPLAINT_RATE, ["vip", "a"]))
    assert query is not None and is_fleet_query(query)
    assert (query.metric, query.function, query.statistic) == (contract.METRIC_COMPLAINT_RATE, "MAX", "Maximum")
    assert query.excluded_sets == ("a", "vip") and query.metric_short == "complaint"
    assert query.order_by == "MAX() DESC"


@pytest.mark.parametrize(
    ("sql", "what"),
    [
        ('SELECT MAX("Send") FROM SCHEMA("AWS/SES", "ses:configuration-set") GROUP BY "ses:configuration-set"', None),
        ('SELECT MAX("Reputation.BounceRate") FROM SCHEMA("Custom/SES", "ses:configuration-set")', None),
        ("m1 / m2", None),
        ('SELECT AVG("Reputation.BounceRate") FROM "AWS/SES" GROUP BY "ses:configuration-set"', "per set, no schema"),
        (
            'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
            "WHERE \"ses:configuration-set\" = 'tx'",
            "pinned tx",
        ),
        (
            'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
            'WHERE "ses:configuration-set" LIKE \'tx%\' GROUP BY "ses:configuration-set"',
            "unknown filter",
        ),
    ],
)
def test_parse_tells_what_a_query_watches(sql: str, what: str | None) -> None:
    query = parse(sql)
    if what is None:
        assert query is None
        return
    assert query is not None
    described = (
        "per set, no schema" if query.per_set and not query.schema and not query.unknown_filter
        else f"pinned {query.set_name}" if query.set_name
        else "unknown filter" if query.unknown_filter
        else "?"
    )  # fmt: skip
    assert described == what
    assert not is_fleet_query(query)


def test_the_query_with_every_exclusion_that_fits_stays_within_cloudwatchs_length() -> None:
    fitting = fitting_exclusions([f"customer-{index:05d}" for index in range(40)])
    assert len(build(contract.METRIC_COMPLAINT_RATE, fitting)) <= rules.METRICS_INSIGHTS_QUERY_MAX_LENGTH
