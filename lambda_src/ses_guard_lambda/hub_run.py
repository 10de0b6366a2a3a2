"""Hub mode's run (docs/organization.md): after its own account and Region, the hub's scheduled run sweeps
each member account x Region of its list, in turn, through the member's role.

1. The members: one SSM SecureString parameter per member account under the manifest's ``members_path``
   (``<path><account id>``, the entry ``manifest.Member``), listed with GetParametersByPath and checked
   with the model's rules. A bad entry is reported and skipped; the others go on.
2. For each member account: one AssumeRole of ``hub.member_role_arn`` (the exact ARN the hub's role may
   assume), reused for its Regions. For each of its Regions: the same sweep as the hub's own Region
   (``scheduled_sweep.sweep``), judged by the member's policy (``Member.sweep_for``: its action and
   thresholds over the hub's), with the member's clients (SES and CloudWatch there), the hub's topic
   and the hub's state table (items prefixed ``member:<account>:<region>:``). Every report names the
   account and the Region (``Where.member``).
3. Isolation: a member that cannot be reached (AssumeRole or the reads refused, a timeout) is logged
   every run and notified once per episode; the run goes on with the next. Members the time left
   cannot fit (``MEMBER_MARGIN_SECONDS``) are deferred to the next run, in list order.
Nothing of the member account is trusted beyond SES's datapoints and sending state, read there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, Final

from ses_guard_policy import hub, manifest

from . import log, sweep_report
from .budget import Budget
from .clients import Clients, member_clients, sts_client
from .decision import Context
from .deployed_policy import DeployedPolicy
from .paging import pages
from .sweep_report import Where
from .sweep_run import CountingBudget, SweepError, SweepRun, iso
from .sweep_state import Episodes, StateTable
from .sweep_targets import AWS_ERRORS
from .verify import Invocation

# A member Region is started only with this much time left: its reads (3 GetMetricData), a few pauses and
# the state writes; the rest waits for the next run.
MEMBER_MARGIN_SECONDS: Final = 30.0
# The episode key of "this member Region could not be reached" in its own state item.
UNREACHABLE_EPISODE: Final = "member:unreachable"
# AssumeRole's shortest session (STS): a member Region's sweep takes seconds.
SESSION_SECONDS: Final = 900
# GetParametersByPath's largest page (SSM API Reference, MaxResults).
PARAMETERS_PER_PAGE: Final = 10

Sweep = Callable[[SweepRun], dict[str, Any]]
Connect = Callable[[Mapping[str, Any], str, Clients], Clients]


@dataclass(frozen=True)
class MemberRegion:
    account_id: str
    region: str
    member: manifest.Member

    @property
    def name(self) -> str:
        return hub.unit_name(self.account_id, self.region)


@dataclass
class HubRun:
    """What every member Region's sweep shares: the hub's invocation, policy, state and clock."""

    inv: Invocation
    guard: manifest.Manifest
    policy: manifest.Sweep
    state: StateTable
    now: datetime
    budget: CountingBudget
    sweep: Sweep
    connect: Connect = member_clients
    sessions: dict[str, Mapping[str, Any] | Exception] = field(default_factory=dict)
    outcome: dict[str, Any] = field(
        default_factory=lambda: {"members": {}, "unreachable": {}, "failed": {}, "deferred": [], "calls": 0}
    )


def run_members(run: HubRun) -> dict[str, Any]:
    """Every member Region of the list, in turn; returns what happened to each (and logs ``hub_summary``)."""
    started = run.budget.clock.monotonic()
    units = list_members(run)
    for unit in units:
        if run.budget.remaining() < MEMBER_MARGIN_SECONDS + run.budget.reserve:
            run.outcome["deferred"].append(unit.name)
            continue
        _run_member(run, unit)
    out = run.outcome
    log.emit(
        "ERROR" if out["unreachable"] or out["failed"] else "INFO",
        "hub_summary",
        member_regions=len(units),
        swept=len(out["members"]),
        unreachable=len(out["unreachable"]),
        failed=len(out["failed"]),
        deferred=len(out["deferred"]),
        paused=sum(len(result.get("paused", [])) for result in out["members"].values()),
        calls=out["calls"],
        duration_seconds=round(run.budget.clock.monotonic() - started, 3),
    )
    return out


def list_members(run: HubRun) -> list[MemberRegion]:
    """The member entries under the manifest's path, each checked; a bad one is reported and skipped."""
    assert run.guard.hub is not None
    path = run.guard.hub.members_path
    units: list[MemberRegion] = []
    for parameter in _parameters(run.inv.clients.ssm, run.budget, path):
        name = str(parameter.get("Name", ""))
        account_id = name.removeprefix(path)
        try:
            entry = manifest.parse_member_entry(
                json.loads(str(parameter.get("Value", ""))), account_id, run.policy, source=name
            )
        except (ValueError, manifest.ManifestError) as exc:
            run.outcome["failed"][account_id] = f"its entry {name} is not a member entry: {exc}"
            log.emit("ERROR", "hub_member_entry_invalid", parameter=name, reason=str(exc))
            continue
        regions = entry.regions or (run.inv.ctx.region,)
        units += [MemberRegion(account_id, region, entry) for region in regions]
    return units


def _parameters(ssm: Any, budget: Budget, path: str) -> list[dict[str, Any]]:
    """Every member parameter under ``path`` (decrypted), in name order."""
    listing = pages(
        partial(budget.call, ssm.get_parameters_by_path),
        Path=path,
        Recursive=False,
        WithDecryption=True,
        MaxResults=PARAMETERS_PER_PAGE,
    )
    found = [parameter for page in listing for parameter in page.get("Parameters", [])]
    return sorted(found, key=lambda parameter: str(parameter.get("Name", "")))


def _run_member(run: HubRun, unit: MemberRegion) -> None:
    budget = CountingBudget.of(run.budget)
    try:
        _sweep_member(run, unit, budget)
    finally:
        run.outcome["calls"] += budget.calls
        run.budget.calls += budget.calls


def _sweep_member(run: HubRun, unit: MemberRegion, budget: CountingBudget) -> None:
    state = run.state.scoped(hub.state_prefix(unit.account_id, unit.region))
    episodes: Episodes | None = None
    try:
        episodes = state.load_episodes()
        clients = _connect(run, unit, budget)
    except AWS_ERRORS as exc:
        return _unreachable(run, unit, state, f"{type(exc).__name__}: {exc}", episodes)
    if episodes.open.pop(UNREACHABLE_EPISODE, None) is not None:
        log.emit("INFO", "hub_member_reachable_again", member=unit.name)
    try:
        result = run.sweep(_member_sweep_run(run, unit, clients, state, episodes, budget))
    except SweepError as exc:  # some targets failed; the others were handled
        run.outcome["failed"][unit.name] = str(exc)
    except AWS_ERRORS as exc:  # the reads refused there; the episodes were changed: read them again
        _unreachable(run, unit, state, f"{type(exc).__name__}: {exc}", None)
    else:
        run.outcome["members"][unit.name] = result
    return None


def _connect(run: HubRun, unit: MemberRegion, budget: Budget) -> Clients:
    """The member's clients in ``unit.region``; one AssumeRole per account and run (a refusal too)."""
    credentials = run.sessions.get(unit.account_id)
    if credentials is None:
        role = hub.member_role_arn(run.inv.ctx.partition, unit.account_id, run.guard.name_prefix)
        sts = _sts(run)
        try:
            response = budget.call(
                sts.assume_role,
                RoleArn=role,
                RoleSessionName=hub.session_name(run.guard.name_prefix),
                DurationSeconds=SESSION_SECONDS,
            )
            credentials = dict(response["Credentials"])
        except AWS_ERRORS as exc:
            credentials = exc
        run.sessions[unit.account_id] = credentials
    if isinstance(credentials, Exception):
        raise credentials
    return run.connect(credentials, unit.region, run.inv.clients)


def _sts(run: HubRun) -> Any:
    """The hub's STS client: the one given, else the execution environment's (``clients.sts_client``)."""
    if run.inv.clients.sts is None:
        run.inv = replace(run.inv, clients=replace(run.inv.clients, sts=sts_client()))
    return run.inv.clients.sts


def _member_sweep_run(
    run: HubRun, unit: MemberRegion, clients: Clients, state: StateTable, episodes: Any, budget: CountingBudget
) -> SweepRun:
    """The sweep of one member Region: the member's policy, clients and place; the hub's topic and state."""
    policy = unit.member.sweep_for(run.policy)
    protected = run.inv.config.protected_sets | frozenset(unit.member.protected_configuration_sets)
    inv = replace(
        run.inv,
        clients=clients,
        ctx=Context(account_id=unit.account_id, region=unit.region, partition=run.inv.ctx.partition),
        config=replace(run.inv.config, protected_sets=protected),
        budget=budget,
        policy=NoOwnPolicies(run.guard, None, budget),
    )
    account = unit.member.account_for(run.guard.account) if policy.evaluate_account else None
    where = Where(
        unit.region, unit.account_id, run.inv.function_arn, run.now, member=True, name_prefix=run.guard.name_prefix
    )
    return SweepRun(inv, policy, account, state, episodes, run.now, budget, where)


@dataclass
class NoOwnPolicies(DeployedPolicy):
    """A member's sets have no policy of their own (the hub's per-set entries are the hub account's)."""

    def set_policy(self, configuration_set: str) -> manifest.Target | None:
        return None


def _unreachable(run: HubRun, unit: MemberRegion, state: StateTable, reason: str, episodes: Episodes | None) -> None:
    """Logged every run; notified once per episode (the member Region's own state item remembers it;
    ``episodes``: as read this run, None to read them)."""
    run.outcome["unreachable"][unit.name] = reason
    log.emit("ERROR", "hub_member_unreachable", member=unit.name, reason=reason)
    try:
        episodes = episodes if episodes is not None else state.load_episodes()
        if UNREACHABLE_EPISODE in episodes.open:
            return
        rendered = sweep_report.unreachable_notice(unit.account_id, unit.region, reason, run.now, run.guard.name_prefix)
        run.budget.call(run.inv.clients.sns.publish, **rendered.publish_params(run.inv.config.report_topic_arn))
        episodes.open[UNREACHABLE_EPISODE] = iso(run.now)
        state.save_episodes(episodes)
    except AWS_ERRORS as exc:  # the next run tries again; the log line above stands
        log.emit("ERROR", "hub_unreachable_notice_failed", member=unit.name, reason=f"{type(exc).__name__}: {exc}")
