"""What the backtest replays: the guard's reputation alarms, read from a policy file or a synthesized stack.

A policy is a flat list of :class:`ReplayAlarm` (one per alarm CloudWatch would hold), so both sources
and the what-if flags reduce to the same thing. stdlib only: importing this costs nothing at CLI start.

Policy file (TOML or JSON, documented in docs/backtest.md)::

    label = "deployed"
    [alarm]                 # optional; every reputation alarm's evaluation settings
    period = 3600
    statistic = "Maximum"
    evaluation_periods = 1
    datapoints_to_alarm = 1
    treat_missing_data = "ignore"
    comparison = "GreaterThanOrEqualToThreshold"
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
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from ses_guard_policy import contract, rules
from ses_guard_policy.evaluation import IGNORE, AlarmRule

# Scope tag of a Metrics Insights alarm grouped by configuration set (each contributor is one set).
SCOPE_FLEET: Final = contract.SCOPE_FLEET
SCOPES: Final = contract.SCOPES
STATISTICS: Final = ("Maximum", "Average", "Minimum", "Sum", "SampleCount")
THRESHOLD_KEYS: Final = rules.THRESHOLD_NAMES
ALARM_KEYS: Final = {
    "period": "period_seconds",
    "statistic": "statistic",
    "evaluation_periods": "evaluation_periods",
    "datapoints_to_alarm": "datapoints_to_alarm",
    "treat_missing_data": "treat_missing_data",
    "comparison": "comparison",
    "evaluation_range": "evaluation_range",
}
TARGET_KEYS: Final = ("action", "enabled", "warning_alarms", *THRESHOLD_KEYS)


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

    def explicit_sets(self) -> list[str]:
        return sorted({a.configuration_set for a in self.alarms if a.configuration_set})

    def has_fleet(self) -> bool:
        return any(a.scope == SCOPE_FLEET for a in self.alarms)


# --- policy files --------------------------------------------------------------------------------
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
    where = f"policy {source}"
    table = _table(document, where)
    _known_keys(table, ("label", "alarm", "default_thresholds", "account", "configuration_sets", "fleet"), where)
    label = table.get("label", "policy")
    if not isinstance(label, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", label):
        raise PolicyError(f"{where}: label={label!r}: must be 1-40 letters, digits, '_', '.' or '-'")
    settings = _alarm_settings(table.get("alarm", {}), f"{where} [alarm]")
    defaults = _thresholds(_table(table.get("default_thresholds"), f"{where} [default_thresholds]"), {}, where)
    alarms: list[ReplayAlarm] = []
    if "account" in table:
        alarms += _target_alarms(label, contract.SCOPE_ACCOUNT, None, table["account"], defaults, settings, where)
    sets = _table(table.get("configuration_sets", {}), f"{where} [configuration_sets]")
    for name, target in sets.items():
        if not re.fullmatch(rules.CONFIGURATION_SET_NAME.pattern, name):
            raise PolicyError(f"{where}: configuration set {name!r}: {rules.CONFIGURATION_SET_NAME.rule}")
        alarms += _target_alarms(label, contract.SCOPE_CONFIGURATION_SET, name, target, defaults, settings, where)
    if "fleet" in table:
        fleet = _target_alarms(label, SCOPE_FLEET, None, table["fleet"], defaults, settings, where)
        alarms += [replace(a, excluded_sets=frozenset(sets)) for a in fleet]
    if not alarms:
        raise PolicyError(f"{where}: no [account], [configuration_sets.<name>] or [fleet] table: nothing to replay")
    return Policy(label, source, tuple(alarms))


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PolicyError(f"{where}: must be a table (TOML) / object (JSON), got {value!r}")
    return value


def _known_keys(table: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    allowed = tuple(allowed)
    for key in table:
        if key not in allowed:
            raise PolicyError(f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}")


def _alarm_settings(value: Any, where: str) -> dict[str, Any]:
    table = _table(value, where)
    _known_keys(table, ALARM_KEYS, where)
    settings: dict[str, Any] = {"statistic": "Maximum", "treat_missing_data": IGNORE}
    settings.update({ALARM_KEYS[key]: item for key, item in table.items()})
    if settings["statistic"] not in STATISTICS:
        raise PolicyError(f"{where}: statistic={settings['statistic']!r}: must be one of {', '.join(STATISTICS)}")
    _rule(0.5, settings, where)  # settings errors once, named after [alarm], not after every alarm
    return settings


def _rule_fields(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in settings.items() if key != "statistic"}


def _thresholds(table: Mapping[str, Any], base: Mapping[str, float], where: str) -> dict[str, float]:
    merged = dict(base)
    for key in THRESHOLD_KEYS:
        if key in table:
            merged[key] = _ratio(table[key], f"{where}: {key}")
        elif key not in merged:
            raise PolicyError(f"{where}: {key} is missing (every threshold needs a value; ratios 0-1)")
    for metric in (contract.METRIC_SHORT_BOUNCE, contract.METRIC_SHORT_COMPLAINT):
        warning, critical = merged[f"{metric}_warning"], merged[f"{metric}_critical"]
        if warning >= critical:
            raise PolicyError(f"{where}: {metric}_warning={warning} must be below {metric}_critical={critical}")
    return merged


def _ratio(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or not 0 < value < 1:
        raise PolicyError(f"{where}={value!r}: {rules.RATIO_RULE}")
    return float(value)


def _target_alarms(
    label: str,
    scope: str,
    name: str | None,
    value: Any,
    defaults: Mapping[str, float],
    settings: Mapping[str, Any],
    where: str,
) -> list[ReplayAlarm]:
    here = f"{where} [{scope if name is None else f'configuration_sets.{name}'}]"
    table = _table(value, here)
    _known_keys(table, TARGET_KEYS, here)
    action = table.get("action")
    if action not in contract.ACTIONS:
        raise PolicyError(f"{here}: action={action!r}: must be one of {', '.join(contract.ACTIONS)}")
    for flag in ("enabled", "warning_alarms"):
        if not isinstance(table.get(flag, True), bool):
            raise PolicyError(f"{here}: {flag}={table[flag]!r}: must be true or false")
    if not table.get("enabled", True):
        return []
    thresholds = _thresholds(table, defaults, here)
    tiers = contract.TIERS if table.get("warning_alarms", True) else (contract.TIER_CRITICAL,)
    alarms = []
    for metric_name, short in contract.METRIC_SHORT_NAMES.items():
        for tier in tiers:
            alarm_name = _alarm_name(label, scope, name, short, tier)
            rule = _rule(thresholds[f"{short}_{tier}"], settings, f"{here} {alarm_name}")
            tier_action = action if tier == contract.TIER_CRITICAL else contract.ACTION_NOTIFY
            alarms.append(
                ReplayAlarm(alarm_name, scope, name, metric_name, tier, tier_action, settings["statistic"], rule)
            )
    return alarms


def _alarm_name(label: str, scope: str, name: str | None, short: str, tier: str) -> str:
    if scope == contract.SCOPE_CONFIGURATION_SET:
        return contract.ALARM_NAME_SET.format(prefix=label, configuration_set=name, metric=short, tier=tier)
    kind = "account" if scope == contract.SCOPE_ACCOUNT else "fleet"
    return f"{label}-{kind}-{short}-{tier}"


def _rule(threshold: float, settings: Mapping[str, Any], where: str) -> AlarmRule:
    try:
        return AlarmRule(threshold=threshold, **_rule_fields(settings))
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"{where}: {exc}") from exc


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
    return Policy("what-if", f"{policy.label} with {what_if.describe()}", tuple(alarms), policy.notes)
