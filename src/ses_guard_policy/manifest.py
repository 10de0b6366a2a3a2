"""The guard's deployed policy as one versioned JSON document: the policy manifest.

Written by the constructs (a stack asset, ``policy_manifest.json``, beside the stack) and by the
generated module; read by the function (to judge alarms by the policy that was deployed, never by
what an alarm says now), by ``ses-guard backtest --stack`` and ``ses-guard estimate``. A backtest
policy file is the same document written by hand: ``format`` and ``version`` may be left out,
``label`` may name it, and targets may leave thresholds to ``default_thresholds``.

Document (every ratio 0-1)::

    {"format": "ses-reputation-guard/policy", "version": 1, "name_prefix": "sesguard",
     "alarm": {"period": 3600, "statistic": "Maximum", "evaluation_periods": 1, "datapoints_to_alarm": 1,
               "treat_missing_data": "ignore", "comparison": "GreaterThanOrEqualToThreshold"},
     "default_thresholds": {"bounce_warning": 0.02, "bounce_critical": 0.04, ...},
     "account": {"action": "pause", "enabled": true, "warning_alarms": true, "bounce_warning": ...},
     "configuration_sets": {"marketing": {"action": "pause", "warning_alarms": true, ...}},
     "fleet": null | {"action": "pause", "enabled": true, "warning_alarms": true, "period": 3600,
                      "evaluation_periods": 1, "datapoints_to_alarm": 1, "exclude_explicit_sets": true, ...},
     "sweep": null | {"action": "pause", "enabled": true, "warning_notices": true, "period": 3600,
                      "evaluation_periods": 1, "datapoints_to_alarm": 1, "schedule_minutes": 60,
                      "evaluate_account": true, "bounce_warning": ...},
     "hub": absent | {"members_path": "/sesguard/policy/members/", "include_hub": true,
                      "members": {"111111111111": {"regions": ["eu-west-1"], "action": "notify",
                                                   "account_action": "pause", "bounce_critical": 0.03, ...}}}}

Where the function finds it: the guard-level part (without ``configuration_sets``) in its environment
(``contract.ENV_POLICY_MANIFEST``, a few hundred bytes), each set's entry in an SSM SecureString
parameter under ``configuration_sets_path`` and each hub member's under the hub's ``members_path``
(docs/lambda.md, "Policy manifest"). Every value is checked
with the model's rules; an error names the value and the rule.

AWS's levels (``rules.AWS_LEVELS``): a threshold at or above AWS's pause level is refused everywhere. One
at or above its review level is read only where the document says it was meant, with the top-level key
``allow_thresholds_at_or_above_aws_review_level = true`` (the constructs and the module write it from
the guard's flag of that name). Without the key, a hand-written policy file (no ``format``) is refused
such a threshold; a manifest that declares its ``format`` (what the constructs and the module write,
checked whole at synth or plan, and the function's own policy: it must not stop judging alarms over
it) and a set's entry read on its own (``parse_set_entry``) are held to the pause level only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from . import contract, evaluation, fleet_query, rules, sweep

FORMAT: Final = "ses-reputation-guard/policy"
VERSION: Final = 1
FILE_NAME: Final = "policy_manifest.json"
SETS_PATH_KEY: Final = "configuration_sets_path"
REVIEW_LEVEL_KEY: Final = rules.REVIEW_LEVEL_ACKNOWLEDGEMENT
METRIC_SHORT_NAMES: Final = tuple(contract.METRIC_SHORT_NAMES.values())
ALARM_KEYS: Final = ("period", "statistic", "evaluation_periods", "datapoints_to_alarm", "treat_missing_data",
                     "comparison", "evaluation_range")  # fmt: skip
TARGET_KEYS: Final = ("action", "enabled", "warning_alarms", "managed", *rules.THRESHOLD_NAMES)
FLEET_KEYS: Final = (*TARGET_KEYS, "period", "evaluation_periods", "datapoints_to_alarm", "exclude_explicit_sets")
SWEEP_KEYS: Final = ("action", "enabled", "warning_notices", *rules.THRESHOLD_NAMES, "period", "evaluation_periods",
                     "datapoints_to_alarm", "schedule_minutes", "evaluate_account")  # fmt: skip
TOP_KEYS: Final = ("format", "version", "name_prefix", "label", "region", "alarm", "default_thresholds", "account",
                   "configuration_sets", "fleet", "sweep", "hub", SETS_PATH_KEY, REVIEW_LEVEL_KEY)  # fmt: skip
MEMBER_KEYS: Final = ("regions", "action", "account_action", "evaluate_account", "protected_configuration_sets",
                      *rules.THRESHOLD_NAMES)  # fmt: skip
HUB_KEYS: Final = ("members_path", "include_hub", "members")
LABEL: Final = rules.PatternRule(
    "policy_label", r"^[A-Za-z0-9_.-]{1,40}$", "must be 1-40 letters, digits, '_', '.' or '-'"
)


class ManifestError(ValueError):
    """A manifest or policy file that breaks a rule; the message names the value and the rule."""


@dataclass(frozen=True)
class Thresholds:
    bounce_warning: float
    bounce_critical: float
    complaint_warning: float
    complaint_critical: float

    def of(self, metric_short: str, tier: str) -> float:
        value: float = getattr(self, f"{metric_short}_{tier}")
        return value

    def to_document(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in rules.THRESHOLD_NAMES}


@dataclass(frozen=True)
class Evaluation:
    """How a reputation alarm evaluates (the PutMetricAlarm settings besides the threshold)."""

    period: int = 3600
    """Length of one period, seconds. Default 3600."""
    statistic: str = "Maximum"
    """Statistic of the rate within a period (``rules.ALARM_STATISTIC``). Default Maximum."""
    evaluation_periods: int = 1
    """N: the most recent periods evaluated. Default 1."""
    datapoints_to_alarm: int = 1
    """M: breaching periods among the N that put the alarm in ALARM. Default 1."""
    treat_missing_data: str = evaluation.IGNORE
    """What a period without a datapoint counts as. Default ``ignore`` (AWS's advice for SES rates)."""
    comparison: str = "GreaterThanOrEqualToThreshold"
    """How a datapoint is compared with the threshold. Default ``>=``."""
    evaluation_range: int | None = None
    """Backtest only: periods CloudWatch retrieves per evaluation (None: the engine's assumption)."""

    def alarm_rule(self, threshold: float) -> evaluation.AlarmRule:
        """The evaluation engine's rule for this alarm at ``threshold`` (a ratio 0-1)."""
        same = ("comparison", "evaluation_periods", "datapoints_to_alarm", "treat_missing_data", "evaluation_range")
        settings = {key: getattr(self, key) for key in same}
        return evaluation.AlarmRule(threshold=threshold, period_seconds=self.period, **settings)

    def to_document(self) -> dict[str, Any]:
        keys = ALARM_KEYS if self.evaluation_range is not None else ALARM_KEYS[:-1]
        return {key: getattr(self, key) for key in keys}


@dataclass(frozen=True)
class Target:
    """The policy of the account or of one configuration set (thresholds resolved)."""

    action: str
    thresholds: Thresholds
    enabled: bool = True
    warning_alarms: bool = True
    managed: bool | None = None
    """Sets only: the guard created the set (None for the account and the fleet)."""

    def tiers(self) -> tuple[str, ...]:
        return contract.TIERS if self.warning_alarms else (contract.TIER_CRITICAL,)

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "action": self.action,
            "enabled": self.enabled,
            "warning_alarms": self.warning_alarms,
        }
        if self.managed is not None:
            document["managed"] = self.managed
        return {**document, **self.thresholds.to_document()}


@dataclass(frozen=True)
class Fleet(Target):
    """The fleet policy: Metrics Insights alarms over every set without its own policy."""

    evaluation: Evaluation = field(default_factory=Evaluation)
    exclude_explicit_sets: bool = True

    def to_document(self) -> dict[str, Any]:
        own = {
            "period": self.evaluation.period,
            "evaluation_periods": self.evaluation.evaluation_periods,
            "datapoints_to_alarm": self.evaluation.datapoints_to_alarm,
            "exclude_explicit_sets": self.exclude_explicit_sets,
        }
        return {**super().to_document(), **own}


@dataclass(frozen=True)
class Sweep:
    """The sweep policy: a scheduled run judges every set without its own policy (and the account)."""

    action: str
    """What a critical breach of a set does: ``pause`` the set or ``notify`` people."""
    thresholds: Thresholds
    evaluation: Evaluation
    """The statistic is the query's (``Maximum``), whatever the alarms'."""
    enabled: bool = True
    warning_notices: bool = True
    """A warning breach notifies once per episode."""
    schedule_minutes: int = rules.SWEEP_SCHEDULE_MINUTES_DEFAULT
    evaluate_account: bool = True
    """The run judges the account-wide rates too (by the account's policy and thresholds)."""

    def tiers(self) -> tuple[str, ...]:
        return contract.TIERS if self.warning_notices else (contract.TIER_CRITICAL,)

    def thresholds_of(self, account: Target | None) -> sweep.Thresholds:
        """(target, metric, tier) => the threshold a run judges by, or None for a tier it does not judge:
        a set by the sweep's thresholds and tiers; the account, with ``evaluate_account``, by its own
        policy's thresholds whether or not its alarms exist (``enabled`` is about alarms: a sweep guard
        needs none), its warning tier when both the account (``warning_alarms``) and the sweep
        (``warning_notices``) want warnings. The function and the backtest both judge through this."""
        judged_account = account if self.evaluate_account else None
        account_tiers = judged_account.tiers() if judged_account is not None else ()

        def threshold(target: str | None, metric: str, tier: str) -> float | None:
            short = contract.METRIC_SHORT_NAMES[metric]
            if tier not in self.tiers():
                return None
            if target is not None:
                return self.thresholds.of(short, tier)
            if judged_account is None or tier not in account_tiers:
                return None
            return judged_account.thresholds.of(short, tier)

        return threshold

    def to_document(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "enabled": self.enabled,
            "warning_notices": self.warning_notices,
            **self.thresholds.to_document(),
            "period": self.evaluation.period,
            "evaluation_periods": self.evaluation.evaluation_periods,
            "datapoints_to_alarm": self.evaluation.datapoints_to_alarm,
            "schedule_minutes": self.schedule_minutes,
            "evaluate_account": self.evaluate_account,
        }


@dataclass(frozen=True)
class Member:
    """One member account of a hub (``hub.py``): where the hub watches it and how it judges it there.
    Each override is None (or empty) when the member follows the hub's own sweep and account policy."""

    regions: tuple[str, ...] = ()
    """Regions watched in this account; empty: the hub's own Region."""
    action: str | None = None
    """A set's critical breach: ``pause`` or ``notify`` (None: the sweep's action)."""
    account_action: str | None = None
    """The account's critical breach (None: the hub's account action). The member role must allow it."""
    evaluate_account: bool | None = None
    """Judge the account-wide rates (None: the sweep's ``evaluate_account``)."""
    protected_configuration_sets: tuple[str, ...] = ()
    """Sets of this account never paused, only notified (the hub's own protected sets apply too)."""
    thresholds: Mapping[str, float] = field(default_factory=dict)
    """The member's own set thresholds, over the sweep's (ratios 0-1); checked merged at parse time."""

    def sweep_for(self, policy: Sweep) -> Sweep:
        """The sweep as this member is judged: its action, thresholds and account flag over the hub's."""
        merged = Thresholds(**{**policy.thresholds.to_document(), **self.thresholds})
        evaluate = policy.evaluate_account if self.evaluate_account is None else self.evaluate_account
        return replace(policy, action=self.action or policy.action, thresholds=merged, evaluate_account=evaluate)

    def account_for(self, account: Target | None) -> Target | None:
        """The account's policy in this member: the hub's, with the member's action."""
        if account is None or self.account_action is None:
            return account
        return replace(account, action=self.account_action)

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"regions": list(self.regions)}
        optional: dict[str, Any] = {"action": self.action, "account_action": self.account_action}
        optional["evaluate_account"] = self.evaluate_account
        document.update({key: value for key, value in optional.items() if value is not None})
        if self.protected_configuration_sets:
            document["protected_configuration_sets"] = list(self.protected_configuration_sets)
        return {**document, **dict(sorted(self.thresholds.items()))}


@dataclass(frozen=True)
class Hub:
    """Hub mode: the sweep also runs in each member account x Region (docs/organization.md)."""

    members_path: str
    """SSM path of the members' entries (``hub.members_path``); the function lists it each run."""
    include_hub: bool = True
    """The run also sweeps the hub's own account and Region."""
    members: Mapping[str, Member] = field(default_factory=dict)
    """Account id => entry; absent from the function's environment (read from SSM)."""

    def member_regions(self) -> int:
        return sum(max(1, len(member.regions)) for member in self.members.values())

    def to_document(self, *, with_members: bool = True) -> dict[str, Any]:
        document: dict[str, Any] = {"members_path": self.members_path, "include_hub": self.include_hub}
        if with_members:
            document["members"] = {account: m.to_document() for account, m in sorted(self.members.items())}
        return document


@dataclass(frozen=True)
class Manifest:
    name_prefix: str
    alarm: Evaluation
    default_thresholds: Thresholds
    account: Target | None
    configuration_sets: Mapping[str, Target]
    fleet: Fleet | None
    region: str | None = None
    configuration_sets_path: str | None = None
    """Where each set's entry lives when ``configuration_sets`` is not in the document (the function's view)."""
    version: int = VERSION
    sweep: Sweep | None = None
    review_level_acknowledged: bool = False
    """Thresholds at or above AWS's review level were meant (``REVIEW_LEVEL_KEY``). Default False."""
    hub: Hub | None = None
    """Hub mode (on top of the sweep); None: this guard watches its own account and Region only."""

    def to_document(self, *, with_sets: bool = True) -> dict[str, Any]:
        """The JSON document; ``with_sets=False``: the guard-level part the function's environment holds."""
        document: dict[str, Any] = {"format": FORMAT, "version": self.version, "name_prefix": self.name_prefix}
        if self.region is not None:
            document["region"] = self.region
        document["alarm"] = self.alarm.to_document()
        document["default_thresholds"] = self.default_thresholds.to_document()
        document["account"] = self.account.to_document() if self.account else None
        if with_sets:
            document["configuration_sets"] = {n: t.to_document() for n, t in sorted(self.configuration_sets.items())}
        elif self.configuration_sets_path is not None:
            document[SETS_PATH_KEY] = self.configuration_sets_path
        document["fleet"] = self.fleet.to_document() if self.fleet else None
        if self.sweep is not None:  # absent rather than null: older manifests stay byte-identical
            document["sweep"] = self.sweep.to_document()
        if self.hub is not None:  # absent rather than null, as the sweep
            document["hub"] = self.hub.to_document(with_members=with_sets)
        if self.review_level_acknowledged:
            document[REVIEW_LEVEL_KEY] = True
        return document

    def to_json(self, *, with_sets: bool = True) -> str:
        return json.dumps(self.to_document(with_sets=with_sets), sort_keys=True, separators=(",", ":"))


def configuration_sets_path(name_prefix: str) -> str:
    """The SSM parameter path under which each set's entry lives: ``/<prefix>/policy/configuration-sets/``."""
    return f"/{name_prefix}/policy/configuration-sets/"


# --- reading ------------------------------------------------------------------------------------------
def parse(document: Any, *, source: str) -> Manifest:
    """A manifest (or policy file) document, every value checked; ``ManifestError`` names the first problem."""
    where = f"policy {source}"
    table = _table(document, where)
    _known_keys(table, TOP_KEYS, where)
    if "format" in table and table["format"] != FORMAT:
        raise ManifestError(f"{where}: format={table['format']!r}: must be {FORMAT!r}")
    version = table.get("version", VERSION)
    if version != VERSION:
        raise ManifestError(f"{where}: version={version!r}: this tool reads version {VERSION}; upgrade ses-guard")
    name = table.get("name_prefix", table.get("label", "policy"))
    if not LABEL.check(name):
        raise ManifestError(f"{where}: name_prefix={name!r}: {LABEL.sentence}")
    alarm = parse_evaluation(table.get("alarm", {}), f"{where} [alarm]")
    acknowledged = _review_level_acknowledged(table, where)
    defaults = parse_thresholds(
        _table(table.get("default_thresholds"), f"{where} [default_thresholds]"), None, where, acknowledged
    )
    account = _optional(table, "account", lambda v: parse_target(v, defaults, f"{where} [account]", acknowledged))
    sets = {
        set_name: parse_target(
            value, defaults, f"{where} [configuration_sets.{set_name}]", acknowledged, set_name=set_name
        )
        for set_name, value in _table(table.get("configuration_sets", {}), f"{where} [configuration_sets]").items()
    }
    fleet = _optional(table, "fleet", lambda v: parse_fleet(v, defaults, alarm, f"{where} [fleet]", acknowledged))
    sweep = _optional(table, "sweep", lambda v: parse_sweep(v, defaults, alarm, f"{where} [sweep]", acknowledged))
    hub_table = _optional(table, "hub", lambda v: parse_hub(v, sweep, f"{where} [hub]", acknowledged))
    path = table.get(SETS_PATH_KEY)
    if path is not None and not isinstance(path, str):
        raise ManifestError(f"{where}: {SETS_PATH_KEY}={path!r}: must be a string")
    region = table.get("region")
    if region is not None and not isinstance(region, str):
        raise ManifestError(f"{where}: region={region!r}: must be a string")
    return Manifest(
        name,
        alarm,
        defaults,
        account,
        sets,
        fleet,
        region,
        path,
        sweep=sweep,
        review_level_acknowledged=bool(acknowledged),
        hub=hub_table,
    )


def parse_json(text: str, *, source: str) -> Manifest:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"policy {source}: not valid JSON: {exc}") from None
    return parse(document, source=source)


def parse_evaluation(value: Any, where: str) -> Evaluation:
    table = _table(value, where)
    _known_keys(table, ALARM_KEYS, where)
    settings = {**Evaluation().__dict__, **table}
    _check(rules.ALARM_STATISTIC, settings["statistic"], f"{where} statistic")
    try:
        result = Evaluation(**settings)
        result.alarm_rule(0.5)  # the engine's own PutMetricAlarm rules, once for the whole table
    except (TypeError, ValueError) as exc:
        raise ManifestError(f"{where}: {exc}") from None
    return result


def parse_thresholds(
    table: Mapping[str, Any], base: Thresholds | None, where: str, acknowledged: bool | None = None
) -> Thresholds:
    """``table``'s thresholds over ``base``'s. Its own values are checked against AWS's levels: the pause
    level always, the review level unless ``acknowledged`` (None: not known here, the pause level only)."""
    merged: dict[str, Any] = base.to_document() if base else {}
    for name in rules.THRESHOLD_NAMES:
        if table.get(name) is not None:
            merged[name] = _check(rules.RATIO, table[name], f"{where}: {name}")
        elif name not in merged:
            raise ManifestError(f"{where}: {name} is missing (every threshold needs a value; ratios 0-1)")
    for metric in METRIC_SHORT_NAMES:
        warning, critical = merged[f"{metric}_warning"], merged[f"{metric}_critical"]
        if not rules.WARNING_BELOW_CRITICAL.check(warning, critical):
            raise ManifestError(f"{where}: {metric} {rules.warning_below_critical(warning, critical)}")
    levels = rules.AWS_LEVELS if acknowledged is False else (rules.AWS_PAUSE_LEVEL,)
    own = {name: table[name] for name in rules.THRESHOLD_NAMES if table.get(name) is not None}
    for name, value in own.items():
        for level in levels:
            if not level.check(name, value, acknowledged=bool(acknowledged)):
                raise ManifestError(f"{where}: {name}={value!r}: {level.explain(name, value)}")
    return Thresholds(**merged)


def parse_target(
    value: Any, defaults: Thresholds, where: str, acknowledged: bool | None = None, *, set_name: str | None = None
) -> Target:
    table = _table(value, where)
    _known_keys(table, TARGET_KEYS, where)
    if set_name is not None:
        _check(rules.CONFIGURATION_SET_NAME, set_name, f"{where} name")
    _check(rules.ACTION, table.get("action"), f"{where} action")
    flags = {flag: _flag(table, flag, where) for flag in ("enabled", "warning_alarms")}
    managed = _flag(table, "managed", where, default=False) if set_name is not None else None
    thresholds = parse_thresholds(table, defaults, where, acknowledged)
    return Target(table["action"], thresholds, managed=managed, **flags)


def parse_fleet(
    value: Any, defaults: Thresholds, alarm: Evaluation, where: str, acknowledged: bool | None = None
) -> Fleet:
    table = _table(value, where)
    _known_keys(table, FLEET_KEYS, where)
    target = parse_target({k: v for k, v in table.items() if k in TARGET_KEYS}, defaults, where, acknowledged)
    period = table.get("period", alarm.period)
    periods = table.get("evaluation_periods", alarm.evaluation_periods)
    datapoints = table.get("datapoints_to_alarm", alarm.datapoints_to_alarm)
    _check(rules.FLEET_EVALUATION_PERIODS, periods, f"{where} evaluation_periods")
    _check(rules.FLEET_DATAPOINTS, datapoints, f"{where} datapoints_to_alarm")
    if not rules.FLEET_WINDOW.check(period, periods):
        raise ManifestError(
            f"{where}: period={period!r} x evaluation_periods={periods!r}: {rules.FLEET_WINDOW.sentence}"
        )
    if not rules.DATAPOINTS_NOT_ABOVE_PERIODS.check(datapoints, periods):
        raise ManifestError(
            f"{where}: datapoints_to_alarm={datapoints!r}: {rules.DATAPOINTS_NOT_ABOVE_PERIODS.sentence}"
        )
    fleet_evaluation = Evaluation(
        period=period,
        statistic=fleet_query.STATISTIC_OF_FUNCTION[fleet_query.FUNCTION],  # the query's, whatever the alarms'
        evaluation_periods=periods,
        datapoints_to_alarm=datapoints,
        treat_missing_data=evaluation.IGNORE,
        evaluation_range=alarm.evaluation_range,
    )
    exclude = _flag(table, "exclude_explicit_sets", where)
    return Fleet(**target.__dict__, evaluation=fleet_evaluation, exclude_explicit_sets=exclude)


def parse_sweep(
    value: Any, defaults: Thresholds, alarm: Evaluation, where: str, acknowledged: bool | None = None
) -> Sweep:
    table = _table(value, where)
    _known_keys(table, SWEEP_KEYS, where)
    _check(rules.ACTION, table.get("action"), f"{where} action")
    thresholds = parse_thresholds(table, defaults, where, acknowledged)
    schedule = _check(
        rules.SWEEP_SCHEDULE_MINUTES,
        table.get("schedule_minutes", rules.SWEEP_SCHEDULE_MINUTES_DEFAULT),
        f"{where} schedule_minutes",
    )
    settings = {
        key: table.get(key, getattr(alarm, key)) for key in ("period", "evaluation_periods", "datapoints_to_alarm")
    }
    try:
        sweep_evaluation = Evaluation(
            **settings,
            statistic=fleet_query.STATISTIC_OF_FUNCTION[fleet_query.FUNCTION],  # the query's, whatever the alarms'
            treat_missing_data=alarm.treat_missing_data,
            comparison=alarm.comparison,
            evaluation_range=alarm.evaluation_range,
        )
        problem = sweep.window_problem(sweep_evaluation.alarm_rule(0.5))  # and PutMetricAlarm's own rules
    except (TypeError, ValueError) as exc:
        raise ManifestError(f"{where}: {exc}") from None
    if problem is not None:
        raise ManifestError(f"{where}: {problem}")
    flags = {flag: _flag(table, flag, where) for flag in ("enabled", "warning_notices", "evaluate_account")}
    return Sweep(table["action"], thresholds, sweep_evaluation, schedule_minutes=schedule, **flags)


def parse_hub(value: Any, policy: Sweep | None, where: str, acknowledged: bool | None = None) -> Hub:
    """The ``hub`` section; hub mode runs on the sweep, so the document needs an enabled ``sweep``."""
    table = _table(value, where)
    _known_keys(table, HUB_KEYS, where)
    if policy is None or not policy.enabled:
        raise ManifestError(f"{where}: hub mode needs an enabled sweep (the hub's scheduled run covers the members)")
    path = table.get("members_path")
    if not isinstance(path, str) or not path.startswith("/") or not path.endswith("/"):
        raise ManifestError(f"{where}: members_path={path!r}: must be an SSM path starting and ending with '/'")
    members_table = _table(table.get("members", {}), f"{where} [members]")
    members = {
        account: parse_member_entry(
            entry, account, policy, source=f"{where} [members.{account}]", acknowledged=acknowledged
        )
        for account, entry in members_table.items()
    }
    result = Hub(path, _flag(table, "include_hub", where), members)
    if not rules.HUB_MEMBER_REGIONS.check(range(result.member_regions())):
        raise ManifestError(f"{where}: {result.member_regions()} member Regions: {rules.HUB_MEMBER_REGIONS.sentence}")
    return result


def parse_member_entry(
    value: Any, account_id: str, policy: Sweep, *, source: str, acknowledged: bool | None = None
) -> Member:
    """One member's entry (the manifest's, or its SSM parameter as the function reads it): every value
    checked, its thresholds merged over the sweep's and checked as a whole."""
    where = source if source.startswith("policy ") else f"policy {source}"
    table = _table(value, where)
    _known_keys(table, MEMBER_KEYS, where)
    _check(rules.ACCOUNT_ID, account_id, f"{where} account_id")
    regions = _string_list(table, "regions", where)
    for region in regions:
        _check(rules.REGION_NAME, region, f"{where} regions")
    if not rules.HUB_MEMBER_REGIONS_UNIQUE.check(regions):
        repeated = rules.HUB_MEMBER_REGIONS_UNIQUE.duplicates(regions)
        raise ManifestError(f"{where}: regions={repeated!r}: {rules.HUB_MEMBER_REGIONS_UNIQUE.sentence}")
    actions = {key: table.get(key) for key in ("action", "account_action")}
    for key, action in actions.items():
        if action is not None:
            _check(rules.ACTION, action, f"{where} {key}")
    protected = _string_list(table, "protected_configuration_sets", where)
    for name in protected:
        _check(rules.CONFIGURATION_SET_NAME, name, f"{where} protected_configuration_sets")
    evaluate = _flag(table, "evaluate_account", where) if "evaluate_account" in table else None
    parse_thresholds(table, policy.thresholds, where, acknowledged)  # the merge is valid as a whole
    own = {name: float(table[name]) for name in rules.THRESHOLD_NAMES if table.get(name) is not None}
    return Member(tuple(regions), actions["action"], actions["account_action"], evaluate, tuple(protected), own)


def _string_list(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ManifestError(f"{where}: {key}={value!r}: must be a list of strings")
    return list(value)


def parse_set_entry(
    value: Any, name: str, defaults: Thresholds, *, source: str, review_level_acknowledged: bool | None = None
) -> Target:
    """One set's entry as the function reads it from its own parameter. ``review_level_acknowledged``:
    the guard's ``REVIEW_LEVEL_KEY``; None (default): AWS's pause level only (the whole document was
    checked at synth or plan)."""
    return parse_target(value, defaults, f"policy {source}", review_level_acknowledged, set_name=name)


# --- helpers ------------------------------------------------------------------------------------------
def _review_level_acknowledged(table: Mapping[str, Any], where: str) -> bool | None:
    """The document's ``REVIEW_LEVEL_KEY``; without it False for a hand-written policy file and None (the
    review level not checked here) for a manifest that declares its format (see the module docstring)."""
    if REVIEW_LEVEL_KEY in table:
        return _flag(table, REVIEW_LEVEL_KEY, where, default=False)
    return None if "format" in table else False


def _check(rule: Any, value: Any, where: str) -> Any:
    if not rule.check(value):
        raise ManifestError(f"{where}={value!r}: {rule.sentence}")
    return value


def _flag(table: Mapping[str, Any], key: str, where: str, *, default: bool = True) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ManifestError(f"{where}: {key}={value!r}: must be true or false")
    return value


def _optional(table: Mapping[str, Any], key: str, read: Any) -> Any:
    value = table.get(key)
    return None if value is None else read(value)


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(f"{where}: must be a table (TOML) / object (JSON), got {value!r}")
    return value


def _known_keys(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise ManifestError(f"{where}: unknown key {key!r}; allowed: {', '.join(allowed)}")
