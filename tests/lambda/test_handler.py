"""The handler end to end (``handler``): records split, run independently, paused idempotently and
reported, or ignored, refused or failed; every AWS call checked against the API model by Stubber.
The rules behind each outcome have their own files (test_<module>.py); these are the invocation's."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Any

import pytest

from ses_guard_lambda.clients import Clients
from ses_guard_lambda.config import ConfigError
from ses_guard_lambda.handler import RecordProcessingError, function_identity
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT,
    ACCOUNT_ALARM,
    ALL_SOURCES,
    CONFIG,
    FUNCTION_ARN,
    PREFIX,
    SET_ALARM,
    SET_ENTRY,
    Aws,
    FakeContext,
    alarm_description,
    as_drill,
    assert_refused,
    load_event,
    log_lines,
    modules_imported_by,
    run_handler,
    sns_message,
    tags,
    with_sns_message,
)

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


def test_a_metric_math_alarm_over_the_sets_metric_is_not_the_deployed_alarm_and_pauses_nothing(aws: Aws) -> None:
    """The guard deploys the metric alone; FILL(m1, REPEAT) would make CloudWatch see other values."""
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
    aws.expect_set_policy("marketing", SET_ENTRY)
    aws.expect_publish()
    summary = run_handler(load_event("sns_metric_math_alarm.json"), aws)
    assert_refused(aws, summary, "metric math ['FILL(m1, REPEAT)'] (deployed: the metric alone); evaluation periods 2")


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


def test_the_functions_region_comes_from_aws_region_before_its_arn(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")  # the function ARN (FakeContext) names us-east-1
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    aws.assert_all_calls_made()  # ignored before any AWS call
    assert summary["paused"] == [] and summary["refused"] == []
    assert "alarm Region 'us-east-1' is not this function's Region 'eu-west-1'" in summary["ignored"][0]["reason"]


def test_malformed_json_on_the_pause_topic_is_ignored_with_one_log_line(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = run_handler(load_event("sns_malformed_json.json"), aws)
    aws.assert_all_calls_made()
    assert summary["ignored"][0]["reason"].startswith("Sns.Message is not a CloudWatch alarm notification")
    (line,) = log_lines(capsys.readouterr().out, "ignored")
    assert '\'{"AlarmName"' in line["reason"]  # the bad value is quoted


def test_an_alarm_notification_that_breaks_its_shape_fails_the_record_without_writing(aws: Aws) -> None:
    event = load_event("sns_account_bounce_alarm.json")
    message = sns_message(event)
    message["StateChangeTime"] = "yesterday"
    with pytest.raises(RecordProcessingError) as caught:
        run_handler(with_sns_message(event, message), aws)
    assert str(caught.value).startswith("1 of 1 record(s) failed: record 0: unparseable sns record")
    assert "'yesterday' is not an ISO 8601 timestamp" in str(caught.value)
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


# --- idempotency, dry run, failures ---------------------------------------------------------------


def test_duplicate_delivery_pauses_once_and_reports_each_time(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    event["Records"].append(json.loads(json.dumps(event["Records"][0])))  # SNS delivered it twice
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    aws.expect_verified(SET_ALARM, set_policy=False)  # the set's policy is read once per invocation
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


def test_a_failing_record_raises_at_the_end_after_the_other_records_were_applied(aws: Aws) -> None:
    good_set = load_event("sns_set_complaint_alarm.json")["Records"][0]
    broken = load_event("sns_account_bounce_alarm.json")
    bad = with_sns_message(broken, {**sns_message(broken), "StateChangeTime": "yesterday"})["Records"][0]
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


class _Exploding:
    """A CloudWatch client that fails in a way no AWS client does."""

    def describe_alarms(self, **_: Any) -> Any:
        raise ValueError("boom")


def test_an_unexpected_error_fails_only_its_record_and_is_logged(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    clients = Clients(sesv2=aws.sesv2, sns=aws.sns, cloudwatch=_Exploding(), ssm=aws.ssm)
    event = load_event("sns_account_bounce_alarm.json")
    event["Records"].append(load_event("sns_ok.json")["Records"][0])
    with pytest.raises(RecordProcessingError) as caught:
        run_handler(event, aws, clients=clients)
    assert caught.value.failures == [(0, "unexpected ValueError: boom")]
    assert caught.value.total == 2
    output = capsys.readouterr().out
    (failed,) = log_lines(output, "record_failed")
    assert (failed["record"], failed["source"], failed["reason"]) == (0, "sns", "unexpected ValueError: boom")
    (summary,) = log_lines(output, "summary")
    assert (summary["records"], summary["failed"], summary["ignored"]) == (2, 1, 1)


def test_the_failure_names_each_failed_record_with_its_index_and_reason() -> None:
    error = RecordProcessingError([(0, "bad JSON"), (2, "ClientError: denied")], 3)
    assert str(error) == "2 of 3 record(s) failed: record 0: bad JSON; record 2: ClientError: denied"
    assert (error.failures, error.total) == ([(0, "bad JSON"), (2, "ClientError: denied")], 3)


# --- reports at least once (issue 11, point 4) -------------------------------------------------------


def test_a_retry_after_a_failed_report_still_reports_the_pause(aws: Aws) -> None:
    event = load_event("sns_set_complaint_alarm.json")
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_pause_set("marketing")
    aws.expect_pause_tag("marketing")
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
    (line,) = log_lines(capsys.readouterr().out)
    assert line["level"] == "ERROR" and line["outcome"] == "paused"


# --- drill -------------------------------------------------------------------------------------------


def test_a_drill_never_pauses_even_when_the_evidence_holds(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_publish()  # no put_account_sending_attributes stubbed: a write would fail
    summary = run_handler(as_drill(load_event("sns_account_bounce_alarm.json")), aws)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["outcome"] == "would_pause" and summary["paused"][0]["drill"] is True
    assert aws.published[0]["Subject"].startswith("SES DRILL WOULD PAUSE account")


# --- entry point ---------------------------------------------------------------------------------------


def test_context_without_a_function_arn_is_rejected(aws: Aws) -> None:
    with pytest.raises(ConfigError, match="invoked_function_arn"):
        run_handler(load_event("sns_ok.json"), aws, context=object())


@pytest.mark.parametrize(
    ("arn", "identity"),
    [
        (FUNCTION_ARN, (ACCOUNT, "us-east-1", "aws")),
        ("arn:aws-cn:lambda:cn-north-1:111122223333:function:g-pause", ("111122223333", "cn-north-1", "aws-cn")),
        (
            "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:g-pause:live",
            ("111122223333", "us-gov-west-1", "aws-us-gov"),
        ),
    ],
)
def test_the_function_identity_is_read_from_the_invoked_function_arn_in_any_partition(
    arn: str, identity: tuple[str, str, str]
) -> None:
    assert function_identity(FakeContext(invoked_function_arn=arn)) == identity


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:lambda:us-east-1:12345:function:g-pause",  # not a 12-digit account
        "arn:aws:sns:us-east-1:123456789012:g-pause",
        f"{FUNCTION_ARN}\n",
        None,
    ],
)
def test_a_function_arn_that_names_no_account_is_a_configuration_error(arn: str | None) -> None:
    with pytest.raises(ConfigError, match="cannot read the account id from invoked_function_arn"):
        function_identity(FakeContext(invoked_function_arn=arn))  # type: ignore[arg-type]


def test_importing_the_handler_pulls_in_no_third_party_module_but_boto3() -> None:
    top_level = {m.split(".")[0] for m in modules_imported_by("ses_guard_lambda.handler")}
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


def test_a_record_from_another_topic_is_ignored_before_its_message_is_read(aws: Aws) -> None:
    """Issue "[3 of 7]": foreign garbage (``{"hello": "world"}`` from another topic) once failed the
    record, was retried and dead-lettered; its topic is now checked before its body is parsed."""
    event = load_event("sns_foreign_topic.json")
    event["Records"][0]["Sns"]["Message"] = json.dumps({"hello": "world"})
    summary = run_handler(event, aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == summary["refused"] == []
    assert "is not the pause topic (its message was not read)" in summary["ignored"][0]["reason"]
