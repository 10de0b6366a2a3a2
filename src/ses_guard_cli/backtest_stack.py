"""The reputation alarms of a synthesized stack folder or of a Terraform plan, as a Policy.

``--stack DIR`` (``cdktf.out/stacks/<stack>``): the stack ships the guard's policy manifest
(``policy_manifest.json``, ``ses_guard_cli.stack_manifest``), the same document a policy file is, so
both become alarms the same way (``backtest_policy``); its Region is its AWS provider's. No Terraform
expression is read back.

``--plan-json FILE`` (``terraform show -json`` of a saved plan, or of the state): the guard's alarms as
Terraform resolved them (``plan_json``), each read into the alarm the backtest replays, in the order a
manifest gives them (account, each set, the fleet; bounce then complaint; warning then critical); its
Region is what its ``aws_region`` data source read.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ses_guard_cli import plan_json, stack_manifest
from ses_guard_cli.backtest_policy import Policy, PolicyError, ReplayAlarm, policy_from_manifest
from ses_guard_policy import contract, fleet_query
from ses_guard_policy.evaluation import AlarmRule


def load_stack(stack_dir: Path) -> Policy:
    try:
        guard = stack_manifest.load(stack_dir)
    except stack_manifest.StackManifestError as exc:
        raise PolicyError(f"--stack {exc}") from exc
    policy = policy_from_manifest(guard, source=str(stack_dir))
    return policy if policy.region else replace(policy, region=stack_manifest.stack_region(stack_dir))


def load_plan(path: Path, name_prefix: str | None = None) -> Policy:
    """The reputation alarms of the guard ``name_prefix`` (or the only guard) planned in ``path``."""
    try:
        guard = plan_json.select(plan_json.load(path), name_prefix)
        return policy_from_plan(guard)
    except plan_json.PlanError as exc:
        raise PolicyError(str(exc)) from exc


def policy_from_plan(guard: plan_json.PlannedGuard) -> Policy:
    own_sets = frozenset(guard.configuration_sets())
    alarms = [_replay_alarm(alarm, guard, own_sets) for alarm in guard.reputation_alarms()]
    if not alarms:
        raise PolicyError(f"{guard.where}: no reputation alarm: nothing to replay")
    return Policy(guard.name_prefix, guard.where, tuple(sorted(alarms, key=_manifest_order)), region=guard.region)


def _replay_alarm(
    alarm: plan_json.PlannedResource, guard: plan_json.PlannedGuard, own_sets: frozenset[str]
) -> ReplayAlarm:
    where = f"{guard.source}: {alarm.address}"
    tags = alarm.get("tags", guard.source)
    scope, tier, action = (tags.get(key) for key in (contract.TAG_SCOPE, contract.TAG_TIER, contract.TAG_ACTION))
    if scope not in contract.SCOPES or tier not in contract.TIERS or action not in contract.ACTIONS:
        raise PolicyError(
            f"{where}: tags scope={scope!r}, tier={tier!r}, action={action!r}: must be one of {contract.SCOPES}, "
            f"{contract.TIERS} and {contract.ACTIONS} (an alarm tagged {contract.TAG_GUARD} is a guard's)"
        )
    excluded: frozenset[str] = frozenset()
    if scope == contract.SCOPE_FLEET:
        queries = [q for q in alarm.get("metric_query", guard.source) or [] if q.get("return_data", True)]
        query = fleet_query.parse(str(queries[0].get("expression") or "")) if len(queries) == 1 else None
        if query is None or not fleet_query.is_fleet_query(query) or query.statistic is None:
            raise PolicyError(f"{where}: a fleet alarm without the fleet's Metrics Insights query")
        metric, statistic, period = query.metric, query.statistic, queries[0].get("period")
        excluded = own_sets | frozenset(query.excluded_sets)  # a set with its own policy: only its own alarms
    else:
        metric, statistic = alarm.get("metric_name", guard.source), alarm.get("statistic", guard.source)
        period = alarm.get("period", guard.source)
    if metric not in contract.REPUTATION_METRICS:
        raise PolicyError(f"{where}: metric {metric!r}: a guard's alarm watches one of {contract.REPUTATION_METRICS}")
    configuration_set = None
    if scope == contract.SCOPE_CONFIGURATION_SET:
        dimensions = alarm.get("dimensions", guard.source) or {}
        configuration_set = tags.get(contract.TAG_CONFIGURATION_SET) or dimensions.get(
            contract.DIMENSION_CONFIGURATION_SET
        )
    evaluation_periods = alarm.get("evaluation_periods", guard.source)
    try:
        rule = AlarmRule(
            threshold=alarm.get("threshold", guard.source),
            comparison=alarm.get("comparison_operator", guard.source),
            period_seconds=period,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=alarm.values.get("datapoints_to_alarm") or evaluation_periods,
            treat_missing_data=alarm.values.get("treat_missing_data") or "missing",
        )
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"{where}: {exc}") from exc
    name = str(alarm.get("alarm_name", guard.source))
    return ReplayAlarm(name, scope, configuration_set, metric, tier, action, statistic, rule, excluded)


def _manifest_order(alarm: ReplayAlarm) -> tuple[int, str, int, int]:
    return (
        contract.SCOPES.index(alarm.scope),
        alarm.configuration_set or "",
        contract.REPUTATION_METRICS.index(alarm.metric),
        contract.TIERS.index(alarm.tier),
    )
