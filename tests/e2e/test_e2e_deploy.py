"""Deploy for real (against the emulator): every example is deployed, converges, trips, pauses the
right target, survives a redeploy and is destroyed without leftovers.

cdktf stacks go through ``cdktf deploy`` / ``cdktf destroy`` (node_modules/.bin/cdktf, the machine's
Terraform); the plain Terraform example through ``terraform apply`` / ``destroy``. The guard is
tripped the way AWS would: the alarm goes to ALARM in the emulator, the SNS notification is built
from the alarm as CloudWatch builds it, and the handler from the DEPLOYED zip runs with the deployed
function's environment (Lambda invocation itself needs Docker, which moto cannot assume).
See docs/e2e.md.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.deploy_helpers import (
    ROOT,
    Deployer,
    account_sending_enabled,
    delete_queue,
    guard_leftovers,
    invoke_deployed_function,
    receive_notifications,
    set_sending_enabled,
    sns_event,
    stack_dir,
    stack_lambda_zip,
    subscribe_queue,
    topic_arn,
    trip_alarm,
)
from tests.e2e.moto_server import MotoServer

pytestmark = pytest.mark.e2e

US = "us-east-1"
EU = "eu-west-1"


def _trip_and_run(
    server: MotoServer, region: str, prefix: str, alarm_name: str, zip_path: Path, workdir: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Alarm to ALARM, deliver its notification from the pause topic to the deployed handler."""
    alarm, message = trip_alarm(server, region, alarm_name)
    pause_topic = topic_arn(server, region, f"{prefix}-pause")
    event = sns_event(server, region, pause_topic, message)
    outcome = invoke_deployed_function(server, region, f"{prefix}-pause", zip_path, event, workdir)
    assert outcome["ok"], outcome
    return alarm, outcome["summary"]


def _assert_paused_report(notes: list[dict[str, Any]], topic: str, subject_part: str) -> None:
    reports = [n for n in notes if n.get("TopicArn") == topic and "SES PAUSED" in n.get("Subject", "")]
    assert len(reports) == 1, notes
    assert subject_part in reports[0]["Subject"], reports[0]


def _assert_notify_only_set_is_not_paused(
    server: MotoServer, region: str, prefix: str, set_name: str, zip_path: Path, workdir: Path
) -> None:
    """Its critical alarm must not publish to the pause topic; and even if such a notification
    reached the function through the pause topic, the function must leave the set alone."""
    name = f"{prefix}-set-{set_name}-bounce-critical"
    alarm, summary = _trip_and_run(server, region, prefix, name, zip_path, workdir)
    assert topic_arn(server, region, f"{prefix}-pause") not in alarm["AlarmActions"], alarm["AlarmActions"]
    assert topic_arn(server, region, f"{prefix}-notifications") in alarm["AlarmActions"]
    assert summary["paused"] == [] and len(summary["ignored"]) == 1, summary
    assert set_sending_enabled(server, region, set_name)


def test_account_wide_stack_pauses_the_account_and_the_pause_survives_a_redeploy(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server, stack, prefix = fresh_emulator, "account-wide", "ses-guard"
    env = deployer.env(US, SES_GUARD_BACKEND="local")
    workdir = stack_dir(local_synth, stack)
    deployer.deploy([stack], local_synth, env)
    deployer.assert_converged(workdir, env, "after the first deploy")
    assert account_sending_enabled(server, US)
    assert set_sending_enabled(server, US, "default-sending")

    notifications = topic_arn(server, US, f"{prefix}-notifications")
    queue = subscribe_queue(server, US, notifications, "e2e-reports")
    zip_path = stack_lambda_zip(local_synth, stack)
    _assert_notify_only_set_is_not_paused(server, US, prefix, "default-sending", zip_path, tmp_path)
    assert account_sending_enabled(server, US)

    alarm, summary = _trip_and_run(server, US, prefix, f"{prefix}-account-bounce-critical", zip_path, tmp_path)
    assert topic_arn(server, US, f"{prefix}-pause") in alarm["AlarmActions"]
    assert [p["target"] for p in summary["paused"]] == ["account"], summary
    assert not account_sending_enabled(server, US)
    assert set_sending_enabled(server, US, "default-sending")
    _assert_paused_report(receive_notifications(server, US, queue), notifications, "account")
    delete_queue(server, US, queue)

    deployer.deploy([stack], local_synth, env)
    deployer.assert_converged(workdir, env, "after the pause and a redeploy")
    assert not account_sending_enabled(server, US), "the redeploy resumed the account"
    # Same notification again (SNS delivers at least once): idempotent, no second pause.
    _, summary = _trip_and_run(server, US, prefix, f"{prefix}-account-bounce-critical", zip_path, tmp_path)
    assert summary["paused"] == [] and len(summary["already_paused"]) == 1, summary

    deployer.destroy([stack], local_synth, env)
    assert guard_leftovers(server, US, prefix, ["default-sending"]) == {}


def test_per_set_stack_pauses_only_marketing(
    deployer: Deployer, local_synth: Path, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server, stack, prefix = fresh_emulator, "per-set", "ses-guard-sets"
    env = deployer.env(US, SES_GUARD_BACKEND="local")
    workdir = stack_dir(local_synth, stack)
    deployer.deploy([stack], local_synth, env)
    deployer.assert_converged(workdir, env, "after the first deploy")
    for name in ("marketing", "transactional"):
        assert set_sending_enabled(server, US, name)

    notifications = topic_arn(server, US, f"{prefix}-notifications")
    queue = subscribe_queue(server, US, notifications, "e2e-reports")
    zip_path = stack_lambda_zip(local_synth, stack)
    _assert_notify_only_set_is_not_paused(server, US, prefix, "transactional", zip_path, tmp_path)

    _, summary = _trip_and_run(server, US, prefix, f"{prefix}-set-marketing-bounce-critical", zip_path, tmp_path)
    assert [p["target"] for p in summary["paused"]] == ["configuration-set:marketing"], summary
    assert not set_sending_enabled(server, US, "marketing")
    assert set_sending_enabled(server, US, "transactional")
    assert account_sending_enabled(server, US)
    _assert_paused_report(receive_notifications(server, US, queue), notifications, "set marketing")
    delete_queue(server, US, queue)

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
        server, EU, prefix_eu, f"{prefix_eu}-set-marketing-eu-bounce-critical", zip_path, tmp_path
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


def test_terraform_module_example_pauses_only_marketing(
    deployer: Deployer, fresh_emulator: MotoServer, tmp_path: Path
) -> None:
    server, prefix = fresh_emulator, "ses-guard-tf"
    # Same relative layout as the repository, so `source = "../../modules/..."` resolves.
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "examples" / "terraform_module", root / "examples" / "terraform_module")
    module = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
    shutil.copytree(module, root / "modules" / module.name, ignore=shutil.ignore_patterns(".terraform*"))
    workdir = root / "examples" / "terraform_module"
    env = deployer.env(US)
    deployer.terraform(["init", "-input=false"], workdir, env)
    deployer.terraform(["apply", "-auto-approve", "-input=false"], workdir, env)
    deployer.assert_converged(workdir, env, "after the first apply")
    for name in ("marketing", "transactional"):
        assert set_sending_enabled(server, US, name)

    notifications = topic_arn(server, US, f"{prefix}-notifications")
    queue = subscribe_queue(server, US, notifications, "e2e-reports")
    zip_path = root / "modules" / module.name / "lambda" / "ses_guard_lambda.zip"
    _assert_notify_only_set_is_not_paused(server, US, prefix, "transactional", zip_path, tmp_path)

    _, summary = _trip_and_run(server, US, prefix, f"{prefix}-set-marketing-bounce-critical", zip_path, tmp_path)
    assert [p["target"] for p in summary["paused"]] == ["configuration-set:marketing"], summary
    assert not set_sending_enabled(server, US, "marketing")
    assert set_sending_enabled(server, US, "transactional")
    assert account_sending_enabled(server, US)
    _assert_paused_report(receive_notifications(server, US, queue), notifications, "set marketing")
    delete_queue(server, US, queue)

    deployer.terraform(["apply", "-auto-approve", "-input=false"], workdir, env)
    deployer.assert_converged(workdir, env, "after the pause and a second apply")
    assert not set_sending_enabled(server, US, "marketing"), "the second apply resumed marketing"

    deployer.terraform(["destroy", "-auto-approve", "-input=false"], workdir, env)
    assert guard_leftovers(server, US, prefix, ["marketing", "transactional", "newsletters"]) == {}
