"""The handler end to end, with every AWS call checked against the API model by Stubber."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

import ses_guard_lambda
from ses_guard_lambda import contract, handler, ses_actions
from ses_guard_lambda.clients import RETRY_CONFIG, Clients
from ses_guard_lambda.config import ConfigError, GuardConfig
from ses_guard_lambda.handler import RecordProcessingError
from tests.stubbed_aws import (
    ACCOUNT,
    ACCOUNT_TAGS,
    CONFIG,
    FUNCTION_ARN,
    PREFIX,
    REPORT_TOPIC,
    Aws,
    FakeContext,
    alarm_arn,
    load_event,
    make_client,
    sns_message,
    tags,
    with_sns_message,
)

SET_TAGS = tags(contract.SCOPE_CONFIGURATION_SET, "marketing")


def run(event: Any, aws: Aws, config: GuardConfig = CONFIG, context: Any = None) -> dict[str, Any]:
    return handler.handle(event, context or FakeContext(), config=config, clients=aws.clients)


def decision_lines(output: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line["event"] == "decision"]


# --- pausing --------------------------------------------------------------------------------------


def test_account_alarm_pauses_the_account(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account(sending_enabled=True)
    aws.expect_pause_account()
    aws.expect_publish()
    summary = run(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["records"] == 1
    assert summary["dry_run"] is False
    assert [p["target"] for p in summary["paused"]] == ["account"]
    assert summary["paused"][0]["outcome"] == "paused"


def test_set_alarm_pauses_only_that_configuration_set(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-marketing-complaint-critical", tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing", sending_enabled=True)
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    summary = run(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert [p["target"] for p in summary["paused"]] == ["configuration-set:marketing"]


def test_direct_alarm_action_event_pauses_the_set(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-marketing-bounce-critical", SET_TAGS)
    aws.expect_set("marketing")
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    summary = run(load_event("direct_alarm_action.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "configuration-set:marketing"
    assert "0.0912" in aws.published[0]["Message"]


def test_eventbridge_alarm_state_change_pauses_the_account(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-complaint-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.expect_pause_account()
    aws.expect_publish()
    summary = run(load_event("eventbridge_alarm_state_change.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "account"
    assert "complaint" in aws.published[0]["Subject"]


def test_metric_math_alarm_pauses_the_set_of_its_metric(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-marketing-bounce-critical", SET_TAGS)
    aws.expect_set("marketing")
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    summary = run(load_event("sns_metric_math_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "configuration-set:marketing"


def test_metrics_insights_contributor_pauses_the_contributor_set(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-all-bounce-critical", tags(contract.SCOPE_CONFIGURATION_SET, "*"))
    aws.expect_set("newsletter")
    aws.expect_pause_set("newsletter")
    aws.expect_publish()
    summary = run(load_event("sns_metrics_insights_contributor.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "configuration-set:newsletter"


def test_eventbridge_contributor_event_pauses_the_contributor_set(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-all-bounce-critical", tags(contract.SCOPE_CONFIGURATION_SET, "*"))
    aws.expect_set("newsletter")
    aws.expect_pause_set("newsletter")
    aws.expect_publish()
    summary = run(load_event("eventbridge_contributor_state_change.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "configuration-set:newsletter"


def test_metrics_insights_alarm_for_one_named_set_pauses_only_a_matching_contributor(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-all-bounce-critical", tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    summary = run(load_event("sns_metrics_insights_contributor.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == []
    assert "does not match" in summary["ignored"][0]["reason"]


def test_wildcard_alarm_without_a_contributor_does_not_pause(aws: Aws) -> None:
    event = load_event("sns_metrics_insights_contributor.json")
    message = sns_message(event)
    del message["AlarmContributor"]
    aws.expect_tags(f"{PREFIX}-set-all-bounce-critical", tags(contract.SCOPE_CONFIGURATION_SET, "*"))
    summary = run(with_sns_message(event, message), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == []
    assert "no contributor" in summary["ignored"][0]["reason"]


def test_protected_sets_from_the_environment_are_never_paused_by_a_wildcard_alarm(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-all-bounce-critical", tags(contract.SCOPE_CONFIGURATION_SET, "*"))
    config = replace(CONFIG, protected_sets=frozenset({"newsletter"}))
    summary = run(load_event("sns_metrics_insights_contributor.json"), aws, config)
    aws.assert_all_calls_made()
    assert summary["paused"] == []
    assert "PROTECTED_CONFIGURATION_SETS" in summary["ignored"][0]["reason"]


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
    summary = run(load_event(fixture), aws)  # no stubbed response: any AWS call would fail the test
    aws.assert_all_calls_made()
    assert summary["paused"] == []
    assert len(summary["ignored"]) == 1
    assert reason in summary["ignored"][0]["reason"]


def test_protected_set_with_notify_action_is_never_paused(aws: Aws) -> None:
    aws.expect_tags(
        f"{PREFIX}-set-transactional-bounce-critical",
        tags(contract.SCOPE_CONFIGURATION_SET, "transactional", action=contract.ACTION_NOTIFY),
    )
    summary = run(load_event("sns_protected_set_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == []
    assert "protected" in summary["ignored"][0]["reason"]


@pytest.mark.parametrize(
    ("alarm_tags", "reason"),
    [
        (tags(contract.SCOPE_CONFIGURATION_SET, "other-set"), "does not match dimension"),
        (tags(contract.SCOPE_ACCOUNT), "tag scope 'account' but the metric is for set 'marketing'"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", tier=contract.TIER_WARNING), "only critical"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", guard="someone-else"), "is not this guard"),
        ({}, "is not this guard"),
        (tags("region", "marketing"), "is not one of"),
        (tags(contract.SCOPE_CONFIGURATION_SET, None), "is missing"),
    ],
)
def test_tags_that_disagree_with_the_alarm_do_not_pause(aws: Aws, alarm_tags: dict[str, str], reason: str) -> None:
    aws.expect_tags(f"{PREFIX}-set-marketing-complaint-critical", alarm_tags)
    summary = run(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == []
    assert reason in summary["ignored"][0]["reason"]


def test_set_scoped_tags_on_an_account_metric_do_not_pause(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", SET_TAGS)
    summary = run(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert "no dimension" in summary["ignored"][0]["reason"]


def test_alarm_on_another_metric_is_ignored_without_any_aws_call(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["Trigger"]["MetricName"] = "Send"
    summary = run(with_sns_message(event, message), aws)
    assert "not an SES reputation metric" in summary["ignored"][0]["reason"]


def test_deleted_alarm_is_ignored(aws: Aws) -> None:
    aws.stubs["cloudwatch"].add_client_error(
        "list_tags_for_resource",
        "ResourceNotFoundException",
        "The specified resource does not exist.",
        http_status_code=404,
        expected_params={"ResourceARN": alarm_arn(f"{PREFIX}-account-bounce-critical")},
    )
    summary = run(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert "no longer exists" in summary["ignored"][0]["reason"]


def test_account_id_comes_from_the_function_arn(aws: Aws) -> None:
    context = FakeContext(invoked_function_arn=FUNCTION_ARN.replace(ACCOUNT, "111122223333"))
    summary = run(load_event("sns_account_bounce_alarm.json"), aws, context=context)
    assert "is not this account '111122223333'" in summary["ignored"][0]["reason"]


def test_malformed_json_fails_the_record_without_writing(aws: Aws) -> None:
    with pytest.raises(RecordProcessingError) as caught:
        run(load_event("sns_malformed_json.json"), aws)
    message = str(caught.value)
    assert message.startswith("1 of 1 record(s) failed: record 0: unparseable sns record")
    assert "not JSON" in message
    assert '\'{"AlarmName"' in message  # the bad value is quoted
    aws.assert_all_calls_made()


def test_empty_records_are_a_no_op(aws: Aws) -> None:
    summary = run(load_event("sns_empty_records.json"), aws)
    assert summary == {"records": 0, "paused": [], "already_paused": [], "ignored": [], "dry_run": False}


def test_oversized_message_fails_the_record_without_writing(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["AlarmDescription"] = "x" * (contract.MAX_MESSAGE_BYTES + 1)
    with pytest.raises(RecordProcessingError, match=r"record 0: .*bytes, over the limit of 262144"):
        run(with_sns_message(event, message), aws)


def test_oversized_direct_event_fails_without_writing(aws: Aws) -> None:
    event = load_event("direct_alarm_action.json")
    event["alarmData"]["configuration"]["description"] = "x" * contract.MAX_MESSAGE_BYTES
    with pytest.raises(RecordProcessingError, match="over the limit"):
        run(event, aws)


def test_unknown_event_shape_fails_the_invocation(aws: Aws) -> None:
    with pytest.raises(RecordProcessingError, match="unrecognised event shape"):
        run({"hello": "world"}, aws)


# --- idempotency, dry run, retries, failures ---------------------------------------------------


def test_duplicate_delivery_of_a_paused_set_writes_nothing(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    event["Records"].append(json.loads(json.dumps(event["Records"][0])))  # SNS delivered it twice
    name = f"{PREFIX}-set-marketing-complaint-critical"
    aws.expect_tags(name, tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing", sending_enabled=True)
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    aws.expect_tags(name, tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing", sending_enabled=False)  # second copy: already paused, no write, no report
    summary = run(event, aws)
    aws.assert_all_calls_made()
    assert len(summary["paused"]) == 1
    assert [e["outcome"] for e in summary["already_paused"]] == ["already_paused"]
    assert len(aws.published) == 1
    outcomes = [line["outcome"] for line in decision_lines(capsys.readouterr().out)]
    assert outcomes == ["paused", "already_paused"]


def test_already_paused_account_is_not_written_again(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account(sending_enabled=False)
    summary = run(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["already_paused"][0]["target"] == "account"
    assert aws.published == []


def test_account_shut_down_by_aws_counts_as_already_paused(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account(sending_enabled=False, enforcement="SHUTDOWN")
    summary = run(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert summary["already_paused"] and not summary["paused"]


def test_dry_run_reports_would_pause_without_writing(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_tags(f"{PREFIX}-set-marketing-complaint-critical", tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing", sending_enabled=True)
    aws.expect_publish()  # no put_configuration_set_sending_options stubbed: a write would fail
    summary = run(load_event("sns_set_complaint_alarm.json"), aws, replace(CONFIG, dry_run=True))
    aws.assert_all_calls_made()
    assert summary["dry_run"] is True
    assert summary["paused"][0]["outcome"] == "would_pause"
    assert aws.published[0]["Subject"].startswith("SES WOULD PAUSE set marketing")
    assert "DRY RUN" in aws.published[0]["Message"]
    (line,) = decision_lines(capsys.readouterr().out)
    assert line["dry_run"] is True
    assert line["outcome"] == "would_pause"


def test_throttling_is_retried_with_the_standard_retry_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real client (no Stubber: it bypasses retries) whose HTTP layer answers 429, then 200."""
    sleeps: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", sleeps.append)
    sesv2 = make_client("sesv2")
    calls: list[str] = []

    def fake_http(request: Any, **_: Any) -> AWSResponse:
        calls.append(request.url)
        if len(calls) == 1:
            body = json.dumps({"message": "Too many requests"}).encode()
            headers = {"x-amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"}
            return AWSResponse(request.url, 429, headers, _Raw(body))
        return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, _Raw(b"{}"))

    sesv2.meta.events.register("before-send.sesv2.PutConfigurationSetSendingOptions", fake_http)
    sesv2.meta.events.register(
        "before-send.sesv2.GetConfigurationSet",
        lambda request, **_: AWSResponse(
            request.url,
            200,
            {"Content-Type": "application/json"},
            _Raw(
                json.dumps({"ConfigurationSetName": "marketing", "SendingOptions": {"SendingEnabled": True}}).encode()
            ),
        ),
    )
    assert ses_actions.pause_configuration_set(sesv2, "marketing") == "paused"
    assert len(calls) == 2
    assert calls[0].endswith("/v2/email/configuration-sets/marketing/sending")
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 20


def test_throttling_beyond_five_attempts_fails_the_record(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)
    sesv2 = make_client("sesv2")
    attempts: list[int] = []

    def throttled(request: Any, **_: Any) -> AWSResponse:
        attempts.append(1)
        headers = {"x-amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"}
        return AWSResponse(request.url, 429, headers, _Raw(b'{"message": "Too many requests"}'))

    sesv2.meta.events.register("before-send.sesv2.GetAccount", throttled)
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    clients = Clients(sesv2=sesv2, sns=aws.sns, cloudwatch=aws.cloudwatch)
    with pytest.raises(RecordProcessingError, match="TooManyRequestsException"):
        handler.handle(load_event("sns_account_bounce_alarm.json"), FakeContext(), config=CONFIG, clients=clients)
    assert len(attempts) == 5


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
    event = {"Records": [good_set, bad, good_account]}
    aws.expect_tags(f"{PREFIX}-set-marketing-complaint-critical", tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing")
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.expect_pause_account()
    aws.expect_publish()
    with pytest.raises(RecordProcessingError) as caught:
        run(event, aws)
    aws.assert_all_calls_made()  # both good records were paused and reported
    assert caught.value.failures[0][0] == 1
    assert str(caught.value).startswith("1 of 3 record(s) failed: record 1: ")


def test_access_denied_on_the_pause_fails_the_record(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.stubs["sesv2"].add_client_error(
        "put_account_sending_attributes",
        "AccessDeniedException",
        "User is not authorized to perform: ses:PutAccountSendingAttributes",
        http_status_code=403,
    )
    with pytest.raises(RecordProcessingError, match=r"record 0: ClientError: .*AccessDeniedException"):
        run(load_event("sns_account_bounce_alarm.json"), aws)
    assert aws.published == []


def test_report_failure_after_pausing_fails_the_record(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.expect_pause_account()
    aws.stubs["sns"].add_client_error("publish", "KMSAccessDeniedException", "no kms", http_status_code=400)
    with pytest.raises(RecordProcessingError, match="paused account but publishing the report failed"):
        run(load_event("sns_account_bounce_alarm.json"), aws)
    (line,) = decision_lines(capsys.readouterr().out)
    assert line["level"] == "ERROR" and line["outcome"] == "paused"


# --- report and logs -----------------------------------------------------------------------------


def test_report_names_the_resume_command_and_the_fresh_start_warning(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-set-marketing-complaint-critical", tags(contract.SCOPE_CONFIGURATION_SET, "marketing"))
    aws.expect_set("marketing")
    aws.expect_pause_set("marketing")
    aws.expect_publish()
    run(load_event("sns_set_complaint_alarm.json"), aws)
    (published,) = aws.published
    assert published["TopicArn"] == REPORT_TOPIC
    subject = published["Subject"]
    assert subject == "SES PAUSED set marketing in us-east-1: complaint 0.61% >= 0.10%"
    body = published["Message"]
    assert "python -m ses_guard_lambda resume --configuration-set marketing --region us-east-1" in body
    assert "fresh start" in body
    assert "cannot lift" in body
    assert f"{PREFIX}-set-marketing-complaint-critical" in body
    assert "Reputation.ComplaintRate" in body
    assert "0.0061" in body and ">= 0.001" in body
    assert "2026-11-28T01:34:12.311+0000" in body


def test_account_report_has_no_fresh_start_warning_but_the_account_resume_command(aws: Aws) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.expect_pause_account()
    aws.expect_publish()
    run(load_event("sns_account_bounce_alarm.json"), aws)
    body = aws.published[0]["Message"]
    assert "python -m ses_guard_lambda resume --account --region us-east-1" in body
    assert "fresh start" not in body


def test_decision_log_line_has_all_fields(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.expect_pause_account()
    aws.expect_publish()
    run(load_event("sns_account_bounce_alarm.json"), aws)
    (line,) = decision_lines(capsys.readouterr().out)
    assert line["alarm"] == f"{PREFIX}-account-bounce-critical"
    assert line["metric"] == "Reputation.BounceRate"
    assert line["value"] == 0.1234
    assert line["threshold"] == 0.05
    assert line["target"] == "account"
    assert line["action"] == "pause_account"
    assert line["outcome"] == "paused"
    assert line["dry_run"] is False
    assert line["reason"]
    assert line["request_id"] == FakeContext().aws_request_id


def test_ignored_record_still_logs_exactly_one_decision_line(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    run(load_event("sns_ok.json"), aws)
    (line,) = decision_lines(capsys.readouterr().out)
    assert line["action"] == "ignore" and line["outcome"] == "ignored"
    assert line["reason"] == "state is OK, not ALARM"


# --- entry point and environment -------------------------------------------------------------------


def test_lambda_handler_reads_its_configuration_from_the_environment(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(contract.ENV_GUARD_NAME_PREFIX, PREFIX)
    monkeypatch.setenv(contract.ENV_PAUSE_TOPIC_ARN, CONFIG.pause_topic_arn)
    monkeypatch.setenv(contract.ENV_REPORT_TOPIC_ARN, REPORT_TOPIC)
    monkeypatch.setenv(contract.ENV_DRY_RUN, "true")
    monkeypatch.setattr(handler, "get_clients", lambda: aws.clients)
    aws.expect_tags(f"{PREFIX}-account-bounce-critical", ACCOUNT_TAGS)
    aws.expect_account()
    aws.expect_publish()
    summary = handler.lambda_handler(load_event("sns_account_bounce_alarm.json"), FakeContext())
    aws.assert_all_calls_made()
    assert summary["dry_run"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "missing environment variable(s): GUARD_NAME_PREFIX, PAUSE_TOPIC_ARN, REPORT_TOPIC_ARN"),
        ({"DRY_RUN": "maybe"}, "DRY_RUN must be true or false, got 'maybe'"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
        ({"PROTECTED_CONFIGURATION_SETS": "ok,bad name"}, "invalid configuration set name(s): 'bad name'"),
    ],
)
def test_bad_environment_is_a_clear_error(env: dict[str, str], message: str) -> None:
    base = {} if not env else {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    with pytest.raises(ConfigError) as caught:
        GuardConfig.from_env({**base, **env})
    assert message in str(caught.value)


def test_context_without_a_function_arn_is_rejected(aws: Aws) -> None:
    with pytest.raises(ConfigError, match="invoked_function_arn"):
        run(load_event("sns_ok.json"), aws, context=object())


def test_importing_the_handler_pulls_in_no_third_party_module_but_boto3() -> None:
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import ses_guard_lambda.handler\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": _lambda_src(), "PATH": "/usr/bin:/bin"},
    )
    top_level = set(json.loads(result.stdout))
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
    assert third_party - boto3_and_its_dependencies - {"ses_guard_lambda"} == set()
    assert "moto" not in top_level and "pytest" not in top_level


def test_importing_the_contract_imports_nothing_outside_the_standard_library() -> None:
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import ses_guard_lambda.contract\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": _lambda_src(), "PATH": "/usr/bin:/bin"},
    )
    new = {m for m in json.loads(result.stdout) if m.split(".")[0] not in sys.stdlib_module_names}
    assert new == {"ses_guard_lambda", "ses_guard_lambda.contract"}


def _lambda_src() -> str:
    return str(pathlib.Path(ses_guard_lambda.__file__).resolve().parent.parent)
