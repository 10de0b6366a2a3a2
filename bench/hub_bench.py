"""Hub benchmark: one scheduled hub run over M member accounts x R Regions, against the emulator.

Run from the repository root: ``python bench/hub_bench.py [--members 50] [--regions 2] [--sets 20]
[--breaching 10] [--markdown FILE]``.

What it does:
1. starts the emulator (moto_server + tests/e2e/ses_emulator.py; requests reach a member account through
   moto's ``x-moto-account-id`` header, and the function's AssumeRole through moto's STS, which issues
   credentials of the role's account and refuses a role that does not exist);
2. in each member account: the role ``<prefix>-member``; in each of its Regions: ``--sets`` sets' hourly
   ``Reputation.BounceRate`` and ``Reputation.ComplaintRate`` over 24 hours; in the first ``--breaching``
   member Regions one set above the critical bounce threshold for the last 3 hours (created in SES, so
   that the run can pause it);
3. in the hub account: the state table, the topics, one SSM SecureString parameter per member (the
   member entry the constructs and the module write), and the hub's own Region with ``--sets`` sets;
4. runs the function's handler from ``lambda_src`` in a fresh process (``sweep_bench.run_sweep``) with a
   Scheduled Event and the hub's timeout (900 s), and reports wall time, peak RSS and AWS calls.

The emulator answers in Python, on the same machine: AWS's own latency per call comes on top in real life
(``docs/benchmarks.md`` gives the estimate per member Region from the calls counted here).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.sweep_bench import (  # noqa: E402
    DEFAULT_THRESHOLDS,
    REGION,
    calls_table,
    guard_environment,
    run_sweep,
    set_name,
    write_history,
)
from ses_guard_policy import hub, manifest  # noqa: E402
from tests.e2e.moto_server import MotoServer, start_moto_server  # noqa: E402
from tests.support.aws_env import FAKE_ACCOUNT_ID  # noqa: E402

PREFIX = "sesbenchhub"
TIMEOUT_SECONDS = 900
MEMBER_REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")


def member_account(index: int) -> str:
    return f"{100000000000 + index:012d}"


def member_region_history(
    server: MotoServer, account: str | None, region: str, sets: int, hot: bool, now: datetime
) -> None:
    """A day of hourly rates per set in ``account`` and ``region`` (``sweep_bench.write_history``); with
    ``hot`` the first set breaches and is created in SES (so that the run can pause it)."""
    write_history(server, sets, 1 if hot else 0, now, region=region, account_id=account)
    if hot:
        server.boto3_client("sesv2", region, account_id=account).create_configuration_set(
            ConfigurationSetName=set_name(0)
        )


def members(server: MotoServer, count: int, regions: tuple[str, ...], sets: int, breaching: int, now: datetime) -> None:
    """Each member's role and its Regions' history; the hub's SSM entries."""
    ssm = server.boto3_client("ssm", REGION)
    hot = breaching
    for index in range(count):
        account = member_account(index)
        server.boto3_client("iam", account_id=account).create_role(
            RoleName=hub.member_role_name(PREFIX), AssumeRolePolicyDocument="{}"
        )
        for region in regions:
            member_region_history(server, account, region, sets, hot > 0, now)
            hot -= 1
        entry = manifest.Member(regions=regions).to_document()
        ssm.put_parameter(
            Name=f"{hub.members_path(PREFIX)}{account}", Type="SecureString", Value=json.dumps(entry), Overwrite=True
        )


def hub_guard(server: MotoServer) -> dict[str, str]:
    """The hub's table and topics; returns the function's environment."""
    document = {
        "format": manifest.FORMAT,
        "name_prefix": PREFIX,
        "alarm": {},
        "default_thresholds": DEFAULT_THRESHOLDS,
        "account": {"action": "notify", "enabled": False},
        "sweep": {"action": "pause", "evaluation_periods": 3, "datapoints_to_alarm": 2},
        "hub": {"members_path": hub.members_path(PREFIX), "include_hub": True},
        manifest.SETS_PATH_KEY: manifest.configuration_sets_path(PREFIX),
    }
    return guard_environment(server, manifest.parse(document, source="bench"))


def markdown(args: argparse.Namespace, setup_s: float, result: dict[str, Any]) -> str:
    machine = f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    outcome = result["summary"]["hub"]
    units = args.members * args.regions
    calls = result["calls"]
    total = sum(calls.values())
    paused = sum(len(m.get("paused", [])) for m in outcome["members"].values())
    rows = calls_table(calls)
    per_unit = result["wall_s"] / (units + 1)
    return f"""
### {args.members} member accounts x {args.regions} Regions, {args.sets} sets each, {args.breaching} in breach

Measured {datetime.now(UTC):%Y-%m-%d} on {machine}, by
`python bench/hub_bench.py --members {args.members} --regions {args.regions} --sets {args.sets} \
--breaching {args.breaching}`. Setup (roles, {units} member Regions' history, SSM entries): {setup_s:.0f} s.
One hub run, the hub's own Region included:

| wall (s) | peak RSS (MiB) | AWS calls | member Regions swept | unreachable | deferred | paused |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| {result["wall_s"]:.1f} | {result["peak_rss_mib"]:.0f} | {total} | {len(outcome["members"])} | \
{len(outcome["unreachable"])} | {len(outcome["deferred"])} | {paused} |

{per_unit:.2f} s per member Region against the emulator; the hub's timeout is {TIMEOUT_SECONDS} s.

AWS calls of the run:

| call | count |
| --- | ---: |
{rows}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--regions", type=int, default=2, choices=range(1, len(MEMBER_REGIONS) + 1))
    parser.add_argument("--sets", type=int, default=20, help="sets with history in each member Region")
    parser.add_argument("--breaching", type=int, default=10, help="member Regions with one set in breach")
    parser.add_argument("--markdown", type=Path, help="append the result to this file")
    args = parser.parse_args(argv)
    server = start_moto_server()
    try:
        now = datetime.now(UTC)
        started = time.perf_counter()
        regions = MEMBER_REGIONS[: args.regions]
        members(server, args.members, regions, args.sets, args.breaching, now)
        member_region_history(server, None, REGION, args.sets, False, now)
        guard_env = hub_guard(server)
        setup_s = time.perf_counter() - started
        result = run_sweep(server, guard_env, now, seconds=TIMEOUT_SECONDS)
    finally:
        server.stop()
    assert FAKE_ACCOUNT_ID not in {member_account(i) for i in range(args.members)}
    text = markdown(args, setup_s, result)
    print(text)
    if args.markdown:
        with args.markdown.open("a") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
