"""``ses-guard estimate``'s command line: reads the options, picks the reader (``estimate``) or the
comparison tables (``estimate.render_comparison``, ``estimate_compare.render_modes``) and prints."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final, TextIO

from ses_guard_cli import estimate_compare
from ses_guard_cli.estimate import (
    EstimateError,
    composition_from_module_config,
    composition_from_stack,
    compositions_from_outdir,
    compositions_from_plan,
    estimate,
    render,
    render_comparison,
    render_sources,
)
from ses_guard_cli.estimate_sweep import RUN_SECONDS_DEFAULT
from ses_guard_cli.exit_codes import EXIT_INPUT_ERROR, EXIT_OK
from ses_guard_policy import rules


# --- command line -------------------------------------------------------------------------------
def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "estimate",
        help="monthly price and Terraform create/refresh time of a stack, a Terraform plan or a module configuration",
        description="Monthly list price and Terraform's create, refresh and destroy times of what a guard deploys. "
        "Module users: terraform plan -out=guard.tfplan && terraform show -json guard.tfplan > plan.json, then "
        "--plan-json plan.json (every guard in the root is priced from its planned resources).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack-dir", type=Path, metavar="DIR", help="a cdktf output folder: every stacks/<name>")
    source.add_argument("--stack", type=Path, metavar="DIR", help="one stack folder holding cdk.tf.json")
    source.add_argument(
        "--plan-json",
        type=Path,
        metavar="FILE",
        help="`terraform show -json` of a saved plan or of the state: every guard in the root, counted from its "
        "planned resources (docs/backtest.md, 'Terraform module roots')",
    )
    source.add_argument("--module-config", type=Path, metavar="FILE", help="module variables (.tfvars.json)")
    source.add_argument(
        "--compare",
        metavar="N,N,...",
        help="per-set against fleet mode (Terraform times), then per-set, fleet and sweep side by side (price, "
        "alarms, deploy and refresh time, worst-case time from breach to pause) at these numbers of sets",
    )
    for mode in ("fleet", "sweep"):
        parser.add_argument(
            f"--{mode}-sets",
            type=int,
            metavar="N",
            help=f"configuration sets that publish reputation metrics in the Region, which the {mode} queries "
            f"analyze (default: as many as the stack or plan names; at most {rules.MAX_CONFIGURATION_SETS:,})",
        )
    parser.add_argument(
        "--sweep-run-seconds",
        type=float,
        metavar="S",
        help=f"how long one sweep run lasts, for its Lambda GB-seconds (default {RUN_SECONDS_DEFAULT:g}: an "
        "upper bound, assumed; docs/benchmarks.md measured 5-15 s at 10,000 sets against the emulator)",
    )
    parser.add_argument("--no-sources", action="store_true", help="leave out the table of prices and sources")


def run(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    try:
        counts = _counts(args)
        if args.compare:
            set_counts = _set_counts(args.compare)
            out.write(render_comparison(set_counts) + "\n\n" + estimate_compare.render_modes(set_counts) + "\n")
        else:
            if args.stack_dir:
                compositions = compositions_from_outdir(args.stack_dir, **counts)
            elif args.stack:
                compositions = [composition_from_stack(args.stack, **counts)]
            elif args.plan_json:
                compositions = compositions_from_plan(args.plan_json, **counts)
            else:
                compositions = [composition_from_module_config(args.module_config, **counts)]
            out.write("\n\n".join(render(estimate(c)) for c in compositions) + "\n")
        if not args.no_sources:
            out.write("\n" + render_sources() + "\n")
    except (EstimateError, OSError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_INPUT_ERROR
    return EXIT_OK


def _counts(args: argparse.Namespace) -> dict[str, Any]:
    """``--fleet-sets``, ``--sweep-sets`` and ``--sweep-run-seconds``, checked, as the readers' keywords."""
    for option in ("fleet_sets", "sweep_sets"):
        value = getattr(args, option)
        if value is not None and not 0 <= value <= rules.MAX_CONFIGURATION_SETS:
            flag = "--" + option.replace("_", "-")
            raise EstimateError(f"{flag} {value}: must be from 0 to {rules.MAX_CONFIGURATION_SETS}")
    seconds = args.sweep_run_seconds
    if seconds is not None and not 0 < seconds <= SWEEP_RUN_SECONDS_MAX:
        raise EstimateError(
            f"--sweep-run-seconds {seconds:g}: must be above 0 and at most {SWEEP_RUN_SECONDS_MAX} (the Lambda timeout)"
        )
    return {"fleet_sets": args.fleet_sets, "sweep_sets": args.sweep_sets, "sweep_run_seconds": seconds}


SWEEP_RUN_SECONDS_MAX: Final = 900  # Lambda's largest timeout


def _set_counts(text: str) -> list[int]:
    try:
        counts = [int(part.replace("_", "")) for part in text.split(",")]
    except ValueError as exc:
        raise EstimateError(f"--compare {text!r}: must be whole numbers separated by commas") from exc
    bad = [n for n in counts if not 1 <= n <= rules.MAX_CONFIGURATION_SETS]
    if bad:
        raise EstimateError(f"--compare {bad!r}: numbers of sets must be from 1 to {rules.MAX_CONFIGURATION_SETS}")
    return counts
