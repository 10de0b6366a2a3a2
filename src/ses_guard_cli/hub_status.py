"""``ses-guard status --hub``: a hub guard's own account and Region, then every member account x Region.

From the hub account's credentials: the member list (one SSM parameter per member under
``/<prefix>/policy/members/``, ``ses_guard_policy.hub.members_path``; GetParametersByPath), then per
member account one AssumeRole into ``<prefix>-member`` (``member_access``) and per Region what
``status`` shows of one account and Region: GetAccount and the sets carrying the guard's pause tag
(``status.tagged_pauses``: tag:GetResources, which the member role grants). A member whose entry cannot
be read, whose role cannot be assumed or whose account cannot be read is shown unreachable with AWS's
error code; the others are still read, and the exit code is 1.

Only a member's ``regions`` are read from its entry (empty: the hub's Region): the thresholds in it are
the hub's business, checked by the function against its own policy.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from ses_guard_cli import member_access, status
from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_OK
from ses_guard_cli.member_access import ServiceFactory
from ses_guard_lambda import ses_actions
from ses_guard_lambda.paging import pages
from ses_guard_lambda.report import AWS_PAUSE_WARNING
from ses_guard_policy import contract, hub, rules

PARAMETERS_PER_PAGE = 10
"""GetParametersByPath's MaxResults maximum."""


def usage_problem(args: argparse.Namespace) -> str | None:
    """Why ``status`` cannot run as given (before any AWS call), or None."""
    if not args.hub:
        return "--name-prefix goes with --hub (the hub guard's prefix)" if args.name_prefix is not None else None
    if args.all or args.configuration_set:
        return "--hub goes with neither --all nor --configuration-set (it shows the sets a guard paused, by tag)"
    if args.name_prefix is not None and not rules.NAME_PREFIX.check(args.name_prefix):
        return f"--name-prefix {args.name_prefix!r}: {rules.NAME_PREFIX.rule}"
    return None


# --- the member list ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberEntry:
    """One member's parameter: its account and the Regions watched there, or why it cannot be read."""

    account: str
    regions: tuple[str, ...] = ()
    error: str | None = None


def read_members(ssm: Any, prefix: str, hub_region: str) -> list[MemberEntry]:
    """Every member parameter under the hub's members path (SecureString: decrypted), in account order."""
    path = hub.members_path(prefix)
    entries = [
        member_entry(str(parameter["Name"]), str(parameter.get("Value", "")), hub_region, path)
        for page in pages(ssm.get_parameters_by_path, Path=path, WithDecryption=True, MaxResults=PARAMETERS_PER_PAGE)
        for parameter in page.get("Parameters", [])
    ]
    return sorted(entries, key=lambda entry: entry.account)


def member_entry(name: str, value: str, hub_region: str, path: str) -> MemberEntry:
    """The member's account (the parameter's last name part) and Regions (empty: the hub's)."""
    account = name.removeprefix(path)
    if not rules.ACCOUNT_ID.check(account):
        return MemberEntry(account, error=f"parameter {name}: account_id {account!r} {rules.ACCOUNT_ID.rule}")
    try:
        document = json.loads(value)
    except ValueError:
        return MemberEntry(account, error=f"parameter {name}: not JSON")
    regions = document.get("regions", []) if isinstance(document, dict) else None
    if not isinstance(regions, list) or not all(rules.REGION_NAME.check(region) for region in regions):
        return MemberEntry(account, error=f"parameter {name}: regions={regions!r}: {rules.REGION_NAME.rule}")
    return MemberEntry(account, tuple(dict.fromkeys(regions)) or (hub_region,))


# --- each account x Region ----------------------------------------------------------------------------


@dataclass
class Unit:
    """One account in one Region: what ``status`` reads there, or why it could not (``error``)."""

    account: str
    region: str
    is_hub: bool = False
    report: status.StatusReport | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or (self.report is not None and self.report.failed)


def read_unit(factory: ServiceFactory, account: str, region: str, *, is_hub: bool = False) -> Unit:
    """GetAccount, then the sets carrying the pause tag; a failed GetAccount makes the unit unreachable."""
    try:
        report = status.StatusReport(region, ses_actions.account_status(factory("sesv2", region)))
    except (ClientError, BotoCoreError) as exc:
        return Unit(account, region, is_hub, error=f"GetAccount: {status.error_code(exc)}")
    status.read_tagged(report, factory(status.TAGGING_SERVICE, region))
    return Unit(account, region, is_hub, report)


def read_member(sts: Any, partition: str, entry: MemberEntry, prefix: str) -> list[Unit]:
    """Each Region of one member; its role is assumed once. Any failure is the member's alone."""
    if entry.error is not None:
        return [Unit(entry.account, "-", error=entry.error)]
    try:
        factory = member_access.assume_member(sts, partition, entry.account, prefix)
    except (ClientError, BotoCoreError) as exc:
        return [Unit(entry.account, region, error=f"AssumeRole: {status.error_code(exc)}") for region in entry.regions]
    return [read_unit(factory, entry.account, region) for region in entry.regions]


@dataclass
class HubReport:
    prefix: str
    account: str
    region: str
    units: list[Unit] = field(default_factory=list)
    members: int = 0
    members_error: str | None = None

    @property
    def failed(self) -> bool:
        return self.members_error is not None or any(unit.failed for unit in self.units)


def run(
    client: Any, region: str, args: argparse.Namespace, *, out: TextIO, err: TextIO, service_factory: ServiceFactory
) -> int:
    """The hub's account and Region (``client``: its SES v2 client), then every member account x Region."""
    prefix = args.name_prefix or member_access.DEFAULT_NAME_PREFIX
    sts = service_factory("sts", region)
    who = member_access.caller(sts)
    report = HubReport(prefix, who.account, region)

    def hub_factory(service: str, service_region: str | None) -> Any:
        return client if service == "sesv2" else service_factory(service, service_region)

    report.units.append(read_unit(hub_factory, who.account, region, is_hub=True))
    try:
        entries = read_members(service_factory("ssm", region), prefix, region)
    except (ClientError, BotoCoreError) as exc:
        report.members_error = f"GetParametersByPath failed: {status.error_code(exc)}"
        print(f"error: the member list ({hub.members_path(prefix)}) could not be read: {exc}", file=err)
        entries = []
    report.members = len(entries)
    for entry in entries:
        report.units += read_member(sts, who.partition, entry, prefix)
    out.write(json.dumps(hub_document(report), indent=2) + "\n" if args.json else render(report))
    return EXIT_AWS_ERROR if report.failed else EXIT_OK


# --- output -------------------------------------------------------------------------------------------

COLUMNS = ("ACCOUNT", "REGION", "SENDING", "ENFORCEMENT", "PAUSED SETS", "")


def render(report: HubReport) -> str:
    path = hub.members_path(report.prefix)
    members = report.members_error or f"{report.members} member account(s)"
    lines = [f"Hub {report.prefix}: account {report.account}, Region {report.region}; members under {path}: {members}"]
    rows = [COLUMNS, *(_row(unit) for unit in report.units)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    lines += [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines += _paused_lines(report.units)
    unreachable = sum(unit.report is None for unit in report.units)
    if unreachable:
        lines.append(
            f"Unreachable: {unreachable} account x Region(s). AssumeRole AccessDenied: the member role does not "
            "trust these credentials (its operator_role_arns) or --name-prefix is not the hub guard's."
        )
    return "\n".join(lines) + "\n"


def _row(unit: Unit) -> tuple[str, ...]:
    where = "hub" if unit.is_hub else ""
    if unit.report is None:
        return (unit.account, unit.region, "UNREACHABLE", "-", "-", f"({unit.error})")
    account = unit.report.account
    tagged = unit.report.tagged
    paused = f"UNKNOWN ({unit.report.tagged_error})" if tagged is None else str(len(tagged))
    sending = "enabled" if account.sending_enabled else "PAUSED"
    return (unit.account, unit.region, sending, account.enforcement_status or "unknown", paused, where)


def _paused_lines(units: list[Unit]) -> list[str]:
    lines: list[str] = []
    for unit in units:
        if unit.report is None:
            continue
        where = hub.unit_name(unit.account, unit.region)
        if unit.report.account.shut_down_by_aws:
            lines.append(f"  {where} account: {AWS_PAUSE_WARNING}")
        elif not unit.report.account.sending_enabled:
            lines.append(f"  {where} account: sending PAUSED")
        for pause in unit.report.tagged or []:
            by = f"PAUSED by guard {pause.paused_by} at {pause.paused_at or 'unknown time'}"
            lines.append(f"  {where} configuration set {pause.name}: {by}")
    if not lines:
        return []
    heading = f"Paused (configuration sets: those carrying the tag {contract.TAG_PAUSED_BY}):"
    tail = (
        "Resume: ses-guard resume --configuration-set NAME --region REGION (or --account), with --member ACCOUNT "
        "for a member's"
    )
    return [heading, *lines, tail]


def hub_document(report: HubReport) -> dict[str, Any]:
    return {
        "hub": {
            "name_prefix": report.prefix,
            "account_id": report.account,
            "region": report.region,
            "members_path": hub.members_path(report.prefix),
            "members": None if report.members_error else report.members,
            "members_error": report.members_error,
        },
        "units": [_unit_document(unit) for unit in report.units],
    }


def _unit_document(unit: Unit) -> dict[str, Any]:
    document: dict[str, Any] = {"account_id": unit.account, "hub": unit.is_hub, "reachable": unit.report is not None}
    document["error"] = unit.error
    if unit.report is None:
        return {**document, "region": unit.region}
    return {**document, **status.status_document(unit.report)}
