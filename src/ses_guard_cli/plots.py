"""One PNG per backtest target: the rate over time, thresholds as lines, ALARM spans and would-be pauses.

Optional: matplotlib comes with the ``plot`` extra (``pip install 'ses-reputation-guard[plot]'``) and is
imported only inside :func:`render`, with the headless Agg canvas (no display, no pyplot global
state). :func:`target_plots` is pure and tested without matplotlib.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

from ses_guard_cli.backtest_replay import PolicyOutcome
from ses_guard_policy import contract, rules
from ses_guard_policy.evaluation import ALARM, PeriodSeries

# Where AWS puts an account under review (SES FAQ on enforcement; docs/backtest.md), ratios.
POLICY_COLOURS: Final = (("#d62728", "#ff7f0e"), ("#6a3d9a", "#1f77b4"))  # (critical, warning) per policy
DPI: Final = 100
SIZE_INCHES: Final = (11.0, 6.5)
MAX_PLOTS: Final = 50  # PNGs per run: a 10,000-set fleet would otherwise write 10,000 files


class Line(NamedTuple):
    """A horizontal line across a panel: a threshold or AWS's review level."""

    label: str
    value: float
    colour: str
    style: str


class Marker(NamedTuple):
    """A vertical marker: when a policy would have paused."""

    label: str
    at: datetime
    colour: str


class Panel(NamedTuple):
    """One metric of one target: its series, the lines, the ALARM spans and the would-be pauses."""

    metric: str
    series: PeriodSeries
    lines: tuple[Line, ...]
    alarm_spans: tuple[tuple[datetime, datetime], ...]
    pauses: tuple[Marker, ...]


@dataclass(frozen=True)
class TargetPlot:
    target: str
    panels: tuple[Panel, ...]

    @property
    def file_name(self) -> str:
        return "backtest-" + re.sub(r"[^A-Za-z0-9_-]+", "-", self.target) + ".png"


def matplotlib_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def target_plots(outcomes: Sequence[PolicyOutcome], limit: int = MAX_PLOTS) -> tuple[list[TargetPlot], int]:
    """What to draw per target of the first (deployed) policy, with the others' thresholds; at most
    ``limit`` targets: the account, then paused targets, then targets that saw ALARM. (plots, left out)."""
    paused = {p.target for outcome in outcomes for p in outcome.first_pauses}
    alarmed = {a.target for outcome in outcomes for a in outcome.alarms if ALARM in a.replay.states}

    def rank(target: str) -> tuple[int, str]:
        return (0 if target == "account" else 1 if target in paused else 2 if target in alarmed else 3, target)

    targets = sorted({a.target for a in outcomes[0].alarms}, key=rank)
    chosen = sorted(targets[:limit], key=lambda t: (t != "account", t))
    return [TargetPlot(target, tuple(_panels(target, outcomes))) for target in chosen], len(targets) - len(chosen)


def _panels(target: str, outcomes: Sequence[PolicyOutcome]) -> list[Panel]:
    panels = []
    for metric in (contract.METRIC_SHORT_BOUNCE, contract.METRIC_SHORT_COMPLAINT):
        mine = [a for a in outcomes[0].alarms if a.target == target and a.alarm.metric_short == metric]
        if not mine:
            continue
        lines = [Line("AWS review level", rules.AWS_REVIEW_LEVELS[metric], "#7f7f7f", ":")]
        pauses = []
        for number, outcome in enumerate(outcomes[:2]):
            critical, warning = POLICY_COLOURS[number]
            for alarm_outcome in outcome.alarms:
                alarm = alarm_outcome.alarm
                if alarm_outcome.target != target or alarm.metric_short != metric:
                    continue
                if number and any(line.value == alarm.rule.threshold and alarm.tier in line.label for line in lines):
                    continue  # the candidate keeps this threshold: one line says it
                colour, style = (critical, "-") if alarm.tier == contract.TIER_CRITICAL else (warning, "--")
                lines.append(Line(f"{outcome.policy.label} {alarm.tier}", alarm.rule.threshold, colour, style))
            names = {a.alarm.name for a in outcome.alarms if a.target == target and a.alarm.metric_short == metric}
            pauses += [
                Marker(f"{outcome.policy.label}: paused", p.at, critical)
                for p in outcome.first_pauses
                if p.target == target and p.alarm in names
            ]
        spans = [
            span
            for a in mine
            if a.alarm.tier == contract.TIER_CRITICAL
            for span in _alarm_spans(a.replay.states, a.replay.series)
        ]
        panels.append(Panel(metric, mine[0].replay.series, tuple(dict.fromkeys(lines)), tuple(spans), tuple(pauses)))
    return panels


def _alarm_spans(states: Sequence[str], series: PeriodSeries) -> list[tuple[datetime, datetime]]:
    spans: list[tuple[datetime, datetime]] = []
    start: int | None = None
    for index, state in enumerate([*states, "END"]):
        if state == ALARM and start is None:
            start = index
        elif state != ALARM and start is not None:
            spans.append((series.timestamp(start), series.timestamp(index)))
            start = None
    return spans


def render(plots: Sequence[TargetPlot], out_dir: Path) -> list[Path]:
    """Write one PNG per target into ``out_dir``; matplotlib is imported here, never at module import."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for plot in plots:
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.subplots(len(plot.panels), 1, sharex=True, squeeze=False)[:, 0]
        for ax, panel in zip(axes, plot.panels, strict=True):
            _draw_panel(ax, panel)
        figure.suptitle(f"ses-guard backtest: {plot.target}")
        path = out_dir / plot.file_name
        figure.savefig(path, format="png")
        written.append(path)
    return written


def _draw_panel(ax: Any, panel: Panel) -> None:
    series = panel.series
    times = [series.timestamp(i) for i in range(len(series.values))]
    percent = [float("nan") if v is None else v * 100 for v in series.values]
    ax.plot(times, percent, color="#2ca02c", linewidth=1.4, marker=".", markersize=3, label=f"{panel.metric} rate")
    for line in panel.lines:
        ax.axhline(
            line.value * 100,
            color=line.colour,
            linestyle=line.style,
            linewidth=1.1,
            label=f"{line.label} {line.value * 100:g} %",
        )
    for number, (start, end) in enumerate(panel.alarm_spans):
        ax.axvspan(start, end, color="#d62728", alpha=0.12, label="critical alarm in ALARM" if number == 0 else None)
    for number, marker in enumerate(panel.pauses):
        ax.axvline(marker.at, color=marker.colour, linewidth=2.0)
        ax.annotate(
            f"{marker.label} {marker.at:%Y-%m-%d %H:%M} UTC",
            xy=(marker.at, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -14 * (number + 1)),
            textcoords="offset points",
            color=marker.colour,
            fontsize=8,
            fontweight="bold",
        )
    highest = max([v * 100 for v in series.values if v is not None] + [line.value * 100 for line in panel.lines])
    ax.set_ylim(0, highest * 1.15)
    ax.set_xlim(series.start, series.end)
    ax.set_ylabel(f"{panel.metric} rate (%)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
