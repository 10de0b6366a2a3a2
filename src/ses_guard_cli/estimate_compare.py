"""Per-set alarms, fleet alarms or the sweep? One table at N sets (``ses-guard estimate --compare``).

For each mode and number of sets: the monthly list price (confirmed rates, and the part resting on an
assumed rate), the alarms, Terraform's create and refresh time at the default request quotas, what
docs/benchmarks.md measured against the emulator where it did, and the worst-case time from the start
of a breach to the pause. The README's "Per-set, fleet or sweep?" section is this output (a test keeps
them equal).

Worst case from breach to pause, at the guard's defaults (1-hour periods, M = 1 of N = 1, hourly sweep):
- alarms (per set and fleet): the M-th breaching datapoint lands at most M periods after the breach
  starts, and CloudWatch evaluates alarms every minute, so M x period + 1 min; SNS and Lambda add seconds.
- sweep: a run reads the current period so far, so the next run after that datapoint sees it:
  M x period + schedule + the run's duration.
Neither counts how late SES publishes a rate (undocumented); both count it the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ses_guard_cli.estimate import MODES, Estimate, estimate, mode_composition
from ses_guard_cli.estimate_sweep import RUN_SECONDS_DEFAULT
from ses_guard_policy import manifest, rules

ALARM_EVALUATION_SECONDS: Final = 60
"""CloudWatch evaluates a metric alarm every minute (User Guide, "Evaluating an alarm")."""
DEFAULTS: Final = manifest.Evaluation()
"""The guard's default evaluation: 3600-second periods, 1 of 1."""
MEASURED: Final = {
    ("per-set", 1_000): (790.0, 121.5),
    ("fleet", 10_000): (43.4, 4.3),
}
"""(mode, sets) => (terraform apply, refresh plan) seconds against the emulator: docs/benchmarks.md, "Fleet
benchmark" (2026-11-28). The sweep has no measurement yet."""
COLUMNS: Final = (
    "sets",
    "mode",
    "alarms (standard + Metrics Insights)",
    "$/month (confirmed rates)",
    "$/month (assumed rates)",
    "$/month total",
    "create >=",
    "refresh >=",
    "measured apply / refresh (emulator)",
    "breach to pause, worst case",
)
ALIGN: Final = ("---:", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:")


@dataclass(frozen=True)
class ModeRow:
    sets: int
    mode: str
    estimate: Estimate
    breach_to_pause_seconds: float
    measured: tuple[float, float] | None


def breach_to_pause_seconds(mode: str, evaluation: manifest.Evaluation = DEFAULTS) -> float:
    """The worst-case time from the start of a breach to the pause (this module's docstring)."""
    datapoints = evaluation.datapoints_to_alarm * evaluation.period
    if mode == "sweep":
        return datapoints + rules.SWEEP_SCHEDULE_MINUTES_DEFAULT * 60 + RUN_SECONDS_DEFAULT
    return datapoints + ALARM_EVALUATION_SECONDS


def mode_rows(set_counts: Sequence[int]) -> list[ModeRow]:
    rows = []
    for sets in set_counts:
        for mode in MODES:
            result = estimate(mode_composition(mode, sets))
            rows.append(ModeRow(sets, mode, result, breach_to_pause_seconds(mode), MEASURED.get((mode, sets))))
    return rows


def _span(seconds: float) -> str:
    """``1 h 1 min``, ``22 min``, ``3 s``: whole minutes above two minutes."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _cells(row: ModeRow) -> tuple[str, ...]:
    r, c = row.estimate, row.estimate.composition
    measured = f"{row.measured[0]:g} s / {row.measured[1]:g} s" if row.measured else "-"
    return (
        f"{row.sets:,}",
        row.mode,
        f"{c.standard_alarms:,} + {c.metrics_insights_alarms}",
        f"{r.confirmed_usd:,.2f}",
        f"{r.assumed_usd:,.2f}",
        f"{r.monthly_usd:,.2f}",
        _span(r.create_seconds),
        _span(r.refresh_seconds),
        measured,
        _span(row.breach_to_pause_seconds),
    )


NOTES: Final = (
    "Prices: us-east-1 list prices before free tiers (`src/ses_guard_cli/pricing.py`, each with its source). Assumed "
    "rates: the per-metric rate of Metrics Insights alarms (fleet) and the billing unit of a Metrics Insights "
    "GetMetricData query (sweep: metrics analyzed), DynamoDB, EventBridge and Logs rates.",
    "Per-set and fleet include the account's 4 alarms; the sweep judges the account in its run (no reputation "
    "alarm). Every mode has the function's 2 health alarms, a KMS key and a dashboard.",
    "Create and refresh: alarms over the default quotas (PutMetricAlarm 3/s; DescribeAlarms 9/s), lower bounds; "
    "the sweep's other resources (schedule, table) do not grow with the sets. Measured: docs/benchmarks.md, "
    "where a row was run.",
    f"Breach to pause: M x period + 1 min of alarm evaluation for alarms; M x period + the schedule + the run "
    f"({RUN_SECONDS_DEFAULT:g} s, assumed) for the sweep; at 1-hour periods, M = 1, an hourly sweep.",
)


def render_modes(set_counts: Sequence[int]) -> str:
    """A Markdown table (one row per mode and number of sets) and the notes on what it assumes."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "| " + " | ".join(ALIGN) + " |"]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in mode_rows(set_counts)]
    lines.append("")
    lines += [f"- {note}" for note in NOTES]
    return "\n".join(lines)
