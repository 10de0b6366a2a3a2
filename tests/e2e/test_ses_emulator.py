"""Tests of the SES emulator (tests/e2e/ses_emulator.py) in-process and as a server, plus Terraform.

Most tests run twice: against ``mock_aws()`` in this process and against a moto_server subprocess
started by tests/e2e/moto_server.py (reset before each test). The Terraform test is marked e2e.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.e2e import ses_emulator
from tests.e2e.moto_server import MotoServer, moto_server, start_moto_server, terraform_env
from tests.support.terraform import CommandResult, require_terraform, run_terraform

REGION = "us-east-1"
ACCOUNT = "123456789012"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _arn(name: str) -> str:
    return f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{name}"


@dataclass
class Ses:
    v1: Any
    v2: Any
    set_enforcement_status: Callable[..., None]
    sesv2_in: Callable[[str], Any]  # sesv2 client for another Region
    cloudwatch: Any


@pytest.fixture(scope="module")
def emulator_server() -> Iterator[MotoServer]:
    with moto_server() as server:
        yield server


@pytest.fixture(params=["in_process", "server"])
def ses(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ses]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    if request.param == "in_process":
        ses_emulator.install()
        with mock_aws():
            yield Ses(
                v1=boto3.client("ses", region_name=REGION),
                v2=boto3.client("sesv2", region_name=REGION),
                set_enforcement_status=ses_emulator.set_enforcement_status,
                sesv2_in=lambda region: boto3.client("sesv2", region_name=region),
                cloudwatch=boto3.client("cloudwatch", region_name=REGION),
            )
    else:
        server: MotoServer = request.getfixturevalue("emulator_server")
        server.reset()
        yield Ses(
            v1=server.boto3_client("ses", REGION),
            v2=server.boto3_client("sesv2", REGION),
            set_enforcement_status=server.set_enforcement_status,
            sesv2_in=lambda region: server.boto3_client("sesv2", region),
            cloudwatch=server.boto3_client("cloudwatch", REGION),
        )


def _error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# ----------------------------------------------------------------------------- configuration sets
def test_new_configuration_set_reads_back_as_sending_with_its_reputation_setting(ses: Ses) -> None:
    ses.v2.create_configuration_set(
        ConfigurationSetName="marketing", ReputationOptions={"ReputationMetricsEnabled": True}
    )
    ses.v2.create_configuration_set(ConfigurationSetName="plain")

    marketing = ses.v2.get_configuration_set(ConfigurationSetName="marketing")
    plain = ses.v2.get_configuration_set(ConfigurationSetName="plain")

    assert marketing["SendingOptions"] == {"SendingEnabled": True}
    assert marketing["ReputationOptions"] == {"ReputationMetricsEnabled": True}
    assert plain["SendingOptions"] == {"SendingEnabled": True}
    assert plain["ReputationOptions"] == {"ReputationMetricsEnabled": False}
    # Options never set are absent, as on AWS (moto returns empty blocks).
    assert not {"TrackingOptions", "DeliveryOptions", "SuppressionOptions", "VdmOptions"} & set(plain)


def test_configuration_set_created_paused_reads_back_as_paused(ses: Ses) -> None:
    ses.v2.create_configuration_set(ConfigurationSetName="cold", SendingOptions={"SendingEnabled": False})
    assert ses.v2.get_configuration_set(ConfigurationSetName="cold")["SendingOptions"] == {"SendingEnabled": False}


def test_paused_configuration_set_reads_back_as_paused(ses: Ses) -> None:
    ses.v2.create_configuration_set(ConfigurationSetName="marketing")
    ses.v2.put_configuration_set_sending_options(ConfigurationSetName="marketing", SendingEnabled=False)

    got = ses.v2.get_configuration_set(ConfigurationSetName="marketing")
    assert got["SendingOptions"] == {"SendingEnabled": False}
    assert "LastFreshStart" not in got["ReputationOptions"]


def test_resuming_a_paused_configuration_set_records_a_fresh_start(ses: Ses) -> None:
    ses.v2.create_configuration_set(
        ConfigurationSetName="marketing", ReputationOptions={"ReputationMetricsEnabled": True}
    )
    ses.v2.put_configuration_set_sending_options(ConfigurationSetName="marketing", SendingEnabled=False)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    ses.v2.put_configuration_set_sending_options(ConfigurationSetName="marketing", SendingEnabled=True)

    reputation = ses.v2.get_configuration_set(ConfigurationSetName="marketing")["ReputationOptions"]
    assert reputation["ReputationMetricsEnabled"] is True
    assert before <= reputation["LastFreshStart"] <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)


def test_enabling_an_already_sending_set_is_not_a_fresh_start(ses: Ses) -> None:
    ses.v2.create_configuration_set(ConfigurationSetName="marketing")
    ses.v2.put_configuration_set_sending_options(ConfigurationSetName="marketing", SendingEnabled=True)
    assert "LastFreshStart" not in ses.v2.get_configuration_set(ConfigurationSetName="marketing")["ReputationOptions"]


def test_v1_and_v2_configuration_set_pauses_share_one_state(ses: Ses) -> None:
    ses.v1.create_configuration_set(ConfigurationSet={"Name": "legacy"})
    ses.v1.update_configuration_set_sending_enabled(ConfigurationSetName="legacy", Enabled=False)
    assert ses.v2.get_configuration_set(ConfigurationSetName="legacy")["SendingOptions"] == {"SendingEnabled": False}

    ses.v1.update_configuration_set_sending_enabled(ConfigurationSetName="legacy", Enabled=True)
    got = ses.v2.get_configuration_set(ConfigurationSetName="legacy")
    assert got["SendingOptions"] == {"SendingEnabled": True}
    assert "LastFreshStart" in got["ReputationOptions"]

    ses.v1.update_configuration_set_reputation_metrics_enabled(ConfigurationSetName="legacy", Enabled=True)
    assert ses.v2.get_configuration_set(ConfigurationSetName="legacy")["ReputationOptions"]["ReputationMetricsEnabled"]


def test_reputation_metrics_can_be_switched_with_the_v2_operation(ses: Ses) -> None:
    ses.v2.create_configuration_set(ConfigurationSetName="marketing")
    ses.v2.put_configuration_set_reputation_options(ConfigurationSetName="marketing", ReputationMetricsEnabled=True)
    assert ses.v2.get_configuration_set(ConfigurationSetName="marketing")["ReputationOptions"] == {
        "ReputationMetricsEnabled": True
    }


def test_unknown_configuration_set_raises_each_api_versions_not_found_error(ses: Ses) -> None:
    v2_calls: tuple[Callable[[], Any], ...] = (
        lambda: ses.v2.get_configuration_set(ConfigurationSetName="nope"),
        lambda: ses.v2.delete_configuration_set(ConfigurationSetName="nope"),
        lambda: ses.v2.put_configuration_set_sending_options(ConfigurationSetName="nope", SendingEnabled=False),
        lambda: ses.v2.put_configuration_set_reputation_options(
            ConfigurationSetName="nope", ReputationMetricsEnabled=True
        ),
    )
    for call in v2_calls:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error_code(excinfo) == ("NotFoundException", 404)

    with pytest.raises(ses.v1.exceptions.ConfigurationSetDoesNotExistException):
        ses.v1.update_configuration_set_sending_enabled(ConfigurationSetName="nope", Enabled=False)


def test_tags_read_back_after_tagging_untagging_and_deleting(ses: Ses) -> None:
    ses.v2.create_configuration_set(ConfigurationSetName="marketing", Tags=[{"Key": "team", "Value": "a"}])
    ses.v2.tag_resource(ResourceArn=_arn("marketing"), Tags=[{"Key": "env", "Value": "test"}])
    ses.v2.untag_resource(ResourceArn=_arn("marketing"), TagKeys=["team"])

    assert ses.v2.list_tags_for_resource(ResourceArn=_arn("marketing"))["Tags"] == [{"Key": "env", "Value": "test"}]
    assert ses.v2.get_configuration_set(ConfigurationSetName="marketing")["Tags"] == [{"Key": "env", "Value": "test"}]

    ses.v2.delete_configuration_set(ConfigurationSetName="marketing")
    ses.v2.create_configuration_set(ConfigurationSetName="marketing")
    assert ses.v2.list_tags_for_resource(ResourceArn=_arn("marketing"))["Tags"] == []


# ----------------------------------------------------------------------------------------- account
def test_account_is_healthy_and_sending_by_default(ses: Ses) -> None:
    account = ses.v2.get_account()
    assert account["EnforcementStatus"] == "HEALTHY"
    assert account["SendingEnabled"] is True
    assert ses.v1.get_account_sending_enabled()["Enabled"] is True


def test_account_pause_and_resume_read_back_through_v1_and_v2(ses: Ses) -> None:
    ses.v2.put_account_sending_attributes(SendingEnabled=False)
    assert ses.v2.get_account()["SendingEnabled"] is False
    assert ses.v1.get_account_sending_enabled()["Enabled"] is False

    ses.v1.update_account_sending_enabled(Enabled=True)
    assert ses.v2.get_account()["SendingEnabled"] is True

    ses.v1.update_account_sending_enabled(Enabled=False)
    assert ses.v2.get_account()["SendingEnabled"] is False


def test_aws_imposed_shutdown_cannot_be_lifted_by_the_api(ses: Ses) -> None:
    ses.set_enforcement_status("SHUTDOWN")
    account = ses.v2.get_account()
    assert (account["EnforcementStatus"], account["SendingEnabled"]) == ("SHUTDOWN", False)

    with pytest.raises(ClientError) as v2_error:
        ses.v2.put_account_sending_attributes(SendingEnabled=True)
    assert _error_code(v2_error) == ("BadRequestException", 400)
    with pytest.raises(ClientError) as v1_error:
        ses.v1.update_account_sending_enabled(Enabled=True)
    assert _error_code(v1_error) == ("AccountSendingPausedException", 400)

    ses.v2.put_account_sending_attributes(SendingEnabled=False)  # pausing a paused account is fine
    assert ses.v2.get_account()["SendingEnabled"] is False


def test_fault_injection_makes_even_an_account_pause_fail(ses: Ses) -> None:
    ses.set_enforcement_status("SHUTDOWN", reject_account_sending_changes=True)
    with pytest.raises(ClientError) as excinfo:
        ses.v2.put_account_sending_attributes(SendingEnabled=False)
    assert _error_code(excinfo) == ("BadRequestException", 400)


def test_probation_reads_back_and_still_allows_pause_and_resume(ses: Ses) -> None:
    ses.set_enforcement_status("PROBATION")
    ses.v2.put_account_sending_attributes(SendingEnabled=False)
    ses.v2.put_account_sending_attributes(SendingEnabled=True)
    account = ses.v2.get_account()
    assert (account["EnforcementStatus"], account["SendingEnabled"]) == ("PROBATION", True)


def test_account_state_is_per_region(ses: Ses) -> None:
    ses.v2.put_account_sending_attributes(SendingEnabled=False)
    ses.set_enforcement_status("SHUTDOWN")
    other = ses.sesv2_in("eu-west-1").get_account()
    assert (other["EnforcementStatus"], other["SendingEnabled"]) == ("HEALTHY", True)


# ------------------------------------------------------------------------------------ install/start
def test_install_refuses_another_moto_version() -> None:
    ses_emulator.check_moto_version(ses_emulator.PATCHED_MOTO_VERSION)
    with pytest.raises(RuntimeError, match=r"moto 9\.9\.9 is installed"):
        ses_emulator.check_moto_version("9.9.9")


def test_install_is_idempotent() -> None:
    ses_emulator.install()
    ses_emulator.install()
    assert ses_emulator.is_installed()


def test_enforcement_hook_rejects_unknown_status() -> None:
    with pytest.raises(ValueError, match="HEALTHY"):
        ses_emulator.set_enforcement_status("SUSPENDED")


def test_in_thread_server_serves_the_extension() -> None:
    handle = ses_emulator.start_server(0)
    try:
        client = boto3.client(
            "sesv2",
            region_name=REGION,
            endpoint_url=handle.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_configuration_set(ConfigurationSetName="threaded")
        client.put_configuration_set_sending_options(ConfigurationSetName="threaded", SendingEnabled=False)
        got = client.get_configuration_set(ConfigurationSetName="threaded")
        assert got["SendingOptions"] == {"SendingEnabled": False}
    finally:
        handle.stop()


def test_module_runs_as_a_server_with_python_dash_m() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.ses_emulator", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ses_emulator listening on http://127.0.0.1:"), line
        client = boto3.client(
            "sesv2",
            region_name=REGION,
            endpoint_url=line.split(" on ", 1)[1].strip(),
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        assert client.get_account()["EnforcementStatus"] == "HEALTHY"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_server_helper_reports_a_server_that_cannot_bind() -> None:
    with pytest.raises(RuntimeError, match="did not start"):
        start_moto_server(host="256.0.0.1", startup_timeout=15)


# --------------------------------------------------------------------------------------- terraform
TERRAFORM_CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.100, < 7.0" }
  }
}

provider "aws" {}

variable "reputation_metrics" {
  type    = bool
  default = true
}

variable "tags" {
  type    = map(string)
  default = { Project = "ses-reputation-guard" }
}

resource "aws_sesv2_configuration_set" "this" {
  configuration_set_name = "tf-e2e"
  reputation_options {
    reputation_metrics_enabled = var.reputation_metrics
  }
  tags = var.tags
  # The Lambda pauses the set; a later apply must not resume it.
  lifecycle {
    ignore_changes = [sending_options]
  }
}
"""


def _reputation_query(query_id: str, dimensions: list[dict[str, str]]) -> dict[str, Any]:
    metric = {"Namespace": "AWS/SES", "MetricName": "Reputation.BounceRate", "Dimensions": dimensions}
    return {"Id": query_id, "MetricStat": {"Metric": metric, "Period": 3600, "Stat": "Maximum"}}


def test_metric_data_reads_exactly_the_series_asked_for(ses: Ses) -> None:
    """The account series (no dimension) and a set's series are different metrics, as in CloudWatch:
    a set's datapoints must not stand in for the account's (the pause function's evidence)."""
    now = dt.datetime.now(dt.UTC)
    marketing = [{"Name": "ses:configuration-set", "Value": "marketing"}]
    when = now - dt.timedelta(minutes=5)
    ses.cloudwatch.put_metric_data(
        Namespace="AWS/SES",
        MetricData=[
            {"MetricName": "Reputation.BounceRate", "Dimensions": marketing, "Value": 0.2, "Timestamp": when},
            {"MetricName": "Reputation.BounceRate", "Value": 0.01, "Timestamp": when},
        ],
    )
    ses.cloudwatch.put_metric_data(
        Namespace="Custom/Forged",
        MetricData=[{"MetricName": "Reputation.BounceRate", "Dimensions": marketing, "Value": 0.9, "Timestamp": when}],
    )
    queries = [_reputation_query("account", []), _reputation_query("marketing", marketing)]
    results = ses.cloudwatch.get_metric_data(
        MetricDataQueries=queries, StartTime=now - dt.timedelta(hours=2), EndTime=now + dt.timedelta(minutes=1)
    )["MetricDataResults"]
    assert {r["Id"]: r["Values"] for r in results} == {"account": [0.01], "marketing": [0.2]}


@pytest.mark.e2e
def test_terraform_apply_keeps_a_set_paused_by_the_api_paused(tmp_path: Path) -> None:
    require_terraform()  # raises, naming the prerequisite
    workdir = tmp_path / "stack"
    workdir.mkdir()
    (workdir / "main.tf").write_text(TERRAFORM_CONFIG)

    with moto_server(log_path=tmp_path / "emulator.log") as server:
        env = terraform_env(server.endpoint_url, tmp_path)

        def terraform(*args: str, ok: tuple[int, ...] = (0,)) -> CommandResult:
            result = run_terraform(args, workdir, env, ok=None, timeout=300)
            assert result.returncode in ok, (
                f"terraform {args[0]} exited {result.returncode}\n{result.output}\n"
                f"--- emulator log ---\n{server.log_text()[-4000:]}"
            )
            return result

        sesv2 = server.boto3_client("sesv2", REGION)

        terraform("init", "-input=false")
        terraform("apply", "-auto-approve", "-input=false")
        created = sesv2.get_configuration_set(ConfigurationSetName="tf-e2e")
        assert created["SendingOptions"] == {"SendingEnabled": True}
        assert created["ReputationOptions"]["ReputationMetricsEnabled"] is True
        assert sesv2.list_tags_for_resource(ResourceArn=_arn("tf-e2e"))["Tags"] == [
            {"Key": "Project", "Value": "ses-reputation-guard"}
        ]

        sesv2.put_configuration_set_sending_options(ConfigurationSetName="tf-e2e", SendingEnabled=False)

        plan = terraform("plan", "-detailed-exitcode", "-input=false", ok=(0, 2))
        assert plan.returncode == 0, f"expected no changes after the pause:\n{plan.stdout}"
        assert sesv2.get_configuration_set(ConfigurationSetName="tf-e2e")["SendingOptions"] == {"SendingEnabled": False}

        # Update in place: PutConfigurationSetReputationOptions, TagResource and UntagResource.
        terraform(
            "apply",
            "-auto-approve",
            "-input=false",
            "-var=reputation_metrics=false",
            '-var=tags={Owner = "e2e"}',
        )
        updated = sesv2.get_configuration_set(ConfigurationSetName="tf-e2e")
        assert updated["ReputationOptions"]["ReputationMetricsEnabled"] is False
        assert updated["SendingOptions"] == {"SendingEnabled": False}
        assert sesv2.list_tags_for_resource(ResourceArn=_arn("tf-e2e"))["Tags"] == [{"Key": "Owner", "Value": "e2e"}]

        terraform("destroy", "-auto-approve", "-input=false")
        with pytest.raises(sesv2.exceptions.NotFoundException):
            sesv2.get_configuration_set(ConfigurationSetName="tf-e2e")


def test_terraform_env_points_only_at_the_emulator(tmp_path: Path) -> None:
    env = terraform_env(
        "http://127.0.0.1:1",
        tmp_path,
        mirror=Path("/m"),
        base={"AWS_PROFILE": "prod", "AWS_SESSION_TOKEN": "x", "PATH": "/bin"},
    )
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_REGION"], env["PATH"]) == ("testing", "us-east-1", "/bin")
    cli_config = Path(env["TF_CLI_CONFIG_FILE"]).read_text()
    assert 'path    = "/m"' in cli_config


def test_lambda_dead_letter_config_reads_back_as_aws_returns_it() -> None:
    import io
    import zipfile

    ses_emulator.install()
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        dlq = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam = boto3.client("lambda", region_name="us-east-1")
        lam.create_function(
            FunctionName="fn",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            DeadLetterConfig={"TargetArn": dlq},
        )
        assert lam.get_function_configuration(FunctionName="fn")["DeadLetterConfig"] == {"TargetArn": dlq}
        lam.update_function_configuration(FunctionName="fn", DeadLetterConfig={"TargetArn": ""})
        assert "DeadLetterConfig" not in lam.get_function_configuration(FunctionName="fn")
