"""Fleet mode for real (against the emulator): the fleet example is deployed with `cdktf deploy`, its
Metrics Insights alarms carry the query, a set created after the deploy (through the SES API, never
in Terraform) is paused by a contributor notification for it, the protected set and `vip` (below its
own, stricter threshold) are left alone, the next plan is empty and destroy leaves nothing.

A contributor notification is what CloudWatch publishes per contributor of a multi-series alarm
("Acting on alarm changes": the alarm's message plus the contributor's attributes); the emulator has
no Metrics Insights evaluation, so the test puts the alarm into ALARM itself and publishes SES's
datapoints (`AWS/SES`, dimension `ses:configuration-set`) that the function checks before pausing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from examples.fleet.stack import NAME_PREFIX, STACK_NAME, VIP_THRESHOLDS
from ses_guard_policy import contract
from ses_guard_policy.fleet_query import build as fleet_query
from tests.e2e.deploy_helpers import (
    LOCAL_STATE_DELETION_OPT_IN,
    Deployer,
    account_sending_enabled,
    deliver_to_pause_function,
    guard_leftovers,
    set_sending_enabled,
    stack_dir,
    stack_lambda_zip,
    trip_alarm,
)
from tests.e2e.moto_server import MotoServer

pytestmark = pytest.mark.e2e

US = "us-east-1"
EXPLICIT_SETS = ("transactional", "vip")
LATE_SET = "customer-created-later"


def publish_rates(server: MotoServer, configuration_set: str, metric: str, value: float) -> None:
    """SES's own per-set datapoints for the last three hours (what the fleet alarm evaluates)."""
    now = datetime.now(UTC)
    server.boto3_client("cloudwatch", US).put_metric_data(
        Namespace=contract.SES_NAMESPACE,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": configuration_set}],
                "Timestamp": now - timedelta(minutes=minutes),
                "Value": value,
            }
            for minutes in (1, 30, 90)
        ],
    )


def contributor_run(server: MotoServer, alarm_name: str, configuration_set: str, zip_path: Path, workdir: Path) -> Any:
    """The fleet alarm in ALARM, and its notification for one contributor delivered from the pause
    topic to the deployed handler; returns the handler's summary."""
    _, message = trip_alarm(server, US, alarm_name)
    # The real shape (tests/events/sns_fleet_contributor.json): contributor keys at the top level.
    message["ActionExecutedAfterMuteWindow"] = False
    message[contract.SNS_CONTRIBUTOR_ID] = uuid.uuid4().hex[:16]
    message[contract.SNS_CONTRIBUTOR_ATTRIBUTES] = {contract.DIMENSION_CONFIGURATION_SET: configuration_set}
    outcome = deliver_to_pause_function(server, US, NAME_PREFIX, message, zip_path, workdir)
    assert outcome["ok"], outcome
    return outcome["summary"]


def test_fleet_example_pauses_a_set_created_after_the_deploy_and_spares_the_explicit_ones(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server = fresh_emulator
    env = deployer.env(US, **LOCAL_STATE_DELETION_OPT_IN)
    workdir = stack_dir(local_synth, STACK_NAME)
    deployer.deploy([STACK_NAME], local_synth, env)
    deployer.assert_converged(workdir, env, "after the first deploy")

    # The four fleet alarms carry the query, leaving the sets with their own policy out.
    cloudwatch = server.boto3_client("cloudwatch", US)
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix=f"{NAME_PREFIX}-fleet-")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == [
        f"{NAME_PREFIX}-fleet-{metric}-{tier}" for metric in ("bounce", "complaint") for tier in ("critical", "warning")
    ]
    for alarm in alarms:
        [query] = alarm["Metrics"]
        metric = contract.METRIC_BOUNCE_RATE if "-bounce-" in alarm["AlarmName"] else contract.METRIC_COMPLAINT_RATE
        assert query["Expression"] == fleet_query(metric, EXPLICIT_SETS)
        assert (query["Period"], query["ReturnData"]) == (3600, True)
        tags = {t["Key"]: t["Value"] for t in cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]}
        assert tags[contract.TAG_SCOPE] == contract.SCOPE_FLEET
    critical = f"{NAME_PREFIX}-fleet-bounce-critical"

    # A set the application creates after the deploy, straight through SES: no Terraform involved.
    server.boto3_client("sesv2", US).create_configuration_set(
        ConfigurationSetName=LATE_SET, ReputationOptions={"ReputationMetricsEnabled": True}
    )
    publish_rates(server, LATE_SET, contract.METRIC_BOUNCE_RATE, 0.12)
    zip_path = stack_lambda_zip(local_synth, STACK_NAME)
    summary = contributor_run(server, critical, LATE_SET, zip_path, tmp_path)
    assert [p["target"] for p in summary["paused"]] == [f"configuration-set:{LATE_SET}"], summary
    assert not set_sending_enabled(server, US, LATE_SET)

    # The protected set, even far above the fleet's threshold, and vip below its own threshold.
    publish_rates(server, "transactional", contract.METRIC_BOUNCE_RATE, 0.20)
    publish_rates(server, "vip", contract.METRIC_BOUNCE_RATE, VIP_THRESHOLDS.bounce_critical / 2)
    for protected in EXPLICIT_SETS:
        summary = contributor_run(server, critical, protected, zip_path, tmp_path)
        assert summary["paused"] == [], summary
        [ignored] = summary["ignored"]
        assert f"set {protected!r} has its own policy" in ignored["reason"], ignored
        assert set_sending_enabled(server, US, protected), protected
    assert account_sending_enabled(server, US)

    # The pause and the set Terraform never knew about leave the plan empty.
    deployer.assert_converged(workdir, env, "after the fleet pause")
    assert not set_sending_enabled(server, US, LATE_SET)

    deployer.destroy([STACK_NAME], local_synth, env)
    assert guard_leftovers(server, US, NAME_PREFIX, list(EXPLICIT_SETS)) == {}
    # Destroy removes what Terraform made, never the application's own sets.
    sets = server.boto3_client("sesv2", US).list_configuration_sets()["ConfigurationSets"]
    assert LATE_SET in sets
