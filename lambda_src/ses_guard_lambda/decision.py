"""The decision rule on the event's claim and the alarm's tags (docs/lambda.md, "Decision rule").

Pure functions, no I/O. `screen` looks only at the event (once per record), so foreign or non-ALARM
events are ignored without any AWS call, and reads the claim (the alarm name, parsed once); `decide`
adds the alarm's tags. Neither proves anything: a pause also needs CloudWatch's confirmation and SES's
own datapoints (``ses_guard_lambda.verify``).

Three verdicts: pause (account or one set), *ignore* (not ours, or ours but not to be paused: one log
line) and *refuse* (it claims to be one of our critical alarms but the facts disagree: one log line
and a "pause refused" notice, since it is a drill, a misconfiguration or an attack).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ses_guard_policy import alarm_names, contract

from .config import GuardConfig, is_valid_set_name
from .events import SOURCE_SNS, AlarmEvent

PAUSE_ACCOUNT = "pause_account"
PAUSE_CONFIGURATION_SET = "pause_configuration_set"
IGNORE = "ignore"
REFUSE = "refuse"

# Outcomes in logs and in the summary.
PAUSED = "paused"
WOULD_PAUSE = "would_pause"
ALREADY_PAUSED = "already_paused"
IGNORED = "ignored"
REFUSED = "refused"

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
        return self.action in (PAUSE_ACCOUNT, PAUSE_CONFIGURATION_SET)


@dataclass(frozen=True)
class Context:
    """Facts about the running function that the rule needs besides its configuration."""

    account_id: str
    region: str
    partition: str = "aws"


def _ignore(reason: str, metric: str | None = None, target: Target | None = None) -> Decision:
    return Decision(IGNORE, reason, target, metric)


def refuse(reason: str, metric: str | None = None, target: Target | None = None) -> Decision:
    return Decision(REFUSE, reason, target, metric)


def reputation_metric(event: AlarmEvent) -> tuple[str | None, str | None, str]:
    """(metric name, configuration set from the metric dimensions, problem). Problem "" if fine.

    The handler calls the rule with the event's metric fields replaced by CloudWatch's own (after
    checking that whatever the event named agrees with them)."""
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
    # Nothing named (the notification carries no Trigger): CloudWatch's facts will say.
    return None, None, ""


@dataclass(frozen=True)
class Claim:
    """What a record claims, read once from its alarm name: the shape, the metric and what to pause."""

    name: alarm_names.AlarmName
    metric: str | None
    """The reputation metric the event names (None when it names none: CloudWatch's facts will say)."""

    @property
    def target(self) -> Target | None:
        """What the event asks to pause, from its name (and contributor): for refusal notices."""
        if self.name.scope == contract.SCOPE_ACCOUNT:
            return Target(None)
        if self.name.scope == contract.SCOPE_CONFIGURATION_SET:
            return Target(self.name.configuration_set)
        return None

    def target_of(self, event: AlarmEvent) -> Target | None:
        if self.name.scope != contract.SCOPE_FLEET:
            return self.target
        contributor = event.contributor_attribute(contract.DIMENSION_CONFIGURATION_SET)
        return Target(contributor) if contributor else None


def screen(event: AlarmEvent, config: GuardConfig, ctx: Context) -> Decision | Claim:
    """Checks that need no AWS call, run once per record: an ignore decision, or the record's claim."""
    metric, _, problem = reputation_metric(event)
    if event.source not in config.accepted_sources:
        return _ignore(f"delivery path {event.source!r} is not enabled ({contract.ENV_ACCEPTED_SOURCES})", metric)
    if event.new_state != "ALARM":
        return _ignore(f"state is {event.new_state}, not ALARM", metric)
    if event.source == SOURCE_SNS and event.topic_arn != config.pause_topic_arn:
        return _ignore(f"SNS topic {event.topic_arn!r} is not the pause topic", metric)
    for what, account in (("alarm account", event.account_id), ("alarm ARN account", event.arn_account)):
        if account != ctx.account_id:
            return _ignore(f"{what} {account!r} is not this account {ctx.account_id!r}", metric)
    for what, region in (("alarm Region", event.region), ("alarm ARN Region", event.arn_region)):
        if region != ctx.region:
            return _ignore(f"{what} {region!r} is not this function's Region {ctx.region!r}", metric)
    prefix = config.name_prefix + "-"
    if not event.alarm_name.startswith(prefix):
        return _ignore(f"alarm name {event.alarm_name!r} lacks the prefix {prefix!r}", metric)
    name = alarm_names.parse(event.alarm_name, config.name_prefix)
    if name is None:
        return _ignore(f"alarm name {event.alarm_name!r} is not one of this guard's alarm-name shapes", metric)
    if name.tier != contract.TIER_CRITICAL:
        return _ignore(f"alarm {event.alarm_name!r} is a {name.tier} alarm: only critical alarms pause", metric)
    if problem:
        return _ignore(problem, metric)
    return Claim(name, metric)


def decide(event: AlarmEvent, claim: Claim, tags: Mapping[str, str], config: GuardConfig) -> Decision:
    """The rule on the event (with CloudWatch's metric fields), its screened claim and the alarm's tags."""
    name = claim.name
    metric, dimension_set, _ = reputation_metric(event)
    guard = tags.get(contract.TAG_GUARD)
    if guard != config.name_prefix:
        return refuse(f"tag {contract.TAG_GUARD}={guard!r}: the alarm is not this guard's ({config.name_prefix!r})")
    for key, expected in ((contract.TAG_TIER, name.tier), (contract.TAG_SCOPE, name.scope)):
        if tags.get(key) != expected:
            return refuse(f"tag {key}={tags.get(key)!r} disagrees with the alarm name ({expected!r})", metric)
    action = tags.get(contract.TAG_ACTION)
    if action == contract.ACTION_NOTIFY:
        return _ignore(f"tag {contract.TAG_ACTION}={action!r}: protected, notify only", metric)
    if action != contract.ACTION_PAUSE:
        return refuse(f"tag {contract.TAG_ACTION}={action!r} is not {contract.ACTION_PAUSE!r}", metric)
    if name.metric != metric:
        return refuse(f"the alarm name says {name.metric} but the event names {metric}", metric)
    if name.scope == contract.SCOPE_ACCOUNT:
        if dimension_set is not None or event.contributor is not None or not event.metrics:
            return refuse("an account alarm must watch the account-wide metric (no dimension, no query)", metric)
        return Decision(PAUSE_ACCOUNT, f"{metric} alarm {event.alarm_name} is in ALARM", Target(None), metric)
    if name.scope == contract.SCOPE_CONFIGURATION_SET:
        return _decide_set(event, tags, name, dimension_set, metric, config)
    return _decide_fleet(event, tags, metric, config)


def verdict(event: AlarmEvent, tags: Mapping[str, str], config: GuardConfig, ctx: Context) -> Decision:
    """The whole pure rule on one event and its alarm's tags: `screen`, then `decide` (the handler runs
    the two apart, with the AWS reads between them)."""
    screened = screen(event, config, ctx)
    return screened if isinstance(screened, Decision) else decide(event, screened, tags, config)


def _decide_set(
    event: AlarmEvent,
    tags: Mapping[str, str],
    name: alarm_names.AlarmName,
    dimension_set: str | None,
    metric: str | None,
    config: GuardConfig,
) -> Decision:
    set_name = name.configuration_set or ""
    tag_set = tags.get(contract.TAG_CONFIGURATION_SET)
    # Exact comparisons: the name, the tag and the dimension address the same set only if equal.
    if tag_set != set_name or dimension_set != set_name:
        return refuse(
            f"alarm name set {set_name!r}, tag {contract.TAG_CONFIGURATION_SET}={tag_set!r} and dimension "
            f"{contract.DIMENSION_CONFIGURATION_SET}={dimension_set!r} do not all match",
            metric,
            Target(set_name),
        )
    contributor_set = event.contributor_attribute(contract.DIMENSION_CONFIGURATION_SET)
    if event.contributor is not None and contributor_set != set_name:
        return refuse(f"contributor {contributor_set!r} is not the alarm's set {set_name!r}", metric, Target(set_name))
    return _pause_set(event, set_name, metric, config)


def _decide_fleet(event: AlarmEvent, tags: Mapping[str, str], metric: str | None, config: GuardConfig) -> Decision:
    if event.metrics or not event.expressions:
        return refuse("a fleet alarm must be a Metrics Insights query", metric)
    contributor_set = event.contributor_attribute(contract.DIMENSION_CONFIGURATION_SET)
    if contributor_set is None:
        # The alarm-level notification ("N time series evaluated to ALARM"): the per-contributor ones act.
        return _ignore(f"fleet alarm event without a {contract.DIMENSION_CONFIGURATION_SET!r} contributor", metric)
    tag_set = tags.get(contract.TAG_CONFIGURATION_SET)
    if tag_set is not None:
        return refuse(f"a fleet alarm carries no {contract.TAG_CONFIGURATION_SET} tag, this one has {tag_set!r}")
    if not is_valid_set_name(contributor_set):
        return refuse(f"contributor {contributor_set!r} is not a valid configuration set name", metric)
    return _pause_set(event, contributor_set, metric, config)


def _pause_set(event: AlarmEvent, set_name: str, metric: str | None, config: GuardConfig) -> Decision:
    if config.is_protected(set_name):
        reason = f"configuration set {set_name!r} is in {contract.ENV_PROTECTED_CONFIGURATION_SETS}"
        return _ignore(reason, metric, Target(set_name))
    return Decision(
        PAUSE_CONFIGURATION_SET,
        f"{metric} alarm {event.alarm_name} is in ALARM for configuration set {set_name}",
        Target(set_name),
        metric,
    )
