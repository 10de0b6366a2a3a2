"""Verify before pausing (docs/lambda.md, "Decision rule"): the event is a claim, CloudWatch and SES
say whether it holds.

Order (cheapest first; every step can end the record):
1. `decision.screen`: the event alone (delivery path, state, topic, account, Region, name shape); the
   alarm name is parsed here, once, into the record's `Claim`.
2. DescribeAlarms: the alarm exists, is in ALARM now, and watches what the event names.
3. ListTagsForResource: the alarm is this guard's, critical, ``pause`` (`decision.decide`).
4. The deployed policy (``alarm_definition``): the alarm's statistic, period, M of N, missing-data
   treatment, operator, threshold (and fleet query) are the deployed ones, whose action is ``pause``.
5. Fleet contributors: explicit per-set policies win (`fleet.exclusion`); the contributor is in ALARM
   (DescribeAlarmContributors). A fleet alarm's event naming no readable contributor (the alarm-level
   notification) is expanded (`judgements`): each contributor DescribeAlarmContributors lists in ALARM
   (at most 100) is judged as if it had been delivered alone.
6. The target's state (GetAccount / GetConfigurationSet): an event older than the last resume
   (``LastFreshStart``) or than the alarm's (a contributor's: the contributor's) current ALARM state
   is a replay and pauses nothing.
7. GetMetricData: SES's own datapoints, replayed through the deployed alarm, put it in ALARM at the
   claimed transition and now.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ses_guard_policy import contract

from . import alarm_definition, fleet, log, ses_actions
from .alarm_definition import DeployedAlarm
from .budget import Budget, Clock
from .clients import Clients
from .cloudwatch_alarm import AlarmFacts, claim_problem, describe_alarm, fetch_tags
from .config import GuardConfig
from .decision import IGNORE, REFUSE, Claim, Context, Decision, Target, decide, refuse, screen
from .deployed_policy import DeployedPolicy
from .events import AlarmEvent, EventParseError, MetricRef
from .ses_datapoints import Contributor, ContributorCheck, Evidence, contributor_status, list_contributors, measure

# A notification's StateChangeTime is the alarm's transition time; allow for rounding.
STATE_TIME_TOLERANCE = timedelta(seconds=5)


@dataclass(frozen=True)
class Invocation:
    """Everything a record needs from its invocation."""

    config: GuardConfig
    clients: Clients
    ctx: Context
    clock: Clock
    budget: Budget
    request_id: str | None
    function_arn: str
    policy: DeployedPolicy | None = None
    """The deployed policy (guard level from the environment, sets from SSM); None without a manifest."""


@dataclass(frozen=True)
class TargetState:
    paused: bool
    detail: str
    last_resume: datetime | None = None


@dataclass(frozen=True)
class Judgement:
    decision: Decision
    event: AlarmEvent
    """With the metric fields CloudWatch reported once the alarm was found."""
    alarm: AlarmFacts | None = None
    evidence: Evidence | None = None
    state: TargetState | None = None
    notes: tuple[str, ...] = ()
    lists_contributors: bool = False
    """A verified fleet alarm's event naming no readable contributor: `judgements` lists its contributors."""


def judgements(inv: Invocation, event: AlarmEvent) -> Iterator[Judgement]:
    """The record's judgements, one at a time: one, or for a fleet alarm's event that names no readable
    contributor (the alarm-level notification), one per contributor DescribeAlarmContributors lists in
    ALARM (paged through the budget, at most 100), each judged as if delivered alone. When the contributors
    cannot be listed, `ContributorsUnavailableError` fails the record (retried, then dead-lettered)."""
    first = judge(inv, event)
    if not first.lists_contributors:
        yield first
        return
    contributors, capped = list_contributors(inv.clients.cloudwatch, inv.budget, event.alarm_name)
    why = event.contributor_problem or "the notification names no contributor"
    level = "WARNING" if capped else "INFO"
    log.emit(
        level, "contributors_listed", alarm=event.alarm_name, why=why, contributors=len(contributors), capped=capped
    )
    if not contributors:
        reason = f"fleet alarm {event.alarm_name}: {why}, and DescribeAlarmContributors lists none in ALARM now"
        yield replace(first, decision=Decision(IGNORE, reason, None, first.decision.metric), lists_contributors=False)
    for contributor in contributors:
        yield judge(inv, contributor_event(event, contributor), listed=contributor)


def contributor_event(event: AlarmEvent, contributor: Contributor) -> AlarmEvent:
    """``event`` as the contributor's own delivery would say it: its attributes and id, and CloudWatch's
    state time and reason for it (the alarm-level time is the first contributor's, not this one's)."""
    return replace(
        event,
        contributor=contributor.attributes,
        contributor_id=contributor.contributor_id,
        contributor_problem="",
        state_change_time=contributor.since.isoformat() if contributor.since else event.state_change_time,
        reason=contributor.state_reason or event.reason,
        value=None,
    )


def judge(inv: Invocation, event: AlarmEvent, listed: Contributor | None = None) -> Judgement:
    """One event's judgement. ``listed``: the fleet contributor it names, as DescribeAlarmContributors just
    listed it in ALARM (the alarm-level notification's expansion), so it is not asked again."""
    screened = screen(event, inv.config, inv.ctx)
    if isinstance(screened, Decision):
        return Judgement(screened, event)
    claim = screened
    if event.contributor_problem and claim.name.scope != contract.SCOPE_FLEET:
        raise EventParseError(event.contributor_problem)
    cloudwatch = inv.clients.cloudwatch
    target, metric = claim.target_of(event), claim.name.metric
    alarm = describe_alarm(cloudwatch, inv.budget, event.alarm_name)
    if alarm is None:
        reason = f"alarm {event.alarm_name} does not exist in this account and Region"
        return Judgement(refuse(reason, metric, target), event)
    problem = claim_problem(event, alarm)
    if problem is not None:
        return Judgement(refuse(f"CloudWatch does not confirm the event: {problem}", metric, target), event, alarm)
    event = replace(
        event,
        metrics=alarm.metrics,
        expressions=alarm.expressions,
        threshold=alarm.threshold,
        comparison_operator=alarm.operator,
    )
    tags = fetch_tags(cloudwatch, inv.budget, alarm.arn)
    if tags is None:
        return Judgement(refuse(f"alarm {alarm.name} no longer exists", metric, target), event, alarm)
    decision = decide(event, claim, tags, inv.config)
    if decision.action == REFUSE and decision.target is None:
        decision = refuse(decision.reason, decision.metric or metric, target)
    if not decision.pauses:
        alarm_level = listed is None and _names_no_contributor(claim, event, tags, decision)
        return Judgement(decision, event, alarm, lists_contributors=alarm_level)
    deployed = alarm_definition.verified(inv.policy, claim.name, alarm)
    if isinstance(deployed, str):
        return Judgement(refuse(deployed, decision.metric, decision.target), event, alarm)
    return _weigh(inv, event, alarm, claim, decision, deployed, listed)


def _names_no_contributor(claim: Claim, event: AlarmEvent, tags: dict[str, str], decision: Decision) -> bool:
    """A verified fleet alarm (``pause``), in ALARM, whose event names no readable contributor: the rule
    ignored it for want of a set, so its contributors are listed instead."""
    return (
        claim.name.scope == contract.SCOPE_FLEET
        and decision.action == IGNORE
        and claim.target_of(event) is None
        and tags.get(contract.TAG_ACTION) == contract.ACTION_PAUSE
    )


def _weigh(
    inv: Invocation,
    event: AlarmEvent,
    alarm: AlarmFacts,
    claim: Claim,
    decision: Decision,
    deployed: DeployedAlarm,
    listed: Contributor | None = None,
) -> Judgement:
    target = decision.target or Target(None)

    def refused(reason: str, state: TargetState | None = None, evidence: Evidence | None = None) -> Judgement:
        return Judgement(refuse(reason, decision.metric, target), event, alarm, evidence, state, tuple(notes))

    notes: list[str] = []
    contributor_since = None
    if claim.name.scope == contract.SCOPE_FLEET and target.configuration_set is not None:
        excluded = fleet.exclusion(inv.policy, inv.ctx, inv.clients, inv.budget, target.configuration_set)
        if excluded is not None:
            ignored = Decision(IGNORE, f"fleet alarm left alone: {excluded.reason}", target, decision.metric)
            return Judgement(ignored, event, alarm)
        if listed is not None:
            check = ContributorCheck(True, listed.since, "contributor in ALARM (DescribeAlarmContributors, listed)")
        else:
            check = contributor_status(inv.clients.cloudwatch, inv.budget, alarm.name, target.configuration_set)
        if check.confirmed is False:
            return refused(check.note)
        notes.append(check.note)
        contributor_since = check.since
    state = read_target(inv, target)
    stale = staleness(event, alarm, contributor_since, state, target)
    if stale is not None:
        return refused(stale, state)
    metric = MetricRef(contract.SES_NAMESPACE, decision.metric or "", _dimensions(target))
    now = inv.clock.now()
    window = (contributor_since or event.changed_at or now, now)
    cloudwatch, rule = inv.clients.cloudwatch, deployed.rule
    evidence = measure(cloudwatch, inv.budget, rule, deployed.statistic, metric, window, state.last_resume)
    if not evidence.holds:
        return refused(f"SES's own datapoints do not confirm the alarm: {evidence.summary}", state, evidence)
    return Judgement(decision, event, alarm, evidence, state, tuple(notes))


def _dimensions(target: Target) -> tuple[tuple[str, str], ...]:
    if target.configuration_set is None:
        return ()
    return ((contract.DIMENSION_CONFIGURATION_SET, target.configuration_set),)


def read_target(inv: Invocation, target: Target) -> TargetState:
    sesv2, call = inv.clients.sesv2, inv.budget.call
    if target.configuration_set is None:
        account = ses_actions.account_status(sesv2, call)
        if account.shut_down_by_aws:
            return TargetState(True, "paused by AWS (EnforcementStatus SHUTDOWN)")
        return TargetState(not account.sending_enabled, "enabled" if account.sending_enabled else "paused")
    status = ses_actions.set_status(sesv2, target.configuration_set, call)
    return TargetState(
        not status.sending_enabled, "enabled" if status.sending_enabled else "paused", status.last_fresh_start
    )


def staleness(
    event: AlarmEvent, alarm: AlarmFacts, contributor_since: datetime | None, state: TargetState, target: Target
) -> str | None:
    """Why the event is older than a human decision or than the alarm's current ALARM episode."""
    changed = event.changed_at
    if changed is None:
        return "the event carries no state change time, so it cannot be placed after the last resume"
    if state.last_resume is not None and changed < state.last_resume:
        return (
            f"the event ({changed:%Y-%m-%d %H:%M:%S} UTC) is older than the last resume of {target.describe()} "
            f"({state.last_resume:%Y-%m-%d %H:%M:%S} UTC, LastFreshStart): a human decided after this alarm"
        )
    # A contributor has its own state: the fleet alarm's (held in ALARM by any set) says nothing of it.
    since_by_what = {"contributor": contributor_since} if alarm.expressions else {"alarm": alarm.state_since}
    for what, since in since_by_what.items():
        if since is not None and changed < since - STATE_TIME_TOLERANCE:
            return (
                f"the event ({changed:%Y-%m-%d %H:%M:%S} UTC) is older than the {what}'s current state "
                f"(since {since:%Y-%m-%d %H:%M:%S} UTC): a replay of an earlier alarm"
            )
    return None
