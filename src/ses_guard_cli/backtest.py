"""``ses-guard backtest``: would this policy have paused us? Replays the guard's alarms over CloudWatch history.

    ses-guard backtest (--policy FILE | --stack DIR | --plan-json FILE) [--region R] [--days N] [--end TIME]
                       [--candidate FILE | --bounce-critical 0.03 ...] [--out DIR]

The Region is the stack's or plan's own (a ``--region`` that disagrees is refused, exit 2: replaying
another Region's history would answer the wrong question); a policy file needs ``--region`` unless it
names one.

Reads Reputation.BounceRate / Reputation.ComplaintRate (account and per set) with GetMetricData,
replays every alarm as CloudWatch evaluates it (ses_guard_policy.evaluation), prints every state change
and the would-be pauses, and with ``--out`` writes report.txt, summary.md and (with the ``plot`` extra)
one PNG per target. boto3 and matplotlib are imported only when the command runs. docs/backtest.md.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ses_guard_cli import backtest_report, backtest_sweep, plots
from ses_guard_cli.backtest_history import HistoryError, discover_sets, fetch_history, history_window
from ses_guard_cli.backtest_policy import Policy, PolicyError, WhatIf, apply_what_if, load_policy_file
from ses_guard_cli.backtest_replay import needed_series, run_policy
from ses_guard_cli.backtest_stack import load_plan, load_stack
from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_OK, EXIT_USAGE
from ses_guard_policy import rules

CloudWatchFactory = Callable[[str], Any]
REPORT_FILE = "report.txt"
SUMMARY_FILE = "summary.md"


def _ratio(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: {rules.RATIO_RULE}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: {rules.RATIO_RULE}")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number of at least 1")
    return int(text)


def _utc_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: must be an ISO 8601 time, e.g. 2026-03-01T12:00Z") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def add_parser(commands: Any) -> None:
    """Register ``backtest`` on the ``ses-guard`` sub-command parser."""
    parser = commands.add_parser(
        "backtest",
        help="replay the guard's alarms over CloudWatch history: when would it have paused what?",
        description="Replay a policy's reputation alarms over the Region's CloudWatch history exactly as "
        "CloudWatch evaluates them, and report every ALARM/OK change and every would-be pause. Module users: "
        "terraform plan -out=guard.tfplan && terraform show -json guard.tfplan > plan.json, then --plan-json "
        "plan.json (the planned alarms are read: the function's policy manifest is unknown before the first "
        "apply; docs/backtest.md). The Region is the stack's or plan's own.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--policy", type=Path, metavar="FILE", help="policy file (.toml or .json, docs/backtest.md)")
    source.add_argument(
        "--stack", type=Path, metavar="DIR", help="synthesized stack folder, e.g. cdktf.out/stacks/per-set"
    )
    source.add_argument(
        "--plan-json",
        type=Path,
        metavar="FILE",
        help="`terraform show -json` of a saved plan or of the state, for a Terraform root that calls the module: "
        "the guard's alarms as Terraform resolved them (docs/backtest.md)",
    )
    parser.add_argument(
        "--name-prefix",
        metavar="PREFIX",
        help="with --plan-json: the guard to replay when the plan holds several",
    )
    parser.add_argument(
        "--region",
        help="AWS Region whose history to read (default: the Region of --stack or --plan-json; needed with a "
        "--policy file that names none); one that disagrees with the stack's or plan's is refused",
    )
    parser.add_argument(
        "--days", type=_positive, help="days of history (default: all CloudWatch keeps, 455 for hourly)"
    )
    parser.add_argument("--end", type=_utc_time, help="end of the history, UTC ISO 8601 (default: now)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write report.txt, summary.md and PNGs here")
    what_if = parser.add_argument_group("what-if", "compare a candidate with the policy above")
    what_if.add_argument("--candidate", type=Path, metavar="FILE", help="a second policy file")
    for name in rules.THRESHOLD_NAMES:
        what_if.add_argument(
            f"--{name.replace('_', '-')}",
            type=_ratio,
            metavar="RATIO",
            help=f"candidate {name.replace('_', ' ')} for every target",
        )
    what_if.add_argument("--period", type=_positive, metavar="SECONDS", help="candidate alarm period")
    what_if.add_argument("--evaluation-periods", type=_positive, metavar="N", help="candidate evaluation periods")
    what_if.add_argument("--datapoints-to-alarm", type=_positive, metavar="M", help="candidate datapoints to alarm")


def _policies(args: argparse.Namespace) -> list[Policy]:
    if args.name_prefix is not None and args.plan_json is None:
        raise PolicyError("--name-prefix goes with --plan-json (a stack or policy file holds one guard)")
    if args.plan_json is not None:
        deployed = load_plan(args.plan_json, args.name_prefix)
    else:
        deployed = load_policy_file(args.policy) if args.policy else load_stack(args.stack)
    what_if = WhatIf(
        thresholds={name: getattr(args, name) for name in rules.THRESHOLD_NAMES if getattr(args, name) is not None},
        period_seconds=args.period,
        evaluation_periods=args.evaluation_periods,
        datapoints_to_alarm=args.datapoints_to_alarm,
    )
    if args.candidate and not what_if.is_empty():
        raise PolicyError("--candidate FILE and what-if flags exclude each other: put the changes in the file")
    if args.candidate:
        return [deployed, load_policy_file(args.candidate)]
    return [deployed] if what_if.is_empty() else [deployed, apply_what_if(deployed, what_if)]


def _region(args: argparse.Namespace, deployed: Policy) -> str:
    """The Region whose history to read: ``--region``, else the deployed policy's; both must agree."""
    given = args.region
    option = "--plan-json" if args.plan_json else "--stack" if args.stack else "--policy"
    source = f"{option} {args.plan_json or args.stack or args.policy}"
    if given and deployed.region and given != deployed.region:
        raise PolicyError(
            f"--region {given} disagrees with the Region of {source}, {deployed.region}: the backtest must read "
            f"the history of the Region the guard runs in; leave --region out or pass --region {deployed.region}"
        )
    region = given or deployed.region
    if not region:
        raise PolicyError(f"no Region: {source} does not name one; pass --region R (the Region whose history to read)")
    return region


def _default_cloudwatch(region: str) -> Any:
    from ses_guard_lambda.clients import make_sdk_client

    return make_sdk_client("cloudwatch", region)


def run(
    args: argparse.Namespace, *, out: TextIO, err: TextIO, cloudwatch_factory: CloudWatchFactory | None = None
) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        policies = _policies(args)
        region = _region(args, policies[0])
    except PolicyError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    sweep_guard = policies[0].sweep_guard
    periods = [a.rule.period_seconds for p in policies for a in p.alarms]
    period = min(periods + ([sweep_guard.sweep.evaluation.period] if sweep_guard and sweep_guard.sweep else []))
    start, end, clipped = history_window(args.end or datetime.now(UTC), args.days, period)
    try:
        cloudwatch = (cloudwatch_factory or _default_cloudwatch)(region)
        sets = discover_sets(cloudwatch) if any(p.has_fleet() for p in policies) else []
        history = fetch_history(cloudwatch, needed_series(policies, sets), start, end)
        sweep_outcome = _replay_sweep(cloudwatch, sweep_guard, start, end)
    except (ClientError, BotoCoreError, HistoryError, backtest_sweep.SweepHistoryError) as exc:
        print(f"error: reading CloudWatch history in {region} failed: {exc}", file=err)
        return EXIT_AWS_ERROR
    outcomes = [run_policy(policy, history, sets) for policy in policies]
    window = backtest_report.Window(region, start, end, period, clipped)
    text = backtest_report.report_text(window, outcomes)
    if sweep_outcome is not None:
        text += "\n" + backtest_sweep.sweep_text(sweep_outcome) + "\n"
    out.write(text)
    if args.out:
        try:
            _write_outputs(args.out, text, outcomes, out, err)
        except OSError as exc:
            print(f"error: --out {args.out}: cannot write there ({exc.strerror or exc})", file=err)
            return EXIT_USAGE
    return EXIT_OK


def _replay_sweep(cloudwatch: Any, guard: Any, start: datetime, end: datetime) -> backtest_sweep.SweepOutcome | None:
    """The deployed guard's sweep replayed run by run over its own queries' history (None: no sweep)."""
    if guard is None:
        return None
    sweep_start, notes = backtest_sweep.sweep_range(start, end)
    history = backtest_sweep.fetch_sweep_history(cloudwatch, guard, sweep_start, end)
    return backtest_sweep.replay_sweep(history, guard, sweep_start, end, notes=notes)


def _write_outputs(out_dir: Path, text: str, outcomes: list[Any], out: TextIO, err: TextIO) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / REPORT_FILE).write_text(text)
    images: list[tuple[str, Path]] = []
    if plots.matplotlib_available():
        drawn, left_out = plots.target_plots(outcomes)
        images = list(zip([p.target for p in drawn], plots.render(drawn, out_dir), strict=True))
        if left_out:
            print(
                f"note: plotted {len(drawn)} targets (account, paused, then alarmed first); {left_out} left out",
                file=err,
            )
    else:
        print("note: matplotlib is not installed (extra 'plot'): no PNGs, text and Markdown only", file=err)
    (out_dir / SUMMARY_FILE).write_text(backtest_report.markdown_summary(text, images))
    out.write(f"\nWrote {out_dir / REPORT_FILE}, {out_dir / SUMMARY_FILE} and {len(images)} PNG(s) to {out_dir}\n")
