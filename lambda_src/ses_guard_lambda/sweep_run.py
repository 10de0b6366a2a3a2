"""One sweep run's context and tallies (``sweep``, ``sweep_targets``): what every step reads and records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Final, TypeVar

from ses_guard_policy import contract, evaluation, manifest
from ses_guard_policy.sweep import Thresholds, Verdict, episode_key

from . import log
from .budget import Budget
from .sweep_report import Where
from .sweep_state import Episodes, StateTable
from .verify import Invocation

T = TypeVar("T")
# Before a target is handled, at least this much time must be left (a pause is 3-4 SES calls and a publish;
# SES allows one call a second): the rest is deferred to the next run, worst first.
TARGET_MARGIN_SECONDS: Final = 20.0
# Breach notices one run sends; the rest are counted in one notice (every one is logged).
MAX_NOTICES_PER_RUN: Final = 25


class SweepError(RuntimeError):
    """Some targets failed; the message names each (the run raises so that Lambda retries it)."""

    def __init__(self, failures: Mapping[str, str]) -> None:
        self.failures = dict(failures)
        details = "; ".join(f"{target}: {reason}" for target, reason in failures.items())
        super().__init__(f"{len(failures)} target(s) failed in the sweep run: {details}")


class CountingBudget(Budget):
    """The invocation's budget, counting the AWS calls a run makes (for its summary line)."""

    calls: int = 0

    @classmethod
    def of(cls, budget: Budget) -> CountingBudget:
        return cls(deadline=budget.deadline, clock=budget.clock, reserve=budget.reserve)

    def call(self, operation: Callable[..., T], **params: Any) -> T:
        self.calls += 1
        return super().call(operation, **params)

    def remaining(self) -> float:
        return self.deadline - self.clock.monotonic()


def iso(moment: datetime) -> str:
    return moment.strftime(contract.PAUSED_AT_FORMAT)


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, contract.PAUSED_AT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def target_name(configuration_set: str | None) -> str:
    """``configuration-set:NAME`` or ``account``, as the alarm path's summary names targets."""
    return "account" if configuration_set is None else f"configuration-set:{configuration_set}"


@dataclass
class Tally:
    """What the run did, by outcome (the handler's return value and the ``sweep_summary`` line)."""

    paused: list[str] = field(default_factory=list)
    already_paused: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)
    """Target => why it was left alone."""
    excluded_kinds: dict[str, int] = field(default_factory=dict)
    """own_policy, protected, notify_tag, missing, no_manifest, outside_scope => how many."""
    resumed: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    notices_sent: int = 0
    held: list[str] = field(default_factory=list)

    def add(self, outcome: list[str], target: str) -> None:
        if target not in outcome:
            outcome.append(target)


@dataclass
class SweepRun:
    """Everything a step of the run needs."""

    inv: Invocation
    policy: manifest.Sweep
    account: manifest.Target | None
    """The account's policy when the run evaluates the account, else None."""
    state: StateTable
    episodes: Episodes
    now: datetime
    budget: CountingBudget
    where: Where
    tally: Tally = field(default_factory=Tally)
    out_of_time: bool = False

    def rule_at(self, threshold: float) -> evaluation.AlarmRule:
        """The sweep's evaluation (period, M of N, missing data, ``>=``) at ``threshold``."""
        return self.policy.evaluation.alarm_rule(threshold)

    def thresholds(self, target: str | None, metric: str, tier: str) -> float | None:
        """The model's rule (``manifest.Sweep.thresholds_of``, the backtest's too). None: not evaluated."""
        return self._judged_thresholds(target, metric, tier)

    @cached_property
    def _judged_thresholds(self) -> Thresholds:
        """Built once per run (the policy and the account do not change within it)."""
        return self.policy.thresholds_of(self.account)

    def has_time(self) -> bool:
        """Whether another target fits in the time left; False once the run has deferred the rest."""
        if self.out_of_time or self.budget.remaining() < TARGET_MARGIN_SECONDS + self.budget.reserve:
            self.out_of_time = True
        return not self.out_of_time

    def is_open(self, verdict: Verdict) -> bool:
        return self.key(verdict) in self.episodes.open

    def open(self, verdict: Verdict) -> None:
        self.episodes.open[self.key(verdict)] = iso(self.now)

    @staticmethod
    def key(verdict: Verdict) -> str:
        return episode_key(verdict.configuration_set, verdict.metric, verdict.tier)

    def fail(self, verdict: Verdict, reason: str) -> None:
        target = target_name(verdict.configuration_set)
        self.tally.failed[target] = reason
        log.emit("ERROR", "sweep_target_failed", target=target, metric=verdict.metric, reason=reason)
