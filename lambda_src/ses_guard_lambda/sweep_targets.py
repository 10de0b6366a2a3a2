"""What a sweep run does with each breach (``ses_guard_policy.sweep.Verdict``), worst first.

Critical breach of a set (``handle_set_critical``):
1. the set has its own entry in the deployed policy (``DeployedPolicy.set_policy``, asked only for sets in
   breach) -> left to its own alarms: excluded, no notice;
2. ``PROTECTED_CONFIGURATION_SETS`` or the sweep's action ``notify`` -> one notice per episode;
3. its state (GetConfigurationSet): paused -> nothing when this episode was already reported, else one
   "already paused" report; resumed (``LastFreshStart``) -> judged again with the datapoints after the
   resume only (the model's ``judge``, ``not_before``), and left alone when that is no breach;
4. fleet mode's exclusions (``fleet.exclusion``: own policy, the SES tag ``action = notify``, a set that
   no longer exists) -> one notice per episode (none for a set that does not exist);
5. pause (unless DRY_RUN), tag it as the alarm path does, one report. A pause the role is denied (a hub
   member's role scoped to listed or tagged sets) -> excluded (``outside_scope``), one notice per episode.
The account (``handle_account_critical``) likewise with GetAccount and PutAccountSendingAttributes when the
account's action is ``pause``. Warnings, and criticals that are only notified, go through ``notify_once``.
"""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from ses_guard_policy import contract
from ses_guard_policy import sweep as model
from ses_guard_policy.sweep import Verdict

from . import fleet, log, ses_actions, sweep_report
from .budget import BudgetExhaustedError, error_code
from .decision import ALREADY_PAUSED, PAUSED, WOULD_PAUSE, Target
from .report import Report
from .sweep_query import Points
from .sweep_run import MAX_NOTICES_PER_RUN, SweepRun, iso, parse_iso, target_name
from .verify import TargetState, read_target

AWS_ERRORS = (ClientError, BotoCoreError, BudgetExhaustedError)
# What IAM answers when a role's policy does not allow the call (SES v2 says AccessDeniedException).
ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
# ``fleet.Exclusion.kind`` => the kind the run's summary counts (``sweep_summary``'s ``excluded``).
EXCLUDED_KINDS: dict[str, str] = {
    fleet.OWN_POLICY: "own_policy",
    fleet.NOTIFY_TAG: "notify_tag",
    fleet.MISSING: "missing",
    fleet.NO_MANIFEST: "no_manifest",
}


def publish(run: SweepRun, rendered: Report) -> None:
    run.budget.call(run.inv.clients.sns.publish, **rendered.publish_params(run.inv.config.report_topic_arn))


def notify_once(run: SweepRun, verdict: Verdict, why: str) -> None:
    """One notice per episode: nothing while the episode is open; over the run's cap, counted instead."""
    if run.is_open(verdict):
        return
    target = target_name(verdict.configuration_set)
    if run.tally.notices_sent < MAX_NOTICES_PER_RUN:
        publish(run, sweep_report.breach_notice(verdict, why, run.rule_at(verdict.threshold), run.where))
        run.tally.notices_sent += 1
    else:
        run.tally.held.append(verdict.describe())
        log.emit("INFO", "sweep_notice_held", target=target, metric=verdict.metric, tier=verdict.tier)
    run.open(verdict)
    run.tally.add(run.tally.warned, target)
    log.emit("INFO", "sweep_notice", target=target, metric=verdict.metric, tier=verdict.tier, reason=why)


def report_pause(run: SweepRun, verdict: Verdict, outcome: str, notes: tuple[str, ...] = ()) -> None:
    """Publish the pause report, then open the episode (a failed publish leaves it closed: the next run
    finds the target paused and reports it then)."""
    rule = run.rule_at(verdict.threshold)
    publish(run, sweep_report.pause_report(verdict, outcome, rule, run.where, notes))
    run.open(verdict)
    target = target_name(verdict.configuration_set)
    run.tally.add(run.tally.already_paused if outcome == ALREADY_PAUSED else run.tally.paused, target)
    log.emit(
        "INFO",
        "decision",
        source=contract.SCOPE_SWEEP,
        target=target,
        metric=verdict.metric,
        value=verdict.latest,
        highest=verdict.highest,
        threshold=verdict.threshold,
        outcome=outcome,
        dry_run=run.inv.config.dry_run,
        notes=list(notes),
    )


def exclude(run: SweepRun, verdict: Verdict, kind: str, reason: str) -> None:
    """Leave the target alone; ``kind``: own_policy, protected, notify_tag, missing, no_manifest or
    outside_scope (counted in the summary)."""
    target = target_name(verdict.configuration_set)
    if target not in run.tally.excluded:
        run.tally.excluded_kinds[kind] = run.tally.excluded_kinds.get(kind, 0) + 1
    run.tally.excluded[target] = reason
    log.emit("INFO", "sweep_excluded", target=target, metric=verdict.metric, kind=kind, reason=reason)


def still_breaching(run: SweepRun, verdict: Verdict, points: Points, resumed: datetime) -> bool:
    """The same breach judged again by the model with only the datapoints after ``resumed``."""
    series = {verdict.configuration_set: {verdict.metric: points}}
    again = model.verdicts(series, run.thresholds, run.rule_at, run.now, not_before=lambda _target: resumed)
    return any(v.tier == verdict.tier for v in again)


def _opened_at(run: SweepRun, verdict: Verdict) -> datetime | None:
    return parse_iso(run.episodes.open.get(run.key(verdict)))


def handle_set_critical(run: SweepRun, verdict: Verdict, points: Points) -> None:
    name = verdict.configuration_set
    assert name is not None
    own = run.inv.policy.set_policy(name) if run.inv.policy else None
    if own is not None:
        return exclude(run, verdict, "own_policy", f"own policy (action {own.action}) in the deployed manifest")
    if run.inv.config.is_protected(name):
        exclude(run, verdict, "protected", f"in {contract.ENV_PROTECTED_CONFIGURATION_SETS}")
        return notify_once(run, verdict, f"the set is in {contract.ENV_PROTECTED_CONFIGURATION_SETS}")
    if run.policy.action == contract.ACTION_NOTIFY:
        return notify_once(run, verdict, "the sweep's action is notify")
    state = read_target(run.inv, Target(name))
    if state.paused:
        if not run.is_open(verdict):
            report_pause(run, verdict, ALREADY_PAUSED)
        else:
            run.tally.add(run.tally.already_paused, target_name(name))
        return None
    if _resumed_since(run, verdict, state, points):
        run.tally.add(run.tally.resumed, target_name(name))
        return None
    if run.is_open(verdict) and (run.inv.config.dry_run or _notified_before(run, verdict, state)):
        return None
    excluded = fleet.exclusion(run.inv.policy, run.inv.ctx, run.inv.clients, run.budget, name)
    if excluded is not None:
        # The notify tag: one notice per episode; a set that no longer exists: nothing. (Own policy was asked
        # first, above; without a manifest nothing is paused either.)
        exclude(run, verdict, EXCLUDED_KINDS[excluded.kind], excluded.reason)
        if excluded.kind == fleet.NOTIFY_TAG:
            notify_once(run, verdict, excluded.reason)
        return None
    return _pause_set(run, verdict, name)


def _resumed_since(run: SweepRun, verdict: Verdict, state: TargetState, points: Points) -> bool:
    """A person re-enabled the set (``LastFreshStart``) and the datapoints since then are no breach."""
    return state.last_resume is not None and not still_breaching(run, verdict, points, state.last_resume)


def _notified_before(run: SweepRun, verdict: Verdict, state: TargetState) -> bool:
    """The open episode was a notice (a notify-tagged set), not a pause undone by a person since."""
    opened = _opened_at(run, verdict)
    return state.last_resume is None or (opened is not None and state.last_resume < opened)


def _pause_set(run: SweepRun, verdict: Verdict, name: str) -> None:
    if run.inv.config.dry_run:
        return report_pause(run, verdict, WOULD_PAUSE)
    try:
        ses_actions.pause_configuration_set(run.inv.clients.sesv2, name, run.budget.call)
    except ClientError as exc:
        if error_code(exc) not in ACCESS_DENIED:
            raise
        # The role's pause scope leaves this set out (a hub member's role is scoped by its own account's
        # admins: listed or tagged sets only): people are told once per episode, the run goes on.
        reason = f"the guard's role may not pause it here (outside its pause scope: {error_code(exc)})"
        exclude(run, verdict, "outside_scope", reason)
        return notify_once(run, verdict, reason)
    notes: tuple[str, ...] = ()
    ctx = run.inv.ctx
    arn = ses_actions.set_arn(ctx.partition, ctx.region, ctx.account_id, name)
    try:  # best effort, as on the alarm path: the tag only feeds `ses-guard status`
        ses_actions.tag_paused(run.inv.clients.sesv2, arn, run.inv.config.name_prefix, run.now, run.budget.call)
    except AWS_ERRORS as exc:
        log.emit("WARNING", "pause_tag_failed", target=arn, reason=f"{type(exc).__name__}: {exc}")
        notes = (f"the set IS PAUSED, but tagging it ({contract.TAG_PAUSED_BY}) failed ({type(exc).__name__})",)
    try:
        report_pause(run, verdict, PAUSED, notes)
    except AWS_ERRORS as exc:
        run.tally.add(run.tally.paused, target_name(name))  # the pause stands; the next run reports it
        raise ReportFailedError(f"paused, but the report could not be published: {exc}") from exc
    return None


class ReportFailedError(RuntimeError):
    """A target was paused but its report was not published (the next run reports it as already paused)."""


def handle_account_critical(run: SweepRun, verdict: Verdict) -> None:
    account = run.account
    if account is None or account.action == contract.ACTION_NOTIFY:
        return notify_once(run, verdict, "the account's action is notify")
    state = read_target(run.inv, Target(None))
    if state.paused:
        if not run.is_open(verdict):
            report_pause(run, verdict, ALREADY_PAUSED, (state.detail,))
        else:
            run.tally.add(run.tally.already_paused, "account")
        return None
    if run.is_open(verdict):
        if not run.inv.config.dry_run and run.episodes.account_resumed_at is None:
            # Paused by this episode and enabled now: a person resumed it. From now on only datapoints after
            # this run count for the account (SES records no resume time for the account).
            run.episodes.account_resumed_at = iso(run.now)
            run.tally.add(run.tally.resumed, "account")
        return None
    if run.inv.config.dry_run:
        return report_pause(run, verdict, WOULD_PAUSE)
    ses_actions.pause_account(run.inv.clients.sesv2, run.budget.call)
    try:
        report_pause(run, verdict, PAUSED)
    except AWS_ERRORS as exc:
        run.tally.add(run.tally.paused, "account")
        raise ReportFailedError(f"paused, but the report could not be published: {exc}") from exc
    return None
