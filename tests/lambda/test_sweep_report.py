"""What people read after a sweep run (``sweep_report``): the pause report, the breach notice once per
episode and the run's summary notices, in every channel (subject, e-mail text, SMS, chat), bounded, one
line where one line is due, set names quoted."""

from __future__ import annotations

import json

import pytest

from ses_guard_lambda import sweep_report
from ses_guard_lambda.decision import ALREADY_PAUSED, PAUSED, WOULD_PAUSE
from ses_guard_lambda.report import SMS_MAX, SUBJECT_MAX, Report
from ses_guard_policy import evaluation
from ses_guard_policy.sweep import Verdict
from tests.stubbed_aws import ACCOUNT, FUNCTION_ARN, NOW, REGION

BOUNCE = "Reputation.BounceRate"
COMPLAINT = "Reputation.ComplaintRate"
RULE = evaluation.AlarmRule(threshold=0.05, period_seconds=3600, evaluation_periods=3, datapoints_to_alarm=2)
WHERE = sweep_report.Where(REGION, ACCOUNT, FUNCTION_ARN, NOW)
MARKETING = Verdict("marketing", BOUNCE, "critical", 0.05, 0.07, 0.09)
ACCOUNT_BREACH = Verdict(None, BOUNCE, "critical", 0.05, 0.11, 0.12)
WARNING = Verdict("news", COMPLAINT, "warning", 0.0005, 0.0007, 0.0009)


def assert_every_channel_is_safe(rendered: Report) -> None:
    """Subject and SMS one printable ASCII line within their limits; the chat notification carries the
    same subject and text, as plain text (no ``textType``)."""
    for line, limit in ((rendered.subject, SUBJECT_MAX), (rendered.sms, SMS_MAX)):
        assert line.isascii() and line.isprintable() and "\n" not in line and len(line) <= limit
    assert rendered.body.endswith("\n")
    params = rendered.publish_params("arn:aws:sns:us-east-1:123456789012:t")
    assert params["MessageStructure"] == "json" and params["Subject"] == rendered.subject
    message = json.loads(params["Message"])
    assert message["email"] == rendered.body and message["sms"] == rendered.sms
    chat = json.loads(message["default"])
    assert chat == {
        "version": "1.0",
        "source": "custom",
        "content": {"title": rendered.subject, "description": rendered.body},
    }


# --- the pause report -----------------------------------------------------------------------------------------


def test_a_sweep_report_is_bounded_and_safe_in_every_channel() -> None:
    rendered = sweep_report.pause_report(MARKETING, PAUSED, RULE, WHERE)
    assert rendered.subject == "SES PAUSED set marketing in us-east-1 (sweep): bounce 9.00% >= 5.00%"
    assert rendered.sms == rendered.subject
    assert_every_channel_is_safe(rendered)
    for text in ("Source:      sweep", "Highest:     0.09 (9.00 %)", "Latest:      0.07 (7.00 %)",
                 "Threshold:   >= 0.05 (5.00 %)", "ses-guard resume --configuration-set marketing --region us-east-1",
                 "resets its reputation metrics"):  # fmt: skip
        assert text in rendered.body


def test_a_pause_report_names_the_set_quoted_and_how_the_run_decided() -> None:
    body = sweep_report.pause_report(MARKETING, PAUSED, RULE, WHERE).body
    assert body.startswith(
        'ses-reputation-guard\'s sweep PAUSED sending for configuration set "marketing" in us-east-1, '
        "account 123456789012.\nSES now rejects sending through this configuration set in this Region"
    )
    assert 'Metric:      AWS/SES Reputation.BounceRate, ses:configuration-set="marketing"\n' in body
    assert "Evaluation:  Maximum per period, 2 of 3 periods of 3600 s" in body
    assert f"Decided at:  2026-11-28 01:35:12 UTC by {FUNCTION_ARN}\n" in body


@pytest.mark.parametrize(
    ("outcome", "subject", "headline"),
    [
        (WOULD_PAUSE, "SES WOULD PAUSE set marketing", "DRY RUN: ses-reputation-guard's sweep WOULD HAVE PAUSED"),
        (ALREADY_PAUSED, "SES PAUSED set marketing", 'set "marketing" in us-east-1 is PAUSED (it already was).'),
    ],
)
def test_a_dry_run_and_an_already_paused_set_are_reported_as_such(outcome: str, subject: str, headline: str) -> None:
    rendered = sweep_report.pause_report(MARKETING, outcome, RULE, WHERE)
    assert rendered.subject == f"{subject} in us-east-1 (sweep): bounce 9.00% >= 5.00%"
    assert headline in rendered.body.splitlines()[0]
    assert_every_channel_is_safe(rendered)


def test_a_pause_report_of_the_account_says_how_to_resume_the_account_without_a_fresh_start_warning() -> None:
    rendered = sweep_report.pause_report(ACCOUNT_BREACH, PAUSED, RULE, WHERE)
    assert rendered.subject == "SES PAUSED account in us-east-1 (sweep): bounce 12.00% >= 5.00%"
    assert "Metric:      AWS/SES Reputation.BounceRate (account-wide, no dimension)" in rendered.body
    assert "ses-guard resume --account --region us-east-1" in rendered.body
    assert "fresh start" not in rendered.body
    assert_every_channel_is_safe(rendered)


def test_the_notes_of_a_pause_report_are_shown_one_line_each() -> None:
    notes = ("the set IS PAUSED, but tagging it failed (ClientError)", "a second note")
    body = sweep_report.pause_report(MARKETING, PAUSED, RULE, WHERE, notes).body
    assert [line for line in body.splitlines() if line.startswith("  Note:")] == [
        "  Note:        the set IS PAUSED, but tagging it failed (ClientError)",
        "  Note:        a second note",
    ]


# --- the breach notice ----------------------------------------------------------------------------------------


def test_a_warning_notice_says_nothing_was_paused_and_that_it_comes_once_per_episode() -> None:
    rendered = sweep_report.breach_notice(WARNING, "warning tier", RULE, WHERE)
    assert rendered.subject == "SES WARNING set news in us-east-1 (sweep): complaint 0.09% >= 0.05%"
    assert rendered.sms == rendered.subject
    first, second = rendered.body.splitlines()[:2]
    assert first == (
        'ses-reputation-guard\'s sweep: configuration set "news" in us-east-1 breaches the warning threshold '
        "for its complaint rate. Nothing was paused: warning tier."
    )
    assert second.startswith("This notice is sent once per episode")
    assert 'ses:configuration-set="news"' in rendered.body
    assert rendered.body.endswith("  ses-guard status --region us-east-1 --configuration-set news\n")
    assert_every_channel_is_safe(rendered)


def test_a_critical_breach_that_is_only_notified_says_why() -> None:
    rendered = sweep_report.breach_notice(MARKETING, "the sweep's action is notify", RULE, WHERE)
    assert rendered.subject == "SES CRITICAL set marketing in us-east-1 (sweep): bounce 9.00% >= 5.00%"
    assert "Nothing was paused: the sweep's action is notify." in rendered.body
    assert_every_channel_is_safe(rendered)


def test_an_account_notice_points_at_the_accounts_status() -> None:
    rendered = sweep_report.breach_notice(ACCOUNT_BREACH, "the account's action is notify", RULE, WHERE)
    assert rendered.subject == "SES CRITICAL account in us-east-1 (sweep): bounce 12.00% >= 5.00%"
    assert rendered.body.endswith("  ses-guard status --region us-east-1\n")


# --- the run's summary notices --------------------------------------------------------------------------------


def test_the_more_may_be_waiting_notice_counts_the_sets_beyond_the_top_500() -> None:
    rendered = sweep_report.saturation_notice(["bounce"], 20, "20 set(s) read this run", WHERE)
    assert rendered.subject == "SES sweep in us-east-1: 500+ sets breach, 20 more may be waiting"
    lines = rendered.body.splitlines()
    assert lines[0].startswith(
        "ses-reputation-guard's sweep in us-east-1 (2026-11-28 01:35:12 UTC): the query for bounce returned"
    )
    assert "Sets of the Region not among the 500 returned: 20." in lines
    assert "Scan beyond the top 500: 20 set(s) read this run" in lines
    assert_every_channel_is_safe(rendered)


def test_the_more_may_be_waiting_notice_without_a_count_names_every_full_query() -> None:
    rendered = sweep_report.saturation_notice(["bounce", "complaint"], None, "not needed", WHERE)
    assert "more sets may be waiting" in rendered.subject
    assert "the query for bounce, complaint returned" in rendered.body
    assert_every_channel_is_safe(rendered)


def test_held_notices_are_listed_one_line_each_quoted_and_capped() -> None:
    held = [f"set 'n{i:02d}\nforged line': bounce rate" for i in range(sweep_report.LISTED_MAX + 2)]
    rendered = sweep_report.held_notices(held, WHERE)
    assert rendered.subject == "SES sweep in us-east-1: 22 more breach notice(s) held back"
    listed = [line for line in rendered.body.splitlines() if line.startswith("  ")]
    assert listed[0] == "  \"set 'n00 forged line': bounce rate\""
    assert len(listed) == sweep_report.LISTED_MAX + 1 and listed[-1] == "  ... and 2 more"
    assert not any(line.startswith("forged line") for line in rendered.body.splitlines())
    assert_every_channel_is_safe(rendered)


def test_a_set_name_outside_printable_ascii_is_replaced_in_the_subject_and_the_sms() -> None:
    rendered = sweep_report.pause_report(
        Verdict("caf\u00e9", BOUNCE, "critical", 0.05, 0.07, 0.09), PAUSED, RULE, WHERE
    )
    assert rendered.subject.startswith("SES PAUSED set caf? in us-east-1")
    assert 'configuration set "caf\u00e9"' in rendered.body
    assert_every_channel_is_safe(rendered)
