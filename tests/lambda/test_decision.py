"""The pure decision rule (``decision``): the event's claim, the alarm-name shapes and the alarm's tags;
and, through the handler, the events it ignores or refuses before anything is paused."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ses_guard_lambda.decision import (
    IGNORE,
    PAUSE_ACCOUNT,
    PAUSE_CONFIGURATION_SET,
    REFUSE,
    Claim,
    Context,
    Decision,
    Target,
    screen,
    verdict,
)
from ses_guard_lambda.events import AlarmEvent, MetricRef
from ses_guard_policy import alarm_names, contract
from tests.stubbed_aws import (
    ACCOUNT,
    ACCOUNT_TAGS,
    ALL_SOURCES,
    CONFIG,
    CTX,
    FLEET_TAGS,
    PREFIX,
    SET_ALARM,
    Aws,
    assert_refused,
    fleet_contributor_event,
    load_event,
    log_lines,
    parse_first,
    run_handler,
    sns_message,
    tags,
    with_sns_message,
)


def first(fixture: str) -> AlarmEvent:
    return parse_first(load_event(fixture))


def renamed(event: AlarmEvent, name: str) -> AlarmEvent:
    return replace(event, alarm_name=name, alarm_arn=event.alarm_arn.rsplit(":", 1)[0] + ":" + name)


def test_account_alarm_with_matching_tags_pauses_the_account() -> None:
    decision = verdict(first("sns_account_bounce_alarm.json"), ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == PAUSE_ACCOUNT
    assert decision.target == Target(None)
    assert decision.metric == contract.METRIC_BOUNCE_RATE


def test_precheck_leaves_a_matching_alarm_to_the_aws_checks() -> None:
    claim = screen(first("sns_account_bounce_alarm.json"), CONFIG, CTX)
    assert isinstance(claim, Claim) and claim.name.scope == contract.SCOPE_ACCOUNT


def test_alarm_from_another_region_is_ignored() -> None:
    decision = verdict(first("sns_account_bounce_alarm.json"), ACCOUNT_TAGS, CONFIG, Context(ACCOUNT, "eu-west-1"))
    assert decision.action == IGNORE
    assert "Region 'us-east-1'" in decision.reason


def test_alarm_mixing_metrics_of_two_sets_is_ignored() -> None:
    mixed = replace(
        first("sns_account_bounce_alarm.json"),
        metrics=(
            MetricRef("AWS/SES", contract.METRIC_BOUNCE_RATE, (("ses:configuration-set", "a"),)),
            MetricRef("AWS/SES", contract.METRIC_BOUNCE_RATE, (("ses:configuration-set", "b"),)),
        ),
    )
    decision = verdict(mixed, ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE and "disagree" in decision.reason


def test_an_account_alarm_name_on_a_metrics_insights_query_is_refused() -> None:
    query = replace(first("sns_fleet_contributor.json"), contributor=None)
    decision = verdict(renamed(query, f"{PREFIX}-account-bounce-critical"), ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == REFUSE and "account-wide metric" in decision.reason


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
    (line,) = log_lines(capsys.readouterr().out)
    assert line["reason"] == f"delivery path '{source}' is not enabled (ACCEPTED_SOURCES)"


# --- alarm-name shapes (issue 11 point 9: foreign but well-formed) ------------------------------------


@pytest.mark.parametrize(
    ("name", "scope", "configuration_set"),
    [
        (f"{PREFIX}-account-bounce-critical", contract.SCOPE_ACCOUNT, None),
        (f"{PREFIX}-set-marketing-complaint-warning", contract.SCOPE_CONFIGURATION_SET, "marketing"),
        (f"{PREFIX}-set-a-bounce-critical-bounce-critical", contract.SCOPE_CONFIGURATION_SET, "a-bounce-critical"),
        (f"{PREFIX}-fleet-complaint-critical", contract.SCOPE_FLEET, None),
    ],
)
def test_the_three_name_shapes_are_recognised(name: str, scope: str, configuration_set: str | None) -> None:
    parsed = alarm_names.parse(name, PREFIX)
    assert parsed is not None
    assert (parsed.scope, parsed.configuration_set) == (scope, configuration_set)


@pytest.mark.parametrize(
    "name",
    [
        f"{PREFIX}-account-bounce-critical\n",
        f"{PREFIX}-custom-bounce-critical",
        f"{PREFIX}-account-spam-critical",
        f"{PREFIX}-set-bad name-bounce-critical",
        f"{PREFIX}-set-{'x' * 65}-bounce-critical",
        f"{PREFIX}-fleet-bounce-urgent",
    ],
)
def test_names_under_the_prefix_that_are_not_our_shapes_are_ignored(name: str) -> None:
    assert alarm_names.parse(name, PREFIX) is None
    decision = verdict(renamed(first("sns_account_bounce_alarm.json"), name), ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE
    assert "not one of this guard's alarm-name shapes" in decision.reason


def test_a_warning_alarm_is_ignored_before_any_aws_call() -> None:
    event = renamed(first("sns_account_bounce_alarm.json"), f"{PREFIX}-account-bounce-warning")
    decision = screen(event, CONFIG, CTX)
    assert isinstance(decision, Decision) and decision.action == IGNORE
    assert "only critical alarms pause" in decision.reason


def test_the_per_set_alarm_prefix_is_the_start_of_every_alarm_of_that_set() -> None:
    assert alarm_names.set_alarm_prefix(PREFIX, "vip") == f"{PREFIX}-set-vip-"


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
    assert len(log_lines(capsys.readouterr().out)) == 1


def test_an_alarm_action_whose_region_differs_from_its_arn_is_ignored(aws: Aws) -> None:
    event = load_event("direct_alarm_action.json")
    event["alarmArn"] = event["alarmArn"].replace(":us-east-1:", ":eu-west-1:")  # region field says us-east-1
    summary = run_handler(event, aws, replace(CONFIG, accepted_sources=ALL_SOURCES))
    aws.assert_all_calls_made()
    assert "alarm ARN Region 'eu-west-1' is not this function's Region 'us-east-1'" in summary["ignored"][0]["reason"]


# --- tags -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alarm_tags", "action", "reason"),
    [
        (tags(contract.SCOPE_CONFIGURATION_SET, "other-set"), REFUSE, "do not all match"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "Marketing"), REFUSE, "do not all match"),
        (tags(contract.SCOPE_ACCOUNT), REFUSE, "disagrees with the alarm name ('configuration-set')"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", tier=contract.TIER_WARNING), REFUSE, "('critical')"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", guard="someone-else"), REFUSE, "not this guard's"),
        ({}, REFUSE, "not this guard's"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", action="delete"), REFUSE, "is not 'pause'"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", action=contract.ACTION_NOTIFY), IGNORE, "notify only"),
    ],
)
def test_tags_that_disagree_with_the_alarm_do_not_pause(alarm_tags: dict[str, str], action: str, reason: str) -> None:
    decision = verdict(first("sns_set_complaint_alarm.json"), alarm_tags, CONFIG, CTX)
    assert decision.action == action
    assert reason in decision.reason


# --- fleet ------------------------------------------------------------------------------------------


def test_a_fleet_contributor_pauses_exactly_the_contributor_set() -> None:
    decision = verdict(first("sns_fleet_contributor.json"), FLEET_TAGS, CONFIG, CTX)
    assert decision.action == PAUSE_CONFIGURATION_SET
    assert decision.target == Target("newsletter")


def test_the_alarm_level_fleet_notification_pauses_nothing() -> None:
    event = replace(first("sns_fleet_contributor.json"), contributor=None)
    decision = verdict(event, FLEET_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE and "without a 'ses:configuration-set' contributor" in decision.reason


def test_a_fleet_alarm_tagged_with_one_set_is_refused() -> None:
    decision = verdict(
        first("sns_fleet_contributor.json"), {**FLEET_TAGS, contract.TAG_CONFIGURATION_SET: "x"}, CONFIG, CTX
    )
    assert decision.action == REFUSE


def test_a_per_set_alarm_with_a_contributor_of_another_set_is_refused() -> None:
    event = replace(first("sns_set_complaint_alarm.json"), contributor=(("ses:configuration-set", "other"),))
    decision = verdict(event, tags(contract.SCOPE_CONFIGURATION_SET, "marketing"), CONFIG, CTX)
    assert decision.action == REFUSE and "'other'" in decision.reason


# --- names compared exactly; protection ignores case (issue 11 point 6) -----------------------------------


def test_protected_sets_are_matched_whatever_the_case() -> None:
    config = replace(CONFIG, protected_sets=frozenset({"newsletter"}))
    for name in ("newsletter", "NEWSLETTER", "NewsLetter"):
        event = replace(first("sns_fleet_contributor.json"), contributor=(("ses:configuration-set", name),))
        decision = verdict(event, FLEET_TAGS, config, CTX)
        assert decision.action == IGNORE and "PROTECTED_CONFIGURATION_SETS" in decision.reason, name


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
