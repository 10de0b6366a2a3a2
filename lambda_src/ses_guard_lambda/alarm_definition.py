"""Whether an alarm is the one the deployed policy made (docs/lambda.md, "Decision rule", step 4).

PutMetricAlarm on an existing alarm keeps its tags, so tags say whose alarm it is but not what it
measures: anyone allowed to call it can turn the statistic into ``SampleCount``, the threshold into
0.0001 or a fleet query into ``COUNT``. The definition CloudWatch reports is therefore compared with
the deployed policy (``ses_guard_policy.manifest``): statistic, period, M of N, missing-data
treatment, operator, threshold and, for the fleet, the query's function and grouping (read by
``cloudwatch_alarm``). Evidence is then judged by the deployed rule, never by the alarm's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ses_guard_policy import alarm_names, contract, evaluation, rules

from .cloudwatch_alarm import AlarmFacts
from .deployed_policy import DeployedPolicy

THRESHOLD_TOLERANCE = 1e-9  # relative: the threshold makes a round trip through HCL/JSON and CloudWatch


@dataclass(frozen=True)
class DeployedAlarm:
    """What the deployed policy says this alarm must be."""

    rule: evaluation.AlarmRule
    """Threshold (ratio 0-1), comparison, period, M of N and missing-data treatment."""
    statistic: str
    action: str
    source: str
    query: bool
    """A fleet alarm: one Metrics Insights query (``cloudwatch_alarm.query_problem`` checks its shape)."""
    """Which part of the policy, for notices: "the account policy", "configuration set X's policy" ..."""


def deployed_for(policy: DeployedPolicy | None, name: alarm_names.AlarmName) -> DeployedAlarm | str:
    """The deployed definition of the alarm called ``name``, or why the policy deploys no such alarm."""
    if policy is None:
        return f"no deployed policy manifest ({contract.ENV_POLICY_MANIFEST}): nothing to judge the alarm by"
    guard = policy.guard
    if name.scope == contract.SCOPE_ACCOUNT:
        target, settings, source = guard.account, guard.alarm, "the account policy"
    elif name.scope == contract.SCOPE_CONFIGURATION_SET:
        set_name = name.configuration_set or ""
        target, settings = policy.set_policy(set_name), guard.alarm
        source = f"configuration set {set_name!r}'s policy ({policy.parameter_name(set_name)})"
    else:
        target = guard.fleet
        settings, source = (guard.fleet.evaluation if guard.fleet else guard.alarm), "the fleet policy"
    if target is None:
        return f"the deployed policy holds no {source.removeprefix('the ')}: it deploys no such alarm"
    if not target.enabled:
        return f"{source} is disabled (enabled=false): it deploys no alarms"
    threshold = target.thresholds.of(contract.METRIC_SHORT_NAMES[name.metric], name.tier)
    query = name.scope == contract.SCOPE_FLEET
    return DeployedAlarm(settings.alarm_rule(threshold), settings.statistic, target.action, source, query)


def differences(alarm: AlarmFacts, deployed: DeployedAlarm) -> list[str]:
    """Every setting in which CloudWatch's alarm differs from the deployed one, naming both values."""
    rule = deployed.rule
    found = []
    if alarm.expressions and not deployed.query:
        found.append(f"metric math {list(alarm.expressions)!r} (deployed: the metric alone)")
    if alarm.statistic not in rules.ALARM_STATISTICS:
        found.append(
            f"statistic {alarm.statistic!r} (deployed {deployed.statistic!r}; the guard deploys no other: "
            f"{rules.ALARM_STATISTIC.sentence})"
        )
    elif alarm.statistic != deployed.statistic:
        found.append(f"statistic {alarm.statistic!r} (deployed {deployed.statistic!r})")
    settings = (
        ("period", alarm.period, rule.period_seconds),
        ("evaluation periods", alarm.evaluation_periods, rule.evaluation_periods),
        ("datapoints to alarm", alarm.datapoints_to_alarm, rule.datapoints_to_alarm),
        ("missing data", alarm.treat_missing_data, rule.treat_missing_data),
        ("operator", alarm.operator, rule.comparison),
    )
    found += [f"{what} {actual!r} (deployed {expected!r})" for what, actual, expected in settings if actual != expected]
    if alarm.threshold is None or not math.isclose(alarm.threshold, rule.threshold, rel_tol=THRESHOLD_TOLERANCE):
        found.append(f"threshold {alarm.threshold!r} (deployed {rule.threshold:g})")
    return found


def verified(policy: DeployedPolicy | None, name: alarm_names.AlarmName, alarm: AlarmFacts) -> DeployedAlarm | str:
    """The deployed alarm when CloudWatch's agrees with it and the policy pauses; else why not."""
    deployed = deployed_for(policy, name)
    if isinstance(deployed, str):
        return deployed
    found = differences(alarm, deployed)
    if found:
        return f"the alarm's definition differs from {deployed.source}: {'; '.join(found)}"
    if deployed.action != contract.ACTION_PAUSE:
        tag = f"{contract.TAG_ACTION}={contract.ACTION_PAUSE}"
        return f"{deployed.source} has action {deployed.action!r}: the alarm's tag {tag} is not what was deployed"
    return deployed
