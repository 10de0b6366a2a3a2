"""The guard over history: replay every alarm of a policy, then decide what the guard would have paused.

Pure functions over already-fetched series. The pause rule is the function's (docs/design.md,
"Decision rule"): a critical alarm with action ``pause`` entering ALARM pauses its target (the
account, or one configuration set); warning alarms and ``notify`` only notify. A pause lasts until a
human resumes it (``ses-guard resume``): the replay assumes nobody did, so later ALARMs of a paused
target are listed as "already paused", not as new pauses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from ses_guard_cli.backtest_history import SeriesKey
from ses_guard_cli.backtest_policy import SCOPE_FLEET, Policy, ReplayAlarm
from ses_guard_policy import contract
from ses_guard_policy.evaluation import ALARM, INSUFFICIENT_DATA, OK, PeriodSeries, Replay, Transition, replay

# Metrics Insights alarms evaluate only the latest 3 hours of data (CloudWatch User Guide, alarms on
# Metrics Insights queries); a contributor exists only while its series has data: OK or ALARM, never
# INSUFFICIENT_DATA.
INSIGHTS_WINDOW_SECONDS: Final = 3 * 3600


@dataclass(frozen=True)
class AlarmOutcome:
    """One alarm (or one fleet contributor) replayed over one target's series."""

    alarm: ReplayAlarm
    target: str
    configuration_set: str | None
    replay: Replay


@dataclass(frozen=True)
class Pause:
    target: str
    at: datetime
    alarm: str
    value: float | None
    threshold: float
    already_paused: bool = False


@dataclass(frozen=True)
class PolicyOutcome:
    policy: Policy
    alarms: tuple[AlarmOutcome, ...]
    pauses: tuple[Pause, ...]

    @property
    def first_pauses(self) -> tuple[Pause, ...]:
        return tuple(p for p in self.pauses if not p.already_paused)

    def transitions(self) -> list[tuple[AlarmOutcome, Transition]]:
        rows = [(outcome, t) for outcome in self.alarms for t in outcome.replay.transitions]
        return sorted(rows, key=lambda row: (row[1].at, row[0].target, row[0].alarm.name))


def series_key(alarm: ReplayAlarm, configuration_set: str | None) -> SeriesKey:
    return SeriesKey(alarm.metric, configuration_set, alarm.statistic, alarm.rule.period_seconds)


def alarm_targets(alarm: ReplayAlarm, discovered_sets: Iterable[str]) -> list[str | None]:
    """The series an alarm watches: the account (None), its set, or every discovered set not excluded."""
    if alarm.scope == contract.SCOPE_ACCOUNT:
        return [None]
    if alarm.scope == SCOPE_FLEET:
        return [name for name in sorted(set(discovered_sets)) if name not in alarm.excluded_sets]
    return [alarm.configuration_set]


def needed_series(policies: Sequence[Policy], discovered_sets: Iterable[str]) -> set[SeriesKey]:
    sets = list(discovered_sets)
    return {series_key(a, s) for p in policies for a in p.alarms for s in alarm_targets(a, sets)}


def run_policy(
    policy: Policy, history: Mapping[SeriesKey, PeriodSeries], discovered_sets: Iterable[str]
) -> PolicyOutcome:
    sets = list(discovered_sets)
    outcomes: list[AlarmOutcome] = []
    for alarm in policy.alarms:
        for configuration_set in alarm_targets(alarm, sets):
            series = history[series_key(alarm, configuration_set)]
            target = "account" if configuration_set is None else f"configuration-set:{configuration_set}"
            outcomes.append(AlarmOutcome(alarm, target, configuration_set, _replay(alarm, series)))
    return PolicyOutcome(policy, tuple(outcomes), tuple(decide_pauses(outcomes)))


def _replay(alarm: ReplayAlarm, series: PeriodSeries) -> Replay:
    if alarm.scope != SCOPE_FLEET:
        return replay(series, alarm.rule)
    window = max(alarm.rule.evaluation_periods, INSIGHTS_WINDOW_SECONDS // alarm.rule.period_seconds)
    rule = replace(alarm.rule, evaluation_range=min(alarm.rule.range_periods, window))
    result = replay(series, rule, initial=OK)
    # A contributor without data is no contributor: CloudWatch reports it neither ALARM nor OK.
    states = tuple(OK if s == INSUFFICIENT_DATA else s for s in result.states)
    transitions = _transitions_of(states, result)
    return Replay(rule, series, states, transitions)


def _transitions_of(states: Sequence[str], result: Replay) -> tuple[Transition, ...]:
    changes: list[Transition] = []
    previous = OK
    by_index = {t.index: t for t in result.transitions}
    for index, state in enumerate(states):
        if state != previous:
            value = by_index[index].value if index in by_index else None
            changes.append(Transition(index, result.series.timestamp(index), previous, state, value))
            previous = state
    return tuple(changes)


def decide_pauses(outcomes: Iterable[AlarmOutcome]) -> list[Pause]:
    """Every ALARM of a pausing alarm, in time order; all but the first per target were already paused."""
    events = sorted(
        (t.at, o.target, o.alarm.name, t.value, o.alarm.rule.threshold)
        for o in outcomes
        if o.alarm.pauses
        for t in o.replay.transitions
        if t.new == ALARM
    )
    paused: set[str] = set()
    pauses = []
    for at, target, name, value, threshold in events:
        pauses.append(Pause(target, at, name, value, threshold, already_paused=target in paused))
        paused.add(target)
    return pauses
