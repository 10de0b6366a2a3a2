"""Deploy for real (against the emulator): every example is deployed, converges, trips, pauses the
right target, survives a redeploy and is destroyed without leftovers.

cdktf stacks go through ``cdktf deploy`` / ``cdktf destroy`` (node_modules/.bin/cdktf, the machine's
Terraform); the plain Terraform example through ``terraform apply`` / ``destroy``. The guard is
tripped the real way: SES's own ``AWS/SES`` datapoints above the threshold go into the emulator, the
alarm goes to ALARM, the SNS notification is built from the alarm as CloudWatch builds it, and the
handler from the DEPLOYED zip runs with the deployed function's environment (Lambda invocation
itself needs Docker, which moto cannot assume). The same notification without those datapoints (what
``aws cloudwatch set-alarm-state`` produces) pauses nothing and is reported as refused. See docs/e2e.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from examples.opt_in import ALLOW_CONFIGURATION_SET_DELETION
from tests.e2e.deploy_helpers import (
    Deployer,
    account_sending_enabled,
    delete_queue,
    deliver_to_pause_function,
    guard_leftovers,
    publish_breaching_datapoints,
    receive_notifications,
    reset_alarm,
    restore_alarm,
    rewrite_alarm,
    set_sending_enabled,
    stack_dir,
    stack_lambda_zip,
    subscribe_queue,
    topic_arn,
    trip_alarm,
)
from tests.e2e.moto_server import MotoServer
from tests.module.conftest import copy_consumer_example
from tests.support.terraform import plan_json, run_terraform

pytestmark = pytest.mark.e2e

US = "us-east-1"
EU = "eu-west-1"


def _trip_and_run(
    server: MotoServer, region: str, prefix: str, alarm_name: str, zip_path: Path, workdir: Path, *, evidence: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The alarm to ALARM (with SES's breaching datapoints when ``evidence``, else only the claim), its
    notification delivered from the pause topic to the deployed handler; (alarm, handler summary)."""
    if evidence:
        publish_breaching_datapoints(server, region, alarm_name)
    alarm, message = trip_alarm(server, region, alarm_name)
    outcome = deliver_to_pause_function(server, region, prefix, message, zip_path, workdir)
    assert outcome["ok"], f"{outcome['error']}\n--- function log ---\n{outcome['logs'][-6000:]}"
    return alarm, outcome["summary"]


def _assert_claim_without_evidence_is_refused(
    server: MotoServer, region: str, prefix: str, alarm_name: str, zip_path: Path, workdir: Path
) -> None:
    """``set-alarm-state`` alone: the alarm is in ALARM but SES's datapoints never crossed the threshold."""
    _, summary = _trip_and_run(server, region, prefix, alarm_name, zip_path, workdir, evidence=False)
    assert summary["paused"] == [] and summary["already_paused"] == [], summary
    [refused] = summary["refused"]
    assert "datapoint" in str(refused).lower(), refused
    reset_alarm(server, region, alarm_name)


def _assert_rewritten_alarm_pauses_nothing(
    server: MotoServer, region: str, prefix: str, alarm_name: str, zip_path: Path, workdir: Path
) -> None:
    """Issue "[3 of 7]": PutMetricAlarm (tags kept) to ``SampleCount`` and a tiny threshold, SES's healthy
    datapoints (a quarter of the deployed threshold, far above the rewritten one), SetAlarmState ALARM:
    the function judges by the deployed policy and refuses, naming what differs."""
    publish_breaching_datapoints(server, region, alarm_name, factor=0.25)
    original = rewrite_alarm(server, region, alarm_name, Statistic="SampleCount", Threshold=0.0001)
    _, summary = _trip_and_run(server, region, prefix, alarm_name, zip_path, workdir, evidence=False)
    restore_alarm(server, region, original)
    reset_alarm(server, region, alarm_name)
    assert summary["paused"] == [] and summary["already_paused"] == [], summary
    [refused] = summary["refused"]
    assert "differs from the account policy: statistic 'SampleCount' (deployed" in refused["reason"], refused
    assert "threshold 0.0001 (deployed" in refused["reason"], refused


def _assert_notices(notes: list[dict[str, Any]], topic: str, subject_part: str, *, refused: int, paused: int) -> None:
    """What the notification topic's subscribers received: refusal notices and pause reports."""
    mine = [n for n in notes if n.get("TopicArn") == topic and subject_part in n.get("Subject", "")]
    assert len([n for n in mine if "pause REFUSED" in n["Subject"]]) == refused, notes
    assert len([n for n in mine if "SES PAUSED" in n["Subject"]]) == paused, notes
    # subscribers other than email and SMS (chat channels, this queue) get the chat custom notification
    assert all(json.loads(n["Message"])["content"]["title"] == n["Subject"] for n in mine), mine


def _assert_notify_only_set_is_not_paused(
    server: MotoServer, region: str, prefix: str, set_name: str, zip_path: Path, workdir: Path
) -> None:
    """Its critical alarm must not publish to the pause topic; and even if such a notification, with
    SES's breaching datapoints behind it, reached the function through the pause topic, the function
    must leave the set alone."""
    name = f"{prefix}-set-{set_name}-bounce-critical"
    alarm, summary = _trip_and_run(server, region, prefix, name, zip_path, workdir, evidence=True)
    assert topic_arn(server, region, f"{prefix}-pause") not in alarm["AlarmActions"], alarm["AlarmActions"]
    assert topic_arn(server, region, f"{prefix}-notifications") in alarm["AlarmActions"]
    assert summary["paused"] == [] and len(summary["ignored"]) == 1, summary
    assert set_sending_enabled(server, region, set_name)


def _assert_only_marketing_pauses(server: MotoServer, prefix: str, zip_path: Path, workdir: Path) -> None:
    """per-set and the Terraform example: transactional (notify) is spared, a bare claim on marketing
    is refused, SES's datapoints plus the alarm pause marketing only; the topic hears both."""
    notifications = topic_arn(server, US, f"{prefix}-notifications")
    queue = subscribe_queue(server, US, notifications, "e2e-reports")
    _assert_notify_only_set_is_not_paused(server, US, prefix, "transactional", zip_path, workdir)
    marketing_critical = f"{prefix}-set-marketing-bounce-critical"
    _assert_claim_without_evidence_is_refused(server, US, prefix, marketing_critical, zip_path, workdir)
    assert set_sending_enabled(server, US, "marketing")

    _, summary = _trip_and_run(server, US, prefix, marketing_critical, zip_path, workdir, evidence=True)
    assert [p["target"] for p in summary["paused"]] == ["configuration-set:marketing"], summary
    assert not set_sending_enabled(server, US, "marketing")
    assert set_sending_enabled(server, US, "transactional")
    assert account_sending_enabled(server, US)
    _assert_notices(receive_notifications(server, US, queue), notifications, "marketing", refused=1, paused=1)
    delete_queue(server, US, queue)


def _deploy_converged(deployer: Deployer, outdir: Path, stack: str) -> tuple[dict[str, str], Path]:
    """``cdktf deploy`` of a locally synthesized stack, then an empty plan; (environment, stack folder)."""
    env, workdir = deployer.env(US, SES_GUARD_BACKEND="local"), stack_dir(outdir, stack)
    deployer.deploy([stack], outdir, env)
    deployer.assert_converged(workdir, env, "after the first deploy")
    return env, workdir


def test_account_wide_stack_pauses_the_account_and_the_pause_survives_a_redeploy(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server, stack, prefix = fresh_emulator, "account-wide", "ses-guard"
    env, workdir = _deploy_converged(deployer, local_synth, stack)
    assert account_sending_enabled(server, US)
    assert set_sending_enabled(server, US, "default-sending")

    notifications = topic_arn(server, US, f"{prefix}-notifications")
    queue = subscribe_queue(server, US, notifications, "e2e-reports")
    zip_path = stack_lambda_zip(local_synth, stack)
    _assert_notify_only_set_is_not_paused(server, US, prefix, "default-sending", zip_path, tmp_path)
    assert account_sending_enabled(server, US)

    critical = f"{prefix}-account-bounce-critical"
    _assert_claim_without_evidence_is_refused(server, US, prefix, critical, zip_path, tmp_path)
    assert account_sending_enabled(server, US)
    _assert_rewritten_alarm_pauses_nothing(server, US, prefix, critical, zip_path, tmp_path)
    assert account_sending_enabled(server, US)
    alarm, summary = _trip_and_run(server, US, prefix, critical, zip_path, tmp_path, evidence=True)
    assert topic_arn(server, US, f"{prefix}-pause") in alarm["AlarmActions"]
    assert [p["target"] for p in summary["paused"]] == ["account"], summary
    assert not account_sending_enabled(server, US)
    assert set_sending_enabled(server, US, "default-sending")
    _assert_notices(receive_notifications(server, US, queue), notifications, "account", refused=2, paused=1)
    delete_queue(server, US, queue)

    deployer.deploy([stack], local_synth, env)
    deployer.assert_converged(workdir, env, "after the pause and a redeploy")
    assert not account_sending_enabled(server, US), "the redeploy resumed the account"
    # Same notification again (SNS delivers at least once): idempotent, no second pause.
    _, summary = _trip_and_run(server, US, prefix, critical, zip_path, tmp_path, evidence=True)
    assert summary["paused"] == [] and len(summary["already_paused"]) == 1, summary

    deployer.destroy([stack], local_synth, env)
    assert guard_leftovers(server, US, prefix, ["default-sending"]) == {}


def test_per_set_stack_pauses_only_marketing(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server, stack, prefix = fresh_emulator, "per-set", "ses-guard-sets"
    env, workdir = _deploy_converged(deployer, local_synth, stack)
    for name in ("marketing", "transactional"):
        assert set_sending_enabled(server, US, name)

    _assert_only_marketing_pauses(server, prefix, stack_lambda_zip(local_synth, stack), tmp_path)

    deployer.deploy([stack], local_synth, env)
    deployer.assert_converged(workdir, env, "after the pause and a redeploy")
    assert not set_sending_enabled(server, US, "marketing"), "the redeploy resumed marketing"
    assert set_sending_enabled(server, US, "transactional")

    deployer.destroy([stack], local_synth, env)
    assert guard_leftovers(server, US, prefix, ["marketing", "transactional", "partner-digest"]) == {}


def test_multi_region_stacks_deploy_with_the_s3_backend_and_pause_per_region(
    deployer: Deployer, e2e_workdir: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server = fresh_emulator
    bucket, key_prefix = "ses-guard-e2e-state", "ses-reputation-guard"
    s3 = server.boto3_client("s3", US)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    env = deployer.env(
        US,
        **{ALLOW_CONFIGURATION_SET_DELETION: "true"},  # the test ends with a destroy that deletes the sets
        SES_GUARD_BACKEND="s3",
        SES_GUARD_STATE_BUCKET=bucket,
        SES_GUARD_STATE_KEY_PREFIX=key_prefix,
        SES_GUARD_STATE_REGION=US,
        SES_GUARD_STATE_PATH_STYLE="true",
    )
    outdir = e2e_workdir / "cdktf.out-s3"
    deployer.synth(outdir, env)
    stacks = {US: "multi-region-us-east-1", EU: "multi-region-eu-west-1"}
    for stack in stacks.values():
        backend = json.loads((stack_dir(outdir, stack) / "cdk.tf.json").read_text())["terraform"]["backend"]
        assert set(backend) == {"s3"}, backend

    deployer.deploy(list(stacks.values()), outdir, env)

    def state(stack: str) -> dict[str, Any]:
        body = s3.get_object(Bucket=bucket, Key=f"{key_prefix}/{stack}.tfstate")["Body"].read()
        loaded: dict[str, Any] = json.loads(body)
        return loaded

    def addresses(stack: str) -> set[tuple[str, str]]:
        return {(r["type"], r["name"]) for r in state(stack)["resources"] if r["mode"] == "managed"}

    first: dict[str, tuple[str, set[tuple[str, str]]]] = {}
    for stack in stacks.values():
        local_state = [*stack_dir(outdir, stack).glob("*.tfstate"), *outdir.parent.glob(f"terraform.{stack}.tfstate")]
        assert not local_state, "state written locally, not to S3"
        first[stack] = (state(stack)["lineage"], addresses(stack))
        assert first[stack][1], stack
        deployer.assert_converged(stack_dir(outdir, stack), env, f"of {stack} after the first deploy")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == sorted(f"{key_prefix}/{stack}.tfstate" for stack in stacks.values()), keys  # no lock left

    prefix_eu, prefix_us = "ses-guard-eu-west-1", "ses-guard-us-east-1"
    zip_path = stack_lambda_zip(outdir, stacks[EU])
    _, summary = _trip_and_run(
        server, EU, prefix_eu, f"{prefix_eu}-set-marketing-eu-bounce-critical", zip_path, tmp_path, evidence=True
    )
    assert [p["target"] for p in summary["paused"]] == ["configuration-set:marketing-eu"], summary
    assert not set_sending_enabled(server, EU, "marketing-eu")
    assert set_sending_enabled(server, EU, "transactional-eu")
    assert set_sending_enabled(server, US, "marketing-us")
    assert account_sending_enabled(server, US) and account_sending_enabled(server, EU)

    # The second deploy reuses the state in the bucket (same lineage and resources) and changes nothing.
    # (Its serial may go up: the refresh records computed attributes that other resources set after
    # the first apply, e.g. the role's inline_policy / managed_policy_arns and the topics' policy.)
    output = deployer.deploy(list(stacks.values()), outdir, env)
    assert "0 added, 0 changed, 0 destroyed" in output or "No changes" in output, output[-3000:]
    assert not re.search(r"\b[1-9]\d* (to add|to change|to destroy|added|changed|destroyed)\b", output), output[-3000:]
    for stack in stacks.values():
        assert (state(stack)["lineage"], addresses(stack)) == first[stack], f"{stack}: state not reused"
        deployer.assert_converged(stack_dir(outdir, stack), env, f"of {stack} after the redeploy")
    assert not set_sending_enabled(server, EU, "marketing-eu"), "the redeploy resumed marketing-eu"

    deployer.destroy(list(stacks.values()), outdir, env)
    for region, stack in stacks.items():
        prefix = prefix_eu if region == EU else prefix_us
        sets = [f"marketing-{region[:2]}", f"transactional-{region[:2]}"]
        assert guard_leftovers(server, region, prefix, sets) == {}, region
        assert state(stack)["resources"] == [], stack
    del prefix_us


MANAGED_SETS = "module.ses_guard.aws_sesv2_configuration_set.guard_configuration_sets"
# examples/terraform_module/main.tf: marketing flipped to an existing (unmanaged) set; transactional removed.
UNMANAGE_MARKETING = ("marketing = {\n", "marketing = {\n      managed = false\n")
REMOVE_TRANSACTIONAL = ('transactional = {\n      action = "notify"\n    }', "")


def _edit(main_tf: Path, old: str, new: str) -> None:
    text = main_tf.read_text()
    assert old in text, old
    main_tf.write_text(text.replace(old, new))


def _assert_plan_refuses_to_destroy_a_managed_set(workdir: Path, env: dict[str, str], set_name: str) -> None:
    """The plan fails on the set's prevent_destroy: nothing is destroyed, and the error says why."""
    result = run_terraform(["plan", "-input=false", "-detailed-exitcode"], workdir, env, ok=None)
    output = " ".join(result.output.split())
    assert result.returncode == 1, f"the plan did not refuse:\n{result.output[-3000:]}"
    assert "Instance cannot be destroyed" in output and f'{MANAGED_SETS}["{set_name}"]' in output, output[-3000:]


def _planned_deletions(workdir: Path, env: dict[str, str]) -> list[str]:
    shown = plan_json(workdir, env, plan_file="retire.tfplan")
    return [c["address"] for c in shown.get("resource_changes", []) if "delete" in c["change"]["actions"]]


def _assert_managed_sets_survive_edits_and_destroy(server: MotoServer, workdir: Path, env: dict[str, str]) -> None:
    """Issue 11: flipping ``managed`` or removing a set never plans its destroy; retiring on purpose is
    ``terraform state rm`` (the module README's recipe), after which the set lives on outside Terraform."""
    main_tf = workdir / "main.tf"
    original = main_tf.read_text()
    _edit(main_tf, *UNMANAGE_MARKETING)
    _assert_plan_refuses_to_destroy_a_managed_set(workdir, env, "marketing")
    main_tf.write_text(original)
    _edit(main_tf, *REMOVE_TRANSACTIONAL)
    _assert_plan_refuses_to_destroy_a_managed_set(workdir, env, "transactional")
    main_tf.write_text(original)
    assert set_sending_enabled(server, US, "transactional") and not set_sending_enabled(server, US, "marketing")

    # Retire marketing on purpose: forget it, then flip it; the plan deletes no configuration set.
    run_terraform(["state", "rm", f'{MANAGED_SETS}["marketing"]'], workdir, env)
    _edit(main_tf, *UNMANAGE_MARKETING)
    assert not [a for a in _planned_deletions(workdir, env) if "configuration_set" in a]
    # Remove the guard but keep every set: forget the sets, then destroy the rest.
    run_terraform(["state", "rm", MANAGED_SETS], workdir, env)
    run_terraform(["destroy", "-auto-approve", "-input=false"], workdir, env)
    sets = server.boto3_client("sesv2", US).list_configuration_sets()["ConfigurationSets"]
    assert {"marketing", "transactional"} <= set(sets), sets
    assert not set_sending_enabled(server, US, "marketing"), "the paused set stays paused after the guard is gone"


def test_terraform_module_example_pauses_only_marketing_and_never_destroys_a_managed_set(
    deployer: Deployer, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server, prefix = fresh_emulator, "ses-guard-tf"
    workdir = copy_consumer_example(tmp_path / "repo")  # the repository's layout: ../../modules/... resolves
    env = deployer.env(US)
    deployer.terraform(["init", "-input=false"], workdir, env)
    deployer.terraform(["apply", "-auto-approve", "-input=false"], workdir, env)
    deployer.assert_converged(workdir, env, "after the first apply")
    for name in ("marketing", "transactional"):
        assert set_sending_enabled(server, US, name)

    zip_path = workdir.parents[1] / "modules" / "terraform-aws-ses-reputation-guard" / "lambda" / "ses_guard_lambda.zip"
    _assert_only_marketing_pauses(server, prefix, zip_path, tmp_path)

    deployer.terraform(["apply", "-auto-approve", "-input=false"], workdir, env)
    deployer.assert_converged(workdir, env, "after the pause and a second apply")
    assert not set_sending_enabled(server, US, "marketing"), "the second apply resumed marketing"

    _assert_managed_sets_survive_edits_and_destroy(server, workdir, env)
    assert guard_leftovers(server, US, prefix, []) == {}
