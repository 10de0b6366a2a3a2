"""The backtest's words: a text table for the terminal and a Markdown summary for ``--out``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ses_guard_cli.backtest_replay import Pause, PolicyOutcome
from ses_guard_policy.evaluation import COMPARISON_SYMBOLS, INSUFFICIENT_DATA, OK

TIME_FORMAT = "%Y-%m-%d %H:%M"
PAUSE_NOTE = (
    "A pause lasts until someone resumes it (ses-guard resume); the backtest assumes nobody did, so later "
    "ALARMs of a paused target are marked 'already paused'."
)
COLUMNS = ("PERIOD START (UTC)", "TARGET", "ALARM", "CHANGE", "VALUE", "THRESHOLD", "GUARD")


@dataclass(frozen=True)
class Window:
    region: str
    start: datetime
    end: datetime
    period_seconds: int
    clipped: bool


def _when(moment: datetime) -> str:
    return moment.strftime(TIME_FORMAT)


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def transition_rows(outcome: PolicyOutcome) -> list[tuple[str, ...]]:
    """Every state change except a first INSUFFICIENT_DATA -> OK (the first datapoint, nothing wrong)."""
    pauses = {(p.target, p.at, p.alarm): p for p in outcome.pauses}
    rows: list[tuple[str, ...]] = []
    for alarm_outcome, transition in outcome.transitions():
        if transition.old == INSUFFICIENT_DATA and transition.new == OK:
            continue
        alarm = alarm_outcome.alarm
        pause = pauses.get((alarm_outcome.target, transition.at, alarm.name))
        guard = ""
        if pause is not None:
            guard = "already paused" if pause.already_paused else f"PAUSE {alarm_outcome.target}"
        symbol = COMPARISON_SYMBOLS[alarm.rule.comparison]
        rows.append(
            (
                _when(transition.at),
                alarm_outcome.target,
                f"{alarm.metric_short} {alarm.tier}",
                f"{transition.old} -> {transition.new}",
                _value(transition.value),
                f"{symbol} {alarm.rule.threshold:g}",
                guard,
            )
        )
    return rows


def format_table(rows: Sequence[Sequence[str]], header: Sequence[str] = COLUMNS) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *rows)
    ]
    return "\n".join(lines)


def _pause_line(pause: Pause) -> str:
    return (
        f"{_when(pause.at)}  {pause.target} by {pause.alarm} "
        f"(value {_value(pause.value)}, threshold {pause.threshold:g})"
    )


def policy_text(outcome: PolicyOutcome) -> str:
    policy = outcome.policy
    lines = [
        f"Policy {policy.label!r} from {policy.source}: {len(policy.alarms)} alarms, {len(outcome.alarms)} replayed"
    ]
    settings = sorted({f"{a.statistic}; {a.rule.settings_text()}" for a in policy.alarms})
    lines += [f"  evaluation: {setting}" for setting in settings]
    rows = transition_rows(outcome)
    quiet = sum(1 for a in outcome.alarms if not any(t.new != OK for t in a.replay.transitions))
    lines.append("")
    lines.append(format_table(rows) if rows else "  No alarm left OK in this window.")
    lines.append(f"  ({quiet} of {len(outcome.alarms)} alarms never left OK or never saw data)")
    first = outcome.first_pauses
    lines.append("")
    if first:
        lines.append(f"Would-be pauses ({policy.label}): {len(first)}")
        lines += [f"  {_pause_line(p)}" for p in first]
        lines.append(f"  {PAUSE_NOTE}")
    else:
        lines.append(f"Would-be pauses ({policy.label}): none")
    return "\n".join(lines)


def comparison_text(deployed: PolicyOutcome, candidate: PolicyOutcome) -> str:
    before = {p.target: p for p in deployed.first_pauses}
    after = {p.target: p for p in candidate.first_pauses}
    lines = [
        f"What-if {candidate.policy.source}: {len(after)} pause(s) against {len(before)} with {deployed.policy.label}"
    ]
    for target in sorted(set(before) | set(after)):
        old, new = before.get(target), after.get(target)
        if old and new and old.at == new.at:
            lines.append(f"  = {target}: paused {_when(old.at)} under both")
        elif old and new:
            hours = (new.at - old.at).total_seconds() / 3600
            direction = "later" if hours > 0 else "earlier"
            lines.append(f"  ~ {target}: {_when(old.at)} -> {_when(new.at)} ({abs(hours):g} h {direction})")
        elif new:
            lines.append(f"  + {target}: paused {_when(new.at)} only with the candidate")
        elif old:
            lines.append(f"  - {target}: paused {_when(old.at)} only with {deployed.policy.label}")
    return "\n".join(lines)


def report_text(window: Window, outcomes: Sequence[PolicyOutcome]) -> str:
    hours = (window.end - window.start).total_seconds() / 3600
    lines = [
        f"Backtest {window.region}: {_when(window.start)} to {_when(window.end)} UTC "
        f"({hours:g} h), datapoints every {window.period_seconds} s",
        "Times are period starts: CloudWatch evaluates every minute, so a change happened within that period.",
    ]
    if window.clipped:
        lines.append("Note: --days reaches past what CloudWatch keeps at this period; clipped to its retention.")
    for outcome in outcomes:
        lines += ["", policy_text(outcome)]
    if len(outcomes) == 2:
        lines += ["", comparison_text(outcomes[0], outcomes[1])]
    return "\n".join(lines) + "\n"


def markdown_summary(text: str, images: Sequence[tuple[str, Path]]) -> str:
    """The summary file: the text report verbatim, then each target's plot."""
    lines = ["# ses-guard backtest", "", "```text", text.rstrip(), "```", ""]
    for target, image in images:
        lines += [f"## {target}", "", f"![{target}]({image.name})", ""]
    if not images:
        lines.append("No plots: install the `plot` extra (matplotlib) to get one PNG per target.")
    return "\n".join(lines) + "\n"
