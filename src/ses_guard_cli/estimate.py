"""``ses-guard estimate``: what a guard costs per month and how long Terraform needs to create,
refresh and destroy it, for a synthesized stack, a Terraform plan or a module configuration.

    ses-guard estimate --stack-dir cdktf.out          # every stack `make synth` wrote
    ses-guard estimate --stack cdktf.out/stacks/fleet
    ses-guard estimate --plan-json plan.json [--fleet-sets 2500]   # terraform show -json of a module root
    ses-guard estimate --module-config guard.tfvars.json
    ses-guard estimate --stack cdktf.out/stacks/sweep --sweep-sets 10000 [--sweep-run-seconds 40]
    ses-guard estimate --compare 10,1000,10000         # per-set, fleet and sweep mode side by side

Fleet alarms are priced per metric their queries analyze, which depends on how many sets publish
reputation metrics in the Region: nothing in a stack says so. Unless ``--fleet-sets N`` is given the
estimate assumes as many as the stack (or plan, or configuration) names, and says so before any figure.
A sweep's queries are priced the same way (``--sweep-sets N``), with the run's other parts
(``estimate_sweep``): GetMetricData, Lambda, DynamoDB, EventBridge and CloudWatch Logs.

``estimate(composition)`` is a pure function over counts; the readers only count. Prices and API
quotas come from ``pricing`` (one table, each with its source and date; us-east-1). Times are lower
bounds set by the default request quotas: Terraform makes one PutMetricAlarm per alarm on create,
one DescribeAlarms (and one ListTagsForResource) per alarm on every refresh, one DeleteAlarms per
alarm on destroy, and CloudWatch throttles each operation separately.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from ses_guard_cli import plan_json, stack_manifest
from ses_guard_cli.estimate_sweep import (
    FUNCTION_MEMORY_MB,
    RUN_SECONDS_DEFAULT,
    SweepRun,
    sweep_lines,
    sweep_notes,
    sweep_run_of,
)
from ses_guard_cli.pricing import API_QUOTAS, PRICE_REGION, PRICES, CostLine
from ses_guard_policy import manifest, rules

# What one guard always creates besides its reputation alarms (checked against a synthesized stack by
# tests/cli/test_estimate.py): the function's error and dead-letter alarms, one KMS key, one function,
# and one dashboard unless it opts out (``dashboard=False``).
GUARD_HEALTH_ALARMS: Final = 2
GUARD_KMS_KEYS: Final = 1
GUARD_FUNCTIONS: Final = 1
GUARD_DASHBOARDS: Final = 1
METRICS: Final = 2  # bounce and complaint rates


class EstimateError(ValueError):
    """The input cannot be counted; the message says what and why."""


@dataclass(frozen=True)
class Composition:
    """What one stack (or module configuration) deploys, in the units AWS bills and throttles."""

    name: str
    standard_alarms: int
    """Alarms on one metric each (reputation per account and per set, function health)."""
    metrics_insights_alarms: int = 0
    """Fleet alarms (one Metrics Insights query each)."""
    fleet_sets: int = 0
    """Configuration sets each fleet query sees (publishing reputation metrics, not left out)."""
    dashboards: int = 0
    kms_keys: int = 0
    functions: int = 0
    sweep: SweepRun | None = None
    """A sweep guard's scheduled run (None: no sweep)."""
    notes: tuple[str, ...] = ()
    """What the counts assume (printed before any figure, each after ``assumed:``)."""

    @property
    def alarms(self) -> int:
        return self.standard_alarms + self.metrics_insights_alarms

    @property
    def metrics_analyzed(self) -> int:
        """Metrics the fleet queries analyze: a query processes at most 10,000 metrics."""
        return self.metrics_insights_alarms * min(self.fleet_sets, rules.METRICS_INSIGHTS_METRICS_MATCHED_MAX)


@dataclass(frozen=True)
class Estimate:
    composition: Composition
    lines: tuple[CostLine, ...]
    create_seconds: float
    refresh_seconds: float
    destroy_seconds: float

    @property
    def confirmed_usd(self) -> float:
        return sum(line.monthly_usd for line in self.lines if line.confirmed)

    @property
    def assumed_usd(self) -> float:
        """The part of the monthly price that rests on an unconfirmed rate."""
        return sum(line.monthly_usd for line in self.lines if not line.confirmed)

    @property
    def monthly_usd(self) -> float:
        return self.confirmed_usd + self.assumed_usd


def estimate(composition: Composition) -> Estimate:
    """Monthly list price (before free tiers, which the account shares) and Terraform's times."""
    c = composition
    lines: tuple[CostLine, ...] = (
        CostLine("standard alarms", c.standard_alarms, "standard_alarm"),
        CostLine("Metrics Insights: metrics analyzed", c.metrics_analyzed, "metrics_insights_metric_analyzed"),
        CostLine("dashboards", c.dashboards, "dashboard"),
        CostLine("KMS keys", c.kms_keys, "kms_key"),
        CostLine("Lambda functions at idle", c.functions, "lambda_idle"),
    )
    if c.sweep is not None:
        lines += sweep_lines(c.sweep)
    per_second = {name: quota.per_second for name, quota in API_QUOTAS.items()}
    return Estimate(
        composition=c,
        lines=lines,
        create_seconds=c.alarms / per_second["PutMetricAlarm"],
        refresh_seconds=c.alarms / min(per_second["DescribeAlarms"], per_second["ListTagsForResource"]),
        destroy_seconds=c.alarms / per_second["DeleteAlarms"],
    )


def guard_composition(
    name: str,
    *,
    per_set_sets: int = 0,
    per_set_warning_sets: int | None = None,
    account_alarms: int = METRICS * 2,
    fleet_alarms: int = 0,
    fleet_sets: int = 0,
    dashboards: int = GUARD_DASHBOARDS,
    sweep: SweepRun | None = None,
) -> Composition:
    """One guard: per-set alarms (2 critical per set, 2 warning per set with warnings), account and
    fleet alarms, and the parts every guard has."""
    warning_sets = per_set_sets if per_set_warning_sets is None else per_set_warning_sets
    return Composition(
        name=name,
        standard_alarms=METRICS * (per_set_sets + warning_sets) + account_alarms + GUARD_HEALTH_ALARMS,
        metrics_insights_alarms=fleet_alarms,
        fleet_sets=fleet_sets if fleet_alarms else 0,
        dashboards=dashboards,
        kms_keys=GUARD_KMS_KEYS,
        functions=GUARD_FUNCTIONS,
        sweep=sweep,
    )


MODES: Final = ("per-set", "fleet", "sweep")


def mode_composition(mode: str, sets: int) -> Composition:
    """``sets`` configuration sets guarded per set (``per-set``) or by the fleet (``fleet``), with the
    account alarms and every warning tier on; or by the hourly sweep (``sweep``), which judges the
    account in its run and needs no reputation alarm."""
    if mode == "per-set":
        return guard_composition(f"per-set, {sets:,} sets", per_set_sets=sets)
    if mode == "fleet":
        return guard_composition(f"fleet, {sets:,} sets", fleet_alarms=METRICS * 2, fleet_sets=sets)
    if mode == "sweep":
        return guard_composition(f"sweep, {sets:,} sets", account_alarms=0, sweep=SweepRun(sets))
    raise EstimateError(f"mode {mode!r}: must be one of {', '.join(MODES)}")


# --- reading a synthesized stack ----------------------------------------------------------------
def composition_from_manifest(
    guard: manifest.Manifest,
    name: str,
    *,
    dashboards: int = GUARD_DASHBOARDS,
    fleet_sets: int | None = None,
    sweep_sets: int | None = None,
    sweep_run_seconds: float | None = None,
) -> tuple[Composition, list[str]]:
    """What a guard's deployed policy creates and runs, and the notes on what was assumed."""
    notes: list[str] = []
    account = guard.account
    account_alarms = METRICS * len(account.tiers()) if account is not None and account.enabled else 0
    fleet = guard.fleet
    fleet_alarms = METRICS * len(fleet.tiers()) if fleet is not None and fleet.enabled else 0
    explicit = len(guard.configuration_sets)
    if fleet_alarms:
        fleet_sets, notes = fleet_assumption(explicit, fleet_sets, "the stack")
    composition = guard_composition(
        name,
        per_set_sets=explicit,
        per_set_warning_sets=sum(1 for target in guard.configuration_sets.values() if target.warning_alarms),
        account_alarms=account_alarms,
        fleet_alarms=fleet_alarms,
        fleet_sets=fleet_sets or 0,
        dashboards=dashboards,
    )
    sweep_sets, sweep_assumed = sweep_assumption(explicit, sweep_sets, "the stack")
    run = sweep_run_of(guard, sweep_sets, sweep_run_seconds)
    if run is not None:
        notes += sweep_assumed + sweep_notes(run, sweep_run_seconds is not None)
        composition = replace(composition, sweep=run)
    if guard.hub is not None:
        notes.append(hub_note(guard.hub))
    return composition, notes


def hub_note(hub: manifest.Hub) -> str:
    """A hub's run queries each member Region with the member's own credentials: billed to the member."""
    return (
        f"hub: {len(hub.members)} member account(s), {hub.member_regions()} member Region(s); each member "
        "Region's queries run with the member's credentials and are billed to that account, at this stack's "
        "sweep price per Region for the same number of sets (the hub pays its own Region and the function's "
        "longer run: priced here only for its own Region)"
    )


def sweep_assumption(known_sets: int, sweep_sets: int | None, names: str) -> tuple[int, list[str]]:
    """How many sets the sweep's queries analyze: ``sweep_sets`` (``--sweep-sets``) when given, else as many
    as ``names`` names, and the note saying so."""
    if sweep_sets is not None:
        return sweep_sets, []
    note = (
        f"the sweep queries analyze {known_sets:,} configuration set{'' if known_sets == 1 else 's'}, as many as "
        f"{names} names (how many sets publish reputation metrics in the Region is not in it): pass "
        f"--sweep-sets N for that number (at most {rules.MAX_CONFIGURATION_SETS:,})"
    )
    return known_sets, [note]


def fleet_assumption(known_sets: int, fleet_sets: int | None, names: str) -> tuple[int, list[str]]:
    """How many sets the fleet queries see: ``fleet_sets`` (``--fleet-sets``) when given, else as many as
    ``names`` (the stack, the plan, ...) names, and the note saying so."""
    if fleet_sets is not None:
        return fleet_sets, []
    note = (
        f"the fleet queries analyze {known_sets:,} configuration set{'' if known_sets == 1 else 's'}, as many as "
        f"{names} names (how many sets publish reputation metrics in the Region is not in it): pass "
        f"--fleet-sets N for that number (at most {rules.MAX_CONFIGURATION_SETS:,})"
    )
    return known_sets, [note]


def composition_from_stack(
    stack_dir: Path,
    *,
    fleet_sets: int | None = None,
    sweep_sets: int | None = None,
    sweep_run_seconds: float | None = None,
) -> Composition:
    """Count the billable parts of a synthesized stack from the policy manifest it ships."""
    try:
        guard = stack_manifest.load(stack_dir)
    except stack_manifest.StackManifestError as exc:
        raise EstimateError(str(exc)) from exc
    try:
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
    except ValueError as exc:
        raise EstimateError(f"{stack_dir / 'cdk.tf.json'}: not valid JSON: {exc}") from exc
    dashboards = len(config.get("resource", {}).get("aws_cloudwatch_dashboard", {}))
    composition, notes = composition_from_manifest(
        guard,
        stack_dir.name,
        dashboards=dashboards,
        fleet_sets=fleet_sets,
        sweep_sets=sweep_sets,
        sweep_run_seconds=sweep_run_seconds,
    )
    return replace(composition, notes=tuple(notes))


def compositions_from_outdir(outdir: Path, **counts: Any) -> list[Composition]:
    """Every guard stack of a cdktf output folder; ``counts``: ``composition_from_stack``'s keywords. A stack
    without a guard (a hub's member stack holds only the member role: IAM is free) is left out."""
    stacks = sorted(p for p in (outdir / "stacks").glob("*") if (p / "cdk.tf.json").is_file())
    if not stacks:
        raise EstimateError(f"{outdir}: no stacks/<name>/cdk.tf.json (run `make synth` first)")
    guarded = [stack for stack in stacks if stack_manifest.manifest_paths(stack)]
    if not guarded:
        raise EstimateError(f"{outdir}: no stack holds a guard (a {manifest.FILE_NAME} asset)")
    return [composition_from_stack(stack, **counts) for stack in guarded]


# --- reading a Terraform plan (terraform show -json) ---------------------------------------------
def compositions_from_plan(path: Path, **counts: Any) -> list[Composition]:
    """Count what each guard in the plan deploys: its module's planned resources, as Terraform resolved
    them (``plan_json``); the fleet's and the sweep's sets as for a stack."""
    try:
        guards = plan_json.load(path)
    except plan_json.PlanError as exc:
        raise EstimateError(str(exc)) from exc
    return [composition_from_planned_guard(guard, **counts) for guard in guards]


def composition_from_planned_guard(
    guard: plan_json.PlannedGuard,
    *,
    fleet_sets: int | None = None,
    sweep_sets: int | None = None,
    sweep_run_seconds: float | None = None,
) -> Composition:
    alarms = guard.of_type(plan_json.ALARM_TYPE)
    insights = sum(1 for alarm in alarms if alarm.values.get("metric_query"))
    notes: list[str] = []
    if insights:
        fleet_sets, notes = fleet_assumption(len(guard.configuration_sets()), fleet_sets, "the plan")
    name = guard.name_prefix if guard.module == plan_json.ROOT_MODULE else f"{guard.module} ({guard.name_prefix})"
    run = planned_sweep_run(guard, sweep_sets, sweep_run_seconds)
    if run is not None:
        known = len(guard.configuration_sets())
        sets, assumed = sweep_assumption(known, sweep_sets, "the plan")
        run = replace(run, sets=sets)
        notes += [*assumed, *sweep_notes(run, sweep_run_seconds is not None), PLANNED_SWEEP_ACCOUNT_NOTE]
    return Composition(
        name=name,
        standard_alarms=len(alarms) - insights,
        metrics_insights_alarms=insights,
        fleet_sets=(fleet_sets or 0) if insights else 0,
        dashboards=len(guard.of_type("aws_cloudwatch_dashboard")),
        kms_keys=len(guard.of_type("aws_kms_key")),
        functions=len(guard.of_type("aws_lambda_function")),
        sweep=run,
        notes=tuple(notes),
    )


SCHEDULE_TYPES: Final = ("aws_cloudwatch_event_rule", "aws_scheduler_schedule")
PLANNED_SWEEP_ACCOUNT_NOTE: Final = (
    "the sweep judges the account in every run (2 more metrics a run; the plan does not say whether it does)"
)


def planned_sweep_run(
    guard: plan_json.PlannedGuard, sweep_sets: int | None, run_seconds: float | None
) -> SweepRun | None:
    """The sweep a planned guard schedules: its EventBridge schedule's ``rate(...)`` (None: no schedule)."""
    expressions = [
        str(resource.values.get("schedule_expression") or "")
        for kind in SCHEDULE_TYPES
        for resource in guard.of_type(kind)
        if resource.values.get("schedule_expression")
    ]
    if not expressions:
        return None
    minutes = schedule_minutes(expressions[0], guard.where)
    memory = [f.values.get("memory_size") for f in guard.of_type("aws_lambda_function")]
    memory_mb = next((m for m in memory if isinstance(m, int)), FUNCTION_MEMORY_MB)
    seconds = RUN_SECONDS_DEFAULT if run_seconds is None else run_seconds
    return SweepRun(sweep_sets or 0, minutes, run_seconds=seconds, memory_mb=memory_mb)


def schedule_minutes(expression: str, where: str) -> int:
    """Minutes between runs of ``rate(N minute[s]|hour[s]|day[s])``; other expressions are refused."""
    match = re.fullmatch(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)", expression.strip())
    if match is None:
        raise EstimateError(
            f"{where}: schedule_expression {expression!r}: only rate(N minutes|hours|days) can be priced"
        )
    unit = {"minute": 1, "hour": 60, "day": 1440}[match.group(2).rstrip("s")]
    return int(match.group(1)) * unit


# --- reading a module configuration -------------------------------------------------------------
def composition_from_module_config(
    path: Path,
    *,
    fleet_sets: int | None = None,
    sweep_sets: int | None = None,
    sweep_run_seconds: float | None = None,
) -> Composition:
    """Count what the generated module deploys for the variables in ``path`` (a ``.tfvars.json``).
    Optional attributes take the module's defaults (warning tiers, account alarms and dashboard on)."""
    try:
        variables = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EstimateError(f"{path}: cannot read a JSON object of module variables: {exc}") from exc
    if not isinstance(variables, dict):
        raise EstimateError(f"{path}: must hold a JSON object of module variables, got {type(variables).__name__}")
    sets = _mapping(variables.get("configuration_sets") or {}, "configuration_sets", path)
    account = _mapping(variables.get("account_policy") or {}, "account_policy", path)
    fleet = variables.get("fleet_policy")
    account_tiers = (1 + (account.get("warning_alarms", True) is not False)) if account.get("enabled", True) else 0
    fleet_alarms = 0
    notes: list[str] = []
    if fleet is not None:
        fleet = _mapping(fleet, "fleet_policy", path)
        fleet_alarms = METRICS * (1 + (fleet.get("warning_alarms", True) is not False))
        fleet_sets, notes = fleet_assumption(len(sets), fleet_sets, "the configuration")
    composition = guard_composition(
        path.name,
        per_set_sets=len(sets),
        per_set_warning_sets=sum(
            1
            for s in sets.values()
            if _mapping(s, "configuration_sets item", path).get("warning_alarms", True) is not False
        ),
        account_alarms=METRICS * account_tiers,
        fleet_alarms=fleet_alarms,
        fleet_sets=fleet_sets or 0,
        dashboards=GUARD_DASHBOARDS if variables.get("dashboard", True) is not False else 0,
    )
    run = _module_sweep_run(variables.get("sweep_policy"), path, sweep_run_seconds)
    if run is not None:
        sets_seen, assumed = sweep_assumption(len(sets), sweep_sets, "the configuration")
        run = replace(run, sets=sets_seen)
        notes += assumed + sweep_notes(run, sweep_run_seconds is not None)
    return replace(composition, sweep=run, notes=tuple(notes))


def _module_sweep_run(value: Any, path: Path, run_seconds: float | None) -> SweepRun | None:
    """The module variable ``sweep_policy`` (null: no sweep) as the run it schedules (its sets set later)."""
    if value is None:
        return None
    policy = _mapping(value, "sweep_policy", path)
    if policy.get("enabled", True) is False:
        return None
    minutes = policy.get("schedule_minutes", rules.SWEEP_SCHEDULE_MINUTES_DEFAULT)
    if not rules.SWEEP_SCHEDULE_MINUTES.check(minutes):
        rule = rules.SWEEP_SCHEDULE_MINUTES.sentence
        raise EstimateError(f"{path}: sweep_policy.schedule_minutes={minutes!r}: {rule}")
    seconds = RUN_SECONDS_DEFAULT if run_seconds is None else run_seconds
    return SweepRun(0, minutes, policy.get("evaluate_account", True) is not False, run_seconds=seconds)


def _mapping(value: Any, name: str, path: Path) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise EstimateError(f"{path}: {name} must be a JSON object, got {value!r}")
    return value


# --- output -------------------------------------------------------------------------------------
def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


ASSUMED_RATE: Final = "assumed rate"
"""Stands right before every figure that rests on a price no AWS page confirms."""


def money(usd: float) -> str:
    """A unit price: cents for a cent or more, else every significant digit ($0.0000166667)."""
    if usd == 0 or usd >= 0.01:
        return f"${usd:.2f}"
    return "$" + f"{usd:.12f}".rstrip("0")


def quantity_text(quantity: float) -> str:
    """A monthly quantity: whole numbers with thousands separators, small fractions to 4 significant digits."""
    if quantity >= 100 or quantity == int(quantity):
        return f"{quantity:,.0f}"
    return f"{quantity:.4g}"


def render(result: Estimate) -> str:
    """A plain-text report: the name, what it assumed (before any figure), one line per billable part,
    the total, the three times."""
    c = result.composition
    lines = [f"{c.name}:"]
    lines.extend(f"  assumed: {note}" for note in c.notes)
    lines.append(f"  alarms: {c.standard_alarms:,} standard + {c.metrics_insights_alarms} Metrics Insights")
    if c.sweep is not None:
        lines.append(
            f"  sweep: a run every {c.sweep.schedule_minutes} min ({c.sweep.runs_per_month:,.0f} a month), "
            f"{c.sweep.metrics_analyzed_per_run:,} metrics analyzed a run"
            f"{' + the account' if c.sweep.evaluate_account else ''}"
        )
    for line in result.lines:
        if not line.quantity and line.price_key != "standard_alarm":
            continue
        price = PRICES[line.price_key]
        unit = money(price.usd) if price.confirmed else f"{ASSUMED_RATE} {money(price.usd)}"
        lines.append(
            f"  {line.part:<42} {quantity_text(line.quantity):>12} x {unit:<26} = ${line.monthly_usd:>10,.2f}/month"
        )
    assumed = f" + at an {ASSUMED_RATE} ${result.assumed_usd:,.2f}" if result.assumed_usd else ""
    lines.append(f"  monthly list price ({PRICE_REGION}, before free tiers): ${result.confirmed_usd:,.2f}{assumed}")
    rate = {name: f"{quota.per_second:g}/s" for name, quota in API_QUOTAS.items()}
    lines.append(
        f"  terraform at the default quotas: create >= {_duration(result.create_seconds)} (PutMetricAlarm "
        f"{rate['PutMetricAlarm']}), refresh >= {_duration(result.refresh_seconds)} (DescribeAlarms "
        f"{rate['DescribeAlarms']}), destroy >= {_duration(result.destroy_seconds)} "
        f"(DeleteAlarms {rate['DeleteAlarms']})"
    )
    if c.metrics_insights_alarms:
        lines.append(
            f"  Metrics Insights alarms: {c.metrics_insights_alarms} of {rules.METRICS_INSIGHTS_ALARMS_PER_REGION} "
            "per account and Region (this guard only: count the Region's other ones yourself)"
        )
    return "\n".join(lines)


def render_sources() -> str:
    lines = [f"Prices (us-east-1 list prices; checked {PRICES['standard_alarm'].checked} unless said):"]
    for key, price in PRICES.items():
        status = "" if price.confirmed else " UNCONFIRMED:"
        note = f" ({price.note})" if price.note else ""
        checked = "" if price.checked == PRICES["standard_alarm"].checked else f" Checked {price.checked}."
        lines.append(f"  {key}: {money(price.usd)} per {price.unit}{note}.{status}{checked} Source: {price.source}")
    for operation, quota in API_QUOTAS.items():
        lines.append(f"  {operation}: {quota.per_second:g} per second. Source: {quota.source}")
    return "\n".join(lines)


def render_comparison(set_counts: Sequence[int]) -> str:
    """A Markdown table: per-set mode against fleet mode at each number of sets."""
    rows = [
        "| sets | mode | standard alarms | Metrics Insights alarms | metrics analyzed | $/month (confirmed) | "
        "$/month (assumed MI rate) | create >= | refresh >= |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for sets in set_counts:
        for mode in ("per-set", "fleet"):
            r = estimate(mode_composition(mode, sets))
            c = r.composition
            rows.append(
                f"| {sets:,} | {mode} | {c.standard_alarms:,} | {c.metrics_insights_alarms} | {c.metrics_analyzed:,} | "
                f"{r.confirmed_usd:,.2f} | {r.assumed_usd:,.2f} | {_duration(r.create_seconds)} | "
                f"{_duration(r.refresh_seconds)} |"
            )
    return "\n".join(rows)
