"""The function's AWS clients (``clients``): botocore's standard retry mode, the Region from the
environment, one set of clients per execution environment."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from ses_guard_lambda import clients, ses_actions
from ses_guard_lambda.clients import MAX_ATTEMPTS, RETRY_CONFIG, Clients, default_clients, region_from_env
from tests.stubbed_aws import make_client, ok_http_response, throttled_http_response


def test_clients_use_standard_retries_with_five_attempts() -> None:
    assert RETRY_CONFIG.retries == {"mode": "standard", "total_max_attempts": 5}
    client = make_client("sesv2")
    assert client.meta.config.retries["mode"] == "standard"
    assert client.meta.config.retries["total_max_attempts"] == 5


def test_throttling_is_retried_with_the_standard_retry_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """A real client (no Stubber: it bypasses retries) whose HTTP layer answers 429, then 200."""
    sleeps: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", sleeps.append)
    sesv2 = make_client("sesv2")
    calls: list[str] = []

    def fake_http(request: Any, **_: Any) -> AWSResponse:
        calls.append(request.url)
        if len(calls) == 1:
            return throttled_http_response(request)
        return ok_http_response(request)

    sesv2.meta.events.register("before-send.sesv2.PutConfigurationSetSendingOptions", fake_http)
    ses_actions.pause_configuration_set(sesv2, "marketing")
    assert len(calls) == 2
    assert calls[0].endswith("/v2/email/configuration-sets/marketing/sending")
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 20


@pytest.mark.parametrize(
    ("region", "default_region", "expected"),
    [
        ("eu-west-1", "us-east-1", "eu-west-1"),
        (None, "us-east-2", "us-east-2"),
        ("", "us-east-2", "us-east-2"),
        (None, None, None),
        ("", "", None),
    ],
)
def test_the_region_comes_from_aws_region_then_aws_default_region(
    monkeypatch: pytest.MonkeyPatch, region: str | None, default_region: str | None, expected: str | None
) -> None:
    for name, value in (("AWS_REGION", region), ("AWS_DEFAULT_REGION", default_region)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert region_from_env() == expected


def test_a_client_is_made_for_the_environments_region_with_the_retry_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    client = clients.make_client("sesv2")
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.config.retries["total_max_attempts"] == MAX_ATTEMPTS == 5
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (5, 10)
    assert clients.make_client("sns", region="ap-southeast-2").meta.region_name == "ap-southeast-2"


def test_the_default_clients_are_made_once_per_execution_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clients, "_cached", None)
    monkeypatch.setenv("SWEEP_STATE_TABLE", "sesguard-sweep-state")  # a guard with a sweep
    first = default_clients()
    assert default_clients() is first
    services = {name: getattr(first, name).meta.service_model.service_name for name in ("sesv2", "sns", "cloudwatch")}
    assert services == {"sesv2": "sesv2", "sns": "sns", "cloudwatch": "cloudwatch"}
    assert first.ssm.meta.service_model.service_name == "ssm"
    assert first.dynamodb.meta.service_model.service_name == "dynamodb"
    assert first.dynamodb.meta.config.retries["total_max_attempts"] == MAX_ATTEMPTS
    assert first.sesv2.meta.region_name == "us-east-1"


def test_clients_built_without_ssm_or_dynamodb_have_none() -> None:
    built = Clients(sesv2="ses", sns="sns", cloudwatch="cw")
    assert (built.sesv2, built.sns, built.cloudwatch, built.ssm, built.dynamodb) == ("ses", "sns", "cw", None, None)


def test_the_operator_tools_clients_read_the_installed_sdks_full_models_not_the_functions_trimmed_one() -> None:
    function_cloudwatch = clients.make_client("cloudwatch", region="us-east-1")
    tool_cloudwatch = clients.make_sdk_client("cloudwatch", region="us-east-1")
    assert not hasattr(function_cloudwatch, "list_metrics")
    assert tool_cloudwatch.can_paginate("list_metrics")  # ses-guard backtest discovers sets with ListMetrics
    assert hasattr(tool_cloudwatch, "describe_alarm_contributors")


def test_a_hub_member_s_clients_use_the_assumed_keys_in_its_region_and_the_hub_s_topic_and_table() -> None:
    from ses_guard_lambda.clients import member_clients

    hub = Clients(sesv2=None, sns="hub-sns", cloudwatch=None, ssm="hub-ssm", dynamodb="hub-table", sts="hub-sts")
    issued = {"AccessKeyId": "ASIAMEMBER", "SecretAccessKey": "secret", "SessionToken": "token"}
    member = member_clients(issued, "eu-west-1", hub)
    for client in (member.sesv2, member.cloudwatch):
        assert client.meta.region_name == "eu-west-1"
        assert client._request_signer._credentials.access_key == "ASIAMEMBER"
    assert "describe_alarm_contributors" in dir(member.cloudwatch)  # the shipped CloudWatch model
    assert (member.sns, member.ssm, member.dynamodb, member.sts) == ("hub-sns", "hub-ssm", "hub-table", "hub-sts")
