"""Lambda entry point: ``ses_guard_lambda.handler.lambda_handler``.

For every record: parse, decide (docs/design.md "Decision rule"), pause idempotently, report.
Records are independent: a failing record does not stop the others; at the end the invocation
raises `RecordProcessingError` naming each failed record so that Lambda retries the event and
finally sends it to the dead-letter queue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import log, report, ses_actions
from .clients import Clients, default_clients, region_from_env
from .config import ConfigError, GuardConfig
from .decision import IGNORE, Context, Decision, Target, decide, precheck
from .events import AlarmEvent, EventParseError, parse_record, split_records

_FUNCTION_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:.+$")

# Replaced in tests (or pass `clients=` to `handle`).
get_clients: Callable[[], Clients] = default_clients


class RecordProcessingError(RuntimeError):
    """Some records failed; the message names each one (index and reason)."""

    def __init__(self, failures: list[tuple[int, str]], total: int) -> None:
        self.failures = failures
        self.total = total
        details = "; ".join(f"record {index}: {reason}" for index, reason in failures)
        super().__init__(f"{len(failures)} of {total} record(s) failed: {details}")


class _ReportError(RuntimeError):
    pass


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    config = GuardConfig.from_env()
    log.set_level(config.log_level)
    return handle(event, context, config=config, clients=get_clients())


def function_identity(context: Any) -> tuple[str, str]:
    """(account id, Region) from ``context.invoked_function_arn``: the account the guard trusts."""
    arn = getattr(context, "invoked_function_arn", None)
    match = _FUNCTION_ARN.match(arn) if isinstance(arn, str) else None
    if not match:
        raise ConfigError(f"cannot read the account id from invoked_function_arn {arn!r}")
    return match["account"], match["region"]


def handle(
    event: Any,
    context: Any,
    *,
    config: GuardConfig,
    clients: Clients,
    now: Callable[[], datetime] | None = None,
) -> dict[str, Any]:
    account_id, function_region = function_identity(context)
    ctx = Context(account_id=account_id, region=region_from_env() or function_region)
    request_id = getattr(context, "aws_request_id", None)
    function_arn = str(getattr(context, "invoked_function_arn", ""))
    clock = now or (lambda: datetime.now(UTC))
    summary: dict[str, Any] = {
        "records": 0,
        "paused": [],
        "already_paused": [],
        "ignored": [],
        "dry_run": config.dry_run,
    }
    try:
        records = split_records(event)
    except EventParseError as exc:
        log.emit("ERROR", "unparseable_event", reason=str(exc), request_id=request_id)
        raise RecordProcessingError([(0, str(exc))], 1) from None
    summary["records"] = len(records)
    if not records:
        log.emit("WARNING", "no_records", reason="the event holds no records", request_id=request_id)
    failures: list[tuple[int, str]] = []
    for index, (kind, record) in enumerate(records):
        try:
            _process(
                index=index,
                kind=kind,
                record=record,
                summary=summary,
                config=config,
                clients=clients,
                ctx=ctx,
                request_id=request_id,
                function_arn=function_arn,
                clock=clock,
            )
        except EventParseError as exc:
            reason = f"unparseable {kind} record: {exc}"
            _record_failed(failures, index, kind, reason, request_id)
        except (_ReportError, ClientError, BotoCoreError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            _record_failed(failures, index, kind, reason, request_id)
        except Exception as exc:  # one bad record must not hide the others
            reason = f"unexpected {type(exc).__name__}: {exc}"
            _record_failed(failures, index, kind, reason, request_id)
    log.emit(
        "INFO",
        "summary",
        records=summary["records"],
        paused=len(summary["paused"]),
        already_paused=len(summary["already_paused"]),
        ignored=len(summary["ignored"]),
        failed=len(failures),
        dry_run=config.dry_run,
        request_id=request_id,
    )
    if failures:
        raise RecordProcessingError(failures, len(records))
    return summary


def _record_failed(failures: list[tuple[int, str]], index: int, kind: str, reason: str, request_id: str | None) -> None:
    log.emit("ERROR", "record_failed", record=index, source=kind, reason=reason, request_id=request_id)
    failures.append((index, reason))


def fetch_tags(cloudwatch: Any, alarm_arn: str) -> dict[str, str] | None:
    """The alarm's tags, or None when the alarm no longer exists."""
    try:
        response = cloudwatch.list_tags_for_resource(ResourceARN=alarm_arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    return {tag["Key"]: tag["Value"] for tag in response.get("Tags", [])}


def _process(
    *,
    index: int,
    kind: str,
    record: Any,
    summary: dict[str, Any],
    config: GuardConfig,
    clients: Clients,
    ctx: Context,
    request_id: str | None,
    function_arn: str,
    clock: Callable[[], datetime],
) -> None:
    event = parse_record(kind, record)
    decision = precheck(event, config, ctx)
    if decision is None:
        tags = fetch_tags(clients.cloudwatch, event.alarm_arn)
        if tags is None:
            decision = Decision(IGNORE, f"alarm {event.alarm_arn!r} no longer exists (no tags)")
        else:
            decision = decide(event, tags, config, ctx)

    def line(outcome: str, level: str = "INFO", reason: str | None = None) -> None:
        log.decision_line(
            alarm=event.alarm_name,
            metric=decision.metric,
            value=event.value,
            threshold=event.threshold,
            target=decision.target.describe() if decision.target else None,
            action=decision.action,
            outcome=outcome,
            dry_run=config.dry_run,
            reason=reason or decision.reason,
            record=index,
            source=event.source,
            request_id=request_id,
            level=level,
        )

    if not decision.pauses:
        line("ignored")
        summary["ignored"].append({"record": index, "alarm": event.alarm_name, "reason": decision.reason})
        return
    target = decision.target or Target(None)
    if target.configuration_set is None:
        outcome = ses_actions.pause_account(clients.sesv2, dry_run=config.dry_run)
    else:
        outcome = ses_actions.pause_configuration_set(clients.sesv2, target.configuration_set, config.dry_run)
    entry: Mapping[str, Any] = {
        "record": index,
        "alarm": event.alarm_name,
        "target": target.describe(),
        "outcome": outcome,
    }
    if outcome == ses_actions.ALREADY_PAUSED:
        line(outcome, reason=f"{decision.reason}; {target.describe()} is already paused, nothing to do")
        summary["already_paused"].append(entry)
        return
    try:
        _publish_report(
            clients=clients,
            config=config,
            decision=decision,
            event=event,
            region=ctx.region,
            function_arn=function_arn,
            when=clock(),
        )
    except (ClientError, BotoCoreError) as exc:
        line(outcome, "ERROR", f"{decision.reason}; {outcome} but the report could not be published: {exc}")
        raise _ReportError(f"{outcome} {target.describe()} but publishing the report failed: {exc}") from exc
    line(outcome)
    summary["paused"].append(entry)


def _publish_report(
    *,
    clients: Clients,
    config: GuardConfig,
    decision: Decision,
    event: AlarmEvent,
    region: str,
    function_arn: str,
    when: datetime,
) -> None:
    clients.sns.publish(
        TopicArn=config.report_topic_arn,
        Subject=report.subject(decision, event, region, config.dry_run),
        Message=report.body(decision, event, region, config.dry_run, function_arn=function_arn, now=when),
    )
