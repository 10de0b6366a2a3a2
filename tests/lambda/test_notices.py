"""Refusal notices are capped per invocation and deduplicated per alarm and target (``notices``).

Issue "[3 of 7]", deliverable 4: one invocation with 200 forged records sent 200 refusal notices (an SMS
spend limit runs out, and the real pause goes unheard).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from ses_guard_lambda.notices import DUPLICATE_WINDOW, MAX_REFUSAL_NOTICES_PER_INVOCATION, NoticeGate
from tests.stubbed_aws import NOW, PREFIX, SET_ALARM, Aws, FakeClock, load_event, log_lines, run_handler, sns_message

FORGED = 200


def forged_records(count: int) -> dict[str, Any]:
    """``count`` records on the pause topic, each for a different (non-existent) per-set alarm."""
    event = load_event("sns_set_complaint_alarm.json")
    template = event["Records"][0]
    records = []
    for index in range(count):
        message = sns_message(event)
        name = f"{PREFIX}-set-tenant-{index}-complaint-critical"
        message["AlarmName"] = name
        message["AlarmArn"] = message["AlarmArn"].rsplit(":", 1)[0] + ":" + name
        message["Trigger"]["Dimensions"] = [{"name": "ses:configuration-set", "value": f"tenant-{index}"}]
        records.append({**template, "Sns": {**template["Sns"], "Message": json.dumps(message)}})
    return {"Records": records}


def test_two_hundred_forged_records_send_at_most_the_cap_and_one_summary(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    for index in range(FORGED):
        aws.expect_no_alarm(f"{PREFIX}-set-tenant-{index}-complaint-critical")
    for index in range(MAX_REFUSAL_NOTICES_PER_INVOCATION):
        aws.expect_set(f"tenant-{index}")  # each notice sent says what is true of its target now
    for _ in range(MAX_REFUSAL_NOTICES_PER_INVOCATION + 1):
        aws.expect_publish()
    summary = run_handler(forged_records(FORGED), aws)
    aws.assert_all_calls_made()
    assert len(summary["refused"]) == FORGED  # every record decided, none failed
    assert len(aws.published) == MAX_REFUSAL_NOTICES_PER_INVOCATION + 1
    held = FORGED - MAX_REFUSAL_NOTICES_PER_INVOCATION
    last = aws.reports()[-1]
    assert last["Subject"] == f"SES pause REFUSED {held} more time(s) in us-east-1: notices held back"
    assert f"... and {held - 20} more" in last["Texts"]["email"]
    out = capsys.readouterr().out
    assert len(log_lines(out)) == FORGED  # logs keep every decision
    (line,) = log_lines(out, "summary")
    assert line["notices_held"] == held


def test_a_repeated_refusal_of_the_same_alarm_and_target_is_sent_once_within_the_window(aws: Aws) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    for _ in range(2):
        aws.expect_alarm(SET_ALARM, state="OK")
    aws.expect_set("marketing")
    aws.expect_publish()
    run_handler(event, aws)
    summary = run_handler(event, aws, clock=FakeClock(NOW + timedelta(minutes=5)))  # a warm retry
    aws.assert_all_calls_made()
    assert summary["refused"][0]["notice"] is None
    assert summary["refused"][0]["notice_held"].startswith(f"a notice for {SET_ALARM} and configuration-set:marketing")


def test_the_gate_admits_again_after_the_window_and_always_admits_drills_up_to_the_cap() -> None:
    gate = NoticeGate(limit=3)
    assert gate.admit("a", "t", NOW) is None
    assert gate.admit("a", "t", NOW + DUPLICATE_WINDOW / 2) is not None
    assert gate.admit("a", "t", NOW + DUPLICATE_WINDOW, drill=True) is None
    assert gate.admit("a", "t", NOW + DUPLICATE_WINDOW * 2) is None
    assert gate.admit("b", "t", NOW) == "3 refusal notices were sent in this invocation already"
    assert (gate.sent, gate.duplicates, gate.over_cap, gate.held) == (3, 1, ["b -> t"], 2)
