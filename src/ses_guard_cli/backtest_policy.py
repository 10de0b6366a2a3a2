"""What the backtest replays: the guard's reputation alarms, from a policy file or a synthesized stack.

A policy is a flat list of :class:`ReplayAlarm` (one per alarm CloudWatch would hold), so both sources
and the what-if flags reduce to the same thing. Both sources are the policy manifest
(``ses_guard_policy.manifest``): a stack ships it, a policy file (TOML or JSON, docs/backtest.md) is
the same document written by hand, checked by the same rules::

    label = "deployed"
    [alarm]                 # optional; every reputation alarm's evaluation settings
    period = 3600
    statistic = "Maximum"
    evaluation_periods = 1
    datapoints_to_alarm = 1
    [default_thresholds]    # required: ratios 0-1
    bounce_warning = 0.02
    bounce_critical = 0.04
    complaint_warning = 0.0005
    complaint_critical = 0.0008
    [account]               # optional: action pause|notify (required), enabled, warning_alarms, thresholds
    action = "pause"
    [configuration_sets.marketing]
    action = "pause"
    bounce_critical = 0.03
    [fleet]                 # optional: every other set that publishes metrics (Metrics Insights alarms)
    action = "pause"
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from ses_guard_policy import contract, manifest, rules
from ses_guard_policy.evaluation import AlarmRule

# Scope tag of a Metrics Insights alarm grouped by configuration set (each contributor is one set).
SCOPE_FLEET: Final = contract.SCOPE_FLEET
THRESHOLD_KEYS: Final = rules.THRESHOLD_NAMES


class PolicyError(ValueError):
    """A policy file, stack or what-if flag that breaks a rule; the message names the value and the rule."""


@dataclass(frozen=True)
class ReplayAlarm:
    """One reputation alarm as the backtest replays it."""

    name: str
    scope: str
    """``account``, ``configuration-set`` or ``fleet`` (one contributor per set that publishes)."""
    configuration_set: str | None
    """The set for scope configuration-set; None for the account and the fleet."""
    metric: str
    tier: str
    action: str
    """``pause`` or ``notify``; only critical alarms with ``pause`` pause (as the function decides)."""
    statistic: str
    rule: AlarmRule
    excluded_sets: frozenset[str] = frozenset()
    """Fleet only: sets with their own policy, judged only by their own alarms."""

    @property
    def pauses(self) -> bool:
        return self.tier == contract.TIER_CRITICAL and self.action == contract.ACTION_PAUSE

    @property
    def target(self) -> str:
        if self.scope == contract.SCOPE_ACCOUNT:
            return "account"
        return f"configuration-set:{self.configuration_set}" if self.configuration_set else "fleet"

    @property
    def metric_short(self) -> str:
        return contract.METRIC_SHORT_NAMES.get(self.metric, self.metric)


@dataclass(frozen=True)
class Policy:
    label: str
    source: str
    alarms: tuple[ReplayAlarm, ...]
    notes: tuple[str, ...] = field(default=())
    region: str | None = None
    """The Region the policy is deployed in, when its source says (a stack's provider, a plan's
    ``aws_region``, a policy file's ``region``); None: the source does not say."""
    sweep_guard: manifest.Manifest | None = None
    """The manifest, when it holds an enabled sweep (replayed by ``backtest_sweep``, not as alarms)."""

    def explicit_sets(self) -> list[str]:
        return sorted({a.configuration_set for a in self.alarms if a.configuration_set})

    def has_fleet(self) -> bool:
        return any(a.scope == SCOPE_FLEET for a in self.alarms)


# --- policy files and manifests ------------------------------------------------------------------
def load_policy_file(path: Path) -> Policy:
    try:
        text = path.read_text()
    except OSError as exc:
        raise PolicyError(f"--policy {path}: cannot read it ({exc.strerror})") from exc
    try:
        if path.suffix == ".toml":
            document: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            document = json.loads(text)
        else:
            raise PolicyError(f"--policy {path}: the file name must end in .toml or .json")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"--policy {path}: not valid {path.suffix[1:].upper()}: {exc}") from exc
    return policy_from_document(document, source=str(path))


def policy_from_document(document: Any, *, source: str) -> Policy:
    try:
        guard = manifest.parse(document, source=source)
    except manifest.ManifestError as exc:
        raise PolicyError(str(exc)) from exc
    return policy_from_manifest(guard, source=source)


def policy_from_manifest(guard: manifest.Manifest, *, source: str) -> Policy:
    """Every alarm the manifest's policy creates, as the backtest replays it."""
    label = guard.name_prefix
    alarms: list[ReplayAlarm] = []
    if guard.account is not None:
        alarms += _target_alarms(label, contract.SCOPE_ACCOUNT, None, guard.account, guard.alarm)
    for name, target in sorted(guard.configuration_sets.items()):
        alarms += _target_alarms(label, contract.SCOPE_CONFIGURATION_SET, name, target, guard.alarm)
    if guard.fleet is not None:
        fleet = _target_alarms(label, SCOPE_FLEET, None, guard.fleet, guard.fleet.evaluation)
        alarms += [replace(a, excluded_sets=frozenset(guard.configuration_sets)) for a in fleet]
    sweep_guard = guard if guard.sweep is not None and guard.sweep.enabled else None
    if not alarms and sweep_guard is None:
        raise PolicyError(
            f"policy {source}: no [account], [configuration_sets.<name>] or [fleet] table: nothing to replay"
        )
    return Policy(label, source, tuple(alarms), region=guard.region, sweep_guard=sweep_guard)


def _target_alarms(
    label: str, scope: str, name: str | None, target: manifest.Target, settings: manifest.Evaluation
) -> list[ReplayAlarm]:
    if not target.enabled:
        return []
    alarms = []
    for metric_name, short in contract.METRIC_SHORT_NAMES.items():
        for tier in target.tiers():
            alarm_name = _alarm_name(label, scope, name, short, tier)
            rule = settings.alarm_rule(target.thresholds.of(short, tier))
            tier_action = target.action if tier == contract.TIER_CRITICAL else contract.ACTION_NOTIFY
            alarms.append(
                ReplayAlarm(alarm_name, scope, name, metric_name, tier, tier_action, settings.statistic, rule)
            )
    return alarms


def _alarm_name(label: str, scope: str, name: str | None, short: str, tier: str) -> str:
    if scope == contract.SCOPE_CONFIGURATION_SET:
        return contract.ALARM_NAME_SET.format(prefix=label, configuration_set=name, metric=short, tier=tier)
    shape = contract.ALARM_NAME_ACCOUNT if scope == contract.SCOPE_ACCOUNT else contract.ALARM_NAME_FLEET
    return shape.format(prefix=label, metric=short, tier=tier)


def _ratio(value: Any, where: str) -> float:
    if not rules.RATIO.check(value):
        raise PolicyError(f"{where}={value!r}: {rules.RATIO.sentence}")
    return float(value)


# --- what-if -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WhatIf:
    """Candidate changes applied to every alarm of a policy (None: unchanged)."""

    thresholds: Mapping[str, float] = field(default_factory=dict)
    """``<bounce|complaint>_<warning|critical>`` -> ratio."""
    period_seconds: int | None = None
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None

    def is_empty(self) -> bool:
        return not self.thresholds and all(
            v is None for v in (self.period_seconds, self.evaluation_periods, self.datapoints_to_alarm)
        )

    def describe(self) -> str:
        parts = [f"{key.replace('_', ' ')} {value:g}" for key, value in sorted(self.thresholds.items())]
        for name in ("period_seconds", "evaluation_periods", "datapoints_to_alarm"):
            if getattr(self, name) is not None:
                parts.append(f"{name.replace('_', ' ')} {getattr(self, name)}")
        return ", ".join(parts)


def apply_what_if(policy: Policy, what_if: WhatIf) -> Policy:
    for key, value in what_if.thresholds.items():
        if key not in THRESHOLD_KEYS:
            raise PolicyError(f"what-if threshold {key!r}: must be one of {', '.join(THRESHOLD_KEYS)}")
        _ratio(value, f"--{key.replace('_', '-')}")
    alarms = []
    for alarm in policy.alarms:
        changes: dict[str, Any] = {}
        threshold = what_if.thresholds.get(f"{alarm.metric_short}_{alarm.tier}")
        if threshold is not None:
            changes["threshold"] = threshold
        for name in ("period_seconds", "evaluation_periods", "datapoints_to_alarm"):
            if getattr(what_if, name) is not None:
                changes[name] = getattr(what_if, name)
        try:
            rule = replace(alarm.rule, **changes)
        except ValueError as exc:
            raise PolicyError(f"what-if on alarm {alarm.name}: {exc}") from exc
        alarms.append(replace(alarm, rule=rule))
    return Policy("what-if", f"{policy.label} with {what_if.describe()}", tuple(alarms), policy.notes, policy.region)
