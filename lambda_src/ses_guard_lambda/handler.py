"""Function entry point: ``ses_guard_lambda.handler.lambda_handler``.

A scheduled invocation (EventBridge's "Scheduled Event", recognised by its shape) starts a sweep run
(``scheduled_sweep.py``) when the deployed policy has an enabled sweep, and is ignored otherwise; every other
invocation is a batch of alarm records. For every record: parse, judge (``verify.py``: verify with
CloudWatch and SES before anything else), then pause idempotently and report, or log why not (and
notify when a pause was refused). Records are independent: a failing record does not stop the others;
at the end the invocation raises `RecordProcessingError` naming each failed record so that Lambda
retries the event and finally sends it to the dead-letter queue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ses_guard_policy import contract

from . import log, report, scheduled_sweep, ses_actions, verify
from .budget import Budget, BudgetExhaustedError, Clock
from .clients import Clients, default_clients, region_from_env
from .config import ConfigError, GuardConfig, is_valid_set_name
from .decision import ALREADY_PAUSED, IGNORED, PAUSED, REFUSE, REFUSED, WOULD_PAUSE, Context, Target
from .deployed_policy import DeployedPolicy, PolicyReadError
from .events import SOURCE_SNS, EventParseError, NotOursError, check_sns_topic, parse_record, split_records
from .notices import NoticeGate
from .ses_datapoints import ContributorsUnavailableError
from .verify import Invocation, Judgement, judgements

_FUNCTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:.+"
)

# Replaced in tests (or pass `clients=` to `handle`; the sweep's state table is `clients.dynamodb`).
get_clients: Callable[[], Clients] = default_clients


class RecordProcessingError(RuntimeError):
    """Some records failed; the message names each one (index and reason)."""

    def __init__(self, failures: list[tuple[int, str]], total: int) -> None:
        self.failures = failures
        self.total = total
        details = "; ".join(f"record {index}: {reason}" for index, reason in failures)
        super().__init__(f"{len(failures)} of {total} record(s) failed: {details}")


class _PublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class RecordJob:
    """One record of one invocation: the only argument of the per-record steps."""

    inv: Invocation
    summary: dict[str, Any]
    gate: NoticeGate
    index: int
    kind: str
    record: Any


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    config = GuardConfig.from_env()
    log.set_level(config.log_level)
    return handle(event, context, config=config, clients=get_clients())


def function_identity(context: Any) -> tuple[str, str, str]:
    """(account id, Region, partition) from ``context.invoked_function_arn``: the account the guard trusts."""
    arn = getattr(context, "invoked_function_arn", None)
    match = _FUNCTION_ARN.fullmatch(arn) if isinstance(arn, str) else None
    if not match:
        raise ConfigError(f"cannot read the account id from invoked_function_arn {arn!r}")
    return match["account"], match["region"], match["partition"]


def handle(
    event: Any,
    context: Any,
    *,
    config: GuardConfig,
    clients: Clients,
    clock: Clock | None = None,
) -> dict[str, Any]:
    account_id, function_region, partition = function_identity(context)
    clock = clock or Clock()
    budget = Budget.for_context(context, clock)
    inv = Invocation(
        config=config,
        clients=clients,
        ctx=Context(account_id=account_id, region=region_from_env() or function_region, partition=partition),
        clock=clock,
        budget=budget,
        request_id=getattr(context, "aws_request_id", None),
        function_arn=str(getattr(context, "invoked_function_arn", "")),
        policy=DeployedPolicy(config.manifest, clients.ssm, budget) if config.manifest else None,
    )
    with log.bound(request_id=inv.request_id):
        if scheduled_sweep.is_scheduled_event(event):
            return scheduled_sweep.handle_scheduled(inv)
        return _handle_records(event, inv)


def _handle_records(event: Any, inv: Invocation) -> dict[str, Any]:
    config = inv.config
    summary: dict[str, Any] = {"records": 0, "paused": [], "already_paused": [], "ignored": [], "refused": []}
    summary["dry_run"] = config.dry_run
    try:
        records = split_records(event)
    except EventParseError as exc:
        log.emit("ERROR", "unparseable_event", reason=str(exc))
        raise RecordProcessingError([(0, str(exc))], 1) from None
    summary["records"] = len(records)
    if not records:
        log.emit("WARNING", "no_records", reason="the event holds no records")
    gate = NoticeGate()
    failures = [f for i, (k, r) in enumerate(records) if (f := _run(RecordJob(inv, summary, gate, i, k, r)))]
    _publish_held_notices(inv, gate)
    log.emit(
        "INFO",
        "summary",
        **{key: len(summary[key]) for key in ("paused", "already_paused", "ignored", "refused")},
        records=summary["records"],
        failed=len(failures),
        dry_run=config.dry_run,
        throttling_retries=inv.budget.retries,
        notices_held=gate.held,
    )
    if failures:
        raise RecordProcessingError(failures, len(records))
    return summary


def _run(job: RecordJob) -> tuple[int, str] | None:
    """Process one record; the failure (index, reason) if it failed."""
    try:
        _process(job)
        return None
    except NotOursError as exc:
        log.emit("INFO", "ignored", record=job.index, source=job.kind, reason=str(exc))
        job.summary["ignored"].append({"record": job.index, "alarm": None, "reason": str(exc)})
        return None
    except EventParseError as exc:
        reason = f"unparseable {job.kind} record: {exc}"
    except (
        _PublishError,
        BudgetExhaustedError,
        ClientError,
        BotoCoreError,
        PolicyReadError,
        ContributorsUnavailableError,
    ) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # one bad record must not hide the others
        reason = f"unexpected {type(exc).__name__}: {exc}"
    log.emit("ERROR", "record_failed", record=job.index, source=job.kind, reason=reason)
    return job.index, reason


def _process(job: RecordJob) -> None:
    if job.kind == SOURCE_SNS:
        check_sns_topic(job.record, job.inv.config.pause_topic_arn)
    # One judgement, or one per contributor of a fleet alarm's alarm-level notification (verify.judgements).
    for judgement in judgements(job.inv, parse_record(job.kind, job.record)):
        _act(job, judgement)


def _act(job: RecordJob, judgement: Judgement) -> None:
    decision = judgement.decision
    if decision.action == REFUSE:
        _refuse(job, judgement)
    elif not decision.pauses:
        _log_decision(job, judgement, IGNORED)
        entry = {"record": job.index, "alarm": judgement.event.alarm_name, "reason": decision.reason}
        job.summary["ignored"].append(entry)
    else:
        outcome, judgement = _apply(job, judgement)
        _publish(job, judgement, outcome, report.pause_report)
        key = "already_paused" if outcome == ALREADY_PAUSED else "paused"
        job.summary[key].append(_entry(job, judgement, outcome))


def _apply(job: RecordJob, judgement: Judgement) -> tuple[str, Judgement]:
    """Pause unless the target already is paused, or this is a dry run or a drill; the outcome and the
    judgement to report (a note added when the paused set could not be tagged)."""
    if judgement.state is not None and judgement.state.paused:
        return ALREADY_PAUSED, judgement
    if job.inv.config.dry_run or judgement.event.drill:
        return WOULD_PAUSE, judgement
    target = judgement.decision.target or Target(None)
    sesv2, call = job.inv.clients.sesv2, job.inv.budget.call
    if target.configuration_set is None:
        ses_actions.pause_account(sesv2, call)
        return PAUSED, judgement
    ses_actions.pause_configuration_set(sesv2, target.configuration_set, call)
    return PAUSED, _tag_paused_set(job, judgement, target.configuration_set)


def _tag_paused_set(job: RecordJob, judgement: Judgement, name: str) -> Judgement:
    """Tag the set just paused (``ses-guard status`` lists sets by this tag, without a call per set).
    Best effort: a failure is logged and noted in the report; it neither fails nor undoes the pause."""
    inv = job.inv
    arn = ses_actions.set_arn(inv.ctx.partition, inv.ctx.region, inv.ctx.account_id, name)
    try:
        ses_actions.tag_paused(inv.clients.sesv2, arn, inv.config.name_prefix, inv.clock.now(), inv.budget.call)
    except (ClientError, BotoCoreError, BudgetExhaustedError) as exc:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
        log.emit("WARNING", "pause_tag_failed", record=job.index, target=arn, reason=f"{type(exc).__name__}: {exc}")
        note = (
            f"the set IS PAUSED, but tagging it ({contract.TAG_PAUSED_BY}) failed ({code or type(exc).__name__}): "
            "ses-guard status lists it only with --all (or --configuration-set)"
        )
        return replace(judgement, notes=(*judgement.notes, note))
    return judgement


def _refuse(job: RecordJob, judgement: Judgement) -> None:
    entry = _entry(job, judgement, REFUSED)
    entry["reason"] = judgement.decision.reason
    target = judgement.decision.target
    held = job.gate.admit(
        judgement.event.alarm_name,
        target.describe() if target else "-",
        job.inv.clock.now(),
        drill=judgement.event.drill,
    )
    if held is None:
        entry["notice"] = _publish(job, _with_target_state(job.inv, judgement), REFUSED, report.refusal_notice)
    else:
        entry["notice"], entry["notice_held"] = None, held
        _log_decision(
            job, judgement, REFUSED, level="WARNING", reason=f"{judgement.decision.reason}; notice held: {held}"
        )
    job.summary["refused"].append(entry)


def _with_target_state(inv: Invocation, judgement: Judgement) -> Judgement:
    """The refusal as true now: a retry after the alarm went OK must not say "nothing was changed"
    about a target an earlier delivery paused. Read only for a target of valid shape; a failed read
    leaves the state unknown (the notice says so)."""
    target = judgement.decision.target
    if judgement.state is not None or target is None:
        return judgement
    if target.configuration_set is not None and not is_valid_set_name(target.configuration_set):
        return judgement
    try:
        state = verify.read_target(inv, target)
    except (ClientError, BotoCoreError, BudgetExhaustedError) as exc:
        return replace(judgement, notes=(*judgement.notes, f"its state could not be read: {type(exc).__name__}"))
    return replace(judgement, state=state)


def _publish_held_notices(inv: Invocation, gate: NoticeGate) -> None:
    """One summary notice counting the refusal notices the cap held back (best effort: the logs have each)."""
    if not gate.over_cap:
        return
    rendered = report.held_notices_summary(gate.over_cap, inv.ctx.region, now=inv.clock.now())
    try:
        inv.budget.call(inv.clients.sns.publish, **rendered.publish_params(inv.config.report_topic_arn))
    except (ClientError, BotoCoreError, BudgetExhaustedError) as exc:
        log.emit("ERROR", "held_notices_summary_failed", reason=f"{type(exc).__name__}: {exc}", held=gate.held)


def _publish(job: RecordJob, judgement: Judgement, outcome: str, render: Callable[..., report.Report]) -> str:
    """Publish the report (at least once: also when the target was already paused); its message id."""
    inv = job.inv
    rendered = render(judgement, outcome, inv.ctx.region, function_arn=inv.function_arn, now=inv.clock.now())
    try:
        response = inv.budget.call(inv.clients.sns.publish, **rendered.publish_params(inv.config.report_topic_arn))
    except (ClientError, BotoCoreError, BudgetExhaustedError) as exc:
        note = f"{judgement.decision.reason}; {outcome} but the report could not be published: {exc}"
        _log_decision(job, judgement, outcome, level="ERROR", reason=note)
        target = (judgement.decision.target or Target(None)).describe()
        raise _PublishError(f"{outcome} {target} but publishing the report failed: {exc}") from exc
    _log_decision(job, judgement, outcome, level="WARNING" if outcome == REFUSED else "INFO")
    return str(response.get("MessageId", ""))


def _entry(job: RecordJob, judgement: Judgement, outcome: str) -> dict[str, Any]:
    target = judgement.decision.target
    return {
        "record": job.index,
        "alarm": judgement.event.alarm_name,
        "target": target.describe() if target else None,
        "outcome": outcome,
        "drill": judgement.event.drill,
    }


def _log_decision(job: RecordJob, judgement: Judgement, outcome: str, level: str = "INFO", reason: str = "") -> None:
    decision, event, evidence = judgement.decision, judgement.event, judgement.evidence
    log.emit(
        level,
        "decision",
        alarm=event.alarm_name,
        metric=decision.metric,
        value=evidence.latest if evidence is not None else event.value,
        threshold=event.threshold,
        target=decision.target.describe() if decision.target else None,
        action=decision.action,
        outcome=outcome,
        dry_run=job.inv.config.dry_run,
        drill=event.drill,
        reason=reason or decision.reason,
        evidence=evidence.summary if evidence is not None else None,
        notes=list(judgement.notes),
        record=job.index,
        source=event.source,
    )
