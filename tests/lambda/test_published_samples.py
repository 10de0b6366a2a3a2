"""Published sample events (aws-lambda-go, Powertools for AWS Lambda, the CloudWatch User Guide), adapted
only in account, Region, names and metric (tests/events/README.md cites each), through the parser and
the pure decision: what each one yields. The handler-level tests check the same for the ignored ones."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ses_guard_lambda.decision import IGNORE, PAUSE_ACCOUNT, PAUSE_CONFIGURATION_SET, Target, verdict
from ses_guard_lambda.events import NotAStateChangeError, parse_record, split_records
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT_TAGS,
    ALL_SOURCES,
    CONFIG,
    CTX,
    FLEET_TAGS,
    Aws,
    load_event,
    run_handler,
    tags,
)

EVERY_PATH = replace(CONFIG, accepted_sources=ALL_SOURCES)
MARKETING_TAGS = tags(contract.SCOPE_CONFIGURATION_SET, "marketing")

# (fixture, the alarm's tags, expected action, expected target, words of the reason)
SAMPLES = [
    ("sns_lambda_go_single_metric.json", ACCOUNT_TAGS, PAUSE_ACCOUNT, Target(None), "is in ALARM"),
    ("sns_lambda_go_multiple_metrics.json", MARKETING_TAGS, PAUSE_CONFIGURATION_SET, Target("marketing"), "marketing"),
    ("alarm_action_powertools_metric_math.json", ACCOUNT_TAGS, IGNORE, None, "combines several metrics"),
    ("alarm_action_powertools_composite.json", {}, IGNORE, None, "sesguard-composite"),
    ("direct_alarm_action.json", MARKETING_TAGS, PAUSE_CONFIGURATION_SET, Target("marketing"), "marketing"),
    ("eventbridge_alarm_state_change.json", ACCOUNT_TAGS, PAUSE_ACCOUNT, Target(None), "is in ALARM"),
    ("eventbridge_fleet_contributor_state_change.json", FLEET_TAGS, PAUSE_CONFIGURATION_SET, Target("newsletter"), ""),
    ("sns_fleet_contributor.json", FLEET_TAGS, PAUSE_CONFIGURATION_SET, Target("newsletter"), "newsletter"),
]


@pytest.mark.parametrize(("fixture", "alarm_tags", "action", "target", "words"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_published_sample_parses_and_yields_the_expected_decision(
    fixture: str, alarm_tags: dict[str, str], action: str, target: Target | None, words: str
) -> None:
    [(kind, record)] = split_records(load_event(fixture))
    event = parse_record(kind, record)
    decision = verdict(event, alarm_tags, EVERY_PATH, CTX)
    assert (decision.action, decision.target) == (action, target), decision
    assert words in decision.reason


def test_the_real_sns_contributor_notification_names_its_set_and_contributor_id() -> None:
    [(kind, record)] = split_records(load_event("sns_fleet_contributor.json"))
    event = parse_record(kind, record)
    assert event.contributor == ((contract.DIMENSION_CONFIGURATION_SET, "newsletter"),)
    assert event.contributor_id == "a29eb44b20c4362e"


def test_a_configuration_change_event_is_not_a_state_change() -> None:
    [(kind, record)] = split_records(load_event("eventbridge_alarm_configuration_change.json"))
    with pytest.raises(NotAStateChangeError, match="'CloudWatch Alarm Configuration Change'"):
        parse_record(kind, record)


@pytest.mark.parametrize("operation", ["create", "update", "delete"])
def test_configuration_change_events_are_ignored_with_one_log_line_never_failed(
    aws: Aws, operation: str, capsys: pytest.CaptureFixture[str]
) -> None:
    event = load_event("eventbridge_alarm_configuration_change.json")
    event["detail"]["operation"] = operation
    summary = run_handler(event, aws, EVERY_PATH)
    aws.assert_all_calls_made()  # no AWS call at all
    assert summary["paused"] == summary["refused"] == []
    assert "not an alarm state change" in summary["ignored"][0]["reason"]
    ignored_lines = [line for line in capsys.readouterr().out.splitlines() if '"event": "ignored"' in line]
    assert len(ignored_lines) == 1


def test_an_unknown_cloudwatch_detail_type_without_a_detail_is_still_malformed() -> None:
    event = load_event("eventbridge_alarm_configuration_change.json")
    event["detail-type"] = "CloudWatch Something"
    del event["detail"]
    [(kind, record)] = split_records(event)
    with pytest.raises(ValueError, match="unsupported EventBridge detail-type"):
        parse_record(kind, record)
