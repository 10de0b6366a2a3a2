"""The operator tool: ``ses-guard status|resume|drill|backtest|estimate``.

Exit codes (status, resume, drill):
  0    success, or nothing to do (already enabled)
  1    AWS error (API call failed, configuration set not found, no credentials or Region)
  2    usage error (bad arguments)
  3    refused: AWS paused the account (EnforcementStatus SHUTDOWN); the API cannot resume it
  4    aborted: the confirmation was not given (wrong answer, or end of input at the prompt)
  5    drill failed: the function did not refuse the synthetic alarm or sent no notice
  6    resume --account --name-prefix stopped part way: the alarm episode is still open (closing it
       failed); account sending was left as it was (paused: not re-enabled)
  7    resume --account --name-prefix stopped part way: the alarm episode is closed but re-enabling
       account sending failed; sending is still paused
  130  interrupted (Ctrl-C); at the confirmation prompt nothing was changed
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from ses_guard_cli import backtest, drill, estimate, resume
from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from ses_guard_lambda import ses_actions
from ses_guard_lambda.clients import make_client
from ses_guard_lambda.report import AWS_PAUSE_WARNING
from ses_guard_policy import rules

ClientFactory = Callable[[str | None], Any]
"""Region -> SES v2 client (status, resume)."""
ServiceFactory = Callable[[str, str | None], Any]
"""(service, Region) -> client (drill)."""


def _default_client_factory(region: str | None) -> Any:
    return make_client("sesv2", region)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ses-guard",
        description="Show or resume Amazon SES sending paused by ses-reputation-guard; drill the guard.",
        epilog="Exit codes: 0 ok/nothing to do, 1 AWS error, 2 usage, 3 refused (AWS shut the account "
        "down), 4 aborted (no confirmation, or end of input), 5 drill failed, 6 partial: alarm episode still "
        "open (resume --account --name-prefix: closing it failed, sending left as it was), 7 partial: sending "
        "still paused (the alarm episode closed, re-enabling failed), 130 interrupted (Ctrl-C).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    status = commands.add_parser("status", help="account and configuration set sending status")
    status.add_argument("--region", help="AWS Region (default: from the AWS configuration)")
    status.add_argument(
        "--configuration-set",
        action="append",
        default=[],
        metavar="NAME",
        help="also show this configuration set (repeatable)",
    )
    status.add_argument("--json", action="store_true", help="machine-readable output")
    resume = commands.add_parser("resume", help="re-enable sending for the account or one configuration set")
    target = resume.add_mutually_exclusive_group(required=True)
    target.add_argument("--account", action="store_true", help="resume the whole account")
    target.add_argument("--configuration-set", metavar="NAME", help="resume this configuration set")
    resume.add_argument("--region", help="AWS Region (default: from the AWS configuration)")
    resume.add_argument("--yes", action="store_true", help="do not ask for confirmation (automation)")
    resume.add_argument(
        "--name-prefix",
        metavar="PREFIX",
        help="with --account: first set this guard's critical account alarms that are in ALARM back to OK, "
        "closing the episode so that a replay of its notifications pauses nothing (a breach that goes on "
        "alarms again at the next evaluation), then re-enable sending (also closes the episode when sending "
        "is already enabled)",
    )
    drill.add_parser(commands)
    backtest.add_parser(commands)
    estimate.add_parser(commands)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    client_factory: ClientFactory | None = None,
    service_factory: ServiceFactory | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help, 2 for usage errors
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _dispatch(args, client_factory, service_factory, stdin or sys.stdin, out, err)
    except KeyboardInterrupt:
        print("\ninterrupted", file=err)
        return EXIT_INTERRUPTED
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        what = "not found" if code in ("NotFoundException", "ResourceNotFoundException") else "AWS call failed"
        print(f"error: {what}: {exc}", file=err)
        return EXIT_AWS_ERROR
    except BotoCoreError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_AWS_ERROR


def _dispatch(
    args: argparse.Namespace,
    client_factory: ClientFactory | None,
    service_factory: ServiceFactory | None,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
) -> int:
    if args.command == "backtest":
        return backtest.run(args, out=out, err=err)
    if args.command == "estimate":
        return estimate.run(args, out=out, err=err)
    if args.command == "drill":
        return drill.run(args, out=out, err=err, service_factory=service_factory or make_client)
    client = (client_factory or _default_client_factory)(args.region)
    region = args.region or getattr(getattr(client, "meta", None), "region_name", None) or "?"
    if args.command == "status":
        return _status(client, region, args.configuration_set, args.json, out)
    cloudwatch = None  # only to close the account's alarm episode (--name-prefix)
    if args.name_prefix is not None:
        problem = _name_prefix_problem(args)
        if problem:
            print(f"error: {problem}", file=err)
            return EXIT_USAGE
        cloudwatch = (service_factory or make_client)("cloudwatch", args.region)
    return resume.run(client, cloudwatch, region=region, args=args, stdin=stdin, out=out, err=err)


def _name_prefix_problem(args: argparse.Namespace) -> str | None:
    """Why ``--name-prefix`` cannot be used as given (before anything changes), or None."""
    if not args.account:
        return "--name-prefix goes with --account (a set's last resume is SES's LastFreshStart)"
    if not re.fullmatch(rules.NAME_PREFIX.pattern, args.name_prefix):
        return f"--name-prefix {args.name_prefix!r}: {rules.NAME_PREFIX.rule}"
    return None


def _status(client: Any, region: str, sets: Sequence[str], as_json: bool, out: TextIO) -> int:
    """The account first (always shown), then each set; a missing set is reported, not fatal to the rest."""
    account = ses_actions.account_status(client)
    set_states: list[ses_actions.SetStatus | str] = []
    for name in sets:
        try:
            set_states.append(ses_actions.set_status(client, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                raise
            set_states.append(name)
    if as_json:
        out.write(json.dumps(_status_document(region, account, set_states), indent=2) + "\n")
    else:
        out.write(f"Region {region}\n")
        out.write(
            f"  account: sending {_on_off(account.sending_enabled)}, "
            f"enforcement status {account.enforcement_status or 'unknown'}\n"
        )
        if account.shut_down_by_aws:
            out.write(f"  {AWS_PAUSE_WARNING}\n")
        for state in set_states:
            out.write(f"  configuration set {_set_line(state)}\n")
    return EXIT_AWS_ERROR if any(isinstance(s, str) for s in set_states) else EXIT_OK


def _status_document(
    region: str, account: ses_actions.AccountStatus, set_states: Sequence[ses_actions.SetStatus | str]
) -> dict[str, Any]:
    sets: list[dict[str, Any]] = []
    for s in set_states:
        if isinstance(s, str):
            sets.append({"name": s, "error": "not found"})
            continue
        sets.append(
            {
                "name": s.name,
                "sending_enabled": s.sending_enabled,
                "reputation_metrics_enabled": s.reputation_metrics_enabled,
                "last_fresh_start": s.last_fresh_start.isoformat() if s.last_fresh_start else None,
            }
        )
    account_part = {
        "sending_enabled": account.sending_enabled,
        "enforcement_status": account.enforcement_status,
        "production_access_enabled": account.production_access,
    }
    return {"region": region, "account": account_part, "configuration_sets": sets}


def _set_line(state: ses_actions.SetStatus | str) -> str:
    if isinstance(state, str):
        return f"{state}: NOT FOUND in this Region"
    metrics = {True: "on", False: "OFF (alarms per set see no data)", None: "unknown"}[state.reputation_metrics_enabled]
    fresh = state.last_fresh_start.isoformat() if state.last_fresh_start else "never"
    return (
        f"{state.name}: sending {_on_off(state.sending_enabled)}, reputation metrics {metrics}, "
        f"last fresh start {fresh}"
    )


def _on_off(enabled: bool) -> str:
    return "enabled" if enabled else "PAUSED"
