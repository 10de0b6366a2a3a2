"""Helpers for the deploy tier (tests/e2e/test_e2e_*.py): cdktf / terraform runs against the emulator,
CloudWatch-shaped alarm notifications, running the DEPLOYED Lambda zip, leftover checks.

Everything here talks to the emulator only: environments come from ``tests/support/aws_env.py`` and
``tests/support/terraform.py`` (fake keys, ``AWS_ENDPOINT_URL``, no profile / credential files), and
every command runs through ``tests.support.terraform.run_command`` (timed into ``RUNS``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import sys
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from examples.opt_in import ALLOW_CONFIGURATION_SET_DELETION
from ses_guard_policy import contract
from tests.e2e.moto_server import MotoServer
from tests.support.aws_env import FAKE_ACCOUNT_ID, offline_aws_env
from tests.support.terraform import RUNS, run_command, run_terraform, terraform_env

# RUNS (the session's command log) is re-exported for the tier's other modules.
__all__ = [
    "CDKTF",
    "LOCAL_STATE_DELETION_OPT_IN",
    "REGION_NAMES",
    "ROOT",
    "RUNS",
    "Deployer",
    "account_sending_enabled",
    "delete_queue",
    "deliver_to_pause_function",
    "deployed_rule_to_function",
    "eventbridge_event",
    "filebase64sha256",
    "guard_leftovers",
    "invoke_deployed_function",
    "publish_breaching_datapoints",
    "publish_ses_datapoints",
    "receive_notifications",
    "reset_alarm",
    "set_sending_enabled",
    "sns_event",
    "stack_dir",
    "stack_lambda_zip",
    "subscribe_queue",
    "topic_arn",
    "trip_alarm",
]

ROOT = Path(__file__).resolve().parents[2]
CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"
# CloudWatch puts the Region's display name into the notification ("Region").
REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "eu-west-1": "Europe (Ireland)"}
# Local state, and the opt-in that lets the tests' final destroy delete the managed sets (examples/opt_in.py;
# without it their prevent_destroy refuses the destroy, as it should).
LOCAL_STATE_DELETION_OPT_IN = {"SES_GUARD_BACKEND": "local", ALLOW_CONFIGURATION_SET_DELETION: "true"}


@dataclass
class Deployer:
    """Runs cdktf-cli and terraform against one emulator, never against AWS."""

    server: MotoServer
    workdir: Path

    def env(self, region: str = "us-east-1", **extra: str) -> dict[str, str]:
        config_dir = self.workdir / f"tfcli-{region}"
        config_dir.mkdir(parents=True, exist_ok=True)
        env = terraform_env(self.server.endpoint_url, config_dir, region=region)
        env.update(
            {
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                # cdktf-cli would point TF_PLUGIN_CACHE_DIR at ~/.terraform.d/plugin-cache, which makes
                # Terraform COPY the 700 MB provider from the mirror into every stack; without the
                # cache Terraform symlinks the unpacked mirror (0.6 s per init).
                "CDKTF_DISABLE_PLUGIN_CACHE_ENV": "true",
                "CDKTF_HOME": str(self.workdir / "cdktf-home"),
                "CI": "1",  # no spinners in captured output
                "FORCE_COLOR": "0",
            }
        )
        env.pop("TF_PLUGIN_CACHE_DIR", None)
        env.pop("CDKTF_OUTDIR", None)
        env.update(extra)
        return env

    # --- cdktf-cli ---------------------------------------------------------------------------
    def cdktf(self, args: list[str], env: dict[str, str]) -> str:
        # cdktf.json's app (".venv/bin/python main.py --stacks-only") runs in the project root.
        what = "cdktf " + " ".join(args[:1] + [a for a in args[1:] if not a.startswith("-") and "/" not in a])
        return run_command([str(CDKTF), *args], cwd=ROOT, env=env, what=what).output

    def synth(self, outdir: Path, env: dict[str, str]) -> str:
        return self.cdktf(["synth", "--output", str(outdir)], env)

    def deploy(self, stacks: list[str], outdir: Path, env: dict[str, str]) -> str:
        return self._apply_verb("deploy", stacks, outdir, env)

    def destroy(self, stacks: list[str], outdir: Path, env: dict[str, str]) -> str:
        return self._apply_verb("destroy", stacks, outdir, env)

    def _apply_verb(self, verb: str, stacks: list[str], outdir: Path, env: dict[str, str]) -> str:
        # --skip-synth: the tier synthesizes once per backend (``synth``); --skip-provider-lock:
        # `terraform providers lock` would download checksums from the registry (offline here).
        options = ["--auto-approve", "--output", str(outdir), "--skip-synth", "--skip-provider-lock", "--no-color"]
        return self.cdktf([verb, *stacks, *options], env)

    # --- terraform ---------------------------------------------------------------------------
    def terraform(self, args: list[str], cwd: Path, env: dict[str, str]) -> str:
        return run_terraform(args, cwd, env).output

    def plan_exit_code(self, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
        result = run_terraform(["plan", "-detailed-exitcode", "-input=false"], cwd, env, ok=None)
        return result.returncode, result.output

    def assert_converged(self, cwd: Path, env: dict[str, str], when: str) -> None:
        """``terraform plan -detailed-exitcode`` is 0: the deployment matches its configuration."""
        code, output = self.plan_exit_code(cwd, env)
        if code != 0:
            changes = [line for line in output.splitlines() if re.match(r"\s*(#|[~+-] |-/\+|Plan:|Error)", line)]
            detail = "\n".join(changes) or output[-4000:]
            raise AssertionError(f"plan {when} in {cwd} exited {code} (0 = no changes):\n{detail}")


def stack_dir(outdir: Path, stack: str) -> Path:
    return outdir / "stacks" / stack


def stack_lambda_zip(outdir: Path, stack: str) -> Path:
    [zip_path] = (stack_dir(outdir, stack) / "assets").glob("*/*/ses_guard_lambda.zip")
    return zip_path


# --- tripping the guard -----------------------------------------------------------------------
def _cw_time(value: datetime) -> str:
    """CloudWatch notification time format: 2026-11-28T01:34:12.311+0000."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def _trigger(alarm: dict[str, Any]) -> dict[str, Any]:
    if alarm.get("Metrics"):  # metric math / Metrics Insights
        return {
            "Metrics": alarm["Metrics"],
            "Period": alarm.get("Period"),
            "EvaluationPeriods": alarm["EvaluationPeriods"],
            "DatapointsToAlarm": alarm.get("DatapointsToAlarm"),
            "ComparisonOperator": alarm["ComparisonOperator"],
            "Threshold": alarm.get("Threshold"),
            "TreatMissingData": alarm.get("TreatMissingData", "missing"),
            "EvaluateLowSampleCountPercentile": "",
        }
    return {
        "MetricName": alarm["MetricName"],
        "Namespace": alarm["Namespace"],
        "StatisticType": "Statistic",
        "Statistic": str(alarm.get("Statistic", "")).upper(),
        "Unit": alarm.get("Unit"),
        # CloudWatch writes dimension keys in lower case in notifications.
        "Dimensions": [{"value": d["Value"], "name": d["Name"]} for d in alarm.get("Dimensions", [])],
        "Period": alarm["Period"],
        "EvaluationPeriods": alarm["EvaluationPeriods"],
        "DatapointsToAlarm": alarm.get("DatapointsToAlarm", alarm["EvaluationPeriods"]),
        "ComparisonOperator": alarm["ComparisonOperator"],
        "Threshold": alarm["Threshold"],
        "TreatMissingData": alarm.get("TreatMissingData", "missing"),
        "EvaluateLowSampleCountPercentile": "",
    }


def publish_breaching_datapoints(
    server: MotoServer, region: str, alarm_name: str, *, factor: float = 2.0
) -> list[dict[str, Any]]:
    """SES's own datapoints at ``factor`` x the alarm's threshold, one per evaluation period ending now,
    on the alarm's metric and dimensions: the evidence the pause function reads (GetMetricData) before
    it pauses anything. Namespace ``AWS/SES`` is reserved for AWS; the emulator accepts it."""
    cloudwatch = server.boto3_client("cloudwatch", region)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    now = datetime.now(UTC)
    datapoints = [
        {
            "MetricName": alarm["MetricName"],
            "Dimensions": alarm.get("Dimensions", []),
            "Timestamp": now - timedelta(seconds=alarm["Period"] * index + 30),
            "Value": alarm["Threshold"] * factor,
        }
        for index in range(alarm["EvaluationPeriods"])
    ]
    cloudwatch.put_metric_data(Namespace=alarm["Namespace"], MetricData=datapoints)
    return datapoints


def publish_ses_datapoints(
    server: MotoServer,
    region: str,
    metric: str,
    configuration_set: str | None,
    values_by_age: Iterable[tuple[timedelta, float]],
    *,
    account_id: str | None = None,
) -> None:
    """SES's own reputation datapoints (``AWS/SES``), each ``age`` before now: a set's (dimension
    ``ses:configuration-set``) or, with ``configuration_set`` None, the account's (no dimension);
    ``account_id``: in that account (default: the emulator's default account)."""
    now = datetime.now(UTC)
    dimensions = (
        [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": configuration_set}] if configuration_set else []
    )
    server.boto3_client("cloudwatch", region, account_id=account_id).put_metric_data(
        Namespace=contract.SES_NAMESPACE,
        MetricData=[
            {"MetricName": metric, "Dimensions": dimensions, "Timestamp": now - age, "Value": value}
            for age, value in values_by_age
        ],
    )


_PUT_METRIC_ALARM_KEYS = (
    "AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions", "InsufficientDataActions",
    "MetricName", "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Period", "EvaluationPeriods",
    "DatapointsToAlarm", "Threshold", "ComparisonOperator", "TreatMissingData", "Metrics",
)  # fmt: skip


def rewrite_alarm(server: MotoServer, region: str, alarm_name: str, **changes: Any) -> dict[str, Any]:
    """PutMetricAlarm on the existing alarm with ``changes`` (what an attacker with that right does; its
    tags given again, as AWS keeps them); returns the alarm as it was, to put back with ``restore_alarm``."""
    cloudwatch = server.boto3_client("cloudwatch", region)
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    tags = cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
    original = {key: alarm[key] for key in _PUT_METRIC_ALARM_KEYS if alarm.get(key) not in (None, [])}
    cloudwatch.put_metric_alarm(**{**original, **changes}, Tags=tags)
    return {**original, "Tags": tags}


def restore_alarm(server: MotoServer, region: str, original: dict[str, Any]) -> None:
    server.boto3_client("cloudwatch", region).put_metric_alarm(**original)


def reset_alarm(server: MotoServer, region: str, alarm_name: str) -> None:
    """Back to OK, as CloudWatch's next evaluation would leave an alarm with no breaching data."""
    server.boto3_client("cloudwatch", region).set_alarm_state(
        AlarmName=alarm_name, StateValue="OK", StateReason="e2e: no breaching datapoints"
    )


def trip_alarm(server: MotoServer, region: str, alarm_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Put the alarm into ALARM in the emulator (SetAlarmState); return (alarm as described after,
    notification message).

    The message is what CloudWatch publishes to each SNS topic in ``AlarmActions``. Alone this is only
    a claim (anyone with ``cloudwatch:SetAlarmState`` can make it): the function pauses only when SES's
    datapoints agree, so a real trip is ``publish_breaching_datapoints`` first, then this.
    """
    cloudwatch = server.boto3_client("cloudwatch", region)
    [before] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    value = before["Threshold"] * 2
    now = datetime.now(UTC)
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{value} ({now:%d/%m/%y %H:%M:%S})] was "
        f"greater than or equal to the threshold ({before['Threshold']}) "
        "(minimum 1 datapoint for OK -> ALARM transition)."
    )
    cloudwatch.set_alarm_state(
        AlarmName=alarm_name,
        StateValue="ALARM",
        StateReason=reason,
        StateReasonData=json.dumps({"version": "1.0", "recentDatapoints": [value], "threshold": before["Threshold"]}),
    )
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    assert alarm["StateValue"] == "ALARM", alarm
    configured = alarm.get("AlarmConfigurationUpdatedTimestamp") or now
    changed = alarm.get("StateUpdatedTimestamp") or now
    message = {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": alarm.get("AlarmDescription"),
        "AWSAccountId": alarm["AlarmArn"].split(":")[4],
        "AlarmConfigurationUpdatedTimestamp": _cw_time(configured),
        "NewStateValue": alarm["StateValue"],
        "NewStateReason": alarm["StateReason"],
        "StateChangeTime": _cw_time(changed),
        "Region": REGION_NAMES.get(region, region),
        "AlarmArn": alarm["AlarmArn"],
        "OldStateValue": before["StateValue"],
        "OKActions": alarm.get("OKActions", []),
        "AlarmActions": alarm.get("AlarmActions", []),
        "InsufficientDataActions": alarm.get("InsufficientDataActions", []),
        "Trigger": _trigger(alarm),
    }
    return alarm, message


def sns_event(server: MotoServer, region: str, topic_arn: str, message: dict[str, Any]) -> dict[str, Any]:
    """The Lambda event SNS builds when it delivers ``message`` from ``topic_arn`` to its subscriber."""
    sns = server.boto3_client("sns", region)
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    lambda_subs = [s["SubscriptionArn"] for s in subscriptions if s["Protocol"] == "lambda"]
    subscription_arn = lambda_subs[0] if lambda_subs else f"{topic_arn}:{uuid.uuid4()}"
    subject = f'ALARM: "{message["AlarmName"]}" in {message["Region"]}'
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Subject": subject[:100],
                    "Message": json.dumps(message),
                    "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": f"https://sns.{region}.amazonaws.com/SimpleNotificationService-0.pem",
                    "UnsubscribeUrl": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def eventbridge_event(
    region: str,
    *,
    account: str,
    source: str,
    detail_type: str,
    resources: list[str],
    detail: dict[str, Any],
    time: datetime,
) -> dict[str, Any]:
    """The envelope EventBridge sends a rule's target (EventBridge User Guide, "Amazon EventBridge events")."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def deployed_rule_to_function(
    server: MotoServer, region: str, rule_name: str, function_name: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The deployed EventBridge rule, its one target and the function's configuration, after checking the
    target is the deployed function: (rule, target, function)."""
    events = server.boto3_client("events", region)
    rule = events.describe_rule(Name=rule_name)
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    function = server.boto3_client("lambda", region).get_function_configuration(FunctionName=function_name)
    assert target["Arn"] == function["FunctionArn"], target
    return rule, target, function


def topic_arn(server: MotoServer, region: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{FAKE_ACCOUNT_ID}:{name}"


def deliver_to_pause_function(
    server: MotoServer, region: str, prefix: str, message: dict[str, Any], zip_path: Path, workdir: Path
) -> dict[str, Any]:
    """``message`` delivered from the guard's pause topic to its pause function (both ``<prefix>-pause``),
    run from the deployed ``zip_path``: the outcome of ``invoke_deployed_function``."""
    event = sns_event(server, region, topic_arn(server, region, f"{prefix}-pause"), message)
    return invoke_deployed_function(server, region, f"{prefix}-pause", zip_path, event, workdir)


# --- running the deployed function --------------------------------------------------------------
_RUNNER = r"""
import json, sys, types
code_dir, event_path, result_path = sys.argv[1:4]
sys.path.insert(0, code_dir)
import ses_guard_lambda.handler as handler
assert handler.__file__.startswith(code_dir), handler.__file__
event = json.load(open(event_path))
context = types.SimpleNamespace(
    invoked_function_arn=sys.argv[4], aws_request_id="e2e-" + sys.argv[5], function_name=sys.argv[6]
)
try:
    outcome = {"ok": True, "summary": handler.lambda_handler(event, context), "module": handler.__file__}
except Exception as exc:
    outcome = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "module": handler.__file__}
json.dump(outcome, open(result_path, "w"), default=str)
"""


def filebase64sha256(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def invoke_deployed_function(
    server: MotoServer, region: str, function_name: str, zip_path: Path, event: dict[str, Any], workdir: Path
) -> dict[str, Any]:
    """Run the handler from the zip that was deployed, with the deployed function's environment.

    Proves first that ``zip_path`` IS the deployed code (its base64 SHA-256 equals the function's
    ``CodeSha256``), extracts it to a fresh folder and imports the handler from there in a new
    Python process, so nothing from the source tree or an earlier run can be used instead.
    """
    function = server.boto3_client("lambda", region).get_function_configuration(FunctionName=function_name)
    assert function["CodeSha256"] == filebase64sha256(zip_path), "the zip on disk is not the deployed code"
    run_dir = workdir / f"invoke-{uuid.uuid4().hex[:8]}"
    code_dir = run_dir / "code"
    code_dir.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(code_dir)
    (run_dir / "event.json").write_text(json.dumps(event))
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **function.get("Environment", {}).get("Variables", {})}
    env = offline_aws_env(server.endpoint_url, region=region, base=base)
    env.update({"AWS_LAMBDA_FUNCTION_NAME": function_name, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"})
    arguments = [str(code_dir), str(run_dir / "event.json"), str(run_dir / "result.json"), function["FunctionArn"]]
    result = run_command(
        [sys.executable, "-c", _RUNNER, *arguments, uuid.uuid4().hex[:8], function_name],
        cwd=run_dir,
        env=env,
        what=f"handler {function_name}",
        ok=None,
        timeout=120,
    )
    if result.returncode != 0 or not (run_dir / "result.json").exists():
        raise AssertionError(f"handler process failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    outcome: dict[str, Any] = json.loads((run_dir / "result.json").read_text())
    outcome["logs"] = result.stdout + result.stderr
    shutil.rmtree(code_dir, ignore_errors=True)
    return outcome


# --- the report topic -----------------------------------------------------------------------------
def subscribe_queue(server: MotoServer, region: str, topic: str, queue_name: str) -> str:
    """An SQS queue subscribed to ``topic``; returns the queue URL."""
    sqs = server.boto3_client("sqs", region)
    url: str = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    server.boto3_client("sns", region).subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return url


def receive_notifications(server: MotoServer, region: str, queue_url: str) -> list[dict[str, Any]]:
    """SNS envelopes (Subject, Message, TopicArn...) waiting in the queue; deletes them."""
    sqs = server.boto3_client("sqs", region)
    notes: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        if not messages:
            return notes
        for message in messages:
            notes.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def delete_queue(server: MotoServer, region: str, queue_url: str) -> None:
    """Unsubscribe the queue, then delete it (moto fails a later SNS Publish to a deleted queue
    subscriber; AWS would only fail that delivery)."""
    sqs, sns = server.boto3_client("sqs", region), server.boto3_client("sns", region)
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for subscription in sns.list_subscriptions()["Subscriptions"]:
        if subscription["Endpoint"] == arn:
            sns.unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    sqs.delete_queue(QueueUrl=queue_url)


# --- SES state ----------------------------------------------------------------------------------
def set_sending_enabled(server: MotoServer, region: str, name: str, *, account_id: str | None = None) -> bool:
    sesv2 = server.boto3_client("sesv2", region, account_id=account_id)
    return bool(sesv2.get_configuration_set(ConfigurationSetName=name)["SendingOptions"]["SendingEnabled"])


def account_sending_enabled(server: MotoServer, region: str, *, account_id: str | None = None) -> bool:
    return bool(server.boto3_client("sesv2", region, account_id=account_id).get_account()["SendingEnabled"])


# --- leftovers ------------------------------------------------------------------------------------
def guard_leftovers(server: MotoServer, region: str, prefix: str, set_names: list[str]) -> dict[str, list[str]]:
    """Everything of the guard ``prefix`` still in the emulator (empty lists = clean)."""
    mine = re.compile(rf"^{re.escape(prefix)}-")
    sns = server.boto3_client("sns", region)
    cloudwatch = server.boto3_client("cloudwatch", region)
    lam = server.boto3_client("lambda", region)
    sqs = server.boto3_client("sqs", region)
    sesv2 = server.boto3_client("sesv2", region)
    iam = server.boto3_client("iam", region)
    logs = server.boto3_client("logs", region)
    kms = server.boto3_client("kms", region)
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"] if mine.match(t["TopicArn"].rsplit(":", 1)[1])]
    alarms = [a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=f"{prefix}-")["MetricAlarms"]]
    functions = [f["FunctionName"] for f in lam.list_functions()["Functions"] if mine.match(f["FunctionName"])]
    queues = [q for q in sqs.list_queues().get("QueueUrls", []) if mine.match(q.rsplit("/", 1)[1])]
    sets = [s for s in sesv2.list_configuration_sets().get("ConfigurationSets", []) if s in set_names]
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if mine.match(r["RoleName"])]
    groups = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"] if prefix in g["logGroupName"]]
    aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"] if a["AliasName"] == f"alias/{prefix}"]
    found = {
        "sns topics": topics,
        "alarms": alarms,
        "lambda functions": functions,
        "sqs queues": queues,
        "ses configuration sets": sets,
        "iam roles": roles,
        "log groups": groups,
        "kms aliases": aliases,
    }
    return {kind: items for kind, items in found.items() if items}
