"""Sweep benchmark: one scheduled sweep run over N configuration sets with a day of history, against the emulator.

Run from the repository root: ``python bench/sweep_bench.py [--sets 10000] [--breaching 100] [--markdown FILE]``.

What it does:
1. starts the emulator (moto_server + tests/e2e/ses_emulator.py) in its own process;
2. writes SES's hourly ``Reputation.BounceRate`` and ``Reputation.ComplaintRate`` for every set over the
   last 24 hours (PutMetricData, 1,000 datapoints a call), ``--breaching`` sets above the critical
   threshold in the last 3 hours, and creates those sets in SES (the run reads and pauses only sets
   in breach; the others exist for it only as SES's datapoints, which is all a run reads of them);
3. creates what the deployed guard has: the state table, the report topic;
4. runs the function's handler from ``lambda_src`` in a fresh Python process with a Scheduled Event,
   the guard's environment (POLICY_MANIFEST with a sweep) and a 300 s remaining-time budget, and
   reports its wall time, its peak RSS (``ru_maxrss``) and the AWS calls it made (botocore's
   ``before-call`` events, counted per operation).

The run's time depends on the emulator's answer time (moto builds 500-series responses in Python), so
it is an upper bound for the function's own work; AWS's latency per call comes on top in real life.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from ses_guard_policy import contract, manifest  # noqa: E402
from tests.e2e.deploy_helpers import eventbridge_event  # noqa: E402
from tests.e2e.moto_server import MotoServer, start_moto_server  # noqa: E402
from tests.support.aws_env import FAKE_ACCOUNT_ID, offline_aws_env  # noqa: E402

REGION = "us-east-1"
PREFIX = "sesbench"
HOURS = 24
MEMORY_MB = 256
DEFAULT_THRESHOLDS = {
    "bounce_warning": 0.02,
    "bounce_critical": 0.04,
    "complaint_warning": 0.0005,
    "complaint_critical": 0.0008,
}

RUNNER = r"""
import json, resource, sys, time, types
from collections import Counter
import botocore.session
calls = Counter()
_original = botocore.session.Session.create_client
def _counting(self, *args, **kwargs):
    client = _original(self, *args, **kwargs)
    service = client.meta.service_model.service_name
    client.meta.events.register("before-call", lambda model, **_: calls.update([f"{service}:{model.name}"]))
    return client
botocore.session.Session.create_client = _counting
from ses_guard_lambda import handler
event = json.loads(sys.argv[1])
context = types.SimpleNamespace(
    invoked_function_arn=sys.argv[2], aws_request_id="bench", function_name="bench",
    get_remaining_time_in_millis=lambda: int(sys.argv[3]),
)
started = time.perf_counter()
summary = handler.lambda_handler(event, context)
wall = time.perf_counter() - started
print(json.dumps({"wall_s": wall, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "calls": dict(calls), "summary": summary}, default=str))
"""


def set_name(index: int) -> str:
    return f"tenant-{index:05d}"


def write_history(
    server: MotoServer,
    sets: int,
    breaching: int,
    now: datetime,
    *,
    region: str = REGION,
    account_id: str | None = None,
) -> float:
    """A day of hourly rates per set and metric in ``region`` (and ``account_id``, default the emulator's);
    the first ``breaching`` sets breach in the last 3 hours. Returns the seconds it took."""
    cloudwatch = server.boto3_client("cloudwatch", region, account_id=account_id)
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for index in range(sets):
        for hour in range(HOURS):
            when = now - timedelta(hours=hour, minutes=1)
            hot = index < breaching and hour < 3
            for metric, healthy, bad in ((contract.METRIC_BOUNCE_RATE, 0.005, 0.09),
                                         (contract.METRIC_COMPLAINT_RATE, 0.0001, 0.0001)):  # fmt: skip
                value = bad if hot else healthy * (1 + (index % 7) / 10)
                dimensions = [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": set_name(index)}]
                batch.append({"MetricName": metric, "Dimensions": dimensions, "Timestamp": when, "Value": value})
                if len(batch) == 1000:
                    cloudwatch.put_metric_data(Namespace=contract.SES_NAMESPACE, MetricData=batch)
                    batch = []
    if batch:
        cloudwatch.put_metric_data(Namespace=contract.SES_NAMESPACE, MetricData=batch)
    return time.perf_counter() - started


def deployed_guard(server: MotoServer, breaching: int) -> dict[str, str]:
    """The state table, the topics and the breaching sets; returns the function's environment."""
    sesv2 = server.boto3_client("sesv2", REGION)
    for index in range(breaching):
        sesv2.create_configuration_set(ConfigurationSetName=set_name(index))
    document = {
        "format": manifest.FORMAT,
        "name_prefix": PREFIX,
        "alarm": {},
        "default_thresholds": DEFAULT_THRESHOLDS,
        "account": {"action": "notify", "enabled": False},
        "sweep": {"action": "pause", "evaluation_periods": 3, "datapoints_to_alarm": 2},
        manifest.SETS_PATH_KEY: manifest.configuration_sets_path(PREFIX),
    }
    return guard_environment(server, manifest.parse(document, source="bench"))


def guard_environment(server: MotoServer, guard: manifest.Manifest) -> dict[str, str]:
    """What a deployed sweep guard ``guard`` has in the emulator (its state table, its topics); returns the
    function's environment."""
    prefix = guard.name_prefix
    table = f"{prefix}-sweep-state"
    server.boto3_client("dynamodb", REGION).create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    sns = server.boto3_client("sns", REGION)
    report = sns.create_topic(Name=f"{prefix}-notifications")["TopicArn"]
    pause = sns.create_topic(Name=f"{prefix}-pause")["TopicArn"]
    return {
        contract.ENV_GUARD_NAME_PREFIX: prefix,
        contract.ENV_PAUSE_TOPIC_ARN: pause,
        contract.ENV_REPORT_TOPIC_ARN: report,
        contract.ENV_POLICY_MANIFEST: guard.to_json(with_sets=False),
        contract.ENV_SWEEP_STATE_TABLE: table,
        "LOG_LEVEL": "WARNING",
    }


def run_sweep(server: MotoServer, guard_env: dict[str, str], now: datetime, *, seconds: int = 300) -> dict[str, Any]:
    """The function's handler in a fresh process on the guard's Scheduled Event, ``seconds`` to run."""
    event = eventbridge_event(
        REGION,
        account=FAKE_ACCOUNT_ID,
        source=contract.EVENTS_SOURCE_SCHEDULE,
        detail_type=contract.DETAIL_TYPE_SCHEDULED,
        resources=[f"arn:aws:events:{REGION}:{FAKE_ACCOUNT_ID}:rule/{guard_env[contract.ENV_GUARD_NAME_PREFIX]}-sweep"],
        detail={},
        time=now,
    )
    arn = f"arn:aws:lambda:{REGION}:{FAKE_ACCOUNT_ID}:function:{guard_env[contract.ENV_GUARD_NAME_PREFIX]}-pause"
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT / "lambda_src"), **guard_env}
    env = offline_aws_env(server.endpoint_url, region=REGION, base=base)
    process = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(event), arn, str(seconds * 1000)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode != 0:
        raise SystemExit(f"the sweep run failed:\n{process.stdout}\n{process.stderr}")
    result: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    return result


def markdown(sets: int, breaching: int, history_s: float, results: list[dict[str, Any]]) -> str:
    """The runs as a table (one row a run) and the first run's AWS calls."""
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    runs = "\n".join(
        f"| {number} | {r['wall_s']:.1f} | {r['peak_rss_mib']:.0f} | {sum(r['calls'].values())} | "
        f"{len(r['summary'].get('paused', []))} | {len(r['summary'].get('already_paused', []))} | "
        f"{len(r['summary'].get('deferred', []))} |"
        for number, r in enumerate(results, 1)
    )
    slowest = max(r["wall_s"] for r in results)
    verdict = "within" if slowest <= 60 and max(r["peak_rss_mib"] for r in results) <= MEMORY_MB else "OUTSIDE"
    calls = calls_table(results[0]["calls"])
    return f"""
### {sets:,} sets, {breaching} in breach, {len(results)} run(s)

Measured {datetime.now(UTC):%Y-%m-%d} on {machine}, by
`python bench/sweep_bench.py --sets {sets} --breaching {breaching} --runs {len(results)}`. History:
{sets:,} sets x {HOURS} hourly datapoints x 2 metrics = {sets * HOURS * 2:,} datapoints, {history_s:.0f} s to write.
Sweep 2 of 3 hourly periods; the breaching sets over the bounce critical threshold for 3 hours. Slowest run
{slowest:.1f} s: {verdict} the 60 s / {MEMORY_MB} MB target (the function's timeout with a sweep is 300 s).

| run | wall (s) | peak RSS (MiB) | AWS calls | paused | already paused | deferred |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{runs}

AWS calls of run 1:

| call | count |
| --- | ---: |
{calls}
"""


def calls_table(calls: dict[str, int]) -> str:
    """The rows of a markdown table ``| call | count |``, by name."""
    return "\n".join(f"| `{name}` | {count} |" for name, count in sorted(calls.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=10_000)
    parser.add_argument("--breaching", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1, help="scheduled runs one after the other (default 1)")
    parser.add_argument("--markdown", type=Path, help="append the result to this file")
    args = parser.parse_args(argv)
    server = start_moto_server()
    try:
        now = datetime.now(UTC)
        history_s = write_history(server, args.sets, args.breaching, now)
        guard_env = deployed_guard(server, args.breaching)
        results = [run_sweep(server, guard_env, now) for _ in range(args.runs)]
    finally:
        server.stop()
    text = markdown(args.sets, args.breaching, history_s, results)
    print(text)
    if args.markdown:
        with args.markdown.open("a") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
