"""`ses-guard drill`: the synthetic alarm goes through the real handler, which refuses it and notifies.

The operator's CloudWatch calls go through a Stubber; the Lambda client is a fake whose ``invoke``
validates its parameters against the Lambda API model and runs the real handler, whose own AWS
calls go through Stubbers as in the function's tests.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from botocore.validate import validate_parameters

from ses_guard_cli import drill
from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_DRILL_FAILED, EXIT_OK
from ses_guard_policy import contract
from tests.cli.support import run_cli
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    CONFIG,
    FUNCTION_ARN,
    PREFIX,
    REGION,
    Aws,
    alarm_description,
    make_client,
    run_handler,
    stubbed_aws,
)

FLEET_ALARM = f"{PREFIX}-fleet-bounce-critical"


class FakeLambda:
    """GetFunctionConfiguration and Invoke of the deployed pause function."""

    def __init__(
        self, function_side: Aws, *, crash: bool = False, guard: bool = True, answer: dict[str, Any] | None = None
    ) -> None:
        self.function_side = function_side
        self.crash = crash
        self.guard = guard
        self.answer = answer
        """A summary to answer with instead of running the handler."""
        self.model = make_client("lambda").meta.service_model
        self.events: list[dict[str, Any]] = []

    def get_function_configuration(self, **params: Any) -> dict[str, Any]:
        validate_parameters(params, self.model.operation_model("GetFunctionConfiguration").input_shape)
        variables = {
            contract.ENV_GUARD_NAME_PREFIX: PREFIX,
            contract.ENV_PAUSE_TOPIC_ARN: CONFIG.pause_topic_arn,
            contract.ENV_REPORT_TOPIC_ARN: CONFIG.report_topic_arn,
        }
        if not self.guard:
            variables = {"LOG_LEVEL": "INFO"}
        return {"FunctionName": f"{PREFIX}-pause", "FunctionArn": FUNCTION_ARN, "Environment": {"Variables": variables}}

    def invoke(self, **params: Any) -> dict[str, Any]:
        validate_parameters(params, self.model.operation_model("Invoke").input_shape)
        assert params["InvocationType"] == "RequestResponse"
        event = json.loads(params["Payload"])
        self.events.append(event)
        try:
            if self.crash:
                raise RuntimeError("boom")
            summary = self.answer if self.answer is not None else run_handler(event, self.function_side)
        except Exception as exc:
            payload = {"errorMessage": str(exc), "errorType": type(exc).__name__}
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(json.dumps(payload).encode()),
            }
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(summary).encode())}


@pytest.fixture
def function_side() -> Iterator[Aws]:
    with stubbed_aws() as env:
        yield env


def drill_run(lam: FakeLambda, cloudwatch: Any, *argv: str) -> tuple[int, str, str]:
    clients = {"lambda": lam, "cloudwatch": cloudwatch}
    return run_cli("drill", "--region", REGION, *argv, service_factory=lambda service, region: clients[service])


def test_a_drill_on_the_account_is_refused_by_the_function_and_the_notice_is_published(
    function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    cloudwatch, stub = cloudwatch_stub
    stub.add_response(
        "describe_alarms",
        {"MetricAlarms": [alarm_description(ACCOUNT_ALARM, state="OK")]},
        {"AlarmNames": [ACCOUNT_ALARM], "AlarmTypes": ["MetricAlarm"]},
    )
    function_side.expect_alarm(ACCOUNT_ALARM, state="OK")  # what the function itself sees
    function_side.expect_publish()
    lam = FakeLambda(function_side)
    code, out, err = drill_run(lam, cloudwatch, "--name-prefix", PREFIX, "--account")
    function_side.assert_all_calls_made()
    assert code == EXIT_OK, err
    assert (
        f"The function REFUSED to pause account: CloudWatch does not confirm the event: alarm {ACCOUNT_ALARM} is OK"
        in out
    )
    assert "message id 5e0f3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b" in out and "Nothing was paused." in out
    (notice,) = function_side.reports()
    # the function quotes the target the alarm claims, marked as claimed (ses_guard_lambda.report)
    assert notice["Subject"] == "SES DRILL pause REFUSED for the account (claimed) in us-east-1: not confirmed"
    assert function_side.calls_to("PutAccountSendingAttributes") == []
    record = lam.events[0]["Records"][0]["Sns"]
    assert record["MessageAttributes"][contract.DRILL_ATTRIBUTE]["Value"] == "true"
    assert record["TopicArn"] == CONFIG.pause_topic_arn


def test_a_drill_on_a_set_without_its_own_alarm_goes_through_the_fleet_alarm(
    function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    cloudwatch, stub = cloudwatch_stub
    own = f"{PREFIX}-set-tenant-7-bounce-critical"
    stub.add_response(
        "describe_alarms",
        {"MetricAlarms": [alarm_description(FLEET_ALARM)]},
        {"AlarmNames": [own, FLEET_ALARM], "AlarmTypes": ["MetricAlarm"]},
    )
    function_side.expect_verified(FLEET_ALARM)
    function_side.expect_set_policy("tenant-7")  # no policy of its own in the deployed manifest
    function_side.expect_set_tags("tenant-7")
    function_side.expect_contributors(FLEET_ALARM, ["tenant-1"])  # tenant-7 is not in ALARM
    function_side.expect_publish()
    lam = FakeLambda(function_side)
    code, out, _ = drill_run(lam, cloudwatch, "--function-name", f"{PREFIX}-pause", "--configuration-set", "tenant-7")
    function_side.assert_all_calls_made()
    assert code == EXIT_OK
    assert "contributor tenant-7 is not in ALARM now" in out
    message = json.loads(lam.events[0]["Records"][0]["Sns"]["Message"])
    assert message["AlarmContributorAttributes"] == {"ses:configuration-set": "tenant-7"}
    assert re.fullmatch(r"[0-9a-f]{16}", message["AlarmContributorId"])


def test_a_drill_where_ses_confirms_a_breach_reports_would_pause_and_pauses_nothing(
    function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    cloudwatch, stub = cloudwatch_stub
    stub.add_response("describe_alarms", {"MetricAlarms": [alarm_description(ACCOUNT_ALARM)]})
    function_side.expect_verified(ACCOUNT_ALARM)
    function_side.expect_account()
    function_side.expect_datapoints(ACCOUNT_ALARM, [0.09])
    function_side.expect_publish()
    code, out, _ = drill_run(FakeLambda(function_side), cloudwatch, "--name-prefix", PREFIX)
    function_side.assert_all_calls_made()
    assert code == EXIT_OK and "WOULD PAUSE account" in out
    assert function_side.calls_to("PutAccountSendingAttributes") == []


def test_a_drill_fails_when_the_function_errors(function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]) -> None:
    cloudwatch, stub = cloudwatch_stub
    stub.add_response("describe_alarms", {"MetricAlarms": [alarm_description(ACCOUNT_ALARM, state="OK")]})
    code, _, err = drill_run(FakeLambda(function_side, crash=True), cloudwatch, "--name-prefix", PREFIX)
    assert code == EXIT_DRILL_FAILED == 5
    assert "the function raised an error" in err and "boom" in err


def test_a_drill_without_a_matching_alarm_is_an_error(function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]) -> None:
    cloudwatch, stub = cloudwatch_stub
    stub.add_response("describe_alarms", {"MetricAlarms": []})
    code, _, err = drill_run(FakeLambda(function_side), cloudwatch, "--name-prefix", PREFIX, "--metric", "complaint")
    assert code == EXIT_AWS_ERROR
    assert f"guard {PREFIX} has no critical complaint alarm for the account" in err


def test_a_drill_of_a_function_that_is_no_guard_is_refused_before_anything_is_invoked(
    function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    cloudwatch, _ = cloudwatch_stub  # no DescribeAlarms stubbed: a call would fail
    lam = FakeLambda(function_side, guard=False)
    code, out, err = drill_run(lam, cloudwatch, "--function-name", "mailer")
    assert (code, out, lam.events) == (EXIT_AWS_ERROR, "", [])
    assert err == f"error: mailer is not a ses-reputation-guard pause function (no {contract.ENV_PAUSE_TOPIC_ARN})\n"


def test_a_drill_whose_function_neither_refuses_nor_confirms_fails(
    function_side: Aws, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    cloudwatch, stub = cloudwatch_stub
    stub.add_response("describe_alarms", {"MetricAlarms": [alarm_description(ACCOUNT_ALARM, state="OK")]})
    silent: dict[str, Any] = {"refused": [], "paused": [], "already_paused": []}
    code, _, err = drill_run(FakeLambda(function_side, answer=silent), cloudwatch, "--name-prefix", PREFIX)
    assert code == EXIT_DRILL_FAILED
    assert err == f"drill failed: the function neither refused nor confirmed the alarm: {json.dumps(silent)}\n"


def test_the_drill_event_is_what_cloudwatch_would_send_for_the_alarm() -> None:
    event = drill.drill_event(alarm_description(ACCOUNT_ALARM), CONFIG.pause_topic_arn, None)
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    assert message["Trigger"]["MetricName"] == "Reputation.BounceRate"
    assert message["Trigger"]["Threshold"] == 0.05 and message["Trigger"]["Dimensions"] == []
    assert message["StateChangeTime"] == "2026-11-28T01:34:12.311+0000"
