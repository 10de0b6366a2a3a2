"""What people read after a sweep run: the pause report, the breach notice (once per episode) and the
run's summary notice, in the same family as ``report`` (subject of printable ASCII, e-mail text, one-line
SMS, chat custom notification as ``default``; ``report.Report.publish_params``).

Everything shown comes from SES's datapoints and the deployed policy, never from the invocation's event;
set names are checked against the SES rule before a run acts on them, and still shown quoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ses_guard_policy import contract, evaluation, hub
from ses_guard_policy.sweep import Verdict

from .decision import ALREADY_PAUSED, WOULD_PAUSE, Target
from .report import (
    AWS_PAUSE_WARNING,
    FRESH_START_WARNING,
    SMS_MAX,
    SUBJECT_MAX,
    Report,
    ascii_line,
    bounded,
    hub_status_command,
    quote,
    resume_commands,
    target_label,
)

SOURCE = "sweep"  # contract.SCOPE_SWEEP: reports and logs name the scheduled sweep as their source
LISTED_MAX = 20


@dataclass(frozen=True)
class Where:
    """Where and when the run decided."""

    region: str
    account_id: str
    function_arn: str
    now: datetime
    member: bool = False
    """A hub's member account (``hub_run``): every line names the account as well as the Region."""
    name_prefix: str = ""
    """The hub's prefix, which ``ses-guard`` needs to find the member role (``--name-prefix``)."""

    @property
    def place(self) -> str:
        """``eu-west-1``, or for a member ``eu-west-1, account 111111111111``."""
        return f"{self.region}, account {self.account_id}" if self.member else self.region

    @property
    def status_command(self) -> str:
        if self.member:
            return hub_status_command(self.name_prefix)
        return f"ses-guard status --region {self.region}"


def _subject_place(where: Where) -> str:
    """The Region, or ``<account>/<region>`` for a member (subjects are short)."""
    return hub.unit_name(where.account_id, where.region) if where.member else where.region


def target_of(verdict: Verdict) -> Target:
    return Target(verdict.configuration_set)


def _what(target: Target) -> str:
    return "account" if target.configuration_set is None else f"set {target.configuration_set}"


def _rate(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} ({value * 100:.2f} %)"


def _short(verdict: Verdict) -> str:
    short = contract.METRIC_SHORT_NAMES[verdict.metric]
    return f"{short} {verdict.highest * 100:.2f}% >= {verdict.threshold * 100:.2f}%"


def _facts(verdict: Verdict, rule: evaluation.AlarmRule, where: Where, notes: tuple[str, ...]) -> list[str]:
    target = target_of(verdict)
    dimension = (
        " (account-wide, no dimension)"
        if target.configuration_set is None
        else f", {contract.DIMENSION_CONFIGURATION_SET}={quote(target.configuration_set, 80)}"
    )
    lines = [
        "What happened",
        f"  Source:      {SOURCE} (a scheduled run read SES's own datapoints; no alarm, no event was trusted)",
        f"  Metric:      {contract.SES_NAMESPACE} {verdict.metric}{dimension}",
        f"  Tier:        {verdict.tier}",
        f"  Threshold:   >= {_rate(verdict.threshold)}",
        f"  Highest:     {_rate(verdict.highest)} in the window read",
        f"  Latest:      {_rate(verdict.latest)}",
        f"  Evaluation:  Maximum per period, {rule.settings_text()}: ALARM at the run's time",
    ]
    lines += [f"  Note:        {note}" for note in notes]
    lines.append(f"  Decided at:  {where.now:%Y-%m-%d %H:%M:%S} UTC by {where.function_arn or 'the sweep'}")
    return lines


def _resume(target: Target, where: Where) -> list[str]:
    lines = ["How to resume (after fixing the cause: bad list, broken double opt-in, compromised credentials...)"]
    member = (where.account_id, where.name_prefix) if where.member else None
    lines += [f"  {line}" for line in resume_commands(target, where.region, member=member)] + [""]
    if target.configuration_set is not None:
        lines += [FRESH_START_WARNING, ""]
    return [*lines, AWS_PAUSE_WARNING]


def pause_report(
    verdict: Verdict, outcome: str, rule: evaluation.AlarmRule, where: Where, notes: tuple[str, ...] = ()
) -> Report:
    """After a sweep paused a target (``paused``), would have (``would_pause``, dry run), or found it paused
    without having reported it (``already_paused``)."""
    target = target_of(verdict)
    label = target_label(target)
    verb = {WOULD_PAUSE: "WOULD PAUSE", ALREADY_PAUSED: "PAUSED"}.get(outcome, "PAUSED")
    subject = ascii_line(
        f"SES {verb} {_what(target)} in {_subject_place(where)} ({SOURCE}): {_short(verdict)}", SUBJECT_MAX
    )
    if outcome == WOULD_PAUSE:
        headline = f"DRY RUN: ses-reputation-guard's sweep WOULD HAVE PAUSED sending for {label} in {where.place}."
        note = "Nothing was changed: DRY_RUN=true. A run without it would pause."
    elif outcome == ALREADY_PAUSED:
        headline = f"ses-reputation-guard's sweep: sending for {label} in {where.place} is PAUSED (it already was)."
        note = "Its rate breaches the critical threshold; someone or something paused it before this run."
    else:
        headline = (
            f"ses-reputation-guard's sweep PAUSED sending for {label} in {where.region}, account {where.account_id}."
        )
        scope = "account" if target.is_account else "configuration set"
        note = f"SES now rejects sending through this {scope} in this Region until someone resumes it."
    lines = [headline, note, "", *_facts(verdict, rule, where, notes), "", *_resume(target, where)]
    return Report(subject, bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def breach_notice(verdict: Verdict, why: str, rule: evaluation.AlarmRule, where: Where) -> Report:
    """A breach the run does not pause (a warning, or a critical one whose action is notify or that is
    protected): sent once per episode."""
    target = target_of(verdict)
    subject = ascii_line(
        f"SES {verdict.tier.upper()} {_what(target)} in {_subject_place(where)} ({SOURCE}): {_short(verdict)}",
        SUBJECT_MAX,
    )
    lines = [
        f"ses-reputation-guard's sweep: {target_label(target)} in {where.place} breaches the {verdict.tier} "
        f"threshold for its {contract.METRIC_SHORT_NAMES[verdict.metric]} rate. Nothing was paused: {why}.",
        "This notice is sent once per episode: the next one comes after the rate falls below the threshold "
        "and breaches it again.",
        "",
        *_facts(verdict, rule, where, ()),
        "",
        "Where to look",
        f"  {where.status_command}"
        + (f" --configuration-set {target.configuration_set}" if target.configuration_set and not where.member else ""),
    ]
    return Report(subject, bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def held_notices(held: list[str], where: Where) -> Report:
    """One notice for the breach notices a run held back over its cap (each is in the log)."""
    subject = ascii_line(
        f"SES sweep in {_subject_place(where)}: {len(held)} more breach notice(s) held back", SUBJECT_MAX
    )
    shown = [f"  {quote(item, 200)}" for item in held[:LISTED_MAX]]
    more = [f"  ... and {len(held) - LISTED_MAX} more"] if len(held) > LISTED_MAX else []
    lines = [
        f"ses-reputation-guard's sweep found {len(held)} more new breach(es) in {where.place} at "
        f"{where.now:%Y-%m-%d %H:%M:%S} UTC than it sends notices for in one run. Each is in the function's "
        "log (event sweep_notice_held) and counts as notified: no notice follows for these episodes.",
        "",
        *shown,
        *more,
    ]
    return Report(subject, bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def saturation_notice(saturated: list[str], waiting: int | None, scan: str, where: Where) -> Report:
    """The run's summary when a query returned its 500 series and sets beyond them may breach too."""
    more = "more sets may be waiting" if waiting is None else f"{waiting} more may be waiting"
    subject = ascii_line(f"SES sweep in {_subject_place(where)}: 500+ sets breach, {more}", SUBJECT_MAX)
    lines = [
        f"ses-reputation-guard's sweep in {where.place} ({where.now:%Y-%m-%d %H:%M:%S} UTC): the query for "
        f"{', '.join(saturated)} returned its maximum of 500 sets, the worst first, and the last of them reached "
        "a threshold, so sets beyond them may breach as well.",
        f"Sets of the Region not among the 500 returned: {'unknown' if waiting is None else waiting}.",
        f"Scan beyond the top 500: {scan}",
        "The worst sets were handled first; each run continues where the previous one stopped until every set "
        "was read. Check with: " + where.status_command,
    ]
    return Report(subject, bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))


def unreachable_notice(account_id: str, region: str, reason: str, now: datetime, name_prefix: str) -> Report:
    """A hub could not sweep a member Region (its role could not be assumed, or SES or CloudWatch refused the
    reads there): sent once per episode; the run went on with the other members."""
    subject = ascii_line(
        f"SES guard hub: member {hub.unit_name(account_id, region)} UNREACHABLE, not watched", SUBJECT_MAX
    )
    lines = [
        f"ses-reputation-guard's hub could not sweep account {account_id} in {region} at "
        f"{now:%Y-%m-%d %H:%M:%S} UTC: its bounce and complaint rates are NOT being watched there.",
        f"Reason: {quote(reason, 400)}",
        "",
        "The run went on with the other members; each run tries this one again (the log line "
        "hub_member_unreachable is written every time; this notice once, until it is reachable again).",
        f"Check: the member role {hub.member_role_name(name_prefix)} exists in that account (module "
        "terraform-aws-ses-reputation-guard-member or the MemberRole construct), trusts the hub function's role, "
        "and lists this Region in its regions.",
        f"Then: {hub_status_command(name_prefix)}",
    ]
    return Report(subject, bounded("\n".join(lines) + "\n"), ascii_line(subject, SMS_MAX))
