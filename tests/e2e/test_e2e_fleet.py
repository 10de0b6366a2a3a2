"""Fleet mode for real (against the emulator): the fleet example is deployed with `cdktf deploy`, its
Metrics Insights alarms carry the query, a set created after the deploy (through the SES API, never
in Terraform) is paused by the documented contributor delivery, the protected set and `vip` (below its
own, stricter threshold) are left alone, the next plan is empty and destroy leaves nothing.

Delivery is the deployed EventBridge rule's ("CloudWatch Alarm Contributor State Change", CloudWatch
User Guide, "Alarm events and EventBridge"; tests/events/eventbridge_fleet_contributor_state_change.json):
the test builds the event EventBridge sends for a contributor, checks with moto's EventBridge pattern
matcher (the one that routes its events; moto's TestEventPattern answers nothing) that the deployed rule
matches it and that the rule's target is the function, and
runs the deployed function on it. The emulator does not move alarms by itself, so the test puts the
alarm into ALARM and publishes SES's datapoints (`AWS/SES`, dimension `ses:configuration-set`), which
the function checks before pausing (DescribeAlarmContributors, computed by the emulator from those
datapoints, confirms the contributor).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from moto.events.models import EventPattern

from examples.fleet.stack import NAME_PREFIX, STACK_NAME, VIP_THRESHOLDS
from ses_guard_policy import contract
from ses_guard_policy.fleet_query import build as fleet_query
from tests.e2e.deploy_helpers import (
    LOCAL_STATE_DELETION_OPT_IN,
    Deployer,
    account_sending_enabled,
    deployed_rule_to_function,
    eventbridge_event,
    guard_leftovers,
    invoke_deployed_function,
    publish_ses_datapoints,
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
    ages = [timedelta(minutes=minutes) for minutes in (1, 30, 90)]
    publish_ses_datapoints(server, US, metric, configuration_set, [(age, value) for age in ages])


def contributor_event(alarm: dict[str, Any], configuration_set: str) -> dict[str, Any]:
    """What EventBridge sends for one contributor of a multi-series alarm going to ALARM (the shape of
    tests/events/eventbridge_fleet_contributor_state_change.json, from the CloudWatch User Guide)."""
    now = datetime.now(UTC)
    detail = {
        "alarmName": alarm["AlarmName"],
        "alarmContributor": {
            "id": uuid.uuid4().hex[:16],
            "attributes": {contract.DIMENSION_CONFIGURATION_SET: configuration_set},
        },
        "state": {
            "value": "ALARM",
            "reason": alarm["StateReason"],
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        },
        "configuration": {
            "metrics": [
                {"id": m["Id"], "expression": m["Expression"], "returnData": True, "period": m["Period"]}
                for m in alarm["Metrics"]
            ],
            "description": alarm.get("AlarmDescription", ""),
        },
    }
    return eventbridge_event(
        US,
        account=alarm["AlarmArn"].split(":")[4],
        source=contract.EVENTS_SOURCE_CLOUDWATCH,
        detail_type=contract.DETAIL_TYPE_CONTRIBUTOR_STATE_CHANGE,
        resources=[alarm["AlarmArn"]],
        detail=detail,
        time=now,
    )


def deployed_rule_delivers(server: MotoServer, event: dict[str, Any]) -> None:
    """The guard's contributor rule matches ``event`` (TestEventPattern) and targets the function."""
    rule, _, _ = deployed_rule_to_function(server, US, f"{NAME_PREFIX}-fleet-contributors", f"{NAME_PREFIX}-pause")
    # moto's TestEventPattern answers nothing (5.2.5): its rule-routing matcher judges the pattern instead
    assert EventPattern.load(rule["EventPattern"]).matches_event(event), rule["EventPattern"]
    other = {**event, "resources": [event["resources"][0].replace("-critical", "-warning")]}
    assert not EventPattern.load(rule["EventPattern"]).matches_event(other), "a warning alarm must not pause"


def contributor_run(server: MotoServer, alarm_name: str, configuration_set: str, zip_path: Path, workdir: Path) -> Any:
    """The fleet alarm in ALARM, and EventBridge's contributor event for one set, matched by the deployed
    rule and run through the deployed handler; returns the handler's summary."""
    alarm, _ = trip_alarm(server, US, alarm_name)
    event = contributor_event(alarm, configuration_set)
    deployed_rule_delivers(server, event)
    outcome = invoke_deployed_function(server, US, f"{NAME_PREFIX}-pause", zip_path, event, workdir)
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
        # EventBridge delivers contributors: no alarm publishes to the pause topic, so none arrives twice
        assert not any(action.endswith(f":{NAME_PREFIX}-pause") for action in alarm["AlarmActions"]), alarm
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
