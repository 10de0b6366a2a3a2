"""Shared helpers for the Lambda tests: fixture events, a fake Lambda context, stubbed AWS clients.

Every AWS call goes through a real boto3 client with botocore's Stubber, which checks the
parameters (and our canned responses) against the AWS API model. No network, no real AWS.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from ses_guard_lambda import contract
from ses_guard_lambda.clients import RETRY_CONFIG, Clients
from ses_guard_lambda.config import GuardConfig

EVENTS_DIR = pathlib.Path(__file__).resolve().parent / "events"
ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = "sesguard"
PAUSE_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-pause"
REPORT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-notifications"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-pause"
CONFIG = GuardConfig(name_prefix=PREFIX, pause_topic_arn=PAUSE_TOPIC, report_topic_arn=REPORT_TOPIC)


def alarm_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{name}"


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return data


def sns_message(event: dict[str, Any], index: int = 0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(event["Records"][index]["Sns"]["Message"])
    return message


def with_sns_message(event: dict[str, Any], message: dict[str, Any], index: int = 0) -> dict[str, Any]:
    event["Records"][index]["Sns"]["Message"] = json.dumps(message)
    return event


def tags(
    scope: str,
    configuration_set: str | None = None,
    *,
    tier: str = contract.TIER_CRITICAL,
    action: str = contract.ACTION_PAUSE,
    guard: str = PREFIX,
) -> dict[str, str]:
    result = {
        contract.TAG_GUARD: guard,
        contract.TAG_SCOPE: scope,
        contract.TAG_TIER: tier,
        contract.TAG_ACTION: action,
    }
    if configuration_set is not None:
        result[contract.TAG_CONFIGURATION_SET] = configuration_set
    return result


ACCOUNT_TAGS = tags(contract.SCOPE_ACCOUNT)


@dataclass
class FakeContext:
    invoked_function_arn: str = FUNCTION_ARN
    aws_request_id: str = "0b6b9f3c-1111-4d2e-9c55-3f1e2d4c5b6a"
    function_name: str = f"{PREFIX}-pause"


@dataclass
class Aws:
    """Real boto3 clients with Stubbers; `published` collects every sns.publish call's params."""

    sesv2: Any
    sns: Any
    cloudwatch: Any
    stubs: dict[str, Stubber] = field(default_factory=dict)
    published: list[dict[str, Any]] = field(default_factory=list)

    @property
    def clients(self) -> Clients:
        return Clients(sesv2=self.sesv2, sns=self.sns, cloudwatch=self.cloudwatch)

    # --- expectations, in call order -------------------------------------------------------
    def expect_tags(self, name: str, alarm_tags: dict[str, str], account: str = ACCOUNT) -> None:
        self.stubs["cloudwatch"].add_response(
            "list_tags_for_resource",
            {"Tags": [{"Key": k, "Value": v} for k, v in alarm_tags.items()]},
            {"ResourceARN": alarm_arn(name, account)},
        )

    def expect_account(self, sending_enabled: bool = True, enforcement: str = "HEALTHY") -> None:
        self.stubs["sesv2"].add_response(
            "get_account",
            {
                "SendingEnabled": sending_enabled,
                "EnforcementStatus": enforcement,
                "ProductionAccessEnabled": True,
                "DedicatedIpAutoWarmupEnabled": False,
            },
            {},
        )

    def expect_set(self, name: str, sending_enabled: bool = True, reputation: bool = True) -> None:
        self.stubs["sesv2"].add_response(
            "get_configuration_set",
            {
                "ConfigurationSetName": name,
                "SendingOptions": {"SendingEnabled": sending_enabled},
                "ReputationOptions": {"ReputationMetricsEnabled": reputation},
            },
            {"ConfigurationSetName": name},
        )

    def expect_pause_account(self) -> None:
        self.stubs["sesv2"].add_response("put_account_sending_attributes", {}, {"SendingEnabled": False})

    def expect_pause_set(self, name: str) -> None:
        self.stubs["sesv2"].add_response(
            "put_configuration_set_sending_options",
            {},
            {"ConfigurationSetName": name, "SendingEnabled": False},
        )

    def expect_publish(self) -> None:
        self.stubs["sns"].add_response(
            "publish",
            {"MessageId": "5e0f3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"},
            {"TopicArn": REPORT_TOPIC, "Subject": ANY, "Message": ANY},
        )

    def assert_all_calls_made(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


_BOTOCORE_SESSION = botocore.session.get_session()  # shared: API models are loaded once


def make_client(service: str) -> Any:
    return boto3.session.Session(botocore_session=_BOTOCORE_SESSION).client(
        service,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=RETRY_CONFIG,
    )


@pytest.fixture(autouse=True)
def _aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")


@pytest.fixture
def aws() -> Iterator[Aws]:
    env = Aws(sesv2=make_client("sesv2"), sns=make_client("sns"), cloudwatch=make_client("cloudwatch"))
    for name in ("sesv2", "sns", "cloudwatch"):
        stub = Stubber(getattr(env, name))
        stub.activate()
        env.stubs[name] = stub

    def record(params: dict[str, Any], **_: Any) -> None:
        env.published.append(dict(params))

    env.sns.meta.events.register("provide-client-params.sns.Publish", record)
    yield env
    for stub in env.stubs.values():
        stub.deactivate()
