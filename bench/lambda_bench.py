"""Lambda benchmark: import time of the handler and per-event handling time.

Run from the repository root: ``python bench/lambda_bench.py [--runs N] [--iterations N]``.
Each measurement runs in a fresh subprocess. Per-event handling uses fake in-memory AWS clients
(no network, no botocore request path), so it measures parsing, the decision rule, the report
and the JSON log line; real SES/SNS/CloudWatch latency comes on top (tens of milliseconds per call).
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
sys.path.insert(0, str(LAMBDA_SRC))

FIXTURES = [
    ("SNS account alarm (pause)", "sns_account_bounce_alarm.json"),
    ("SNS set alarm (pause)", "sns_set_complaint_alarm.json"),
    ("SNS metric math (pause)", "sns_metric_math_alarm.json"),
    ("SNS Metrics Insights contributor (pause)", "sns_metrics_insights_contributor.json"),
    ("direct alarm action (pause)", "direct_alarm_action.json"),
    ("EventBridge (pause)", "eventbridge_alarm_state_change.json"),
    ("SNS OK (ignored, no AWS call)", "sns_ok.json"),
    ("SNS foreign topic (ignored)", "sns_foreign_topic.json"),
]

IMPORT_SNIPPET = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"

EVENT_SNIPPET = r"""
import json, os, sys, time
from ses_guard_lambda import contract, handler
from ses_guard_lambda.clients import Clients
from ses_guard_lambda.config import GuardConfig

ACCOUNT, REGION, PREFIX = "123456789012", "us-east-1", "sesguard"

class Ctx:
    invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-pause"
    aws_request_id = "bench"

def tags_for(arn):
    name = arn.rsplit(":", 1)[1]
    t = {contract.TAG_GUARD: PREFIX, contract.TAG_TIER: "critical", contract.TAG_ACTION: "pause"}
    if "-set-" in name:
        t[contract.TAG_SCOPE] = "configuration-set"
        set_name = name.split("-set-", 1)[1].rsplit("-", 2)[0]
        t[contract.TAG_CONFIGURATION_SET] = "*" if set_name == "all" else set_name
    else:
        t[contract.TAG_SCOPE] = "account"
    return {"Tags": [{"Key": k, "Value": v} for k, v in t.items()]}

class Fake:
    def list_tags_for_resource(self, ResourceARN): return tags_for(ResourceARN)
    def get_account(self): return {"SendingEnabled": True, "EnforcementStatus": "HEALTHY"}
    def get_configuration_set(self, ConfigurationSetName):
        return {"ConfigurationSetName": ConfigurationSetName, "SendingOptions": {"SendingEnabled": True}}
    def put_account_sending_attributes(self, **kw): return {}
    def put_configuration_set_sending_options(self, **kw): return {}
    def publish(self, **kw): return {"MessageId": "x"}

fake = Fake()
clients = Clients(sesv2=fake, sns=fake, cloudwatch=fake)
topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}"
config = GuardConfig(PREFIX, topic + "-pause", topic + "-notifications")
event = json.load(open(sys.argv[1]))
iterations = int(sys.argv[2])
sys.stdout = open(os.devnull, "w")  # the JSON log lines are still built and written
for _ in range(50):
    summary = handler.handle(event, Ctx(), config=config, clients=clients)
outcome = "paused" if summary["paused"] else "ignored" if summary["ignored"] else "other"
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
    for module in ("ses_guard_lambda.contract", "boto3", "ses_guard_lambda.handler"):
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
