"""The decision rule (docs/design.md, "Decision rule"): pure functions, no I/O.

`precheck` looks only at the event (so the handler can skip the tag lookup for foreign or
non-ALARM events); `decide` adds the alarm's tags and returns the final `Decision`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import contract
from .config import GuardConfig, is_valid_set_name
from .events import SOURCE_SNS, AlarmEvent

PAUSE_ACCOUNT = "pause_account"
PAUSE_CONFIGURATION_SET = "pause_configuration_set"
IGNORE = "ignore"

# Metrics Insights: SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set")
_INSIGHTS_METRIC = re.compile(r"Reputation\.(?:BounceRate|ComplaintRate)")


@dataclass(frozen=True)
class Target:
    """What to pause: the account (configuration_set None) or one configuration set."""

    configuration_set: str | None = None

    @property
    def is_account(self) -> bool:
        return self.configuration_set is None

    def describe(self) -> str:
        return "account" if self.configuration_set is None else f"configuration-set:{self.configuration_set}"


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str
    target: Target | None = None
    metric: str | None = None

    @property
    def pauses(self) -> bool:
        return self.action != IGNORE


@dataclass(frozen=True)
class Context:
    """Facts about the running function that the rule needs besides its configuration."""

    account_id: str
    region: str


def _ignore(reason: str, metric: str | None = None) -> Decision:
    return Decision(IGNORE, reason, None, metric)


def reputation_metric(event: AlarmEvent) -> tuple[str | None, str | None, str]:
    """(metric name, configuration set from the metric dimensions, problem). Problem "" if fine."""
    if event.metrics:
        names = {(m.namespace, m.name) for m in event.metrics}
        if len(names) != 1:
            return None, None, f"alarm combines several metrics {sorted(names)!r}"
        namespace, name = next(iter(names))
        if namespace != contract.SES_NAMESPACE or name not in contract.REPUTATION_METRICS:
            return None, None, f"metric {namespace}/{name} is not an SES reputation metric"
        sets = {m.dimension(contract.DIMENSION_CONFIGURATION_SET) for m in event.metrics}
        if len(sets) != 1:
            return name, None, f"metrics disagree on the configuration set: {sorted(map(str, sets))!r}"
        extra = {k for m in event.metrics for k, _ in m.dimensions} - {contract.DIMENSION_CONFIGURATION_SET}
        if extra:
            return name, None, f"metric has unexpected dimension(s) {sorted(extra)!r}"
        return name, next(iter(sets)), ""
    if event.expressions:
        found = {m for e in event.expressions for m in _INSIGHTS_METRIC.findall(e)}
        if len(found) != 1 or not any(contract.SES_NAMESPACE in e for e in event.expressions):
            expression = event.expressions[0][:120]
            return None, None, f"expression is not over one SES reputation metric: {expression!r}"
        return next(iter(found)), None, ""
    return None, None, "alarm notification names no metric"


def precheck(event: AlarmEvent, config: GuardConfig, ctx: Context) -> Decision | None:
    """Checks that need no AWS call. Returns an ignore decision, or None to go on with the tags."""
    metric, _, problem = reputation_metric(event)
    if event.new_state != "ALARM":
        return _ignore(f"state is {event.new_state}, not ALARM", metric)
    if event.source == SOURCE_SNS and event.topic_arn != config.pause_topic_arn:
        return _ignore(f"SNS topic {event.topic_arn!r} is not the pause topic", metric)
    if event.account_id != ctx.account_id:
        return _ignore(f"alarm account {event.account_id!r} is not this account {ctx.account_id!r}", metric)
    arn_account = event.alarm_arn.split(":")[4] if event.alarm_arn.count(":") >= 5 else ""
    if arn_account != ctx.account_id:
        return _ignore(f"alarm ARN {event.alarm_arn!r} is not in this account", metric)
    if ctx.region and event.region != ctx.region:
        return _ignore(f"alarm Region {event.region!r} is not this function's Region {ctx.region!r}", metric)
    if not event.alarm_name.startswith(config.name_prefix + "-"):
        prefix = config.name_prefix + "-"
        return _ignore(f"alarm name {event.alarm_name!r} lacks the prefix {prefix!r}", metric)
    if problem:
        return _ignore(problem, metric)
    return None


def decide(event: AlarmEvent, tags: Mapping[str, str], config: GuardConfig, ctx: Context) -> Decision:
    early = precheck(event, config, ctx)
    if early is not None:
        return early
    metric, dimension_set, _ = reputation_metric(event)
    guard = tags.get(contract.TAG_GUARD)
    if guard != config.name_prefix:
        return _ignore(f"tag {contract.TAG_GUARD}={guard!r} is not this guard {config.name_prefix!r}", metric)
    tier = tags.get(contract.TAG_TIER)
    if tier != contract.TIER_CRITICAL:
        return _ignore(f"tag {contract.TAG_TIER}={tier!r}: only {contract.TIER_CRITICAL} alarms pause", metric)
    action = tags.get(contract.TAG_ACTION)
    if action != contract.ACTION_PAUSE:
        if action == contract.ACTION_NOTIFY:
            return _ignore(f"tag {contract.TAG_ACTION}={action!r}: protected, notify only", metric)
        return _ignore(f"tag {contract.TAG_ACTION}={action!r} is not {contract.ACTION_PAUSE!r}", metric)
    contributor_set = event.contributor_attribute(contract.DIMENSION_CONFIGURATION_SET)
    if event.contributor is not None and contributor_set is None:
        return _ignore(f"contributor has no {contract.DIMENSION_CONFIGURATION_SET!r} attribute", metric)
    if dimension_set is not None and contributor_set is not None and dimension_set != contributor_set:
        return _ignore(f"contributor set {contributor_set!r} is not the dimension {dimension_set!r}", metric)
    metric_set = contributor_set if contributor_set is not None else dimension_set

    scope = tags.get(contract.TAG_SCOPE)
    if scope == contract.SCOPE_ACCOUNT:
        if metric_set is not None:
            return _ignore(f"tag scope {scope!r} but the metric is for set {metric_set!r}", metric)
        if not event.metrics:
            # A Metrics Insights query over AWS/SES mixes account-wide and per-set series.
            return _ignore(f"tag scope {scope!r} needs a metric alarm, not a Metrics Insights query", metric)
        return Decision(PAUSE_ACCOUNT, f"{metric} alarm {event.alarm_name} is in ALARM", Target(None), metric)
    if scope != contract.SCOPE_CONFIGURATION_SET:
        return _ignore(f"tag {contract.TAG_SCOPE}={scope!r} is not one of {list(contract.SCOPES)!r}", metric)
    tag_set = tags.get(contract.TAG_CONFIGURATION_SET)
    if not tag_set:
        return _ignore(f"tag {contract.TAG_CONFIGURATION_SET} is missing", metric)
    if metric_set is None:
        what = "no contributor" if tag_set == contract.ANY_CONFIGURATION_SET else "no dimension"
        return _ignore(
            f"tag {contract.TAG_CONFIGURATION_SET}={tag_set!r} but the alarm names {what} "
            f"{contract.DIMENSION_CONFIGURATION_SET!r}",
            metric,
        )
    if tag_set not in (contract.ANY_CONFIGURATION_SET, metric_set):
        return _ignore(
            f"tag {contract.TAG_CONFIGURATION_SET}={tag_set!r} does not match dimension "
            f"{contract.DIMENSION_CONFIGURATION_SET}={metric_set!r}",
            metric,
        )
    if not is_valid_set_name(metric_set):
        return _ignore(f"{metric_set!r} is not a valid configuration set name", metric)
    if metric_set in config.protected_sets:
        return _ignore(f"configuration set {metric_set!r} is in PROTECTED_CONFIGURATION_SETS", metric)
    return Decision(
        PAUSE_CONFIGURATION_SET,
        f"{metric} alarm {event.alarm_name} is in ALARM for configuration set {metric_set}",
        Target(metric_set),
        metric,
    )
