"""Parsing every delivery shape into AlarmEvent (``events``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ses_guard_lambda.events import (
    SOURCE_ALARM_ACTION,
    SOURCE_EVENTBRIDGE,
    SOURCE_SNS,
    EventParseError,
    MetricRef,
    NotOursError,
)
from ses_guard_lambda.handler import RecordProcessingError
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT,
    ACCOUNT_ALARM,
    PAUSE_TOPIC,
    PREFIX,
    REGION,
    Aws,
    load_event,
    parse_first,
    run_handler,
    sns_message,
    with_sns_message,
)


def test_sns_account_alarm_is_parsed_with_value_threshold_and_topic() -> None:
    alarm = parse_first(load_event("sns_account_bounce_alarm.json"))
    assert alarm.source == SOURCE_SNS
    assert alarm.alarm_name == f"{PREFIX}-account-bounce-critical"
    assert alarm.account_id == ACCOUNT
    assert alarm.region == REGION  # from AlarmArn, not the display name "US East (N. Virginia)"
    assert alarm.new_state == "ALARM" and alarm.old_state == "OK"
    assert alarm.metrics == (MetricRef("AWS/SES", "Reputation.BounceRate", ()),)
    assert alarm.value == 0.1234 and alarm.threshold == 0.05
    assert alarm.comparison_operator == "GreaterThanOrEqualToThreshold"
    assert alarm.topic_arn == PAUSE_TOPIC
    assert alarm.contributor is None


def test_sns_set_alarm_keeps_the_configuration_set_dimension() -> None:
    alarm = parse_first(load_event("sns_set_complaint_alarm.json"))
    assert alarm.metrics[0].dimension(contract.DIMENSION_CONFIGURATION_SET) == "marketing"


def test_sns_dimensions_with_upper_case_keys_are_accepted() -> None:
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["Trigger"]["Dimensions"] = [{"Name": "ses:configuration-set", "Value": "marketing"}]
    alarm = parse_first(with_sns_message(event, message))
    assert alarm.metrics[0].dimensions == (("ses:configuration-set", "marketing"),)


def test_metric_math_alarm_lists_its_metric_stats_and_expressions() -> None:
    alarm = parse_first(load_event("sns_metric_math_alarm.json"))
    dimensions = (("ses:configuration-set", "marketing"),)
    assert alarm.metrics == (MetricRef("AWS/SES", "Reputation.BounceRate", dimensions),)
    assert alarm.expressions == ("FILL(m1, REPEAT)",)
    assert alarm.value == 0.081


def test_fleet_contributor_attributes_are_read_from_the_top_level_of_the_sns_message() -> None:
    alarm = parse_first(load_event("sns_fleet_contributor.json"))
    assert alarm.metrics == ()
    assert 'SCHEMA("AWS/SES"' in alarm.expressions[0]
    assert alarm.contributor_attribute("ses:configuration-set") == "newsletter"
    assert alarm.contributor_id == "a29eb44b20c4362e"


@pytest.mark.parametrize(
    "guessed",
    [
        {"AlarmContributor": {"ContributorId": "x", "ContributorAttributes": {"ses:configuration-set": "n"}}},
        {"alarmContributor": {"id": "x", "attributes": {"ses:configuration-set": "n"}}},
        {"Contributor": {"Attributes": {"ses:configuration-set": "n"}}},
        {"ContributorAttributes": {"ses:configuration-set": "n"}},
    ],
    ids=["AlarmContributor", "alarmContributor", "Contributor", "ContributorAttributes"],
)
def test_guessed_contributor_spellings_in_an_sns_message_name_no_contributor(guessed: dict[str, Any]) -> None:
    event = load_event("sns_fleet_contributor.json")
    message = sns_message(event)
    del message["AlarmContributorId"], message["AlarmContributorAttributes"]
    message.update(guessed)
    alarm = parse_first(with_sns_message(event, message))
    assert alarm.contributor is None and alarm.contributor_id is None


def test_direct_alarm_action_event_reads_reason_data_and_dimension_map() -> None:
    alarm = parse_first(load_event("direct_alarm_action.json"))
    assert alarm.source == SOURCE_ALARM_ACTION
    assert alarm.metrics[0].dimension("ses:configuration-set") == "marketing"
    assert alarm.value == 0.0912 and alarm.threshold == 0.05
    assert alarm.old_state == "OK"
    assert alarm.topic_arn is None


def test_eventbridge_events_are_parsed_including_contributors() -> None:
    alarm = parse_first(load_event("eventbridge_alarm_state_change.json"))
    assert alarm.source == SOURCE_EVENTBRIDGE
    assert alarm.alarm_arn.endswith(f":alarm:{PREFIX}-account-complaint-critical")
    assert alarm.metrics == (MetricRef("AWS/SES", "Reputation.ComplaintRate", ()),)
    contributor = parse_first(load_event("eventbridge_fleet_contributor_state_change.json"))
    assert contributor.contributor_attribute("ses:configuration-set") == "newsletter"
    assert contributor.value == 0.14


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m.update(AlarmName=""), "'AlarmName' must be a non-empty string"),
        (lambda m: m.update(NewStateValue="FIRE"), "NewStateValue must be one of"),
        (lambda m: m.update(AlarmArn="arn:aws:sns:us-east-1:1:x"), "is not a CloudWatch alarm ARN"),
        (lambda m: m.update(AlarmArn=m["AlarmArn"] + "x"), "does not name alarm"),
        (lambda m: m.update(AlarmArn=m["AlarmArn"] + "\n"), "is not a CloudWatch alarm ARN"),
        (lambda m: m.update(StateChangeTime="yesterday"), "'yesterday' is not an ISO 8601 timestamp"),
        (lambda m: m["Trigger"].update(Threshold="high"), "'Threshold' must be a number, got 'high'"),
        (lambda m: m["Trigger"].update(Dimensions={"a": "b"}), "Dimensions must be a list"),
    ],
)
def test_malformed_notifications_are_parse_errors_that_quote_the_bad_value(mutate: Any, message: str) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    body = sns_message(event)
    mutate(body)
    with pytest.raises(EventParseError) as caught:
        parse_first(with_sns_message(event, body))
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"AlarmContributorAttributes": {"k": 1}}, "map strings to strings"),
        ({"AlarmContributorAttributes": ["k"]}, "'AlarmContributorAttributes' must be an object"),
        ({"AlarmContributorId": 7, "AlarmContributorAttributes": {}}, "'AlarmContributorId' must be a string"),
    ],
)
def test_contributor_keys_that_cannot_be_read_name_no_contributor_and_say_why(keys: Any, message: str) -> None:
    """Issue "[5 of 7]", item 4: a fleet alarm's event then lists its contributors; any other alarm's
    record fails as malformed (``verify``)."""
    event = load_event("sns_fleet_contributor.json")
    body = sns_message(event)
    body.update(keys)
    alarm = parse_first(with_sns_message(event, body))
    assert alarm.contributor is None and alarm.contributor_id is None
    assert (
        alarm.contributor_problem.startswith("its contributor cannot be read") and message in alarm.contributor_problem
    )


def test_an_account_alarm_whose_contributor_keys_cannot_be_read_fails_its_record(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    body = sns_message(event)
    body["AlarmContributorAttributes"] = ["k"]
    with pytest.raises(RecordProcessingError, match="unparseable sns record: its contributor cannot be read"):
        run_handler(with_sns_message(event, body), aws)
    assert aws.calls == []


@pytest.mark.parametrize("message", [["ALARM"], {"hello": "world"}, {"AlarmName": "x"}, "not json {"])
def test_a_message_that_is_not_an_alarm_notification_is_not_ours(message: Any) -> None:
    """Issue "[3 of 7]": such a record failed, retried and reached the DLQ, keeping the alarms firing."""
    event = load_event("sns_account_bounce_alarm.json")
    event["Records"][0]["Sns"]["Message"] = message if isinstance(message, str) else json.dumps(message)
    with pytest.raises(NotOursError, match="is not a CloudWatch alarm notification"):
        parse_first(event)


def test_record_from_another_event_source_is_rejected() -> None:
    event = load_event("sns_account_bounce_alarm.json")
    event["Records"][0]["EventSource"] = "aws:sqs"
    with pytest.raises(EventParseError, match="not from SNS"):
        parse_first(event)


def test_an_eventbridge_event_without_a_detail_type_is_rejected() -> None:
    event = load_event("eventbridge_alarm_state_change.json")
    del event["detail-type"]
    with pytest.raises(EventParseError, match="unrecognised event shape"):
        parse_first(event)


def test_one_metric_parser_reads_the_same_metric_from_all_three_shapes() -> None:
    """The SNS (PascalCase, dimension list) and camelCase (dimension map) shapes give equal metrics."""
    sns = parse_first(load_event("sns_set_complaint_alarm.json"))
    direct = parse_first(load_event("direct_alarm_action.json"))
    bridge = parse_first(load_event("eventbridge_alarm_state_change.json"))
    dimension = (("ses:configuration-set", "marketing"),)
    assert sns.metrics == (MetricRef("AWS/SES", "Reputation.ComplaintRate", dimension),)
    assert direct.metrics == (MetricRef("AWS/SES", "Reputation.BounceRate", dimension),)
    assert bridge.metrics == (MetricRef("AWS/SES", "Reputation.ComplaintRate", ()),)
    fleet_sns = parse_first(load_event("sns_fleet_contributor.json"))
    fleet_bridge = parse_first(load_event("eventbridge_fleet_contributor_state_change.json"))
    assert fleet_sns.expressions == fleet_bridge.expressions


def test_well_formed_events_naming_another_account_or_region_parse_and_keep_both_values() -> None:
    """Foreign but well-formed: parsed (the decision rule ignores them), not a parse error."""
    event = load_event("sns_account_bounce_alarm.json")
    body = sns_message(event)
    body["AWSAccountId"] = "999988887777"
    alarm = parse_first(with_sns_message(event, body))
    assert (alarm.account_id, alarm.arn_account) == ("999988887777", ACCOUNT)
    direct = load_event("direct_alarm_action.json")
    direct["region"] = "eu-west-1"
    parsed = parse_first(direct)
    assert (parsed.region, parsed.arn_region) == ("eu-west-1", REGION)


def test_state_change_time_is_read_as_utc() -> None:
    alarm = parse_first(load_event("sns_account_bounce_alarm.json"))
    assert alarm.changed_at is not None and alarm.changed_at.isoformat() == "2026-11-28T01:34:12.311000+00:00"


def test_a_drill_marker_is_read_from_sns_message_attributes_and_direct_events() -> None:
    event = load_event("sns_account_bounce_alarm.json")
    assert parse_first(event).drill is False
    event["Records"][0]["Sns"]["MessageAttributes"] = {contract.DRILL_ATTRIBUTE: {"Type": "String", "Value": "true"}}
    assert parse_first(event).drill is True
    direct = load_event("direct_alarm_action.json")
    direct[contract.DRILL_ATTRIBUTE] = True
    assert parse_first(direct).drill is True


# --- malformed events fail the record (issue 11, point 9) ---------------------------------------------------


def test_malformed_events_still_fail_the_record(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["AlarmArn"] = message["AlarmArn"].replace(ACCOUNT_ALARM, "other-name")
    with pytest.raises(RecordProcessingError, match="does not name alarm"):
        run_handler(with_sns_message(event, message), aws)
