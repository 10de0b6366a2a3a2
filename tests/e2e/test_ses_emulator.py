"""Tests of the SES emulator (tests/e2e/ses_emulator.py) in-process and as a server, plus Terraform.

Most tests run twice: against ``mock_aws()`` in this process and against a moto_server subprocess
started by tests/e2e/moto_server.py (reset before each test). The Terraform test is marked e2e.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.cloudwatch.models import CloudWatchBackend

from ses_guard_policy import fleet_query
from tests.e2e import ses_emulator, ses_emulator_insights
from tests.e2e.moto_server import MotoServer, moto_server, start_moto_server, terraform_env
from tests.support.aws_env import in_account
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
    cloudwatch_as: Callable[[str, str], Any]  # cloudwatch client for (account, Region)
    set_alarm_contributors: Callable[..., None]


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
                cloudwatch_as=lambda account, region: in_account(
                    boto3.client("cloudwatch", region_name=region), account
                ),
                set_alarm_contributors=ses_emulator.set_alarm_contributors,
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
            cloudwatch_as=lambda account, region: in_account(server.boto3_client("cloudwatch", region), account),
            set_alarm_contributors=server.set_alarm_contributors,
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


# MetricStat shapes for the index test: (Id, namespace, metric, dimensions, Period, Stat, extra query fields).
SET_A = [{"Name": "ses:configuration-set", "Value": "a"}]
SET_A_TENANT = [{"Name": "ses:configuration-set", "Value": "a"}, {"Name": "tenant", "Value": "x"}]
SET_B = [{"Name": "ses:configuration-set", "Value": "b"}]
TENANT_ONLY = [{"Name": "tenant", "Value": "x"}]
BUCKET = [{"Name": "StorageType", "Value": "AllStorageTypes"}, {"Name": "BucketName", "Value": "metrics-bucket"}]
_SHAPES: list[tuple[str, str, str, list[dict[str, str]], int, str, dict[str, Any]]] = [
    ("account_max", "AWS/SES", "Reputation.BounceRate", [], 3600, "Maximum", {}),
    ("account_sum", "AWS/SES", "Reputation.BounceRate", [], 300, "Sum", {}),
    ("account_count", "AWS/SES", "Reputation.BounceRate", [], 86400, "SampleCount", {}),
    ("account_avg", "AWS/SES", "Reputation.BounceRate", [], 60, "Average", {}),
    ("a_avg", "AWS/SES", "Reputation.BounceRate", SET_A, 3600, "Average", {}),
    ("a_min", "AWS/SES", "Reputation.BounceRate", SET_A, 300, "Minimum", {"Label": "set a, lowest"}),
    ("a_percent", "AWS/SES", "Reputation.BounceRate", SET_A, 3600, "Maximum", {"Unit": "Percent"}),
    ("a_hidden", "AWS/SES", "Reputation.BounceRate", SET_A, 3600, "Sum", {"ReturnData": False}),
    ("a_again", "AWS/SES", "Reputation.BounceRate", SET_A, 3600, "Average", {}),
    ("a_tenant", "AWS/SES", "Reputation.BounceRate", SET_A_TENANT[::-1], 3600, "Sum", {}),
    ("tenant_only", "AWS/SES", "Reputation.BounceRate", TENANT_ONLY, 3600, "Maximum", {}),
    ("forged_a", "Custom/Forged", "Reputation.BounceRate", SET_A, 3600, "Maximum", {}),
    ("b_complaints", "AWS/SES", "Reputation.ComplaintRate", SET_B, 900, "SampleCount", {}),
    ("b_bounces", "AWS/SES", "Reputation.BounceRate", SET_B, 3600, "Maximum", {}),
    ("bucket_objects", "AWS/S3", "NumberOfObjects", BUCKET, 86400, "Maximum", {}),  # moto's computed metrics
]


def _shape_queries() -> list[dict[str, Any]]:
    queries = []
    for query_id, namespace, metric, dimensions, period, stat, extra in _SHAPES:
        metric_stat: dict[str, Any] = {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        }
        if "Unit" in extra:
            metric_stat["Unit"] = extra["Unit"]
        queries.append({"Id": query_id, "MetricStat": metric_stat} | {k: v for k, v in extra.items() if k != "Unit"})
    return queries


def _put_shapes(cloudwatch: Any, s3: Any, hour: dt.datetime) -> None:
    """Plain values, Values/Counts, StatisticValues, units, dimension orders, other namespaces, an S3 bucket."""
    s3.create_bucket(Bucket="metrics-bucket")
    s3.put_object(Bucket="metrics-bucket", Key="one", Body=b"1")

    def at(hours: float, minutes: int = 0) -> dt.datetime:
        return hour - dt.timedelta(hours=hours) + dt.timedelta(minutes=minutes)

    stats = {"SampleCount": 4.0, "Sum": 0.2, "Minimum": 0.01, "Maximum": 0.1}
    ses_data: list[dict[str, Any]] = [
        *({"MetricName": BOUNCE, "Value": 0.01 * (i + 1), "Timestamp": at(5, m)} for i, m in enumerate((1, 20, 40))),
        {"MetricName": BOUNCE, "Value": 0.07, "Timestamp": at(2, 5)},
        {"MetricName": BOUNCE, "Value": 0.03, "Timestamp": at(0, -30)},
        {"MetricName": BOUNCE, "StatisticValues": stats, "Timestamp": at(3, 10)},
        {"MetricName": BOUNCE, "Value": 0.5, "Timestamp": at(30)},  # outside every window
        {"MetricName": BOUNCE, "Dimensions": SET_A, "Values": [0.1, 0.3], "Counts": [1, 2], "Timestamp": at(4, 3)},
        {"MetricName": BOUNCE, "Dimensions": SET_A, "Value": 0.05, "Timestamp": at(1, -1)},
        {"MetricName": BOUNCE, "Dimensions": SET_A, "Value": 0.04, "Unit": "Percent", "Timestamp": at(2)},
        {"MetricName": BOUNCE, "Dimensions": SET_A, "StatisticValues": stats, "Timestamp": at(1, 30)},
        {"MetricName": BOUNCE, "Dimensions": SET_A_TENANT, "Value": 0.6, "Timestamp": at(2, 15)},
        {"MetricName": BOUNCE, "Dimensions": SET_A_TENANT[::-1], "Value": 0.4, "Timestamp": at(2, 45)},
        {"MetricName": "Reputation.ComplaintRate", "Dimensions": SET_B, "Values": [0.001, 0.002], "Timestamp": at(1)},
    ]
    cloudwatch.put_metric_data(Namespace="AWS/SES", MetricData=ses_data)
    forged = [{"MetricName": BOUNCE, "Dimensions": SET_A, "Value": 0.9, "Timestamp": at(2)}]
    cloudwatch.put_metric_data(Namespace="Custom/Forged", MetricData=forged)


def _shape_requests(hour: dt.datetime) -> list[dict[str, Any]]:
    queries = _shape_queries()
    wide = {"StartTime": hour - dt.timedelta(hours=6), "EndTime": hour + dt.timedelta(hours=1)}
    odd = {"StartTime": hour - dt.timedelta(hours=3, minutes=17), "EndTime": hour - dt.timedelta(minutes=50)}
    midnight = hour.replace(hour=0)
    day = {"StartTime": midnight - dt.timedelta(hours=1), "EndTime": midnight + dt.timedelta(days=1)}
    return [
        {"MetricDataQueries": queries, **wide},
        {"MetricDataQueries": queries, **wide, "ScanBy": "TimestampAscending"},
        {"MetricDataQueries": queries[::-1], **odd, "ScanBy": "TimestampDescending"},
        {"MetricDataQueries": queries[-1:] + queries[:1], **day},
    ]


MOTO_GET_ALL_METRICS = CloudWatchBackend.get_all_metrics


def _scan_every_datapoint(
    backend: Any, queries: list[dict[str, Any]], start_time: Any, end_time: Any, scan_by: str
) -> list[dict[str, Any]]:
    """The MetricStat path before the index, verbatim: each query's series filtered out of every datapoint."""
    moto_get_metric_data = getattr(CloudWatchBackend, ses_emulator._MOTO_GET_METRIC_DATA)

    def series_of_datum(datum: Any) -> tuple[Any, ...]:
        return datum.namespace, datum.name, tuple(sorted((d.name, d.value) for d in datum.dimensions))

    everything = MOTO_GET_ALL_METRICS(backend)
    results: list[dict[str, Any]] = []
    for query in queries:
        metric = query["MetricStat"]["Metric"]
        pairs = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
        wanted = (metric["Namespace"], metric["MetricName"], tuple(pairs))
        series = [datum for datum in everything if series_of_datum(datum) == wanted]
        backend.get_all_metrics = lambda series=series: series
        try:
            results += moto_get_metric_data(backend, [query], start_time=start_time, end_time=end_time, scan_by=scan_by)
        finally:
            del backend.get_all_metrics
    return results


def test_indexed_metric_stat_path_returns_what_scanning_every_datapoint_returned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each MetricStat query reads its series from the index; results equal the old full scan's exactly
    (values, timestamps, order, Id, Label, ReturnData), for series with and without dimensions, several
    statistics and periods, both ScanBy orders, and datapoints stored after the index was built."""
    ses_emulator.install()
    installed = CloudWatchBackend.get_metric_data
    compared: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []

    def no_full_scan(self: Any) -> list[Any]:
        raise AssertionError("the MetricStat path read every stored datapoint")

    def both_paths(
        self: Any, queries: list[dict[str, Any]], start_time: Any, end_time: Any, scan_by: str = "TimestampAscending"
    ) -> list[dict[str, Any]]:
        with monkeypatch.context() as scoped:
            scoped.setattr(CloudWatchBackend, "get_all_metrics", no_full_scan)
            indexed = installed(self, queries=queries, start_time=start_time, end_time=end_time, scan_by=scan_by)
        compared.append((indexed, _scan_every_datapoint(self, queries, start_time, end_time, scan_by)))
        return indexed

    monkeypatch.setattr(CloudWatchBackend, "get_metric_data", both_paths)
    hour = _hour()
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        _put_shapes(cloudwatch, boto3.client("s3", region_name=REGION), hour)
        responses = [cloudwatch.get_metric_data(**request) for request in _shape_requests(hour)]
        late = [{"MetricName": BOUNCE, "Dimensions": SET_A, "Value": 0.25, "Timestamp": hour - dt.timedelta(hours=1)}]
        cloudwatch.put_metric_data(Namespace="AWS/SES", MetricData=late)  # the index catches up
        responses += [cloudwatch.get_metric_data(**request) for request in _shape_requests(hour)[:1]]

    assert len(compared) == 5
    for indexed, scanned in compared:
        assert indexed == scanned
    first = {r["Id"]: (r["Label"], r["Values"]) for r in responses[0]["MetricDataResults"]}
    assert "a_hidden" not in first
    # 5 plain values and a StatisticValues of SampleCount 4 in the window; the value 30 h ago is outside it
    assert first["account_count"] == ("Reputation.BounceRate SampleCount", [9.0])
    assert first["a_min"][0] == "set a, lowest"
    assert first["a_percent"][1] == [0.04]
    assert first["a_tenant"][1] == [1.0]  # both dimension orders are one series
    assert first["tenant_only"][1] == [] and first["b_bounces"][1] == []
    assert first["forged_a"][1] == [0.9]
    # moto stamps S3's computed metrics at today's midnight (UTC): the day-long request always holds it,
    # the 7-hour one only before 06:00
    day = {r["Id"]: r["Values"] for r in responses[3]["MetricDataResults"]}
    assert day["bucket_objects"] == [1.0]
    late_a = {r["Id"]: r["Values"] for r in responses[-1]["MetricDataResults"]}["a_avg"]
    assert late_a != first["a_avg"][1]


def test_server_answers_metric_stat_shapes_as_in_process(emulator_server: MotoServer) -> None:
    """The same datapoints and requests give the same MetricStat answers in server mode."""
    ses_emulator.install()
    hour = _hour()
    emulator_server.reset()
    server_cloudwatch = emulator_server.boto3_client("cloudwatch", REGION)
    _put_shapes(server_cloudwatch, emulator_server.boto3_client("s3", REGION), hour)
    served = [server_cloudwatch.get_metric_data(**r)["MetricDataResults"] for r in _shape_requests(hour)]
    with mock_aws():
        cloudwatch = boto3.client(
            "cloudwatch", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
        _put_shapes(cloudwatch, s3, hour)
        local = [cloudwatch.get_metric_data(**r)["MetricDataResults"] for r in _shape_requests(hour)]
    assert served == local
    assert any(result["Values"] for result in served[0])


# ------------------------------------------------------------------------------ Metrics Insights
SET_DIMENSION = "ses:configuration-set"
BOUNCE = "Reputation.BounceRate"
PER_SET_SCHEMA = f'FROM SCHEMA("AWS/SES", "{SET_DIMENSION}")'
GROUP_BY_SET = f'GROUP BY "{SET_DIMENSION}"'
OTHER_ACCOUNT = "210987654321"


def _hour() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)


def _put_bounce(cloudwatch: Any, rows: list[tuple[str | None, float, dt.datetime]], namespace: str = "AWS/SES") -> None:
    """Datapoints of ``Reputation.BounceRate``: (configuration set or None for the account, value, time)."""
    data = [
        {"MetricName": BOUNCE, "Value": value, "Timestamp": when}
        | ({"Dimensions": [{"Name": SET_DIMENSION, "Value": name}]} if name else {})
        for name, value, when in rows
    ]
    for first in range(0, len(data), 1000):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[first : first + 1000])


def _insights(cloudwatch: Any, sql: str, hour: dt.datetime, **extra: Any) -> dict[str, Any]:
    """GetMetricData with one hourly Metrics Insights query over the 3 hours before ``hour`` + this hour."""
    response: dict[str, Any] = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "q", "Expression": sql, "Period": 3600}],
        StartTime=hour - dt.timedelta(hours=3),
        EndTime=hour + dt.timedelta(hours=1),
        **extra,
    )
    return response


def _series(response: dict[str, Any]) -> list[tuple[str, list[float]]]:
    return [(r["Label"], r["Values"]) for r in response["MetricDataResults"]]


def test_grouped_max_gives_each_set_its_own_series_per_period_newest_first(ses: Ses) -> None:
    hour = _hour()
    _put_bounce(
        ses.cloudwatch,
        [
            ("a", 0.01, hour - dt.timedelta(hours=2, minutes=-10)),
            ("a", 0.04, hour - dt.timedelta(hours=2, minutes=-20)),  # same period: MAX keeps 0.04
            ("a", 0.03, hour - dt.timedelta(hours=1, minutes=-10)),
            ("b", 0.2, hour - dt.timedelta(hours=1, minutes=-30)),
        ],
    )
    sql = f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET}'

    results = _insights(ses.cloudwatch, sql, hour)["MetricDataResults"]

    assert [(r["Id"], r["Label"], r["Values"]) for r in results] == [("q", "a", [0.03, 0.04]), ("q", "b", [0.2])]
    assert results[0]["Timestamps"] == [hour - dt.timedelta(hours=1), hour - dt.timedelta(hours=2)]
    ascending = _insights(ses.cloudwatch, sql, hour, ScanBy="TimestampAscending")
    assert _series(ascending)[0] == ("a", [0.04, 0.03])
    for function, expected in {"AVG": [0.03, 0.025], "COUNT": [1, 2], "MIN": [0.03, 0.01], "SUM": [0.03, 0.05]}.items():
        label, values = _series(_insights(ses.cloudwatch, sql.replace("MAX", function), hour))[0]
        assert label == "a", function
        assert values == pytest.approx(expected), function


def test_a_dynamic_label_naming_the_group_dimension_is_expanded_per_series(ses: Ses) -> None:
    hour = _hour()
    _put_bounce(
        ses.cloudwatch, [("a", 0.01, hour - dt.timedelta(minutes=50)), ("b", 0.2, hour - dt.timedelta(minutes=40))]
    )
    sql = f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET} ORDER BY MAX() DESC'
    response = ses.cloudwatch.get_metric_data(
        MetricDataQueries=[
            {"Id": "q", "Expression": sql, "Period": 3600, "Label": f"${{PROP('Dim.{SET_DIMENSION}')}} (${{LABEL}})"}
        ],
        StartTime=hour - dt.timedelta(hours=3),
        EndTime=hour + dt.timedelta(hours=1),
    )
    assert [label for label, _ in _series(response)] == ["b (b)", "a (a)"]


def test_per_set_schema_leaves_out_the_account_series_which_schema_of_the_namespace_alone_returns(ses: Ses) -> None:
    hour = _hour()
    when = hour - dt.timedelta(minutes=50)
    _put_bounce(ses.cloudwatch, [("a", 0.02, when), (None, 0.5, when)])
    _put_bounce(ses.cloudwatch, [("a", 0.9, when)], namespace="Custom/Forged")

    per_set = _insights(ses.cloudwatch, f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET}', hour)
    account = _insights(ses.cloudwatch, f'SELECT MAX("{BOUNCE}") FROM SCHEMA("AWS/SES")', hour)
    anything = _insights(ses.cloudwatch, f'SELECT MIN("{BOUNCE}") FROM "AWS/SES" {GROUP_BY_SET}', hour)

    assert _series(per_set) == [("a", [0.02])]
    assert _series(account) == [("q", [0.5])]
    # FROM "ns" matches every series of the name; one without the GROUP BY key is the group "Other".
    assert _series(anything) == [("Other", [0.5]), ("a", [0.02])]


def test_where_equals_and_not_equals_pick_the_sets_and_keywords_ignore_case(ses: Ses) -> None:
    hour = _hour()
    _put_bounce(ses.cloudwatch, [(name, 0.01, hour - dt.timedelta(minutes=30)) for name in ("a", "b", "c")])
    select = f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA}'

    equals = _insights(ses.cloudwatch, f"{select} WHERE \"{SET_DIMENSION}\" = 'b' {GROUP_BY_SET}", hour)
    not_equals = _insights(
        ses.cloudwatch,
        f"{select} WHERE \"{SET_DIMENSION}\" != 'a' AND \"{SET_DIMENSION}\" != 'c' {GROUP_BY_SET}",
        hour,
    )
    lower_case = _insights(
        ses.cloudwatch,
        f'select max("{BOUNCE}") from schema("AWS/SES", "{SET_DIMENSION}") '
        f'where "{SET_DIMENSION}" != \'b\' group by "{SET_DIMENSION}" order by max() desc limit 5',
        hour,
    )

    assert [label for label, _ in _series(equals)] == ["b"]
    assert [label for label, _ in _series(not_equals)] == ["b"]
    assert [label for label, _ in _series(lower_case)] == ["a", "c"]


def test_order_by_sorts_sets_by_the_function_over_the_whole_range_and_limit_keeps_the_first(ses: Ses) -> None:
    hour = _hour()
    earlier, later = hour - dt.timedelta(hours=2, minutes=-5), hour - dt.timedelta(hours=1, minutes=-5)
    _put_bounce(
        ses.cloudwatch,
        [("a", 0.09, earlier), ("a", 0.01, later), ("b", 0.04, earlier), ("b", 0.05, later), ("c", 0.07, later)],
    )

    def order(clause: str) -> list[str]:
        sql = f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET} {clause}'
        return [label for label, _ in _series(_insights(ses.cloudwatch, sql, hour))]

    assert order("ORDER BY MAX() DESC") == ["a", "c", "b"]
    assert order("ORDER BY MAX() ASC") == ["b", "c", "a"]
    assert order("ORDER BY SUM() DESC") == ["a", "b", "c"]  # 0.10, 0.09, 0.07 over both periods
    assert order("ORDER BY MIN()") == ["a", "b", "c"]  # ASC by default
    assert order("ORDER BY MAX() DESC LIMIT 2") == ["a", "c"]


def test_a_query_returns_at_most_500_series_the_first_by_its_order_by(ses: Ses) -> None:
    hour = _hour()
    _put_bounce(ses.cloudwatch, [(f"set-{i:03d}", i / 10_000, hour - dt.timedelta(minutes=30)) for i in range(600)])
    sql = f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET} ORDER BY MAX() '

    descending = _insights(ses.cloudwatch, sql + "DESC", hour)
    ascending = _insights(ses.cloudwatch, sql + "ASC", hour)

    assert [label for label, _ in _series(descending)] == [f"set-{i:03d}" for i in range(599, 99, -1)]
    assert [label for label, _ in _series(ascending)] == [f"set-{i:03d}" for i in range(500)]
    assert not descending.get("Messages")  # AWS documents no message for a cut result


def test_a_query_processes_only_the_first_metrics_it_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    ses_emulator.install()
    monkeypatch.setattr(ses_emulator_insights, "MAX_METRICS_PROCESSED", 3)  # 10,000 on AWS
    hour = _hour()
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        _put_bounce(cloudwatch, [(f"set-{i}", 1.0, hour - dt.timedelta(minutes=30)) for i in range(5)])
        response = _insights(cloudwatch, f'SELECT SUM("{BOUNCE}") {PER_SET_SCHEMA}', hour)
    assert _series(response) == [("q", [3.0])]


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        (f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} WHERE "{SET_DIMENSION}" LIKE \'mark%\'', "LIKE"),
        (f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} WHERE "{SET_DIMENSION}" = \'a\' OR "{SET_DIMENSION}" = \'b\'', "OR"),
        (f'SELECT P99("{BOUNCE}") {PER_SET_SCHEMA}', "P99"),
        (f"SELECT MAX({BOUNCE}) {PER_SET_SCHEMA}", "double-quoted"),
        (f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET} HAVING MAX() > 1', "HAVING"),
        (f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} LIMIT 501', "LIMIT"),
        (f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} WHERE "{SET_DIMENSION}" = a', "single quotes"),
    ],
)
def test_unsupported_query_syntax_is_refused_with_a_message_naming_it(ses: Ses, sql: str, named: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        _insights(ses.cloudwatch, sql, _hour())
    assert _error_code(excinfo) == ("ValidationError", 400)
    assert named in excinfo.value.response["Error"]["Message"]


def test_a_request_may_hold_one_insights_query_next_to_metric_stat_queries(ses: Ses) -> None:
    hour = _hour()
    when = hour - dt.timedelta(minutes=30)
    _put_bounce(ses.cloudwatch, [("a", 0.02, when), (None, 0.5, when)])
    insights_query = {
        "Id": "q",
        "Expression": f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET}',
        "Period": 3600,
    }
    window = {"StartTime": hour - dt.timedelta(hours=1), "EndTime": hour + dt.timedelta(hours=1)}

    results = ses.cloudwatch.get_metric_data(
        MetricDataQueries=[_reputation_query("account", []), insights_query], **window
    )["MetricDataResults"]
    assert {(r["Id"], r["Label"]): r["Values"] for r in results} == {
        ("account", "Reputation.BounceRate Maximum"): [0.5],
        ("q", "a"): [0.02],
    }
    with pytest.raises(ClientError, match="only one Metrics Insights query"):
        ses.cloudwatch.get_metric_data(MetricDataQueries=[insights_query, {**insights_query, "Id": "q2"}], **window)


# --------------------------------------------------------------------------- alarm contributors
FLEET_ALARM = "ses-guard-fleet-bounce"


def _put_fleet_alarm(cloudwatch: Any, sql: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=FLEET_ALARM,
        Metrics=[{"Id": "q", "Expression": sql, "Period": 3600, "ReturnData": True}],
        EvaluationPeriods=1,
        DatapointsToAlarm=1,
        Threshold=0.05,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="ignore",
    )


def _contributors(cloudwatch: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        response = cloudwatch.describe_alarm_contributors(AlarmName=FLEET_ALARM, **token)
        found += response["AlarmContributors"]
        if "NextToken" not in response:
            return found
        token = {"NextToken": response["NextToken"]}


def test_alarm_contributors_are_the_sets_whose_series_breach_the_alarm(ses: Ses) -> None:
    now = dt.datetime.now(dt.UTC)
    _put_bounce(
        ses.cloudwatch,
        [
            ("hot", 0.2, now - dt.timedelta(minutes=10)),
            ("warm", 0.04, now - dt.timedelta(minutes=10)),
            ("cooled", 0.3, now - dt.timedelta(minutes=70)),
            ("cooled", 0.01, now - dt.timedelta(minutes=10)),  # the latest datapoint decides (1 of 1)
            (None, 0.9, now - dt.timedelta(minutes=10)),  # account-wide: not a per-set series
        ],
    )
    _put_fleet_alarm(ses.cloudwatch, fleet_query.build(BOUNCE))

    first, again = _contributors(ses.cloudwatch), _contributors(ses.cloudwatch)

    assert [c["ContributorAttributes"] for c in first] == [{SET_DIMENSION: "hot"}]
    assert re.fullmatch(r"[0-9a-f]{16}", first[0]["ContributorId"])
    assert [c["ContributorId"] for c in again] == [first[0]["ContributorId"]]
    assert first[0]["StateReason"].startswith("Threshold Crossed: 1 out of the last 1 datapoints [0.2 ")
    assert now - dt.timedelta(hours=3) <= first[0]["StateTransitionedTimestamp"] <= now
    _put_fleet_alarm(ses.cloudwatch, fleet_query.build(BOUNCE, excluded_sets=["hot"]))
    assert _contributors(ses.cloudwatch) == []


def test_alarm_contributors_set_by_the_test_hook_come_back_in_pages(ses: Ses) -> None:
    _put_fleet_alarm(ses.cloudwatch, fleet_query.build(BOUNCE))
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    wanted = [
        {"ContributorAttributes": {SET_DIMENSION: f"set-{i:03d}"}, "StateTransitionedTimestamp": when}
        for i in range(120)
    ]
    ses.set_alarm_contributors(FLEET_ALARM, wanted)

    first_page = ses.cloudwatch.describe_alarm_contributors(AlarmName=FLEET_ALARM)
    everything = _contributors(ses.cloudwatch)

    assert len(first_page["AlarmContributors"]) == 50 and "NextToken" in first_page
    assert [c["ContributorAttributes"] for c in everything] == [w["ContributorAttributes"] for w in wanted]
    assert {c["StateTransitionedTimestamp"] for c in everything} == {when}
    assert len({c["ContributorId"] for c in everything}) == 120
    with pytest.raises(ClientError) as excinfo:
        ses.cloudwatch.describe_alarm_contributors(AlarmName=FLEET_ALARM, NextToken="not-a-token")
    assert _error_code(excinfo) == ("InvalidNextToken", 400)
    ses.set_alarm_contributors(FLEET_ALARM, None)  # back to computing: no datapoints, no contributor
    assert _contributors(ses.cloudwatch) == []


def test_describe_alarm_contributors_of_an_unknown_alarm_is_resource_not_found(ses: Ses) -> None:
    with pytest.raises(ClientError) as excinfo:
        ses.cloudwatch.describe_alarm_contributors(AlarmName="no-such-alarm")
    assert _error_code(excinfo) == ("ResourceNotFoundException", 404)


def test_queries_and_contributors_read_only_the_requesting_accounts_and_regions_datapoints(ses: Ses) -> None:
    now, hour = dt.datetime.now(dt.UTC), _hour()
    theirs = ses.cloudwatch_as(OTHER_ACCOUNT, REGION)
    _put_bounce(ses.cloudwatch, [("ours", 0.3, now - dt.timedelta(minutes=10))])
    _put_bounce(theirs, [("theirs", 0.2, now - dt.timedelta(minutes=10))])
    for client in (ses.cloudwatch, theirs):
        _put_fleet_alarm(client, fleet_query.build(BOUNCE))
    sql = f'SELECT MAX("{BOUNCE}") {PER_SET_SCHEMA} {GROUP_BY_SET}'

    assert [label for label, _ in _series(_insights(ses.cloudwatch, sql, hour))] == ["ours"]
    assert [label for label, _ in _series(_insights(theirs, sql, hour))] == ["theirs"]
    assert _series(_insights(ses.cloudwatch_as(ACCOUNT, "eu-west-1"), sql, hour)) == [("q", [])]
    assert [c["ContributorAttributes"][SET_DIMENSION] for c in _contributors(ses.cloudwatch)] == ["ours"]
    ses.set_alarm_contributors(FLEET_ALARM, [{"ContributorAttributes": {SET_DIMENSION: "x"}}], account_id=OTHER_ACCOUNT)
    assert [c["ContributorAttributes"][SET_DIMENSION] for c in _contributors(theirs)] == ["x"]
    assert [c["ContributorAttributes"][SET_DIMENSION] for c in _contributors(ses.cloudwatch)] == ["ours"]


def _query_protocol(endpoint_url: str, action: str, params: dict[str, str]) -> str:
    """One CloudWatch call in the AWS query protocol (form-encoded ``Action=...``); the XML answer."""
    body = urllib.parse.urlencode({"Action": action, "Version": "2010-08-01", **params}).encode()
    request = urllib.request.Request(endpoint_url + "/", data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    request.add_header(
        "Authorization", f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/monitoring/aws4_request"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def test_server_answers_the_new_cloudwatch_operations_in_the_query_protocol_too(emulator_server: MotoServer) -> None:
    """boto3 speaks JSON to CloudWatch; the function's bundled CloudWatch model (lambda_src/.../data) says query."""
    emulator_server.reset()
    sql = fleet_query.build(BOUNCE)

    def post(action: str, **params: str) -> str:
        return _query_protocol(emulator_server.endpoint_url, action, params)

    member = "MetricData.member.1."
    post(
        "PutMetricData",
        Namespace="AWS/SES",
        **{
            f"{member}MetricName": BOUNCE,
            f"{member}Value": "0.2",
            f"{member}Dimensions.member.1.Name": SET_DIMENSION,
            f"{member}Dimensions.member.1.Value": "hot",
        },
    )
    now = dt.datetime.now(dt.UTC)
    queried = post(
        "GetMetricData",
        **{
            "MetricDataQueries.member.1.Id": "q",
            "MetricDataQueries.member.1.Expression": sql,
            "MetricDataQueries.member.1.Period": "3600",
            "StartTime": (now - dt.timedelta(hours=1)).isoformat(),
            "EndTime": (now + dt.timedelta(minutes=5)).isoformat(),
        },
    )
    post(
        "PutMetricAlarm",
        AlarmName=FLEET_ALARM,
        EvaluationPeriods="1",
        Threshold="0.05",
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        **{"Metrics.member.1.Id": "q", "Metrics.member.1.Expression": sql, "Metrics.member.1.Period": "3600"},
    )
    described = post("DescribeAlarmContributors", AlarmName=FLEET_ALARM)

    assert "<Label>hot</Label>" in queried and "<member>0.2</member>" in queried
    assert "<key>ses:configuration-set</key><value>hot</value>" in described


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
