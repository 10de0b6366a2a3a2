"""What a sweep guard's scheduled run costs per month, in the units AWS bills (``ses-guard estimate``).

Each run (``ses_guard_policy.sweep``) makes one Metrics Insights GetMetricData query per reputation
metric over every set of the Region, one plain GetMetricData for the account's two rates (when the run
judges the account), a few DynamoDB calls (the run lock and the warning episodes) and, for breaching sets
only, SES calls (free). The schedule starts it: one EventBridge invocation and one Lambda request a run.

    metrics analyzed / month = min(sets, 10,000) x 2 queries x runs per month
    runs per month           = 730 hours x 60 / schedule_minutes

The run's duration is a parameter (``--sweep-run-seconds``): its default is the bound for a 10,000-set
run (60 s in 256 MB), kept as an upper bound and marked assumed: docs/benchmarks.md measured 5-15 s
against the emulator, and AWS's latency per call (about 600 calls with 100 sets in breach) comes on top.
Log lines and DynamoDB calls per run are estimates, said so in the notes. Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ses_guard_cli.pricing import CostLine
from ses_guard_policy import manifest, rules, sweep

HOURS_PER_MONTH: Final = 730  # AWS's pricing examples use 730 hours a month
QUERIES_PER_RUN: Final = len(sweep.queries())  # one Metrics Insights query per reputation metric
ACCOUNT_METRICS_PER_RUN: Final = 2  # the account's bounce and complaint rates (one plain GetMetricData)
FUNCTION_MEMORY_MB: Final = 256  # what the constructs give the function
RUN_SECONDS_DEFAULT: Final = 60.0
"""An upper bound (60 s in 256 MB): docs/benchmarks.md measured 5-15 s against the emulator, without AWS's latency."""
DYNAMODB_WRITES_PER_RUN: Final = 4
"""Assumed: take and release the run lock, and up to two episode updates (each item under 1 KB)."""
DYNAMODB_READS_PER_RUN: Final = 2
"""Assumed: the open warning episodes (a strongly consistent query under 4 KB) and the lock's state."""
LOG_BYTES_PER_RUN: Final = 20 * 300 + 3 * 150
"""Assumed: about 20 structured lines of ~300 bytes (the run's summary, one per breach handled) and Lambda's
START, END and REPORT lines (~150 bytes each)."""
GB: Final = 1_000_000_000
INSIGHTS_PRICE: Final = "getmetricdata_insights_metric_analyzed"
RUN_SECONDS_HINT: Final = (
    " (an upper bound: docs/benchmarks.md measured 5-15 s at 10,000 sets against the emulator, AWS's latency"
    " per call comes on top; pass --sweep-run-seconds S)"
)


@dataclass(frozen=True)
class SweepRun:
    """What one sweep guard's schedule runs, in the numbers its price depends on."""

    sets: int
    """Configuration sets publishing reputation metrics in the Region (what the queries analyze)."""
    schedule_minutes: int = rules.SWEEP_SCHEDULE_MINUTES_DEFAULT
    evaluate_account: bool = True
    run_seconds: float = RUN_SECONDS_DEFAULT
    memory_mb: int = FUNCTION_MEMORY_MB

    @property
    def runs_per_month(self) -> float:
        return HOURS_PER_MONTH * 60 / self.schedule_minutes

    @property
    def metrics_analyzed_per_run(self) -> int:
        """A query processes at most 10,000 metrics (Metrics Insights quotas), the SES maximum of sets."""
        return QUERIES_PER_RUN * min(self.sets, rules.METRICS_INSIGHTS_METRICS_MATCHED_MAX)


def sweep_lines(run: SweepRun) -> tuple[CostLine, ...]:
    """A month of runs, one line per billable unit (list prices, before free tiers)."""
    runs = run.runs_per_month
    account_metrics = ACCOUNT_METRICS_PER_RUN if run.evaluate_account else 0
    return (
        CostLine("sweep: metrics its queries analyze", run.metrics_analyzed_per_run * runs, INSIGHTS_PRICE),
        CostLine("sweep: account metrics requested", account_metrics * runs, "getmetricdata_metric"),
        CostLine("sweep: Lambda requests", runs, "lambda_request"),
        CostLine("sweep: Lambda GB-seconds", runs * run.run_seconds * run.memory_mb / 1024, "lambda_gb_second"),
        CostLine("sweep: DynamoDB write request units", runs * DYNAMODB_WRITES_PER_RUN, "dynamodb_write_request_unit"),
        CostLine("sweep: DynamoDB read request units", runs * DYNAMODB_READS_PER_RUN, "dynamodb_read_request_unit"),
        CostLine("sweep: EventBridge scheduled invocations", runs, "eventbridge_scheduled_invocation"),
        CostLine("sweep: CloudWatch Logs ingested (GB)", runs * LOG_BYTES_PER_RUN / GB, "logs_ingestion_gb"),
    )


def sweep_run_of(guard: manifest.Manifest, sets: int, run_seconds: float | None) -> SweepRun | None:
    """The run a manifest's enabled sweep schedules over ``sets`` sets (None: no sweep, or disabled)."""
    policy = guard.sweep
    if policy is None or not policy.enabled:
        return None
    return SweepRun(
        sets=sets,
        schedule_minutes=policy.schedule_minutes,
        evaluate_account=policy.evaluate_account,
        run_seconds=RUN_SECONDS_DEFAULT if run_seconds is None else run_seconds,
    )


def sweep_notes(run: SweepRun, run_seconds_given: bool) -> list[str]:
    """What the sweep figures assume besides the rates (printed before any figure)."""
    hint = "" if run_seconds_given else RUN_SECONDS_HINT
    notes = [
        f"each sweep run lasts {run.run_seconds:g} s in {run.memory_mb} MB{hint}",
        f"each run makes {DYNAMODB_WRITES_PER_RUN} DynamoDB writes and {DYNAMODB_READS_PER_RUN} reads and logs about "
        f"{LOG_BYTES_PER_RUN:,} bytes; SES calls for breaching sets are free",
    ]
    return notes
