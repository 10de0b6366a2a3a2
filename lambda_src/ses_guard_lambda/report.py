"""What people read: the pause report and the "pause refused" notice, published to the notification topic.

Text that comes from the event or the alarm (state reasons, names the event claims) is untrusted:
anyone who can call SetAlarmState can write a state reason. It is shown quoted, stripped of control
and bidirectional-override characters and truncated, and never placed where instructions are. The
whole message stays far below SNS's 256 KiB limit, the subject is printable ASCII of at most 100
characters (SNS's rule), SMS subscribers get a one-line text and chat channels a custom notification
(``MessageStructure=json``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ses_guard_policy import contract, hub

from .decision import ALREADY_PAUSED, WOULD_PAUSE, Target

if TYPE_CHECKING:  # the texts below are imported by the constructs and the CLI: keep boto3 out
    from .verify import Judgement

SUBJECT_MAX = 100
SMS_MAX = 140  # one SMS segment of 7-bit characters
QUOTE_MAX = 300
SET_NAME_MAX = 80  # a set name shown in quotes: SES allows 64 characters, a claimed one may be longer
BODY_MAX = 16 * 1024  # characters; SNS allows 256 KiB for the whole message
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_NOT_ASCII_PRINTABLE = re.compile(r"[^\x20-\x7e]")
_OPERATORS = {"GreaterThanOrEqualToThreshold": ">=", "GreaterThanThreshold": ">"}

FRESH_START_WARNING = (
    "Warning: re-enabling a configuration set resets its reputation metrics (AWS calls this a "
    '"fresh start"; GetConfigurationSet shows it as LastFreshStart). Bounce and complaint rates '
    "are computed afresh, so the alarms no longer reflect the old problem: fix the cause first."
)
AWS_PAUSE_WARNING = (
    "If AWS itself paused sending for the account (GetAccount shows EnforcementStatus SHUTDOWN), "
    "the API cannot lift that pause: contact AWS Support through the Amazon SES console."
)


@dataclass(frozen=True)
class Report:
    subject: str
    body: str
    sms: str

    def chat_notification(self) -> str:
        """What AWS chat integration posts (Amazon Q Developer in chat applications, "Custom
        notifications": ``version`` 1.0, ``source`` custom). No ``textType``: the body quotes untrusted
        text, which must not be rendered as markdown (links)."""
        content = {"title": self.subject, "description": self.body}
        return json.dumps({"version": "1.0", "source": "custom", "content": content})

    def publish_params(self, topic_arn: str) -> dict[str, Any]:
        """Email gets the text, SMS the one line, every other subscriber (chat, queues, functions) the
        custom notification, which carries the same text."""
        message = {"default": self.chat_notification(), "email": self.body, "sms": self.sms}
        return {
            "TopicArn": topic_arn,
            "Subject": self.subject,
            "Message": json.dumps(message),
            "MessageStructure": "json",
        }


def quote(text: str | None, limit: int = QUOTE_MAX) -> str:
    """Untrusted text, made safe to show: one line, no control characters, bounded, in quotes."""
    if not text:
        return "-"
    cleaned = " ".join(_UNSAFE.sub(" ", text).split()).replace('"', "'")
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 3] + "..."
    return f'"{cleaned}"'


def ascii_line(text: str, limit: int) -> str:
    line = " ".join(_NOT_ASCII_PRINTABLE.sub("?", text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def target_label(target: Target) -> str:
    if target.configuration_set is None:
        return "the account"
    return f"configuration set {quote(target.configuration_set, SET_NAME_MAX)}"


def resume_commands(target: Target, region: str, *, member: tuple[str, str] | None = None) -> list[str]:
    """The commands that resume ``target``; ``member``: a hub's member account and the hub's prefix (the
    target is resumed through the member role)."""
    if member is not None:
        return _member_resume_commands(target, region, member)
    if target.configuration_set is None:
        return [
            f"ses-guard status --region {region}",
            f"ses-guard resume --account --region {region}",
            f"(or: aws sesv2 put-account-sending-attributes --sending-enabled --region {region})",
        ]
    name = target.configuration_set
    return [
        f"ses-guard status --region {region} --configuration-set {name}",
        f"ses-guard resume --configuration-set {name} --region {region}",
        f"(or: aws sesv2 put-configuration-set-sending-options --configuration-set-name {name} "
        f"--sending-enabled --region {region})",
    ]


def hub_status_command(name_prefix: str) -> str:
    """The operator tool's view of a hub's every member account and Region."""
    return f"ses-guard status --hub --name-prefix {name_prefix}"


def _member_resume_commands(target: Target, region: str, member: tuple[str, str]) -> list[str]:
    account, prefix = member
    what = "--account" if target.configuration_set is None else f"--configuration-set {target.configuration_set}"
    return [
        hub_status_command(prefix),
        f"ses-guard resume --member {account} {what} --region {region} --name-prefix {prefix}",
        f"(ses-guard assumes the member role {hub.member_role_name(prefix)} in account {account}; or run the aws sesv2 "
        "command there)",
    ]


def _rate(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} ({value * 100:.2f} %)"


def _short_rate(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:.2f}%"


def _what(target: Target) -> str:
    return "account" if target.configuration_set is None else f"set {target.configuration_set}"


def _value(judgement: Judgement) -> float | None:
    """SES's own latest datapoint when measured, else the value the event quoted."""
    evidence = judgement.evidence
    return evidence.latest if evidence is not None and evidence.latest is not None else judgement.event.value


def pause_report(judgement: Judgement, outcome: str, region: str, *, function_arn: str, now: datetime) -> Report:
    """After a pause (``paused``), a dry run or drill (``would_pause``), or a target found already paused."""
    decision, event = judgement.decision, judgement.event
    target = decision.target or Target(None)
    label = target_label(target)
    metric = contract.METRIC_SHORT_NAMES.get(decision.metric or "", "reputation")
    rate = f"{metric} {_short_rate(_value(judgement))} >= {_short_rate(event.threshold)}"
    verb = {WOULD_PAUSE: "WOULD PAUSE", ALREADY_PAUSED: "PAUSED"}.get(outcome, "PAUSED")
    drill = "DRILL " if event.drill else ""
    repeat = " (may repeat)" if outcome == ALREADY_PAUSED else ""
    subject = ascii_line(f"SES {drill}{verb} {_what(target)} in {region}{repeat}: {rate}", SUBJECT_MAX)
    if outcome == WOULD_PAUSE:
        why = "a drill (ses-guard drill)" if event.drill else "DRY_RUN=true"
        mode = "DRILL" if event.drill else "DRY RUN"
        headline = f"{mode}: ses-reputation-guard WOULD HAVE PAUSED sending for {label} in {region}."
        note = f"Nothing was changed: this was {why}. The checks below passed, so a real alarm would pause."
    elif outcome == ALREADY_PAUSED:
        headline = f"ses-reputation-guard: sending for {label} in {region} is PAUSED (it already was)."
        note = (
            f"This may repeat an earlier message (a retry or a duplicate delivery of the same alarm); "
            f"the target's state when checked: {judgement.state.detail if judgement.state else 'paused'}."
        )
    else:
        headline = f"ses-reputation-guard PAUSED sending for {label} in {region}, account {event.account_id}."
        scope = "account" if target.is_account else "configuration set"
        note = f"SES now rejects sending through this {scope} in this Region until someone resumes it."
    lines = [headline, note, "", *_facts(judgement, region, function_arn, now), ""]
    lines += ["How to resume (after fixing the cause: bad list, broken double opt-in, compromised credentials...)"]
    lines += [f"  {line}" for line in resume_commands(target, region)] + [""]
    if target.configuration_set is not None:
        lines += [FRESH_START_WARNING, ""]
    lines += [AWS_PAUSE_WARNING]
    return Report(subject, _bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def claimed(target: Target | None) -> str:
    """A target that failed verification, as the event named it: quoted, never trusted."""
    if target is None:
        return "anything"
    if target.configuration_set is None:
        return "the account (claimed)"
    return f"claimed set {quote(target.configuration_set, SET_NAME_MAX)}"


def refusal_notice(judgement: Judgement, outcome: str, region: str, *, function_arn: str, now: datetime) -> Report:
    """After a refusal (``outcome`` is ``refused``): what was claimed, why it was not believed, and the
    target's state now (a retry after an earlier delivery paused it must not say "nothing changed")."""
    decision, event = judgement.decision, judgement.event
    target, state = decision.target, judgement.state
    what = claimed(target)
    paused_now = state is not None and state.paused and target is not None
    drill = "DRILL " if event.drill else ""
    outcome_text = "it IS PAUSED" if paused_now else "not confirmed"
    subject = ascii_line(f"SES {drill}pause REFUSED for {what} in {region}: {outcome_text}", SUBJECT_MAX)
    context = (
        "This is the expected result of a drill (ses-guard drill)."
        if event.drill
        else "If nobody ran a drill (ses-guard drill), someone or something sent an alarm event that "
        "CloudWatch and SES do not confirm: a misconfiguration, a replay, or an attempt to stop your "
        "e-mail. Look in CloudTrail for lambda:Invoke, sns:Publish and cloudwatch:SetAlarmState calls "
        f"around {now:%Y-%m-%d %H:%M} UTC."
    )
    headline = f"ses-reputation-guard REFUSED to pause {what} in {region}: nothing was changed."
    if paused_now and target is not None and state is not None:
        headline = (
            f"ses-reputation-guard REFUSED to pause {what} in {region}: this event changed nothing, but "
            f"sending for {target_label(target)} IS PAUSED now ({state.detail}): an earlier delivery of this "
            "alarm, another alarm or a person paused it."
        )
    lines = [
        headline,
        context,
        "",
        "Why",
        f"  {quote(decision.reason, 1000)}",
        "",
        *_facts(judgement, region, function_arn, now),
    ]
    if paused_now and target is not None:
        lines += ["", "How to resume (after fixing the cause)"]
        lines += [f"  {line}" for line in resume_commands(target, region)]
    return Report(subject, _bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def held_notices_summary(held: list[str], region: str, *, now: datetime) -> Report:
    """One notice for the refusal notices an invocation held back (``notices.NoticeGate``)."""
    subject = ascii_line(f"SES pause REFUSED {len(held)} more time(s) in {region}: notices held back", SUBJECT_MAX)
    shown = [f"  {quote(item, 200)}" for item in held[:20]]
    more = [f"  ... and {len(held) - 20} more"] if len(held) > 20 else []
    lines = [
        f"ses-reputation-guard refused {len(held)} more pause request(s) in {region} in one invocation "
        f"({now:%Y-%m-%d %H:%M:%S} UTC) and held their notices back, so that a flood of forged events cannot "
        "exhaust your SMS or chat limits. Nothing was changed by them. The function's log has each decision.",
        "",
        "Claimed (alarm -> target, as the events named them)",
        *shown,
        *more,
    ]
    return Report(subject, _bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def _facts(judgement: Judgement, region: str, function_arn: str, now: datetime) -> list[str]:
    event, decision, evidence = judgement.event, judgement.decision, judgement.evidence
    changed = event.changed_at
    lines = [
        "What happened (text supplied by the alarm or the event is quoted)",
        f"  Alarm:       {quote(event.alarm_name, 200)}",
        f"  Alarm ARN:   {quote(event.alarm_arn, 300)}",
        f"  Delivered:   {event.source}" + (f" from {quote(event.topic_arn, 300)}" if event.topic_arn else ""),
        f"  Metric:      {contract.SES_NAMESPACE} {decision.metric or '?'}{_dimension(decision.target)}",
        f"  Threshold:   {_OPERATORS.get(event.comparison_operator or '', '>=')} {_rate(event.threshold)}",
        f"  Alarm state: {quote(event.old_state, 40)} -> {event.new_state} at "
        + (f"{changed:%Y-%m-%d %H:%M:%S} UTC" if changed else "?"),
        f"  Its reason:  {quote(event.reason)}",
    ]
    if evidence is not None:
        lines.append(f"  SES data:    {evidence.summary}; latest {_rate(evidence.latest)}")
    lines += [f"  Note:        {note}" for note in judgement.notes]
    lines.append(f"  Decided at:  {now:%Y-%m-%d %H:%M:%S} UTC" + (f" by {function_arn}" if function_arn else ""))
    return lines


def _dimension(target: Target | None) -> str:
    if target is None:
        return ""
    if target.configuration_set is None:
        return " (account-wide, no dimension)"
    return f", {contract.DIMENSION_CONFIGURATION_SET}={quote(target.configuration_set, SET_NAME_MAX)}"


def _bounded(body: str) -> str:
    return body if len(body) <= BODY_MAX else body[: BODY_MAX - 40] + "\n[... message truncated ...]\n"


def bounded(body: str) -> str:
    """``body`` cut to ``BODY_MAX`` characters (for the sweep's reports, ``sweep_report``)."""
    return _bounded(body)
