"""The handler end to end, with every AWS call checked against the API model by Stubber."""

from __future__ import annotations

import json
import logging
import pathlib
import re
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import ses_guard_lambda
from ses_guard_lambda import handler, ses_actions
from ses_guard_lambda.clients import RETRY_CONFIG, Clients
from ses_guard_lambda.config import ConfigError, GuardConfig
from ses_guard_lambda.handler import RecordProcessingError
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT,
    ACCOUNT_ALARM,
    ALL_SOURCES,
    CONFIG,
    FUNCTION_ARN,
    MANIFEST,
    MANIFEST_DOCUMENT,
    PREFIX,
    REPORT_TOPIC,
    SET_ALARM,
    Aws,
    FakeClock,
    FakeContext,
    alarm_description,
    load_event,
    make_client,
    run_handler,
    sns_message,
    tags,
    with_sns_message,
)


def log_lines(output: str, event: str = "decision") -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line["event"] == event]


# --- pausing --------------------------------------------------------------------------------------


def test_account_alarm_pauses_the_account(aws: Aws) -> None:
    aws.expect_account_pause(ACCOUNT_ALARM)
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["records"] == 1
    assert summary["dry_run"] is False
    assert [p["target"] for p in summary["paused"]] == ["account"]
    assert summary["paused"][0]["outcome"] == "paused"


def test_set_alarm_pauses_only_that_configuration_set(aws: Aws) -> None:
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert [p["target"] for p in summary["paused"]] == ["configuration-set:marketing"]


@pytest.mark.parametrize(
    ("event_file", "target", "report_field", "report_text"),
    [
        # a direct alarm action (set alarm)
        ("direct_alarm_action.json", "configuration-set:marketing", "Message", "0.0912"),
        # an EventBridge alarm state change (account alarm)
        ("eventbridge_alarm_state_change.json", "account", "Subject", "complaint"),
    ],
)
def test_the_other_delivery_paths_pause_when_enabled(
    aws: Aws, event_file: str, target: str, report_field: str, report_text: str
) -> None:
    if target == "account":
        aws.expect_account_pause(f"{PREFIX}-account-complaint-critical", value=0.0023)
    else:
        aws.expect_set_pause(f"{PREFIX}-set-marketing-bounce-critical", "marketing", value=0.0912)
    config = replace(CONFIG, accepted_sources=ALL_SOURCES)
    summary = run_handler(load_event(event_file), aws, config)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == target
    assert report_text in aws.published[0][report_field]


def test_metric_math_alarm_pauses_the_set_of_its_metric_on_the_raw_ses_metric(aws: Aws) -> None:
    name = f"{PREFIX}-set-marketing-bounce-critical"
    description = alarm_description(name, evaluation_periods=2)
    metric = {k: description.pop(k) for k in ("MetricName", "Namespace", "Dimensions")}
    stat = {"Metric": metric, "Period": description.pop("Period"), "Stat": description.pop("Statistic")}
    description["Metrics"] = [
        {"Id": "e1", "Expression": "FILL(m1, REPEAT)", "Label": "bounce rate (filled)", "ReturnData": True},
        {"Id": "m1", "MetricStat": stat, "ReturnData": False},
    ]
    aws.expect_alarm(name, description)
    aws.expect_tags(name, tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing")
    aws.expect_datapoints(name, [0.081, 0.079], "marketing")
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_metric_math_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "configuration-set:marketing"


# --- no write ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("sns_ok.json", "state is OK"),
        ("sns_insufficient_data.json", "state is INSUFFICIENT_DATA"),
        ("sns_foreign_account.json", "'999988887777' is not this account"),
        ("sns_foreign_alarm_name.json", "lacks the prefix 'sesguard-'"),
        ("sns_foreign_topic.json", "is not the pause topic"),
    ],
)
def test_events_that_are_not_ours_are_ignored_without_any_aws_call(aws: Aws, fixture: str, reason: str) -> None:
    summary = run_handler(load_event(fixture), aws)  # no stubbed response: any AWS call would fail the test
    aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["refused"] == []
    assert len(summary["ignored"]) == 1
    assert reason in summary["ignored"][0]["reason"]


def test_protected_set_with_notify_action_is_never_paused(aws: Aws) -> None:
    name = f"{PREFIX}-set-transactional-bounce-critical"
    aws.expect_alarm(name)
    aws.expect_tags(name, tags(contract.SCOPE_CONFIGURATION_SET, "transactional", action=contract.ACTION_NOTIFY))
    summary = run_handler(load_event("sns_protected_set_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["refused"] == []
    assert "protected" in summary["ignored"][0]["reason"]


def test_alarm_on_another_metric_is_ignored_without_any_aws_call(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["Trigger"]["MetricName"] = "Send"
    summary = run_handler(with_sns_message(event, message), aws)
    assert "not an SES reputation metric" in summary["ignored"][0]["reason"]


def test_account_id_comes_from_the_function_arn(aws: Aws) -> None:
    context = FakeContext(invoked_function_arn=FUNCTION_ARN.replace(ACCOUNT, "111122223333"))
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws, context=context)
    assert "is not this account '111122223333'" in summary["ignored"][0]["reason"]


def test_malformed_json_fails_the_record_without_writing(aws: Aws) -> None:
    with pytest.raises(RecordProcessingError) as caught:
        run_handler(load_event("sns_malformed_json.json"), aws)
    message = str(caught.value)
    assert message.startswith("1 of 1 record(s) failed: record 0: unparseable sns record")
    assert "not JSON" in message
    assert '\'{"AlarmName"' in message  # the bad value is quoted
    aws.assert_all_calls_made()


def test_empty_records_are_a_no_op(aws: Aws) -> None:
    summary = run_handler(load_event("sns_empty_records.json"), aws)
    assert summary == {
        "records": 0,
        "paused": [],
        "already_paused": [],
        "ignored": [],
        "refused": [],
        "dry_run": False,
    }


def test_oversized_message_fails_the_record_without_writing(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["AlarmDescription"] = "x" * (contract.MAX_MESSAGE_BYTES + 1)
    with pytest.raises(RecordProcessingError, match=r"record 0: .*bytes, over the limit of 262144"):
        run_handler(with_sns_message(event, message), aws)


def test_oversized_direct_event_fails_without_writing(aws: Aws) -> None:
    event = load_event("direct_alarm_action.json")
    event["alarmData"]["configuration"]["description"] = "x" * contract.MAX_MESSAGE_BYTES
    with pytest.raises(RecordProcessingError, match="over the limit"):
        run_handler(event, aws, replace(CONFIG, accepted_sources=ALL_SOURCES))


def test_unknown_event_shape_fails_the_invocation(aws: Aws) -> None:
    with pytest.raises(RecordProcessingError, match="unrecognised event shape"):
        run_handler({"hello": "world"}, aws)


# --- idempotency, dry run, retries, failures ---------------------------------------------------


def test_duplicate_delivery_pauses_once_and_reports_each_time(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    event["Records"].append(json.loads(json.dumps(event["Records"][0])))  # SNS delivered it twice
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing", sending_enabled=False)  # second copy: already paused, no write
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_publish()
    summary = run_handler(event, aws)
    aws.assert_all_calls_made()
    assert len(summary["paused"]) == 1
    assert [e["outcome"] for e in summary["already_paused"]] == ["already_paused"]
    assert len(aws.calls_to("PutConfigurationSetSendingOptions")) == 1
    assert [p["Subject"].split(":")[0] for p in aws.published] == [
        "SES PAUSED set marketing in us-east-1",
        "SES PAUSED set marketing in us-east-1 (may repeat)",
    ]
    assert "may repeat an earlier message" in aws.reports()[1]["Texts"]["email"]
    outcomes = [line["outcome"] for line in log_lines(capsys.readouterr().out)]
    assert outcomes == ["paused", "already_paused"]


def test_account_shut_down_by_aws_counts_as_already_paused(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account(sending_enabled=False, enforcement="SHUTDOWN")
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_publish()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["already_paused"] and not summary["paused"]
    assert "paused by AWS (EnforcementStatus SHUTDOWN)" in aws.reports()[0]["Texts"]["email"]


def test_dry_run_verifies_and_reports_would_pause_without_writing(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_publish()  # no put_configuration_set_sending_options stubbed: a write would fail
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, replace(CONFIG, dry_run=True))
    aws.assert_all_calls_made()
    assert summary["dry_run"] is True
    assert summary["paused"][0]["outcome"] == "would_pause"
    assert aws.published[0]["Subject"].startswith("SES WOULD PAUSE set marketing")
    assert "DRY RUN" in aws.published[0]["Message"]
    (line,) = log_lines(capsys.readouterr().out)
    assert line["dry_run"] is True
    assert line["outcome"] == "would_pause"


def test_dry_run_still_refuses_what_ses_does_not_confirm(aws: Aws) -> None:
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0002], "marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, replace(CONFIG, dry_run=True))
    aws.assert_all_calls_made()
    assert summary["paused"] == [] and len(summary["refused"]) == 1


def test_throttling_is_retried_with_the_standard_retry_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real client (no Stubber: it bypasses retries) whose HTTP layer answers 429, then 200."""
    sleeps: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", sleeps.append)
    sesv2 = make_client("sesv2")
    calls: list[str] = []

    def fake_http(request: Any, **_: Any) -> AWSResponse:
        calls.append(request.url)
        if len(calls) == 1:
            return _throttled(request)
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _Raw(b"{}"))

    sesv2.meta.events.register("before-send.sesv2.PutConfigurationSetSendingOptions", fake_http)
    ses_actions.pause_configuration_set(sesv2, "marketing")
    assert len(calls) == 2
    assert calls[0].endswith("/v2/email/configuration-sets/marketing/sending")
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 20


def test_throttling_beyond_the_sdk_retries_is_retried_until_the_time_budget_is_spent(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)
    sesv2 = make_client("sesv2")
    attempts: list[int] = []

    def throttled(request: Any, **_: Any) -> AWSResponse:
        attempts.append(1)
        return _throttled(request)

    sesv2.meta.events.register("before-send.sesv2.GetAccount", throttled)
    aws.expect_verified(ACCOUNT_ALARM)
    clients = Clients(sesv2=sesv2, sns=aws.sns, cloudwatch=aws.cloudwatch, ssm=aws.ssm)
    clock = FakeClock()
    with pytest.raises(RecordProcessingError, match=r"TooManyRequestsException.*time budget is spent"):
        run_handler(load_event("sns_account_bounce_alarm.json"), aws, clients=clients, clock=clock)
    # More than the SDK's 5 attempts (its retry quota even runs dry, then it stops retrying at once).
    assert len(attempts) > 5
    assert 100 <= clock.elapsed <= 120  # kept 10 s of the 120 s budget in reserve


def _throttled(request: Any) -> AWSResponse:
    headers = {"x-amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"}
    return AWSResponse(request.url, 429, headers, _Raw(b'{"message": "Too many requests"}'))


class _Raw:
    """The minimal raw-body object botocore reads from an HTTP response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def test_clients_use_standard_retries_with_five_attempts() -> None:
    assert RETRY_CONFIG.retries == {"mode": "standard", "total_max_attempts": 5}
    client = make_client("sesv2")
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.config.retries["total_max_attempts"] == 5


def test_a_failing_record_raises_at_the_end_after_the_other_records_were_applied(aws: Aws) -> None:
    good_set = load_event("sns_set_complaint_alarm.json")["Records"][0]
    bad = load_event("sns_malformed_json.json")["Records"][0]
    good_account = load_event("sns_account_bounce_alarm.json")["Records"][0]
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    aws.expect_account_pause(ACCOUNT_ALARM)
    with pytest.raises(RecordProcessingError) as caught:
        run_handler({"Records": [good_set, bad, good_account]}, aws)
    aws.assert_all_calls_made()  # both good records were paused and reported
    assert caught.value.failures[0][0] == 1
    assert str(caught.value).startswith("1 of 3 record(s) failed: record 1: ")


def test_access_denied_on_the_pause_fails_the_record(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.stubs["sesv2"].add_client_error(
        "put_account_sending_attributes",
        "AccessDeniedException",
        "User is not authorized to perform: ses:PutAccountSendingAttributes",
        http_status_code=403,
    )
    with pytest.raises(RecordProcessingError, match=r"record 0: ClientError: .*AccessDeniedException"):
        run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    assert aws.published == []


# --- report and logs -----------------------------------------------------------------------------


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
    assert "1 of 1 Maximum datapoint(s)" in body


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


def test_decision_log_line_has_all_fields(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_account_pause(ACCOUNT_ALARM, value=0.1234)
    run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    (line,) = log_lines(capsys.readouterr().out)
    assert line["level"] == "INFO"
    assert line["alarm"] == ACCOUNT_ALARM
    assert line["metric"] == "Reputation.BounceRate"
    assert line["value"] == 0.1234
    assert line["threshold"] == 0.05
    assert line["target"] == "account"
    assert line["action"] == "pause_account"
    assert line["outcome"] == "paused"
    assert line["dry_run"] is False
    assert line["reason"]
    assert line["evidence"].startswith("1 of 1 Maximum datapoint(s) of AWS/SES Reputation.BounceRate")
    assert line["request_id"] == FakeContext().aws_request_id
    assert line["timestamp"].endswith("Z")


def test_ignored_record_still_logs_exactly_one_decision_line(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    run_handler(load_event("sns_ok.json"), aws)
    output = capsys.readouterr().out
    (line,) = log_lines(output)
    assert line["action"] == "ignore" and line["outcome"] == "ignored"
    assert line["reason"] == "state is OK, not ALARM"
    (summary,) = log_lines(output, "summary")
    assert summary["ignored"] == 1 and summary["failed"] == 0


def test_logs_go_through_the_logging_module_as_one_json_object_per_line(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    ours, root = Collect(), Collect()
    logging.getLogger("ses_guard_lambda").addHandler(ours)
    logging.getLogger().addHandler(root)
    try:
        run_handler(load_event("sns_ok.json"), aws)
    finally:
        logging.getLogger("ses_guard_lambda").removeHandler(ours)
        logging.getLogger().removeHandler(root)
    assert [r.getMessage() for r in ours.records] == ["decision", "summary"]
    assert root.records == []  # not propagated: the Lambda runtime's root handler would print it twice
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(isinstance(json.loads(line), dict) for line in lines)


# --- entry point and environment -------------------------------------------------------------------


def test_lambda_handler_reads_its_configuration_from_the_environment(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(contract.ENV_GUARD_NAME_PREFIX, PREFIX)
    monkeypatch.setenv(contract.ENV_PAUSE_TOPIC_ARN, CONFIG.pause_topic_arn)
    monkeypatch.setenv(contract.ENV_REPORT_TOPIC_ARN, REPORT_TOPIC)
    monkeypatch.setenv(contract.ENV_DRY_RUN, "true")
    monkeypatch.setattr(handler, "get_clients", lambda: aws.clients)
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_publish()
    summary = handler.lambda_handler(load_event("sns_account_bounce_alarm.json"), FakeContext())
    aws.assert_all_calls_made()
    assert summary["dry_run"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "missing environment variable(s): GUARD_NAME_PREFIX, PAUSE_TOPIC_ARN, REPORT_TOPIC_ARN"),
        ({"DRY_RUN": "maybe"}, "DRY_RUN must be true or false, got 'maybe'"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD': must be one of"),
        ({"PROTECTED_CONFIGURATION_SETS": "ok,bad name"}, "invalid configuration set name(s): 'bad name'"),
        ({"ACCEPTED_SOURCES": "sns,webhook"}, "ACCEPTED_SOURCES holds unknown source(s) ['webhook']"),
        ({"GUARD_NAME_PREFIX": "Bad_Prefix"}, "GUARD_NAME_PREFIX='Bad_Prefix': must be 2-32 characters"),
    ],
)
def test_bad_environment_is_a_clear_error(env: dict[str, str], message: str) -> None:
    base = {} if not env else {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    with pytest.raises(ConfigError) as caught:
        GuardConfig.from_env({**base, **env})
    assert message in str(caught.value)


def test_accepted_sources_always_include_sns() -> None:
    base = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    assert GuardConfig.from_env(base).accepted_sources == {"sns"}
    enabled = GuardConfig.from_env({**base, "ACCEPTED_SOURCES": " EventBridge , alarm-action"})
    assert enabled.accepted_sources == {"sns", "eventbridge", "alarm-action"}


def test_the_guard_level_manifest_is_read_from_the_environment() -> None:
    base = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    assert GuardConfig.from_env(base).manifest is None
    config = GuardConfig.from_env({**base, "POLICY_MANIFEST": json.dumps(MANIFEST_DOCUMENT)})
    assert config.manifest == MANIFEST
    assert config.manifest is not None and config.manifest.fleet is not None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid JSON"),
        (json.dumps({**MANIFEST_DOCUMENT, "version": 2}), "version=2: this tool reads version 1"),
        (json.dumps({**MANIFEST_DOCUMENT, "account": {"action": "delete"}}), "action='delete': must be one of"),
        (json.dumps({**MANIFEST_DOCUMENT, "alarm": {"statistic": "p99"}}), "statistic='p99': must be one of"),
    ],
)
def test_a_broken_manifest_is_a_clear_error(document: str, message: str) -> None:
    base = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    with pytest.raises(ConfigError, match=re.escape(message)):
        GuardConfig.from_env({**base, "POLICY_MANIFEST": document})


def test_context_without_a_function_arn_is_rejected(aws: Aws) -> None:
    with pytest.raises(ConfigError, match="invoked_function_arn"):
        run_handler(load_event("sns_ok.json"), aws, context=object())


def test_importing_the_handler_pulls_in_no_third_party_module_but_boto3() -> None:
    top_level = {m.split(".")[0] for m in _modules_imported_by("ses_guard_lambda.handler")}
    third_party = {m for m in top_level if m not in sys.stdlib_module_names and not m.startswith("_")}
    # boto3's own dependencies come with it (and with the Lambda runtime's boto3).
    boto3_and_its_dependencies = {
        "boto3",
        "botocore",
        "jmespath",
        "dateutil",
        "urllib3",
        "s3transfer",
        "six",
        "certifi",
    }
    assert third_party - boto3_and_its_dependencies - {"ses_guard_lambda", "ses_guard_policy"} == set()
    assert "moto" not in top_level and "pytest" not in top_level


def test_the_report_texts_import_without_boto3() -> None:
    """The constructs (dashboard) and the CLI import the warnings from ``report``: no SDK with them."""
    imported = _modules_imported_by("ses_guard_lambda.report")
    assert {m for m in imported if m.split(".")[0] in ("boto3", "botocore")} == set()


def _modules_imported_by(module: str) -> set[str]:
    """Modules that importing ``module`` loads, in a new interpreter whose path holds the function
    package only."""
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    lambda_src = str(pathlib.Path(ses_guard_lambda.__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": lambda_src, "PATH": "/usr/bin:/bin"},
    )
    return set(json.loads(result.stdout))
