"""Sweep mode for real (against the emulator): the sweep example is deployed with `cdktf deploy`; three sets
the application creates after the deploy (through the SES API, never in Terraform) publish SES's own
datapoints, two breaching M of N and one spiking once; the protected set breaches too and `vip` stays
below its own threshold; the account's bounce rate sits at the warning level (the account's action is
notify). The scheduled target is triggered as EventBridge would (its "Scheduled Event" envelope, from
the deployed rule) twice: exactly the two sets are paused, once, with one report each; the warning is
notified once across both runs, and so is the protected set's critical breach (never paused); the next
plan is empty and destroy leaves nothing.

The emulator answers the Metrics Insights GetMetricData subset the run uses (docs/emulator.md).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from examples.sweep.stack import NAME_PREFIX, PROTECTED_SET, STACK_NAME, VIP_THRESHOLDS
from ses_guard_cli import stack_manifest
from ses_guard_cli.backtest_sweep import decisions_at, fetch_sweep_history
from ses_guard_policy import contract
from tests.e2e.deploy_helpers import (
    LOCAL_STATE_DELETION_OPT_IN,
    Deployer,
    account_sending_enabled,
    delete_queue,
    deployed_rule_to_function,
    eventbridge_event,
    guard_leftovers,
    invoke_deployed_function,
    publish_ses_datapoints,
    receive_notifications,
    set_sending_enabled,
    stack_dir,
    stack_lambda_zip,
    subscribe_queue,
    topic_arn,
)
from tests.e2e.moto_server import MotoServer

pytestmark = pytest.mark.e2e

US = "us-east-1"
BREACHING = ("tenant-alpha", "tenant-bravo")
SPIKE = "tenant-spike"
EXPLICIT_SETS = (PROTECTED_SET, "vip")
WARNING_BOUNCE = 0.03  # between the default warning (0.02) and critical (0.04)


def publish_hourly(server: MotoServer, configuration_set: str | None, values: list[float]) -> None:
    """SES's bounce rate, one datapoint per hour, the last in the current hour (oldest first)."""
    ages = [timedelta(hours=len(values) - 1 - index, minutes=1) for index in range(len(values))]
    publish_ses_datapoints(server, US, contract.METRIC_BOUNCE_RATE, configuration_set, zip(ages, values, strict=True))


def scheduled_event(server: MotoServer) -> dict[str, Any]:
    """The event EventBridge sends the deployed schedule's target: its "Scheduled Event" envelope
    (EventBridge User Guide; tests/events/eventbridge_scheduled_event.json), naming the deployed rule."""
    rule, target, function = deployed_rule_to_function(server, US, f"{NAME_PREFIX}-sweep", f"{NAME_PREFIX}-pause")
    assert rule["ScheduleExpression"].startswith("rate("), rule
    assert "Input" not in target, target
    return eventbridge_event(
        US,
        account=function["FunctionArn"].split(":")[4],
        source=contract.EVENTS_SOURCE_SCHEDULE,
        detail_type=contract.DETAIL_TYPE_SCHEDULED,
        resources=[rule["Arn"]],
        detail={},
        time=datetime.now(UTC),
    )


def sweep_run(server: MotoServer, zip_path: Path, workdir: Path) -> dict[str, Any]:
    outcome = invoke_deployed_function(server, US, f"{NAME_PREFIX}-pause", zip_path, scheduled_event(server), workdir)
    assert outcome["ok"], outcome
    summary: dict[str, Any] = outcome["summary"]
    return summary


def create_late_sets(server: MotoServer) -> None:
    sesv2 = server.boto3_client("sesv2", US)
    for name in (*BREACHING, SPIKE, PROTECTED_SET):  # the application's sets, created through SES
        sesv2.create_configuration_set(ConfigurationSetName=name, ReputationOptions={"ReputationMetricsEnabled": True})


def publish_history(server: MotoServer) -> None:
    publish_hourly(server, BREACHING[0], [0.01, 0.07, 0.08])  # 2 of the last 3 hours over 0.04
    publish_hourly(server, BREACHING[1], [0.09, 0.01, 0.05])
    publish_hourly(server, SPIKE, [0.01, 0.09, 0.01])  # once: not M of N
    publish_hourly(server, PROTECTED_SET, [0.2, 0.2, 0.2])
    publish_hourly(server, "vip", [VIP_THRESHOLDS.bounce_critical / 2] * 3)
    publish_hourly(server, None, [WARNING_BOUNCE] * 3)  # the account, at the warning level


def backtest_decisions(server: MotoServer, workdir: Path) -> tuple[set[str], set[str]]:
    """What `ses-guard backtest --stack` decides for a run now over the emulator's history: (sets in
    critical breach it would act on, targets in warning), read with the backtest's own history fetch."""
    guard = stack_manifest.load(workdir)
    now = datetime.now(UTC)
    history = fetch_sweep_history(server.boto3_client("cloudwatch", US), guard, now - timedelta(days=1), now)
    verdicts = decisions_at(history, guard, now, protected=frozenset({PROTECTED_SET}))
    critical = {v.configuration_set or "account" for v in verdicts if v.tier == contract.TIER_CRITICAL}
    warning = {v.configuration_set or "account" for v in verdicts if v.tier == contract.TIER_WARNING}
    return critical, warning


def report_subjects(server: MotoServer, queue: str) -> list[str]:
    return [str(note.get("Subject", "")) for note in receive_notifications(server, US, queue)]


def test_sweep_example_pauses_exactly_the_two_breaching_sets_once_and_warns_once(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server = fresh_emulator
    env = deployer.env(US, **LOCAL_STATE_DELETION_OPT_IN)
    workdir = stack_dir(local_synth, STACK_NAME)
    deployer.deploy([STACK_NAME], local_synth, env)
    deployer.assert_converged(workdir, env, "after the first deploy")
    assert (
        server.boto3_client("cloudwatch", US).describe_alarms(AlarmNamePrefix=f"{NAME_PREFIX}-account-")["MetricAlarms"]
        == []
    ), "a sweep guard needs no account alarm"

    queue = subscribe_queue(server, US, topic_arn(server, US, f"{NAME_PREFIX}-notifications"), "e2e-sweep")
    create_late_sets(server)
    publish_history(server)
    zip_path = stack_lambda_zip(local_synth, STACK_NAME)

    first = sweep_run(server, zip_path, tmp_path)
    assert sorted(first["paused"]) == [f"configuration-set:{name}" for name in BREACHING], first
    # the backtest of this stack decides the same on the same history (one engine, one decision function)
    critical, warning = backtest_decisions(server, workdir)
    assert critical == set(BREACHING), critical
    assert warning == {"account"} and [w for w in first["warned"] if "account" in str(w)], (warning, first)
    second = sweep_run(server, zip_path, tmp_path)
    assert second["paused"] == [], second
    for name in BREACHING:
        assert not set_sending_enabled(server, US, name), name
    for name in (SPIKE, *EXPLICIT_SETS):
        assert set_sending_enabled(server, US, name), name
    assert account_sending_enabled(server, US)

    subjects = report_subjects(server, queue)
    for name in BREACHING:
        assert sum(name in subject for subject in subjects) == 1, (name, subjects)
    warnings = [s for s in subjects if "warning" in s.lower()]
    assert len(warnings) == 1 and "account" in warnings[0].lower(), subjects
    # the protected set is never paused, but people hear of its critical breach once (a notice, not a pause)
    protected = [s for s in subjects if PROTECTED_SET in s]
    assert len(protected) == 1 and "CRITICAL" in protected[0] and "PAUSED" not in protected[0], subjects
    assert not any(SPIKE in s or "vip" in s for s in subjects), subjects
    delete_queue(server, US, queue)

    deployer.assert_converged(workdir, env, "after the sweep's pauses")
    deployer.destroy([STACK_NAME], local_synth, env)
    assert guard_leftovers(server, US, NAME_PREFIX, ["vip"]) == {}
    assert not [
        t for t in server.boto3_client("dynamodb", US).list_tables()["TableNames"] if t.startswith(f"{NAME_PREFIX}-")
    ]
    assert not server.boto3_client("events", US).list_rules(NamePrefix=f"{NAME_PREFIX}-")["Rules"]
    sets = server.boto3_client("sesv2", US).list_configuration_sets()["ConfigurationSets"]
    assert {*BREACHING, SPIKE, PROTECTED_SET} <= set(sets), "destroy never deletes the application's own sets"
    json.dumps(first)  # the summaries are plain JSON (the function returns them to Lambda)
