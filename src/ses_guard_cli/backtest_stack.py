"""Read the reputation alarms of a synthesized stack folder (``cdktf.out/stacks/<stack>``) as a Policy.

Only the few Terraform forms the guard's constructs write are understood, and anything else is an
error naming the resource, never a guess:
- ``for_each = "${local.X}"`` where local X is ``jsondecode(file("${path.module}/<asset>"))`` (the
  per-set records shipped beside the stack) or ``{for name, s in local.Y : name => s if s.<flag>}``;
- ``${each.key}`` and ``${each.value.<field>}`` inside the alarm's attributes and tags;
- Metrics Insights alarms (``metric_query`` with ``SELECT <FN>("Reputation.<Rate>") FROM
  SCHEMA("AWS/SES", "ses:configuration-set") ... GROUP BY``): one contributor per set.
What an alarm does comes from its tags (tier, action, scope, configuration set), as for the function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from ses_guard_cli.backtest_policy import SCOPE_FLEET, SCOPES, STATISTICS, Policy, PolicyError, ReplayAlarm
from ses_guard_policy import contract
from ses_guard_policy.evaluation import MISSING, AlarmRule

STACK_FILE: Final = "cdk.tf.json"
ALARM_RESOURCE: Final = "aws_cloudwatch_metric_alarm"
INSIGHTS_FUNCTIONS: Final = {"MAX": "Maximum", "AVG": "Average", "MIN": "Minimum", "SUM": "Sum", "COUNT": "SampleCount"}
_INSIGHTS = re.compile(r"SELECT\s+(MAX|AVG|MIN|SUM|COUNT)\(\s*\"?(Reputation\.\w+)\"?\s*\)", re.IGNORECASE)
_LOCAL_REF = re.compile(r"^\$\{local\.(\w+)\}$")
_FILE_LOCAL = re.compile(r'^\$\{jsondecode\(file\("\$\{path\.module\}/([^"]+)"\)\)\}$')
_FILTER_LOCAL = re.compile(r"^\$\{\{for (\w+), (\w+) in local\.(\w+) : \1 => \2 if \2\.(\w+)\}\}$")
_EACH = re.compile(r"\$\{each\.(key|value\.(\w+))\}")


def load_stack(stack_dir: Path) -> Policy:
    path = stack_dir / STACK_FILE
    try:
        config = json.loads(path.read_text())
    except OSError as exc:
        raise PolicyError(f"--stack {stack_dir}: no readable {STACK_FILE} ({exc.strerror}); run `make synth`") from exc
    except json.JSONDecodeError as exc:
        raise PolicyError(f"--stack {stack_dir}: {STACK_FILE} is not valid JSON: {exc}") from exc
    resources = config.get("resource", {}).get(ALARM_RESOURCE, {})
    locals_ = config.get("locals", {})
    alarms: list[ReplayAlarm] = []
    explicit_sets: set[str] = set()
    for resource_id, resource in sorted(resources.items()):
        if not _is_reputation_alarm(resource):
            continue
        for key, value in _instances(resource, resource_id, locals_, stack_dir):
            alarm = _replay_alarm(_substitute(resource, key, value), f"{ALARM_RESOURCE}.{resource_id}")
            alarms.append(alarm)
            if alarm.configuration_set:
                explicit_sets.add(alarm.configuration_set)
    if not alarms:
        raise PolicyError(f"--stack {stack_dir}: {STACK_FILE} holds no SES reputation alarm")
    # Sets with their own policy are judged only by their own alarms (the function's per-set table).
    excluded = frozenset(explicit_sets)
    alarms = [replace(a, excluded_sets=excluded) if a.scope == SCOPE_FLEET else a for a in alarms]
    return Policy(stack_dir.name, str(stack_dir), tuple(alarms))


def _is_reputation_alarm(resource: Mapping[str, Any]) -> bool:
    if resource.get("namespace") == contract.SES_NAMESPACE:
        return resource.get("metric_name") in contract.REPUTATION_METRICS
    return any(_INSIGHTS.search(str(q.get("expression", ""))) for q in resource.get("metric_query", []) or [])


def _instances(
    resource: Mapping[str, Any], resource_id: str, locals_: Mapping[str, Any], stack_dir: Path
) -> list[tuple[str | None, Mapping[str, Any]]]:
    count = resource.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count not in (0, 1):
        raise PolicyError(f"{ALARM_RESOURCE}.{resource_id} count = {count!r}: only a literal 0 or 1 is understood")
    if count == 0:
        return []
    for_each = resource.get("for_each")
    if for_each is None:
        return [(None, {})]
    records = _resolve_local(for_each, locals_, stack_dir, f"{ALARM_RESOURCE}.{resource_id} for_each")
    return sorted(records.items())


def _resolve_local(expression: Any, locals_: Mapping[str, Any], stack_dir: Path, where: str) -> dict[str, Any]:
    reference = _LOCAL_REF.match(str(expression))
    if not reference or reference.group(1) not in locals_:
        raise PolicyError(f"{where} = {expression!r}: only a reference to a local value is understood")
    name = reference.group(1)
    value = str(locals_[name])
    file_form = _FILE_LOCAL.match(value)
    if file_form:
        asset = stack_dir / file_form.group(1)
        try:
            loaded = json.loads(asset.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise PolicyError(f"{where}: local.{name} reads {asset}, which is missing or not JSON: {exc}") from exc
        if not isinstance(loaded, dict):
            raise PolicyError(f"{where}: {asset} must hold a JSON object (set name -> record)")
        return loaded
    filter_form = _FILTER_LOCAL.match(value)
    if filter_form:
        source = _resolve_local(f"${{local.{filter_form.group(3)}}}", locals_, stack_dir, where)
        flag = filter_form.group(4)
        return {key: record for key, record in source.items() if record.get(flag)}
    raise PolicyError(f"{where}: local.{name} = {value[:120]!r} is not a form the backtest understands")


def _substitute(value: Any, key: str | None, record: Mapping[str, Any]) -> Any:
    """``${each.key}`` / ``${each.value.x}`` replaced; a string that is one whole reference keeps its type."""
    if isinstance(value, dict):
        return {k: _substitute(v, key, record) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, key, record) for v in value]
    if not isinstance(value, str) or key is None:
        return value
    whole = _EACH.fullmatch(value)
    if whole:
        return key if whole.group(1) == "key" else record.get(whole.group(2), value)
    return _EACH.sub(lambda m: key if m.group(1) == "key" else str(record.get(m.group(2), m.group(0))), value)


def _replay_alarm(resource: Mapping[str, Any], where: str) -> ReplayAlarm:
    tags = resource.get("tags") or {}
    name = _literal(resource.get("alarm_name"), str, f"{where} alarm_name")
    tier = _choice(tags.get(contract.TAG_TIER), contract.TIERS, f"{where} tag {contract.TAG_TIER}")
    action = _choice(tags.get(contract.TAG_ACTION), contract.ACTIONS, f"{where} tag {contract.TAG_ACTION}")
    scope = _choice(tags.get(contract.TAG_SCOPE), SCOPES, f"{where} tag {contract.TAG_SCOPE}")
    metric, statistic, period = _metric(resource, where)
    configuration_set = None
    if scope == contract.SCOPE_CONFIGURATION_SET:
        tagged_set = tags.get(contract.TAG_CONFIGURATION_SET)
        configuration_set = _literal(tagged_set, str, f"{where} tag {contract.TAG_CONFIGURATION_SET}")
    evaluation_periods = _literal(resource.get("evaluation_periods"), int, f"{where} evaluation_periods")
    try:
        rule = AlarmRule(
            threshold=_literal(resource.get("threshold"), (int, float), f"{where} threshold"),
            comparison=_literal(resource.get("comparison_operator"), str, f"{where} comparison_operator"),
            period_seconds=period,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=_literal(resource.get("datapoints_to_alarm", evaluation_periods), int, where),
            treat_missing_data=_literal(resource.get("treat_missing_data", MISSING), str, where),
        )
    except ValueError as exc:
        raise PolicyError(f"{where}: {exc}") from exc
    return ReplayAlarm(name, scope, configuration_set, metric, tier, action, statistic, rule)


def _metric(resource: Mapping[str, Any], where: str) -> tuple[str, str, int]:
    """(metric name, statistic, period) of a metric alarm or a Metrics Insights alarm."""
    if resource.get("metric_name"):
        statistic = _choice(resource.get("statistic"), STATISTICS, f"{where} statistic")
        return resource["metric_name"], statistic, _literal(resource.get("period"), int, f"{where} period")
    for query in resource.get("metric_query", []):
        match = _INSIGHTS.search(str(query.get("expression", "")))
        if match:
            if "GROUP BY" not in str(query["expression"]).upper():
                raise PolicyError(f"{where}: Metrics Insights query without GROUP BY: not a per-set fleet alarm")
            period = _literal(query.get("period"), int, f"{where} metric_query.period")
            return match.group(2), INSIGHTS_FUNCTIONS[match.group(1).upper()], period
    raise PolicyError(f"{where}: names no SES reputation metric")


def _literal(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise PolicyError(f"{where} = {value!r}: needs a literal value here (unresolved Terraform expression?)")
    return value


def _choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if value not in allowed:
        raise PolicyError(f"{where} = {value!r}: must be one of {', '.join(allowed)}")
    return str(value)
