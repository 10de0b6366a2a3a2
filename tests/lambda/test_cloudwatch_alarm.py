"""What CloudWatch says about an alarm (``cloudwatch_alarm``): DescribeAlarms and ListTagsForResource
read into facts, and whether an event's claim agrees with them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ses_guard_lambda.cloudwatch_alarm import (
    AlarmFacts,
    aware_utc,
    claim_problem,
    describe_alarm,
    fetch_tags,
    fleet_query_metric,
    query_problem,
)
from ses_guard_lambda.events import MetricRef
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    EVENT_TIME,
    FLEET_ALARM,
    FLEET_QUERY,
    PREFIX,
    SET_ALARM,
    Aws,
    alarm_arn,
    alarm_description,
    alarm_facts,
    assert_refused,
    load_event,
    make_budget,
    parse_first,
    run_handler,
    sns_message,
    tags_for,
    with_sns_message,
)

MARKETING = ((contract.DIMENSION_CONFIGURATION_SET, "marketing"),)


# --- DescribeAlarms ---------------------------------------------------------------------------------------


def test_describe_alarm_reads_the_constructs_per_set_alarm(aws: Aws) -> None:
    aws.expect_alarm(SET_ALARM)
    facts = describe_alarm(aws.cloudwatch, make_budget(), SET_ALARM)
    aws.assert_all_calls_made()
    assert facts == AlarmFacts(
        name=SET_ALARM,
        arn=alarm_arn(SET_ALARM),
        state="ALARM",
        state_since=EVENT_TIME,
        metrics=(MetricRef(contract.SES_NAMESPACE, contract.METRIC_COMPLAINT_RATE, MARKETING),),
        expressions=(),
        statistic="Maximum",
        period=3600,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=0.001,
        operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="ignore",
    )
    assert facts.evaluation_seconds == 3600


def test_describe_alarm_reads_a_fleet_alarms_statistic_and_period_from_its_query(aws: Aws) -> None:
    aws.expect_alarm(FLEET_ALARM, period=600, evaluation_periods=3, datapoints_to_alarm=2)
    facts = describe_alarm(aws.cloudwatch, make_budget(), FLEET_ALARM)
    assert facts is not None
    assert facts.metrics == ()
    assert facts.expressions == (FLEET_QUERY.format(metric=contract.METRIC_BOUNCE_RATE),)
    assert (facts.statistic, facts.period) == ("Maximum", 600)  # MAX() per 600 s period
    assert (facts.evaluation_periods, facts.datapoints_to_alarm, facts.evaluation_seconds) == (3, 2, 1800)


def test_describe_alarm_reads_a_metric_math_alarms_statistic_from_its_metric_stat(aws: Aws) -> None:
    name = f"{PREFIX}-set-marketing-bounce-critical"
    description = alarm_description(name)
    metric = {k: description.pop(k) for k in ("MetricName", "Namespace", "Dimensions")}
    stat = {"Metric": metric, "Period": 900, "Stat": "Average"}
    del description["Period"], description["Statistic"]
    description["Metrics"] = [
        {"Id": "e1", "Expression": "FILL(m1, REPEAT)", "ReturnData": True},
        {"Id": "m1", "MetricStat": stat, "ReturnData": False},
    ]
    aws.expect_alarm(name, description)
    facts = describe_alarm(aws.cloudwatch, make_budget(), name)
    assert facts is not None
    assert facts.metrics == (MetricRef(contract.SES_NAMESPACE, contract.METRIC_BOUNCE_RATE, MARKETING),)
    assert facts.expressions == ("FILL(m1, REPEAT)",)
    assert (facts.statistic, facts.period) == ("Average", 900)


def test_an_extended_statistic_and_the_state_update_time_stand_in_for_the_missing_fields(aws: Aws) -> None:
    description = alarm_description(ACCOUNT_ALARM)
    del description["Statistic"]
    description["ExtendedStatistic"] = "p99"
    del description["StateTransitionedTimestamp"]
    description["StateUpdatedTimestamp"] = EVENT_TIME + timedelta(minutes=1)
    aws.expect_alarm(ACCOUNT_ALARM, description)
    facts = describe_alarm(aws.cloudwatch, make_budget(), ACCOUNT_ALARM)
    assert facts is not None
    assert (facts.statistic, facts.state_since) == ("p99", EVENT_TIME + timedelta(minutes=1))


def test_no_alarm_or_an_alarm_of_another_name_in_the_answer_is_no_alarm(aws: Aws) -> None:
    aws.expect_no_alarm(SET_ALARM)
    aws.expect_alarm(SET_ALARM, alarm_description(ACCOUNT_ALARM))
    assert describe_alarm(aws.cloudwatch, make_budget(), SET_ALARM) is None
    assert describe_alarm(aws.cloudwatch, make_budget(), SET_ALARM) is None
    aws.assert_all_calls_made()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 28, 1, 34), datetime(2026, 11, 28, 1, 34, tzinfo=UTC)),
        (datetime(2026, 11, 28, 3, 34, tzinfo=timezone(timedelta(hours=2))), datetime(2026, 11, 28, 1, 34, tzinfo=UTC)),
        ("2026-11-28T01:34:00Z", None),
        (None, None),
    ],
)
def test_alarm_times_are_read_as_utc(value: Any, expected: datetime | None) -> None:
    converted = aware_utc(value)
    assert converted == expected
    assert converted is None or converted.tzinfo is UTC


# --- ListTagsForResource -----------------------------------------------------------------------------------


def test_fetch_tags_reads_the_alarms_tags_or_none_when_it_is_gone(aws: Aws) -> None:
    aws.expect_tags(SET_ALARM, tags_for(SET_ALARM))
    aws.stubs["cloudwatch"].add_client_error("list_tags_for_resource", "ResourceNotFoundException", "gone", 404)
    assert fetch_tags(aws.cloudwatch, make_budget(), alarm_arn(SET_ALARM)) == tags_for(SET_ALARM)
    assert fetch_tags(aws.cloudwatch, make_budget(), alarm_arn(SET_ALARM)) is None
    aws.assert_all_calls_made()


def test_fetch_tags_raises_any_other_error(aws: Aws) -> None:
    aws.stubs["cloudwatch"].add_client_error("list_tags_for_resource", "AccessDenied", "not allowed", 403)
    with pytest.raises(ClientError, match="AccessDenied"):
        fetch_tags(aws.cloudwatch, make_budget(), alarm_arn(SET_ALARM))


# --- does the alarm back the claim? (issue 11, point 1) -------------------------------------------------------


def test_the_constructs_alarm_backs_the_fixture_event() -> None:
    event = parse_first(load_event("sns_set_complaint_alarm.json"))
    assert claim_problem(event, alarm_facts(SET_ALARM)) is None


def test_an_alarm_of_another_arn_does_not_back_the_event() -> None:
    event = parse_first(load_event("sns_set_complaint_alarm.json"))
    other = replace(alarm_facts(SET_ALARM), arn=alarm_arn(SET_ALARM, "999988887777"))
    assert claim_problem(event, other) == (
        f"the alarm's ARN is {alarm_arn(SET_ALARM, '999988887777')!r}, the event names {alarm_arn(SET_ALARM)!r}"
    )


def test_an_alarm_without_a_readable_statistic_cannot_back_a_pause() -> None:
    event = parse_first(load_event("sns_set_complaint_alarm.json"))
    facts = replace(alarm_facts(SET_ALARM), statistic=None)
    assert claim_problem(event, facts) == "the alarm's statistic or period cannot be read for the evidence query"


def test_a_query_alarm_must_hold_exactly_one_query() -> None:
    facts = alarm_facts(FLEET_ALARM)
    assert query_problem(facts) is None
    twice = replace(facts, expressions=facts.expressions * 2)
    assert query_problem(twice) == "a query alarm must hold exactly one Metrics Insights query"


@pytest.mark.parametrize(
    ("alarm", "reason"),
    [
        ({"threshold": 0.0005}, "the event names threshold 0.001, the alarm's is 0.0005"),
        ({"operator": "LessThanThreshold"}, "the event names operator GreaterThanOrEqualToThreshold"),
    ],
)
def test_an_event_that_differs_from_the_alarm_pauses_nothing(aws: Aws, alarm: dict[str, Any], reason: str) -> None:
    aws.expect_alarm(SET_ALARM, **alarm)
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, reason)


def test_an_event_naming_another_metric_than_the_alarm_pauses_nothing(aws: Aws) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["Trigger"]["Dimensions"] = [{"name": "ses:configuration-set", "value": "newsletter"}]
    aws.expect_alarm(SET_ALARM)
    aws.expect_publish()
    summary = run_handler(with_sns_message(event, message), aws)
    assert_refused(aws, summary, "the event names metric(s) AWS/SES/Reputation.ComplaintRate{'ses:configuration-set'")


@pytest.mark.parametrize(
    ("alarm", "reason"),
    [
        ({"operator": "LessThanThreshold"}, "operator 'LessThanThreshold' (deployed 'GreaterThanOrEqualToThreshold')"),
        ({"threshold": 1.5}, "threshold 1.5 (deployed 0.001)"),
    ],
)
def test_an_alarm_that_could_never_justify_a_pause_pauses_nothing(aws: Aws, alarm: dict[str, Any], reason: str) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    del message["Trigger"]["Threshold"], message["Trigger"]["ComparisonOperator"]
    aws.expect_verified(SET_ALARM, **alarm)
    aws.expect_publish()
    summary = run_handler(with_sns_message(event, message), aws)
    assert_refused(aws, summary, reason)


# --- fleet queries -------------------------------------------------------------------------------------------


def test_a_fleet_alarm_not_grouped_by_configuration_set_is_refused(aws: Aws) -> None:
    description = alarm_description(FLEET_ALARM)
    query = 'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") GROUP BY "x"'
    description["Metrics"][0]["Expression"] = query
    aws.expect_alarm(FLEET_ALARM, description)
    aws.expect_publish()
    event = load_event("sns_fleet_contributor.json")
    message = sns_message(event)
    message["Trigger"]["Metrics"][0]["Expression"] = query
    summary = run_handler(with_sns_message(event, message), aws)
    aws.assert_all_calls_made()
    assert "not grouped by 'ses:configuration-set'" in summary["refused"][0]["reason"]


@pytest.mark.parametrize(
    ("query", "metric"),
    [
        (
            'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
            'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC',
            "Reputation.BounceRate",
        ),
        (  # the constructs leave explicitly configured sets out while the query fits
            'SELECT MAX("Reputation.ComplaintRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") WHERE '
            "\"ses:configuration-set\" != 'transactional' AND \"ses:configuration-set\" != 'vip' "
            'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC',
            "Reputation.ComplaintRate",
        ),
        (
            'SELECT AVG("Reputation.BounceRate") FROM "AWS/SES" GROUP BY "ses:configuration-set"',
            "Reputation.BounceRate",
        ),
        ('SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") GROUP BY "x"', None),
        ('SELECT MAX("Send") FROM SCHEMA("AWS/SES", "ses:configuration-set") GROUP BY "ses:configuration-set"', None),
        (
            'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("Custom/SES", "ses:configuration-set") '
            'GROUP BY "ses:configuration-set"',
            None,
        ),
    ],
)
def test_fleet_queries_are_recognised_only_when_grouped_by_set_over_one_ses_reputation_metric(
    query: str, metric: str | None
) -> None:
    assert fleet_query_metric(query) == metric
