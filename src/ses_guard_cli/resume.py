"""``ses-guard resume``: re-enable a configuration set, or the account.

With the guard's ``--name-prefix``, ``resume --account`` closes the alarm episode first (the guard's
critical account alarms in ALARM set to OK) and only then re-enables sending, so a retried alarm
notification arriving in between finds its alarm OK and pauses nothing. Each part's outcome is
printed as it happens; a run that stops part way exits ``EXIT_PARTIAL_EPISODE_OPEN`` (the episode is
still open, sending left as it was) or ``EXIT_PARTIAL_STILL_PAUSED`` (episode closed, sending still
paused), and running the same command again finishes it.

With ``--member ACCOUNT`` (hub mode), the same resume runs in that member account through its member role
(``member_access``); no alarm episode is closed there (the hub guard's alarms are in the hub account),
and the output says so.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Final, TextIO

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from ses_guard_cli import member_access, status
from ses_guard_cli.exit_codes import (
    EXIT_ABORTED,
    EXIT_AWS_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL_EPISODE_OPEN,
    EXIT_PARTIAL_STILL_PAUSED,
    EXIT_REFUSED,
)
from ses_guard_lambda import ses_actions
from ses_guard_lambda.report import AWS_PAUSE_WARNING, FRESH_START_WARNING
from ses_guard_policy import contract, hub

EPISODE_CLOSED: Final = "ses-guard resume --account: a person resumed the account; this closes the alarm episode"
"""The StateReason of every alarm ``resume --account --name-prefix`` sets to OK."""
_PAUSED_BY_OPEN_EPISODE: Final = "still PAUSED (not re-enabled: the alarm episode is still open)"
MEMBER_EPISODE_SKIPPED: Final = (
    "No alarm episode is closed: a member account carries no guard alarms. The hub's sweep notices the "
    "account sending again at its next run and from then on judges it on later datapoints only."
)


def run(
    client: Any,
    cloudwatch: Any,
    *,
    region: str,
    args: argparse.Namespace,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    sts: Any = None,
    member: str | None = None,
) -> int:
    """``resume``; ``cloudwatch`` is None unless ``--name-prefix`` asks to close the account's alarm episode.
    ``member``: the hub member account ``client`` acts in (``sts``: a client with its credentials)."""
    account = ses_actions.account_status(client)
    if args.account:
        return _resume_account(client, cloudwatch, account, region=region, args=args, stdin=stdin, out=out, err=err)
    where = _Where(region, member, sts)
    return _resume_set(client, account, where=where, args=args, stdin=stdin, out=out, err=err)


def run_member(
    args: argparse.Namespace, service_factory: member_access.ServiceFactory, *, stdin: TextIO, out: TextIO, err: TextIO
) -> int:
    """``resume --member ACCOUNT``: the same resume in a hub's member account, with clients of the member
    role ``<prefix>-member`` assumed from the hub account's credentials. The account's alarm episode is
    the hub guard's (its alarms are in the hub account): nothing to close in a member."""
    prefix = args.name_prefix or member_access.DEFAULT_NAME_PREFIX
    hub_sts = service_factory("sts", args.region)
    region = args.region or getattr(getattr(hub_sts, "meta", None), "region_name", None)
    if not region:
        raise NoRegionError
    who = member_access.caller(hub_sts)
    role = hub.member_role_arn(who.partition, args.member, prefix)
    try:
        factory = member_access.assume_member(hub_sts, who.partition, args.member, prefix)
    except (ClientError, BotoCoreError) as exc:
        print(
            f"error: AssumeRole {role} failed ({status.error_code(exc)}): nothing was changed. The member role must "
            "trust this principal (its operator_role_arns), and --name-prefix must be the hub guard's.",
            file=err,
        )
        return EXIT_AWS_ERROR
    session = member_access.session_name(prefix)
    out.write(f"Member account {args.member}, Region {region}, through {role} (session {session}).\n")
    if args.account:
        out.write(MEMBER_EPISODE_SKIPPED + "\n")
    client, sts = factory("sesv2", region), factory("sts", region)
    return run(client, None, region=region, args=args, stdin=stdin, out=out, err=err, sts=sts, member=args.member)


def account_alarm_names(prefix: str) -> list[str]:
    """The guard's critical account alarms, one per metric."""
    return [
        contract.ALARM_NAME_ACCOUNT.format(prefix=prefix, metric=metric, tier=contract.TIER_CRITICAL)
        for metric in contract.METRIC_SHORT_NAMES.values()
    ]


def _resume_account(
    client: Any,
    cloudwatch: Any,
    account: ses_actions.AccountStatus,
    *,
    region: str,
    args: argparse.Namespace,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
) -> int:
    if account.shut_down_by_aws:
        print(
            f"refused: AWS has paused sending for this account in {region} (EnforcementStatus "
            f"SHUTDOWN). The API cannot resume it; contact AWS Support through the Amazon SES console.",
            file=err,
        )
        return EXIT_REFUSED
    if account.sending_enabled and cloudwatch is None:
        out.write(f"Account sending in {region} is already enabled: nothing to do.\n")
        return EXIT_OK
    _explain_account(account, region, closes_episode=cloudwatch is not None, out=out)
    refusal = confirm("account", args.yes, stdin, out, err)
    if refusal is not None:
        return refusal
    if cloudwatch is None:
        ses_actions.resume_account(client)
        out.write(f"Account sending in {region} re-enabled.\n")
        return EXIT_OK
    episode_closed = close_account_episode(cloudwatch, args.name_prefix, out, err)
    return _re_enable_after_the_episode(
        client, episode_closed=episode_closed, sending_enabled=account.sending_enabled, region=region, out=out, err=err
    )


def _explain_account(account: ses_actions.AccountStatus, region: str, *, closes_episode: bool, out: TextIO) -> None:
    """What ``resume --account`` is about to change, before the confirmation."""
    episode = "closes the guard's alarm episode (its critical account alarms in ALARM set to OK: SetAlarmState)"
    re_enable = (
        f"re-enables sending for the whole account in {region} (PutAccountSendingAttributes SendingEnabled=true)"
    )
    if account.sending_enabled:
        out.write(f"Account sending in {region} is already enabled. This {episode}; sending is not changed.\n")
        return
    out.write(f"This {episode}, then {re_enable}.\n" if closes_episode else f"This {re_enable}.\n")
    out.write(f"Enforcement status: {account.enforcement_status or 'unknown'}.\n")
    if account.enforcement_status == "PROBATION":
        out.write("Warning: the account is under review (PROBATION): fix the cause before resuming.\n")


def close_account_episode(cloudwatch: Any, prefix: str, out: TextIO, err: TextIO) -> bool:
    """The guard's critical account alarms in ALARM back to OK: the function refuses any event older
    than its alarm's current state, so replays of the episode just resumed pause nothing. Prints each
    alarm's outcome; True when none failed (an alarm not found is a warning, not a failure)."""
    names = account_alarm_names(prefix)
    try:
        alarms = cloudwatch.describe_alarms(AlarmNames=names, AlarmTypes=["MetricAlarm"])["MetricAlarms"]
    except (ClientError, BotoCoreError) as exc:
        print(f"error: DescribeAlarms failed: {exc}", file=err)
        for name in names:
            out.write(f"Alarm {name}: state unknown, not changed (DescribeAlarms failed: {status.error_code(exc)}).\n")
        return False
    found = {alarm["AlarmName"] for alarm in alarms}
    if not found:
        print(f"warning: no alarm named {' or '.join(names)} in this Region: no episode closed.", file=err)
    else:
        for name in names:
            if name not in found:
                print(f"warning: no alarm named {name} in this Region: nothing to close.", file=err)
    outcomes = [_close_alarm(cloudwatch, alarm, out, err) for alarm in alarms]
    return all(outcomes)


def _close_alarm(cloudwatch: Any, alarm: dict[str, Any], out: TextIO, err: TextIO) -> bool:
    """One alarm in ALARM set to OK, any other state left as it is; False when SetAlarmState failed."""
    name, state = alarm["AlarmName"], alarm["StateValue"]
    if state != "ALARM":
        out.write(f"Alarm {name}: left in {state}.\n")
        return True
    try:
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason=EPISODE_CLOSED)
    except (ClientError, BotoCoreError) as exc:
        print(f"error: SetAlarmState {name} failed: {exc}", file=err)
        out.write(f"Alarm {name}: left in ALARM (SetAlarmState failed: {status.error_code(exc)}).\n")
        return False
    out.write(f"Alarm {name}: closed (set to OK): replays of its earlier notifications pause nothing.\n")
    return True


def _re_enable_after_the_episode(
    client: Any, *, episode_closed: bool, sending_enabled: bool, region: str, out: TextIO, err: TextIO
) -> int:
    """Account sending once the episode is closed: never while it is still open."""
    already = f"Account sending in {region}: already enabled, not changed.\n"
    if not episode_closed:
        out.write(already if sending_enabled else f"Account sending in {region}: {_PAUSED_BY_OPEN_EPISODE}.\n")
        print(
            f"error: stopped part way (exit {EXIT_PARTIAL_EPISODE_OPEN}): the alarm episode is still open. "
            "Fix the cause and run the same command again (alarms already closed are left as they are).",
            file=err,
        )
        return EXIT_PARTIAL_EPISODE_OPEN
    if sending_enabled:
        out.write(already)
        return EXIT_OK
    try:
        ses_actions.resume_account(client)
    except (ClientError, BotoCoreError) as exc:
        print(f"error: PutAccountSendingAttributes failed: {exc}", file=err)
        code = status.error_code(exc)
        out.write(f"Account sending in {region}: still PAUSED (PutAccountSendingAttributes failed: {code}).\n")
        print(
            f"error: stopped part way (exit {EXIT_PARTIAL_STILL_PAUSED}): the alarm episode is closed but account "
            "sending is still paused. Fix the cause and run the same command again.",
            file=err,
        )
        return EXIT_PARTIAL_STILL_PAUSED
    out.write(f"Account sending in {region} re-enabled.\n")
    return EXIT_OK


@dataclass(frozen=True)
class _Where:
    """Where a set is resumed: its Region, and the hub member account (with its STS client) or None."""

    region: str
    member: str | None = None
    sts: Any = None


def _resume_set(
    client: Any,
    account: ses_actions.AccountStatus,
    *,
    where: _Where,
    args: argparse.Namespace,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
) -> int:
    name, region = args.configuration_set, where.region
    state = ses_actions.set_status(client, name)
    if account.shut_down_by_aws:
        out.write(f"Note: {AWS_PAUSE_WARNING}\n")
    elif not account.sending_enabled:
        member = f"--member {where.member} " if where.member else ""
        out.write(
            f"Note: account-level sending is paused too; resume it with: resume {member}--account --region {region}\n"
        )
    if state.sending_enabled:
        out.write(f"Configuration set {name} in {region} already sends: nothing to do.\n")
        if state.paused_by is not None:  # re-enabled elsewhere: the guard's tag would list it as paused
            status.remove_pause_tags(client, name, out=out, err=err, sts=where.sts)
        return EXIT_OK
    out.write(
        f"This re-enables sending for configuration set {name} in {region} "
        f"(PutConfigurationSetSendingOptions SendingEnabled=true).\n{FRESH_START_WARNING}\n"
    )
    refusal = confirm(name, args.yes, stdin, out, err)
    if refusal is not None:
        return refusal
    ses_actions.resume_configuration_set(client, name)
    out.write(f"Configuration set {name} in {region} re-enabled (its reputation metrics start afresh).\n")
    if state.paused_by is not None:  # the function's pause tag goes with the pause (``ses-guard status``)
        status.remove_pause_tags(client, name, out=out, err=err, sts=where.sts)
    return EXIT_OK


def confirm(expected: str, assume_yes: bool, stdin: TextIO, out: TextIO, err: TextIO) -> int | None:
    """None when confirmed; otherwise the exit code (aborted, or interrupted by Ctrl-C)."""
    if assume_yes:
        return None
    out.write(f"Type {expected!r} to confirm: ")
    out.flush()
    try:
        answer = stdin.readline()
    except KeyboardInterrupt:
        print("\ninterrupted at the confirmation prompt: nothing was changed.", file=err)
        return EXIT_INTERRUPTED
    if not answer:
        print(f"\naborted: no answer (end of input) where {expected!r} was expected; nothing was changed.", file=err)
        return EXIT_ABORTED
    if answer.strip() != expected:
        print(f"aborted: expected {expected!r}, got {answer.strip()!r}; nothing was changed.", file=err)
        return EXIT_ABORTED
    return None
