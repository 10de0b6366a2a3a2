"""``ses-guard status``: the account, the configuration sets a guard paused, and (``--all``) every paused set.

Cheapest first:

* Always: the account (GetAccount) and every set carrying the tag ``ses-reputation-guard:paused-by``,
  which the function writes when it pauses a set (with ``...:paused-at``; ``resume --configuration-set``
  removes both). The sets are read through the Resource Groups Tagging API: GetResources with a
  TagFilter on that key and the resource type ``ses:configuration-set``, 100 sets a page, so there is no
  call per set (10,000 sets of which 100 are paused: one GetAccount, one GetResources). What it shows is
  what the tags say: a set re-enabled outside ``ses-guard resume`` keeps its tag until resumed with it.
* ``--configuration-set NAME`` (repeatable): that set's live state (GetConfigurationSet).
* ``--all``: every set (ListConfigurationSets, then GetConfigurationSet per set), which also finds sets
  paused by anyone else and says which pauses the guard made (its tag on the set) and which it did not.
  SES throttles every API action except sending at one request per second (SES Developer Guide,
  "Service quotas in Amazon SES", API quotas; not adjustable), so the calls are paced at ``--rate`` per
  second (default 1: 10,000 sets take about 2 h 47 min) and progress goes to stderr; a call throttled
  anyway (the guard's function shares the quota) is retried by botocore's standard retry mode, 5
  attempts in all, before the set is reported unreadable.
* ``--hub [--name-prefix P]``: a hub guard's account and Region, then each member account x Region, the
  account and the tagged sets of each read as above through the member role (``hub_status.py``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_OK
from ses_guard_lambda import ses_actions
from ses_guard_lambda.budget import THROTTLING_CODES
from ses_guard_lambda.clients import make_sdk_client
from ses_guard_lambda.paging import pages
from ses_guard_lambda.report import AWS_PAUSE_WARNING
from ses_guard_policy import contract

ServiceFactory = Callable[[str, str | None], Any]
"""(service, Region) -> client."""

TAGGING_SERVICE: Final = "resourcegroupstaggingapi"
SET_RESOURCE_TYPE: Final = "ses:configuration-set"
"""GetResources' ResourceTypeFilters name a type as ``service:resource-type``, the two as in the ARN
(``arn:<p>:ses:<r>:<a>:configuration-set/<name>``)."""
RESOURCES_PER_PAGE: Final = 100
"""The most GetResources returns a page (its ResourcesPerPage maximum)."""
LIST_PAGE_SIZE: Final = 1000
DEFAULT_RATE: Final = 1.0
"""SES API calls a second for ``--all``: SES's documented rate for every action except sending."""
PROGRESS_EVERY_SECONDS: Final = 30.0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "status",
        help="account sending status and the configuration sets a guard paused (--all: every paused set)",
        description="The account, then every configuration set a guard's function paused (found by its "
        f"{contract.TAG_PAUSED_BY} tag through the Resource Groups Tagging API: no call per set). --all reads "
        "every set instead (one SES call each, paced) and also finds sets paused by anyone else.",
    )
    parser.add_argument("--region", help="AWS Region (default: from the AWS configuration)")
    parser.add_argument(
        "--configuration-set",
        action="append",
        default=[],
        metavar="NAME",
        help="also show this configuration set's live state (repeatable)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="read every configuration set (ListConfigurationSets, GetConfigurationSet each): also finds sets "
        "paused by anyone else; progress on stderr",
    )
    parser.add_argument(
        "--rate",
        type=_positive_rate,
        default=DEFAULT_RATE,
        metavar="CALLS_PER_SECOND",
        help=f"with --all: SES calls a second (default {DEFAULT_RATE:g}, SES's documented API rate; lower it "
        "while the guard is pausing sets, it shares the quota)",
    )
    parser.add_argument(
        "--hub",
        action="store_true",
        help="a hub guard: the hub's account and Region, then each member account x Region of its list (SSM, "
        "under /<prefix>/policy/members/), read through the member role <prefix>-member; an unreachable "
        "member is shown with the AWS error code (exit 1)",
    )
    parser.add_argument(
        "--name-prefix",
        metavar="PREFIX",
        help="with --hub: the hub guard's name prefix (default ses-guard)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _positive_rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not rate > 0 or rate == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: the rate must be a positive number of calls a second")
    return rate


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaggedPause:
    """A set carrying the guard's pause tag, as GetResources reports it."""

    name: str
    paused_by: str
    paused_at: str | None


def tagged_pauses(tagging: Any) -> list[TaggedPause]:
    """Every configuration set in the client's Region carrying the ``paused-by`` tag: one GetResources
    per 100 such sets, whatever the number of sets (Resource Groups Tagging API)."""
    found: list[TaggedPause] = []
    request: dict[str, Any] = {
        "TagFilters": [{"Key": contract.TAG_PAUSED_BY}],
        "ResourceTypeFilters": [SET_RESOURCE_TYPE],
        "ResourcesPerPage": RESOURCES_PER_PAGE,
    }
    while True:
        response = tagging.get_resources(**request)
        for mapping in response.get("ResourceTagMappingList", []):
            arn = str(mapping.get("ResourceARN", ""))
            _, _, name = arn.partition(":configuration-set/")
            tags = {tag["Key"]: tag.get("Value", "") for tag in mapping.get("Tags", [])}
            if name and contract.TAG_PAUSED_BY in tags:
                found.append(TaggedPause(name, tags[contract.TAG_PAUSED_BY], tags.get(contract.TAG_PAUSED_AT)))
        token = response.get("PaginationToken")
        if not token:
            return sorted(found, key=lambda pause: pause.name)
        request["PaginationToken"] = token


class Pacer:
    """Makes calls at most ``rate`` a second (evenly spaced; the first at once) and counts them."""

    def __init__(
        self,
        rate: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.monotonic = monotonic
        self.sleep = sleep
        self.calls = 0
        self.slept = 0.0
        self._next: float | None = None

    def call(self, operation: Callable[..., Any], **params: Any) -> Any:
        now = self.monotonic()
        if self._next is not None and now < self._next:
            self.sleep(self._next - now)
            self.slept += self._next - now
            now = self._next
        self._next = now + self.interval
        self.calls += 1
        return operation(**params)


@dataclass
class Progress:
    """``--all``'s progress lines on stderr: once the list is known, then every 30 s and every ``every_sets``
    sets, and at the end."""

    err: TextIO
    rate: float
    monotonic: Callable[[], float] = time.monotonic
    every_sets: int = 1000
    started: float = field(default=0.0, init=False)
    _last: float = field(default=0.0, init=False)

    def listed(self, total: int, region: str) -> None:
        self.started = self._last = self.monotonic()
        self.err.write(
            f"status --all: {total:,} configuration sets in {region}; reading each at {self.rate:g} call(s)/s "
            f"(about {_duration(total / self.rate)})\n"
        )
        self.err.flush()

    def read(self, done: int, total: int, paused: int) -> None:
        now = self.monotonic()
        if done < total and now - self._last < PROGRESS_EVERY_SECONDS and done % self.every_sets:
            return
        self._last = now
        tail = (
            f"about {_duration((total - done) / self.rate)} left"
            if done < total
            else f"done in {_duration(now - self.started)}"
        )
        self.err.write(f"status --all: read {done:,} of {total:,} ({paused:,} paused so far); {tail}\n")
        self.err.flush()


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


@dataclass
class AllSets:
    """What ``--all`` read: the paused sets, sets tagged as paused that send again, sets it could not read."""

    checked: int = 0
    paused: list[ses_actions.SetStatus] = field(default_factory=list)
    stale_tags: list[ses_actions.SetStatus] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    calls: int = 0


def read_all_sets(sesv2: Any, pacer: Pacer, progress: Progress, region: str) -> AllSets:
    """Every set of the Region, paced: ListConfigurationSets (1,000 a page), then GetConfigurationSet each
    (its sending state and tags in one answer). A set deleted meanwhile is skipped; one still throttled
    after the retries is reported unreadable, the others are read."""
    names = list(_set_names(sesv2, pacer))
    progress.listed(len(names), region)
    result = AllSets()
    for done, name in enumerate(names, start=1):
        try:
            state = ses_actions.set_status(sesv2, name, pacer.call)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code not in THROTTLING_CODES and code != "NotFoundException":
                raise
            if code in THROTTLING_CODES:
                result.unreadable.append((name, code))
        else:
            result.checked += 1
            if not state.sending_enabled:
                result.paused.append(state)
            elif state.paused_by is not None:
                result.stale_tags.append(state)
        progress.read(done, len(names), len(result.paused))
    result.calls = pacer.calls
    return result


def _set_names(sesv2: Any, pacer: Pacer) -> Iterator[str]:
    def list_page(**params: Any) -> Any:
        return pacer.call(sesv2.list_configuration_sets, **params)

    for page in pages(list_page, PageSize=LIST_PAGE_SIZE):
        yield from page.get("ConfigurationSets", [])


# --- the command --------------------------------------------------------------------------------------


@dataclass
class StatusReport:
    region: str
    account: ses_actions.AccountStatus
    named: list[ses_actions.SetStatus | str] = field(default_factory=list)
    tagged: list[TaggedPause] | None = None
    tagged_error: str | None = None
    all_sets: AllSets | None = None

    @property
    def failed(self) -> bool:
        missing = any(isinstance(state, str) for state in self.named)
        unreadable = self.all_sets is not None and bool(self.all_sets.unreadable)
        return missing or unreadable or self.tagged_error is not None


def run(
    client: Any,
    region: str,
    args: argparse.Namespace,
    *,
    out: TextIO,
    err: TextIO,
    service_factory: ServiceFactory,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """The account first (always shown), the paused sets, then each named set; a missing named set or a
    failed look-up of the paused sets is reported (exit 1), not fatal to the rest."""
    report = StatusReport(region, ses_actions.account_status(client))
    if args.all:
        pacer = Pacer(args.rate, monotonic=monotonic, sleep=sleep)
        report.all_sets = read_all_sets(client, pacer, Progress(err, args.rate, monotonic), region)
    else:
        failure = read_tagged(report, service_factory(TAGGING_SERVICE, args.region))
        if failure is not None:
            print(f"error: GetResources (Resource Groups Tagging API) failed: {failure}", file=err)
    for name in args.configuration_set:
        try:
            report.named.append(ses_actions.set_status(client, name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NotFoundException":
                raise
            report.named.append(name)
    if args.json:
        out.write(json.dumps(status_document(report), indent=2) + "\n")
    else:
        out.write(render(report))
    return EXIT_AWS_ERROR if report.failed else EXIT_OK


def read_tagged(report: StatusReport, tagging: Any) -> ClientError | BotoCoreError | None:
    """The report's paused sets from their tags (``tagged_pauses``); a failed look-up is recorded in the
    report (``tagged_error``, the report then ``failed``) and returned, not raised."""
    try:
        report.tagged = tagged_pauses(tagging)
    except (ClientError, BotoCoreError) as exc:
        report.tagged_error = f"GetResources failed: {error_code(exc)}"
        return exc
    return None


def error_code(exc: ClientError | BotoCoreError) -> str:
    """AWS's error code (``AccessDenied``, ``Throttling``...), or the kind of failure before any answer."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "unknown error")
    return type(exc).__name__


# --- output -------------------------------------------------------------------------------------------


def render(report: StatusReport) -> str:
    account = report.account
    lines = [
        f"Region {report.region}",
        f"  account: sending {_on_off(account.sending_enabled)}, "
        f"enforcement status {account.enforcement_status or 'unknown'}",
    ]
    if account.shut_down_by_aws:
        lines.append(f"  {AWS_PAUSE_WARNING}")
    if report.all_sets is not None:
        lines += _all_sets_lines(report.all_sets)
    else:
        lines += _tagged_lines(report)
    lines += [f"  configuration set {_set_line(state)}" for state in report.named]
    return "\n".join(lines) + "\n"


def _tagged_lines(report: StatusReport) -> list[str]:
    heading = f"  configuration sets a guard paused (tag {contract.TAG_PAUSED_BY})"
    if report.tagged is None:
        return [
            f"{heading}: UNKNOWN ({report.tagged_error}; the operator needs tag:GetResources), "
            "or read every set with --all"
        ]
    if not report.tagged:
        return [f"{heading}: none"]
    lines = [f"{heading}: {len(report.tagged)}"]
    lines += [
        f"    {pause.name}: PAUSED by guard {pause.paused_by} at {pause.paused_at or 'unknown time'}"
        for pause in report.tagged
    ]
    lines.append(
        "  (as the tags say: a set re-enabled outside `ses-guard resume` keeps its tag; --all reads every set's "
        "state and finds pauses by anyone)"
    )
    return lines


def _all_sets_lines(scan: AllSets) -> list[str]:
    lines = [f"  configuration sets: {scan.checked:,} read, {len(scan.paused):,} paused"]
    for state in scan.paused:
        if state.paused_by is not None:
            by = f"PAUSED by guard {state.paused_by} at {state.paused_at or 'unknown time'}"
        else:
            by = f"PAUSED, not by the guard (no {contract.TAG_PAUSED_BY} tag: a person, another tool or AWS)"
        lines.append(f"    {state.name}: {by}")
    for state in scan.stale_tags:
        lines.append(
            f"    {state.name}: sending enabled, but tagged paused by guard {state.paused_by} at "
            f"{state.paused_at or 'unknown time'} (re-enabled outside ses-guard resume: "
            f"`ses-guard resume --configuration-set {state.name}` removes the tag)"
        )
    for name, code in scan.unreadable:
        lines.append(f"    {name}: UNKNOWN (GetConfigurationSet still failed after the retries: {code})")
    return lines


def _set_line(state: ses_actions.SetStatus | str) -> str:
    if isinstance(state, str):
        return f"{state}: NOT FOUND in this Region"
    metrics = {True: "on", False: "OFF (alarms per set see no data)", None: "unknown"}[state.reputation_metrics_enabled]
    fresh = state.last_fresh_start.isoformat() if state.last_fresh_start else "never"
    line = (
        f"{state.name}: sending {_on_off(state.sending_enabled)}, reputation metrics {metrics}, "
        f"last fresh start {fresh}"
    )
    if state.paused_by is not None:
        line += f", paused by guard {state.paused_by} at {state.paused_at or 'unknown time'}"
    return line


def _on_off(enabled: bool) -> str:
    return "enabled" if enabled else "PAUSED"


def status_document(report: StatusReport) -> dict[str, Any]:
    account = report.account
    document: dict[str, Any] = {
        "region": report.region,
        "account": {
            "sending_enabled": account.sending_enabled,
            "enforcement_status": account.enforcement_status,
            "production_access_enabled": account.production_access,
        },
        "configuration_sets": [_named_document(state) for state in report.named],
    }
    if report.all_sets is not None:
        scan = report.all_sets
        document["paused_configuration_sets"] = {
            "source": "all",
            "checked": scan.checked,
            "ses_calls": scan.calls,
            "sets": [_pause_document(s.name, s.paused_by, s.paused_at, sending=s.sending_enabled) for s in scan.paused],
            "stale_tags": [_pause_document(s.name, s.paused_by, s.paused_at, sending=True) for s in scan.stale_tags],
            "unreadable": [{"name": name, "error": code} for name, code in scan.unreadable],
            "error": None,
        }
    else:
        tagged = report.tagged
        document["paused_configuration_sets"] = {
            "source": "tags",
            "checked": None,
            "ses_calls": None,
            "sets": None if tagged is None else [_pause_document(p.name, p.paused_by, p.paused_at) for p in tagged],
            "stale_tags": None,
            "unreadable": [],
            "error": report.tagged_error,
        }
    return document


def _pause_document(
    name: str, paused_by: str | None, paused_at: str | None, *, sending: bool | None = None
) -> dict[str, Any]:
    """``sending_enabled`` is None when only the tag was read (not the set)."""
    return {
        "name": name,
        "sending_enabled": sending,
        "paused_by_guard": paused_by is not None,
        "paused_by": paused_by,
        "paused_at": paused_at,
    }


def _named_document(state: ses_actions.SetStatus | str) -> dict[str, Any]:
    if isinstance(state, str):
        return {"name": state, "error": "not found"}
    return {
        "name": state.name,
        "sending_enabled": state.sending_enabled,
        "reputation_metrics_enabled": state.reputation_metrics_enabled,
        "last_fresh_start": state.last_fresh_start.isoformat() if state.last_fresh_start else None,
        "paused_by": state.paused_by,
        "paused_at": state.paused_at,
    }


# --- resume: the tag goes with the pause ---------------------------------------------------------------


def _default_sts(region: str | None) -> Any:
    return make_sdk_client("sts", region)


sts_factory: Callable[[str | None], Any] = _default_sts
"""Region -> STS client: GetCallerIdentity names the account in a set's ARN (no permission needed).
Replaced in tests."""


def remove_pause_tags(sesv2: Any, name: str, *, out: TextIO, err: TextIO, sts: Any = None) -> bool:
    """Remove the guard's pause tags from the set ``name`` (after ``resume`` re-enabled it, or found it
    sending): ``status`` stops listing it. A failure is a warning, the set's sending is what counts.
    ``sts``: a client with the same credentials as ``sesv2`` (a member's); None: ``sts_factory``'s."""
    region = getattr(getattr(sesv2, "meta", None), "region_name", None)
    try:
        identity = (sts if sts is not None else sts_factory(region)).get_caller_identity()
        partition = str(identity["Arn"]).split(":")[1]
        arn = ses_actions.set_arn(partition, str(region), str(identity["Account"]), name)
        sesv2.untag_resource(ResourceArn=arn, TagKeys=list(contract.PAUSE_TAG_KEYS))
    except (ClientError, BotoCoreError) as exc:
        print(
            f"warning: the guard's pause tag ({contract.TAG_PAUSED_BY}) could not be removed from {name} "
            f"({error_code(exc)}): `ses-guard status` lists it as paused until it is removed (aws sesv2 untag-resource "
            f"--resource-arn <the set's ARN> --tag-keys {' '.join(contract.PAUSE_TAG_KEYS)})",
            file=err,
        )
        return False
    out.write(f"Removed its pause tags ({', '.join(contract.PAUSE_TAG_KEYS)}).\n")
    return True
