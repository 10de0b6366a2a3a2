"""The report published to the notification topic after a pause (or a dry-run "would pause")."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from . import contract
from .decision import Decision, Target
from .events import AlarmEvent

SUBJECT_MAX = 100
_NOT_SUBJECT_SAFE = re.compile(r"[^\x20-\x7e]")
_OPERATORS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}

FRESH_START_WARNING = (
    "Warning: re-enabling a configuration set resets its reputation metrics (AWS calls this a "
    '"fresh start"; GetConfigurationSet shows it as LastFreshStart). Bounce and complaint rates '
    "are computed afresh, so the alarms no longer reflect the old problem: fix the cause first."
)
AWS_PAUSE_WARNING = (
    "If AWS itself paused sending for the account (GetAccount shows EnforcementStatus SHUTDOWN), "
    "the API cannot lift that pause: contact AWS Support through the Amazon SES console."
)


def target_label(target: Target) -> str:
    if target.configuration_set is None:
        return "the account"
    return f'configuration set "{target.configuration_set}"'


def resume_commands(target: Target, region: str) -> list[str]:
    if target.configuration_set is None:
        return [
            f"python -m ses_guard_lambda status --region {region}",
            f"python -m ses_guard_lambda resume --account --region {region}",
            f"(or: aws sesv2 put-account-sending-attributes --sending-enabled --region {region})",
        ]
    name = target.configuration_set
    return [
        f"python -m ses_guard_lambda status --region {region} --configuration-set {name}",
        f"python -m ses_guard_lambda resume --configuration-set {name} --region {region}",
        f"(or: aws sesv2 put-configuration-set-sending-options --configuration-set-name {name} "
        f"--sending-enabled --region {region})",
    ]


def _rate(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} ({value * 100:.2f} %)"


def _short_rate(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.2f}%"


def subject(decision: Decision, event: AlarmEvent, region: str, dry_run: bool) -> str:
    """ASCII, one line, at most 100 characters (SNS rules for Subject)."""
    target = decision.target or Target(None)
    what = "account" if target.configuration_set is None else f"set {target.configuration_set}"
    verb = "WOULD PAUSE" if dry_run else "PAUSED"
    metric = contract.METRIC_SHORT_NAMES.get(decision.metric or "", "reputation")
    text = f"SES {verb} {what} in {region}: {metric} {_short_rate(event.value)}"
    if event.threshold is not None:
        text += f" >= {_short_rate(event.threshold)}"
    text = _NOT_SUBJECT_SAFE.sub("?", text)
    if len(text) > SUBJECT_MAX:
        text = text[: SUBJECT_MAX - 3] + "..."
    return text


def body(
    decision: Decision,
    event: AlarmEvent,
    region: str,
    dry_run: bool,
    *,
    function_arn: str = "",
    now: datetime | None = None,
) -> str:
    target = decision.target or Target(None)
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    label = target_label(target)
    if dry_run:
        headline = f"DRY RUN: ses-reputation-guard WOULD HAVE PAUSED sending for {label} in {region}."
        note = "Nothing was changed: the function runs with DRY_RUN=true (set it to false to pause)."
    else:
        headline = f"ses-reputation-guard PAUSED sending for {label} in {region}, account {event.account_id}."
        note = (
            "SES now rejects sending through this "
            + ("account" if target.is_account else "configuration set")
            + " in this Region until someone resumes it."
        )
    operator = _OPERATORS.get(event.comparison_operator or "", ">=")
    dimension = (
        f", {contract.DIMENSION_CONFIGURATION_SET}={target.configuration_set}"
        if target.configuration_set
        else " (account-wide, no dimension)"
    )
    lines = [
        headline,
        note,
        "",
        "What happened",
        f"  Alarm:       {event.alarm_name}",
        f"  Alarm ARN:   {event.alarm_arn}",
        f"  Metric:      {contract.SES_NAMESPACE} {decision.metric}{dimension}",
        f"  Value:       {_rate(event.value)}",
        f"  Threshold:   {operator} {_rate(event.threshold)}",
        f"  Alarm state: {event.old_state or '?'} -> {event.new_state} at {event.state_change_time or '?'}",
        f"  Reason:      {event.reason or '-'}",
        f"  Decided at:  {when}" + (f" by {function_arn}" if function_arn else ""),
        "",
        "How to resume (after fixing the cause: bad list, broken double opt-in, compromised credentials...)",
        *(f"  {line}" for line in resume_commands(target, region)),
        "",
    ]
    if target.configuration_set is not None:
        lines += [FRESH_START_WARNING, ""]
    lines += [AWS_PAUSE_WARNING]
    return "\n".join(lines) + "\n"
