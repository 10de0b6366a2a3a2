"""Fleet benchmark: per-set mode against fleet mode, deployed with `terraform apply` against the emulator.

    python bench/fleet_bench.py [--per-set 1000 2000] [--fleet 10000] [--json out.json] [--markdown docs/benchmarks.md]

For each case: synthesize a stack (``GuardStack`` + ``ReputationGuard``), start a fresh emulator
(moto_server with the SES extension, tests/e2e/moto_server.py) behind a counting HTTP proxy on
127.0.0.1, then time `terraform plan` (what it would create), `terraform apply` and a second
`terraform plan` (the refresh after apply), counting every AWS API call by service and operation.

- Per-set mode: ``N`` sets with their own policy (``managed=False``: the sets exist outside
  Terraform, so only the alarms grow), 4 alarms per set.
- Fleet mode: ``N`` sets created in the emulator through the SES API before the apply (never in
  Terraform), a ``FleetPolicy`` with 2 explicit sets (``transactional`` notify, ``vip`` stricter).

The emulator does not throttle: its times show Terraform's and the emulator's own work, not AWS's
request quotas (PutMetricAlarm 3/s, DescribeAlarms 9/s), which ``ses-guard estimate`` adds on top.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import sys
import tempfile
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.e2e.moto_server and tests.support (emulator, terraform), run as a script

from tests.support.terraform import run_command, run_terraform, terraform_env  # noqa: E402

STEP_TIMEOUT = 4 * 3600  # seconds: a per-set apply at 2,000 sets takes about half an hour on 2 cores

EXPLICIT_FLEET_SETS = ("transactional", "vip")
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_CBOR_OPERATION = re.compile(r"/service/[^/]+/operation/([A-Za-z]+)")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade"}


# --- counting proxy -------------------------------------------------------------------------------
def _operation(method: str, headers: Any, path: str, body: bytes) -> str:
    """The API operation of an AWS request in any of the protocols (query, JSON, REST, RPC v2 CBOR)."""
    target = headers.get("X-Amz-Target")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if match := _CBOR_OPERATION.search(path):
        return match.group(1)
    if "form-urlencoded" in str(headers.get("Content-Type", "")):
        action = parse_qs(body.decode(errors="replace")).get("Action")
        if action:
            return action[0]
    query_action = parse_qs(urlsplit(path).query).get("Action")
    if query_action:
        return query_action[0]
    segments = urlsplit(path).path.strip("/").split("/")
    return f"{method} /{segments[0]}"  # REST protocols (Lambda, SES v2...): method and first path segment


class CountingProxy(ThreadingHTTPServer):
    """Forwards every request to ``upstream`` and counts it by (service, operation)."""

    daemon_threads = True

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = (upstream_host, upstream_port)
        self.counts: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def snapshot(self) -> Counter[tuple[str, str]]:
        with self.lock:
            return Counter(self.counts)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CountingProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        match = _CREDENTIAL_SCOPE.search(self.headers.get("Authorization", ""))
        service = match.group(1) if match else "unsigned"
        operation = _operation(self.command, self.headers, self.path, body)
        with self.server.lock:
            self.server.counts[(service, operation)] += 1
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        connection.request(self.command, self.path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        connection.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward  # noqa: N815 (http.server's names)


# --- one case -------------------------------------------------------------------------------------
@dataclass
class Step:
    seconds: float
    calls: dict[str, int] = field(default_factory=dict)
    """Calls by ``service:operation`` during the step."""

    @property
    def cloudwatch_calls(self) -> int:
        return sum(n for key, n in self.calls.items() if key.startswith("monitoring:"))


@dataclass
class CaseResult:
    mode: str
    sets: int
    synth_seconds: float
    planned_resources: int
    planned_alarms: int
    plan: Step
    apply: Step
    refresh: Step
    refresh_exit_code: int


def synth_case(mode: str, sets: int, outdir: Path) -> tuple[str, float]:
    """Synthesize the case's stack in a fresh process; returns (stack name, seconds)."""
    stack = f"bench-{mode}-{sets}"
    script = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from ses_reputation_guard import (ConfigurationSetPolicy, GuardStack, GuardStackProps, ReputationGuard,
                                  ReputationGuardProps, ReputationThresholds)
from ses_reputation_guard._cdktf import App
started = time.perf_counter()
app = App(outdir={str(outdir)!r})
stack = GuardStack(app, {stack!r}, GuardStackProps(region="us-east-1"))
if {mode!r} == "per-set":
    # more pausing sets than IAM can list one by one: scope the function by name pattern
    props = ReputationGuardProps(
        name_prefix="bench-sets", notification_emails=["ops@example.com"], pause_scope="name-pattern:stream-*",
        configuration_sets={{
        f"stream-{{i:05d}}": ConfigurationSetPolicy(managed=False) for i in range({sets})}})
else:
    from ses_reputation_guard import FleetPolicy
    props = ReputationGuardProps(name_prefix="bench-fleet", notification_emails=["ops@example.com"],
        fleet_policy=FleetPolicy(), configuration_sets={{
        "transactional": ConfigurationSetPolicy(action="notify", managed=False),
        "vip": ConfigurationSetPolicy(managed=False, thresholds=ReputationThresholds(
            bounce_warning=0.01, bounce_critical=0.02, complaint_warning=0.0003, complaint_critical=0.0005)),
    }})
ReputationGuard(stack, "guard", props)
app.synth()
print(time.perf_counter() - started)
"""
    result = run_command([sys.executable, "-c", script], cwd=ROOT, env=os.environ, what=f"synth {stack}", timeout=3600)
    return stack, float(result.stdout.strip().splitlines()[-1])


def _timed(
    args: list[str], cwd: Path, env: dict[str, str], proxy: CountingProxy, ok: tuple[int, ...] = (0,)
) -> tuple[Step, int]:
    """``terraform <args>`` through the shared runner, with the AWS calls it made."""
    before = proxy.snapshot()
    result = run_terraform(args, cwd, env, ok=ok, timeout=STEP_TIMEOUT)
    delta = proxy.snapshot() - before
    return Step(result.seconds, {f"{s}:{o}": n for (s, o), n in sorted(delta.items())}), result.returncode


def run_case(mode: str, sets: int, workdir: Path) -> CaseResult:
    from tests.e2e.moto_server import start_moto_server

    outdir = workdir / f"{mode}-{sets}"
    stack, synth_seconds = synth_case(mode, sets, outdir)
    stack_dir = outdir / "stacks" / stack
    server = start_moto_server(log_path=workdir / f"emulator-{mode}-{sets}.log")
    proxy = CountingProxy(server.host, server.port)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        if mode == "fleet":
            ses = server.boto3_client("ses", "us-east-1")  # directly, not through the proxy: not Terraform's calls
            for index in range(sets):
                ses.create_configuration_set(ConfigurationSet={"Name": f"customer-{index:05d}"})
        env = terraform_env(proxy.endpoint_url, workdir / "tfcli")
        _timed(["init", "-input=false"], stack_dir, env, proxy)
        plan, _ = _timed(["plan", "-input=false", "-out=plan.bin"], stack_dir, env, proxy)
        shown = run_terraform(["show", "-json", "plan.bin"], stack_dir, env)
        changes = [c for c in json.loads(shown.stdout)["resource_changes"] if "create" in c["change"]["actions"]]
        alarms = [c for c in changes if c["type"] == "aws_cloudwatch_metric_alarm"]
        apply, _ = _timed(["apply", "-input=false", "plan.bin"], stack_dir, env, proxy)
        refresh, code = _timed(["plan", "-input=false", "-detailed-exitcode"], stack_dir, env, proxy, ok=(0, 2))
        return CaseResult(mode, sets, synth_seconds, len(changes), len(alarms), plan, apply, refresh, code)
    finally:
        proxy.shutdown()
        proxy.server_close()
        server.stop()


# --- report ---------------------------------------------------------------------------------------
def linear_fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """(slope, intercept) of the least-squares line through ``points``."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
    return slope, mean_y - slope * mean_x


def markdown(results: list[CaseResult], target: int) -> str:
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    terraform = run_terraform(["version"], ROOT, os.environ).stdout.split("\n")[0]
    lines = [
        "## Fleet benchmark: per-set mode against fleet mode (terraform apply against the emulator)",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d} on {machine}; {terraform}, AWS provider from the offline mirror, "
        "moto_server with the SES extension behind a counting proxy (`python bench/fleet_bench.py`).",
        "",
        "| mode | sets | resources planned | alarms planned | apply (s) | CloudWatch calls in apply | "
        "refresh plan (s) | CloudWatch calls in refresh | all AWS calls apply / refresh |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.mode} | {r.sets:,} | {r.planned_resources:,} | {r.planned_alarms:,} | {r.apply.seconds:.1f} | "
            f"{r.apply.cloudwatch_calls:,} | {r.refresh.seconds:.1f} | {r.refresh.cloudwatch_calls:,} | "
            f"{sum(r.apply.calls.values()):,} / {sum(r.refresh.calls.values()):,} |"
        )
    lines.extend(_extrapolation(results, target))
    return "\n".join(lines) + "\n"


def _extrapolation(results: list[CaseResult], target: int) -> list[str]:
    per_set = [r for r in results if r.mode == "per-set"]
    fleet = [r for r in results if r.mode == "fleet" and r.sets == target]
    if len(per_set) < 2:
        return []
    lines = [""]
    extrapolated: dict[str, float] = {}
    for label, values in (
        ("apply (s)", [(r.sets, r.apply.seconds) for r in per_set]),
        ("refresh plan (s)", [(r.sets, r.refresh.seconds) for r in per_set]),
        ("CloudWatch calls in apply", [(r.sets, float(r.apply.cloudwatch_calls)) for r in per_set]),
        ("CloudWatch calls in refresh", [(r.sets, float(r.refresh.cloudwatch_calls)) for r in per_set]),
    ):
        slope, intercept = linear_fit(values)
        extrapolated[label] = slope * target + intercept
        measured = ", ".join(f"{y:,.1f} at {x:,}" for x, y in values)
        per_unit = [y / x for x, y in values]
        lines.append(
            f"- Per-set {label}: {measured} sets ({', '.join(f'{u:.4f}' for u in per_unit)} per set): "
            f"linear fit {slope:.4f} x sets + {intercept:.1f}, extrapolated to {target:,} sets: "
            f"{extrapolated[label]:,.0f}."
        )
    if fleet:
        f = fleet[0]
        for label, fleet_value in (
            ("apply (s)", f.apply.seconds),
            ("refresh plan (s)", f.refresh.seconds),
            ("CloudWatch calls in apply", float(f.apply.cloudwatch_calls)),
            ("CloudWatch calls in refresh", float(f.refresh.cloudwatch_calls)),
        ):
            lines.append(
                f"- At {target:,} sets, fleet {label}: {fleet_value:,.1f} measured vs per-set "
                f"{extrapolated[label]:,.0f} extrapolated: {extrapolated[label] / fleet_value:,.0f}x."
            )
    return lines


def load_result(item: dict[str, Any]) -> CaseResult:
    """A ``CaseResult`` from its ``--json`` form."""
    plan, apply, refresh = (Step(**item[name]) for name in ("plan", "apply", "refresh"))
    return CaseResult(
        mode=item["mode"],
        sets=item["sets"],
        synth_seconds=item["synth_seconds"],
        planned_resources=item["planned_resources"],
        planned_alarms=item["planned_alarms"],
        plan=plan,
        apply=apply,
        refresh=refresh,
        refresh_exit_code=item["refresh_exit_code"],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-set", type=int, nargs="*", default=[1000, 2000], help="per-set sizes (sets)")
    parser.add_argument("--fleet", type=int, nargs="*", default=[10_000], help="fleet sizes (sets)")
    parser.add_argument("--json", type=Path, help="write every result (with calls by operation) here")
    parser.add_argument("--markdown", type=Path, help="append the report to this Markdown file")
    parser.add_argument("--workdir", type=Path, help="keep stacks, state and emulator logs here")
    parser.add_argument("--load", type=Path, action="append", default=[], help="results of an earlier --json run")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = [load_result(item) for path in args.load for item in json.loads(path.read_text())]
    for mode, sizes in (("per-set", args.per_set), ("fleet", args.fleet)):
        for sets in sizes:
            print(f"{mode} at {sets:,} sets ...", file=sys.stderr, flush=True)
            result = run_case(mode, sets, workdir)
            results.append(result)
            print(json.dumps(asdict(result)), file=sys.stderr, flush=True)
            if args.json:
                args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    report = markdown(results, max(args.fleet or [10_000]))
    print(report)
    if args.markdown:
        with args.markdown.open("a") as handle:
            handle.write("\n" + report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
