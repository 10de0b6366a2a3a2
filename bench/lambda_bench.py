"""Lambda benchmark: import time of the handler and per-event handling time.

Run from the repository root: ``python bench/lambda_bench.py [--runs N] [--iterations N]``.
Each measurement runs in a fresh subprocess (``PYTHONPATH=lambda_src``: the function's own code,
as in the zip). Per-event handling uses fake in-memory AWS clients (no network, no botocore request
path), so it measures parsing, the verification logic, the decision rule, the report and the JSON
log line; real CloudWatch/SES/SNS latency comes on top (tens of milliseconds for each of the 5 to 9
calls a pause makes).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAMBDA_SRC = ROOT / "lambda_src"
EVENTS = ROOT / "tests" / "events"

FIXTURES = [
    ("SNS account alarm (pause)", "sns_account_bounce_alarm.json"),
    ("SNS set alarm (pause)", "sns_set_complaint_alarm.json"),
    ("SNS metric math (pause)", "sns_metric_math_alarm.json"),
    ("SNS fleet contributor (pause)", "sns_fleet_contributor.json"),
    ("direct alarm action (pause)", "direct_alarm_action.json"),
    ("EventBridge (pause)", "eventbridge_alarm_state_change.json"),
    ("EventBridge fleet contributor (pause)", "eventbridge_fleet_contributor_state_change.json"),
    ("SNS OK (ignored, no AWS call)", "sns_ok.json"),
    ("SNS foreign topic (ignored)", "sns_foreign_topic.json"),
]

IMPORT_SNIPPET = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"

# Fake in-memory clients answer every call the way a confirming CloudWatch and SES would: the alarm
# exists in ALARM with the configuration the event names, SES's datapoint breaches the threshold.
EVENT_SNIPPET = r"""
import json, os, sys, time
from datetime import UTC, datetime, timedelta
from ses_guard_policy import contract
from ses_guard_lambda import handler
from ses_guard_lambda.clients import Clients
from ses_guard_lambda.config import GuardConfig
from ses_guard_lambda.events import parse_record, split_records

ACCOUNT, REGION, PREFIX = "123456789012", "us-east-1", "sesguard"

class Ctx:
    invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-pause"
    aws_request_id = "bench"

event = json.load(open(sys.argv[1]))
claim = parse_record(*split_records(event)[0])

def alarm():
    found = {"AlarmName": claim.alarm_name, "AlarmArn": claim.alarm_arn, "StateValue": "ALARM",
             "StateTransitionedTimestamp": claim.changed_at, "EvaluationPeriods": 1, "DatapointsToAlarm": 1,
             "Threshold": claim.threshold or 0.05, "ComparisonOperator": "GreaterThanOrEqualToThreshold"}
    dims = lambda m: [{"Name": k, "Value": v} for k, v in m.dimensions]
    if claim.metrics and not claim.expressions:
        m = claim.metrics[0]
        found.update(MetricName=m.name, Namespace=m.namespace, Dimensions=dims(m), Statistic="Maximum", Period=300)
    else:
        found["Metrics"] = [{"Id": f"e{i}", "Expression": e, "Period": 300} for i, e in enumerate(claim.expressions)]
        for i, m in enumerate(claim.metrics):
            metric = {"Namespace": m.namespace, "MetricName": m.name, "Dimensions": dims(m)}
            found["Metrics"].append({"Id": f"m{i}", "MetricStat": {"Metric": metric, "Period": 300, "Stat": "Maximum"}})
    return found

def tags_for(arn):
    name = arn.rsplit(":", 1)[1]
    t = {contract.TAG_GUARD: PREFIX, contract.TAG_TIER: "critical", contract.TAG_ACTION: "pause"}
    if "-fleet-" in name:
        t[contract.TAG_SCOPE] = contract.SCOPE_FLEET
    elif "-set-" in name:
        t[contract.TAG_SCOPE] = contract.SCOPE_CONFIGURATION_SET
        t[contract.TAG_CONFIGURATION_SET] = name.split("-set-", 1)[1].rsplit("-", 2)[0]
    else:
        t[contract.TAG_SCOPE] = contract.SCOPE_ACCOUNT
    return {"Tags": [{"Key": k, "Value": v} for k, v in t.items()]}

class Fake:
    def describe_alarms(self, **kw):
        return {"MetricAlarms": [] if "AlarmNamePrefix" in kw else [alarm()]}
    def list_tags_for_resource(self, **kw):
        return tags_for(kw["ResourceARN"]) if "ResourceARN" in kw else {"Tags": []}
    def describe_alarm_contributors(self, AlarmName):
        attributes = dict(claim.contributor or ())
        return {"AlarmContributors": [{"ContributorId": "c", "ContributorAttributes": attributes, "StateReason": ""}]}
    def get_metric_data(self, **kw):
        stamp = datetime.now(UTC) - timedelta(seconds=300)
        return {"MetricDataResults": [{"Id": "evidence", "Timestamps": [stamp], "Values": [0.5]}]}
    def get_account(self): return {"SendingEnabled": True, "EnforcementStatus": "HEALTHY"}
    def get_configuration_set(self, ConfigurationSetName):
        return {"ConfigurationSetName": ConfigurationSetName, "SendingOptions": {"SendingEnabled": True}}
    def put_account_sending_attributes(self, **kw): return {}
    def put_configuration_set_sending_options(self, **kw): return {}
    def publish(self, **kw): return {"MessageId": "x"}

fake = Fake()
clients = Clients(sesv2=fake, sns=fake, cloudwatch=fake, ssm=fake)
topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}"
config = GuardConfig(PREFIX, topic + "-pause", topic + "-notifications", accepted_sources=frozenset(contract.SOURCES))
iterations = int(sys.argv[2])
sys.stdout = open(os.devnull, "w")  # the JSON log lines are still built and written
for _ in range(50):
    summary = handler.handle(event, Ctx(), config=config, clients=clients)
outcome = next((key for key in ("paused", "ignored", "refused") if summary[key]), "other")
samples = []
for _ in range(iterations):
    t = time.perf_counter()
    handler.handle(event, Ctx(), config=config, clients=clients)
    samples.append(time.perf_counter() - t)
samples.sort()
result = {"median": samples[len(samples) // 2], "p99": samples[int(len(samples) * 0.99)], "outcome": outcome}
sys.__stdout__.write(json.dumps(result))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(LAMBDA_SRC)
    env.setdefault("AWS_REGION", "us-east-1")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def import_time(module: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_SNIPPET.format(module=module)],
            capture_output=True,
            text=True,
            check=True,
            env=_env(),
        )
        samples.append(float(out.stdout.strip()))
    return statistics.median(samples)


def event_time(fixture: str, iterations: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", EVENT_SNIPPET, str(EVENTS / fixture), str(iterations)],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per import measurement")
    parser.add_argument("--iterations", type=int, default=2000, help="handler calls per event")
    args = parser.parse_args()

    print("## Lambda benchmark\n")
    print(
        f"Machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}\n"
    )
    print(f"### Import time (median of {args.runs} fresh interpreters)\n")
    print("| module | median ms |")
    print("| --- | ---: |")
    for module in ("ses_guard_policy.contract", "boto3", "ses_guard_lambda.handler"):
        print(f"| `import {module}` | {import_time(module, args.runs) * 1000:.1f} |")
    print(f"\n### Per-event handling ({args.iterations} iterations, fake clients)\n")
    print("| event | outcome | median us | p99 us |")
    print("| --- | --- | ---: | ---: |")
    for label, fixture in FIXTURES:
        result = event_time(fixture, args.iterations)
        median, p99 = result["median"] * 1e6, result["p99"] * 1e6
        print(f"| {label} | {result['outcome']} | {median:.0f} | {p99:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
