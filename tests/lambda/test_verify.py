"""Verify before pausing (``verify``; issue 11, function side): the event is a claim, CloudWatch and SES
say whether it holds. Pause on evidence, never on a claim."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from ses_guard_lambda.decision import Target
from ses_guard_lambda.verify import STATE_TIME_TOLERANCE, Invocation, TargetState, read_target, staleness
from ses_guard_policy import contract
from tests import stubbed_aws
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    ALL_SOURCES,
    CONFIG,
    CTX,
    EVENT_TIME,
    FUNCTION_ARN,
    NOW,
    PREFIX,
    SET_ALARM,
    Aws,
    FakeClock,
    alarm_facts,
    assert_refused,
    load_event,
    run_handler,
)

# --- 1. verify before pausing ------------------------------------------------------------------------


def test_a_hand_made_sns_message_for_an_alarm_that_is_ok_pauses_nothing_and_is_reported(aws: Aws) -> None:
    aws.expect_alarm(SET_ALARM, state="OK")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    notice = assert_refused(aws, summary, f"alarm {SET_ALARM} is OK now, not ALARM")
    body = notice["Texts"]["email"]
    assert body.startswith(
        'ses-reputation-guard REFUSED to pause claimed set "marketing" in us-east-1: nothing was changed.'
    )
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
    notice = assert_refused(aws, summary, "SES's own datapoints do not confirm the alarm: Maximum of AWS/SES")
    assert "OK at the claimed transition" in notice["Texts"]["email"]


def test_no_ses_datapoints_at_all_pauses_nothing(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [])
    aws.expect_publish()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    assert_refused(aws, summary, "OK at the claimed transition (2026-11-28 01:34 UTC), OK now; 0 datapoint(s)")


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


def test_an_alarm_deleted_between_describe_and_its_tags_pauses_nothing(aws: Aws) -> None:
    aws.expect_alarm(SET_ALARM)
    aws.stubs["cloudwatch"].add_client_error(
        "list_tags_for_resource",
        "ResourceNotFoundException",
        "no such alarm",
        404,
        expected_params={"ResourceARN": stubbed_aws.alarm_arn(SET_ALARM)},
    )
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    notice = assert_refused(aws, summary, f"alarm {SET_ALARM} no longer exists")
    assert notice["Subject"] == 'SES pause REFUSED for claimed set "marketing" in us-east-1: not confirmed'


# --- the target's state ---------------------------------------------------------------------------------


def test_account_shut_down_by_aws_counts_as_already_paused(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account(sending_enabled=False, enforcement="SHUTDOWN")
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_publish()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["already_paused"] and not summary["paused"]
    assert "paused by AWS (EnforcementStatus SHUTDOWN)" in aws.reports()[0]["Texts"]["email"]


def invocation(aws: Aws) -> Invocation:
    return Invocation(
        config=CONFIG,
        clients=aws.clients,
        ctx=CTX,
        clock=FakeClock().clock,
        budget=stubbed_aws.make_budget(),
        request_id=None,
        function_arn=FUNCTION_ARN,
    )


@pytest.mark.parametrize(
    ("sending", "enforcement", "expected"),
    [
        (True, "HEALTHY", TargetState(False, "enabled")),
        (False, "HEALTHY", TargetState(True, "paused")),
        (True, "SHUTDOWN", TargetState(True, "paused by AWS (EnforcementStatus SHUTDOWN)")),
    ],
)
def test_the_account_counts_as_paused_when_sending_is_off_or_aws_shut_it_down(
    aws: Aws, sending: bool, enforcement: str, expected: TargetState
) -> None:
    aws.expect_account(sending_enabled=sending, enforcement=enforcement)
    assert read_target(invocation(aws), Target(None)) == expected
    aws.assert_all_calls_made()


def test_a_sets_state_carries_its_last_resume(aws: Aws) -> None:
    resumed = EVENT_TIME - timedelta(days=1)
    aws.expect_set("marketing", fresh_start=resumed)
    aws.expect_set("marketing", sending_enabled=False)
    assert read_target(invocation(aws), Target("marketing")) == TargetState(False, "enabled", resumed)
    assert read_target(invocation(aws), Target("marketing")) == TargetState(True, "paused", None)
    aws.assert_all_calls_made()


# --- 5. respect human decisions ---------------------------------------------------------------------


def test_an_event_older_than_the_sets_last_resume_does_not_pause_it_again(aws: Aws) -> None:
    """The DLQ replay: a human resumed marketing (LastFreshStart) after the alarm fired."""
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing", fresh_start=EVENT_TIME + timedelta(minutes=10))
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, clock=FakeClock(NOW + timedelta(hours=2)))
    assert_refused(aws, summary, "is older than the last resume of configuration-set:marketing")


def test_an_event_older_than_the_alarms_current_alarm_state_is_a_replay(aws: Aws) -> None:
    """The account has no LastFreshStart: the alarm's own state time places the event."""
    aws.expect_verified(ACCOUNT_ALARM, since=EVENT_TIME + timedelta(hours=1))
    aws.expect_account()
    aws.expect_publish()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    assert_refused(aws, summary, "is older than the alarm's current state")


ENABLED = TargetState(False, "enabled")


def account_event() -> Any:
    """The account alarm's notification; its alarm changed state at EVENT_TIME (01:34:12.311)."""
    return stubbed_aws.parse_first(load_event("sns_account_bounce_alarm.json"))


def test_an_event_of_the_alarms_current_episode_after_the_last_resume_is_not_stale() -> None:
    since = EVENT_TIME + STATE_TIME_TOLERANCE  # the state time, rounded differently: the same episode
    state = TargetState(False, "enabled", EVENT_TIME - timedelta(seconds=1))
    assert staleness(account_event(), alarm_facts(ACCOUNT_ALARM, since=since), None, state, Target(None)) is None


def test_an_event_more_than_the_tolerance_older_than_the_alarms_state_is_a_replay() -> None:
    facts = alarm_facts(ACCOUNT_ALARM, since=EVENT_TIME + STATE_TIME_TOLERANCE + timedelta(seconds=1))
    assert staleness(account_event(), facts, None, ENABLED, Target(None)) == (
        "the event (2026-11-28 01:34:12 UTC) is older than the alarm's current state "
        "(since 2026-11-28 01:34:18 UTC): a replay of an earlier alarm"
    )


def test_an_event_older_than_the_contributors_current_state_is_a_replay() -> None:
    facts = alarm_facts(f"{PREFIX}-fleet-bounce-critical", since=EVENT_TIME)
    since = EVENT_TIME + timedelta(minutes=1)
    assert staleness(account_event(), facts, since, ENABLED, Target("newsletter")) == (
        "the event (2026-11-28 01:34:12 UTC) is older than the contributor's current state "
        "(since 2026-11-28 01:35:12 UTC): a replay of an earlier alarm"
    )


def test_an_event_older_than_the_last_resume_names_the_target_and_the_resume_time() -> None:
    state = TargetState(False, "enabled", EVENT_TIME + timedelta(seconds=1))
    assert staleness(account_event(), alarm_facts(SET_ALARM), None, state, Target("marketing")) == (
        "the event (2026-11-28 01:34:12 UTC) is older than the last resume of configuration-set:marketing "
        "(2026-11-28 01:34:13 UTC, LastFreshStart): a human decided after this alarm"
    )


def test_an_event_without_a_state_change_time_cannot_be_placed_and_is_stale() -> None:
    event = replace(account_event(), state_change_time="")
    assert staleness(event, alarm_facts(ACCOUNT_ALARM), None, ENABLED, Target(None)) == (
        "the event carries no state change time, so it cannot be placed after the last resume"
    )


# --- the helpers -----------------------------------------------------------------------------------------


def test_the_stubbed_alarm_matches_the_fixture_it_verifies() -> None:
    """Guard for the helpers: the default description carries the fixture's threshold and time."""
    description = stubbed_aws.alarm_description(SET_ALARM)
    message = stubbed_aws.sns_message(load_event("sns_set_complaint_alarm.json"))
    assert description["Threshold"] == message["Trigger"]["Threshold"]
    assert description["StateTransitionedTimestamp"] == EVENT_TIME
