"""The operator tool: ``ses-guard status|resume|drill|backtest|estimate``.

Exit codes (every command; exit_codes.py has the rule between 1 and 2):
  0    success, or nothing to do (already enabled)
  1    AWS error: a call failed or was refused, AWS does not hold what the arguments name (configuration
       set, function, alarm), no credentials
  2    usage error: a bad option or value, an input file named on the command line that cannot be read
       or breaks a rule (policy, stack, plan JSON, module variables), no Region, a --region that
       disagrees with the Region of the stack or plan given
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
import contextlib
import importlib.metadata
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from ses_guard_cli import backtest, drill, estimate_command, hub_status, resume, status
from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_INTERRUPTED, EXIT_USAGE
from ses_guard_lambda.clients import make_sdk_client
from ses_guard_policy import rules

ClientFactory = Callable[[str | None], Any]
"""Region -> SES v2 client (status, resume)."""
ServiceFactory = Callable[[str, str | None], Any]
"""(service, Region) -> client (drill)."""


DISTRIBUTION = "ses-reputation-guard"
"""The installed distribution whose version ``--version`` prints (pyproject.toml, [project] name)."""
NO_REGION = "no AWS Region: pass --region R, or set AWS_REGION (or a region in the AWS profile)"


def _default_client_factory(region: str | None) -> Any:
    return make_sdk_client("sesv2", region)


def version() -> str:
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ses-guard",
        description="Show or resume Amazon SES sending paused by ses-reputation-guard; drill the guard; replay "
        "its alarms over history (backtest); estimate what it costs.",
        epilog="Exit codes: 0 ok/nothing to do, 1 AWS error (a call failed or was refused, AWS does not hold "
        "what the arguments name, no credentials), 2 usage (a bad option or value, an input file that cannot be "
        "read or breaks a rule, no Region, a --region that disagrees with the stack's or plan's), 3 refused (AWS "
        "shut the account down), 4 aborted (no confirmation, or end of input), 5 drill failed, 6 partial: alarm "
        "episode still open (resume --account --name-prefix: closing it failed, sending left as it was), 7 partial: "
        "sending still paused (the alarm episode closed, re-enabling failed), 130 interrupted (Ctrl-C).",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version()}", help="print the installed version and exit"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="one of:")
    status.add_parser(commands)
    resume = commands.add_parser("resume", help="re-enable sending for the account or one configuration set")
    target = resume.add_mutually_exclusive_group(required=True)
    target.add_argument("--account", action="store_true", help="resume the whole account")
    target.add_argument("--configuration-set", metavar="NAME", help="resume this configuration set")
    resume.add_argument("--region", help="AWS Region (default: from the AWS configuration)")
    resume.add_argument(
        "--member",
        metavar="ACCOUNT_ID",
        help="hub mode: resume in this member account, through its member role <prefix>-member assumed from "
        "the hub account's credentials (--name-prefix: the hub guard's, default ses-guard); no alarm episode "
        "is closed there",
    )
    resume.add_argument("--yes", action="store_true", help="do not ask for confirmation (automation)")
    resume.add_argument(
        "--name-prefix",
        metavar="PREFIX",
        help="with --account: first set this guard's critical account alarms that are in ALARM back to OK, "
        "closing the episode so that a replay of its notifications pauses nothing (a breach that goes on "
        "alarms again at the next evaluation), then re-enable sending (also closes the episode when sending "
        "is already enabled); with --member: the hub guard's prefix, naming the member role",
    )
    drill.add_parser(commands)
    backtest.add_parser(commands)
    estimate_command.add_parser(commands)
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
    try:  # argparse prints help, --version and its errors itself: to this call's streams
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 0 for --help and --version, 2 for usage errors
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
    except NoRegionError:
        print(f"error: {NO_REGION}", file=err)
        return EXIT_USAGE
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
        return estimate_command.run(args, out=out, err=err)
    if args.command == "drill":
        return drill.run(args, out=out, err=err, service_factory=service_factory or make_sdk_client)
    problem = hub_status.usage_problem(args) if args.command == "status" else _resume_problem(args)
    if problem:
        print(f"error: {problem}", file=err)
        return EXIT_USAGE
    services = service_factory or make_sdk_client
    if args.command == "resume" and args.member is not None:
        return resume.run_member(args, services, stdin=stdin, out=out, err=err)
    client = (client_factory or _default_client_factory)(args.region)
    region = args.region or getattr(getattr(client, "meta", None), "region_name", None) or "?"
    if args.command == "status" and args.hub:
        return hub_status.run(client, region, args, out=out, err=err, service_factory=services)
    if args.command == "status":
        return status.run(client, region, args, out=out, err=err, service_factory=services)
    cloudwatch = None  # only to close the account's alarm episode (--name-prefix)
    if args.name_prefix is not None:
        cloudwatch = services("cloudwatch", args.region)
    return resume.run(client, cloudwatch, region=region, args=args, stdin=stdin, out=out, err=err)


def _resume_problem(args: argparse.Namespace) -> str | None:
    """Why ``resume``'s ``--member`` or ``--name-prefix`` cannot be used as given (before anything changes), or None."""
    if args.member is not None and not rules.ACCOUNT_ID.check(args.member):
        return f"--member {args.member!r}: account_id {rules.ACCOUNT_ID.rule}"
    if args.name_prefix is None:
        return None
    if not args.account and args.member is None:
        return (
            "--name-prefix goes with --account (a set's last resume is SES's LastFreshStart) or with --member "
            "(the hub guard's prefix names the member role)"
        )
    if not re.fullmatch(rules.NAME_PREFIX.pattern, args.name_prefix):
        return f"--name-prefix {args.name_prefix!r}: {rules.NAME_PREFIX.rule}"
    return None
