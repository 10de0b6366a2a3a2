"""HubPolicy: one guard, the hub, whose scheduled sweep also covers member AWS accounts x Regions.

Hub mode runs on the sweep (``SweepPolicy``): each run sweeps the hub's own account and Region (unless
``include_hub`` is False), then, member by member, assumes ``<name_prefix>-member`` in the member account
(``MemberRole``, deployed there), reads SES's datapoints in each of the member's Regions, pauses what
breaches (as the member's entry says) and reports to the hub's topic naming account and Region
(docs/organization.md). The names are the model's (``ses_guard_policy.hub``), the entry the manifest's
(``manifest.Member``): each member's entry becomes an SSM parameter the function lists each run
(``HubMembers``).

Ratios are 0-1 (0.05 = 5 %). Any scalar may be a Terraform token: validation leaves it to Terraform. The
generated module passes its members whole, as a ``TerraformExpression`` of the map account id => the
member's entry as JSON text (``ses_guard_modulegen.hub_variable.member_documents_hcl``), and ``enabled`` as
a token (``hub_policy != null``); its variable's validations check every member at plan.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import hub, manifest, rules
from ses_reputation_guard.expressions import Flag, TerraformExpression
from ses_reputation_guard.policy import Action
from ses_reputation_guard.validation import Problems, is_token

HUB_NEEDS_SWEEP = (
    "hub_policy needs an enabled sweep_policy: hub mode runs on the sweep (the hub's scheduled run covers the members)"
)
"""Refusal of a hub without an enabled sweep: at synth (``ReputationGuardProps``), at plan (a precondition)."""


@dataclass(frozen=True)
class ThresholdOverrides:
    """Some thresholds of one member over the hub sweep's (ratios 0-1, 0.05 = 5 %); None keeps the sweep's.
    The merge must hold as a whole: each warning below its critical, every value below AWS's pause level
    (and its review level unless the guard's ``allow_thresholds_at_or_above_aws_review_level``)."""

    bounce_warning: float | None = None
    """Bounce rate that notifies people. Default None (the sweep's)."""
    bounce_critical: float | None = None
    """Bounce rate that pauses (when the member's action is ``pause``). Default None (the sweep's)."""
    complaint_warning: float | None = None
    """Complaint rate that notifies people. Default None (the sweep's)."""
    complaint_critical: float | None = None
    """Complaint rate that pauses. Default None (the sweep's)."""

    def given(self) -> dict[str, Any]:
        """The thresholds set here (name => value), in ``rules.THRESHOLD_NAMES`` order."""
        return {name: getattr(self, name) for name in rules.THRESHOLD_NAMES if getattr(self, name) is not None}

    def collect_problems(self, subject: str, problems: Problems) -> None:
        for name, value in self.given().items():
            problems.ratio(f"{subject}.{name}", value)


@dataclass(frozen=True)
class HubMember:
    """One member account: where the hub watches it and how it judges it there. Every override left at its
    default follows the hub's own sweep and account policy."""

    account_id: str
    """Required. The member's 12-digit AWS account id; the hub assumes ``<name_prefix>-member`` there."""
    regions: Sequence[str] = ()
    """Regions swept in this account (``eu-west-1``...), each once. Default () (the hub's own Region).
    Every member x Region counts towards the hub's 200 (``rules.HUB_MEMBER_REGIONS``)."""
    action: Action | None = None
    """A set's critical breach in this account: ``pause`` the set or ``notify`` people. Default None (the
    sweep's ``action``). The member role's pause scope must allow the pause."""
    account_action: Action | None = None
    """The account's critical breach: ``pause`` the account's sending or ``notify``. Default None (the hub's
    ``account_policy.action``). Pausing needs the member role's ``account_pause_allowed``."""
    evaluate_account: Flag | None = None
    """Judge the account-wide rates too. Default None (the sweep's ``evaluate_account``)."""
    protected_configuration_sets: Sequence[str] = ()
    """Sets of this account never paused, only notified (the hub's own protected sets apply too). Default ()."""
    thresholds: ThresholdOverrides | None = None
    """This member's set thresholds over the sweep's (partial overrides allowed). Default None (the sweep's)."""

    def to_member(self) -> manifest.Member:
        """The manifest's entry of this member (Python values only)."""
        overrides = self.thresholds.given() if self.thresholds is not None else {}
        evaluate = self.evaluate_account if isinstance(self.evaluate_account, bool) else None
        return manifest.Member(
            regions=tuple(self.regions),
            action=self.action,
            account_action=self.account_action,
            evaluate_account=evaluate,
            protected_configuration_sets=tuple(self.protected_configuration_sets),
            thresholds={name: float(value) for name, value in overrides.items()},
        )

    def pauses_account(self, account_action: str, evaluate_account: bool) -> bool:
        """Whether the hub may pause this account's sending, given the hub's own account action and the
        sweep's ``evaluate_account``: the member role's ``account_pause_allowed`` should say the same."""
        action = self.account_action or account_action
        evaluate = evaluate_account if self.evaluate_account is None else bool(self.evaluate_account)
        return evaluate and action == "pause"

    def region_count(self) -> int:
        """Member Regions this entry counts for (the hub's own Region when ``regions`` is empty)."""
        if isinstance(self.regions, str) or is_token(self.regions):
            return 1
        return max(1, len(self.regions))

    def collect_problems(
        self, problems: Problems, subject: str, sweep: manifest.Sweep | None, acknowledged: bool | None
    ) -> None:
        """Every invalid value of this entry; then, when each value is valid and known, the entry as the
        function reads it (``manifest.parse_member_entry``: its thresholds merged over ``sweep``'s)."""
        found = len(problems.items)
        problems.pattern(f"{subject}.account_id", self.account_id, rules.ACCOUNT_ID)
        self._collect_list_problems(problems, subject)
        for name in ("action", "account_action"):
            value = getattr(self, name)
            if value is not None:
                problems.choice(f"{subject}.{name}", value, rules.ACTION)
        evaluate = self.evaluate_account
        if evaluate is not None and not isinstance(evaluate, bool) and not is_token(evaluate):
            problems.add(f"{subject}.evaluate_account={evaluate!r}: must be True, False or None")
        if self.thresholds is not None:
            self.thresholds.collect_problems(f"{subject}.thresholds", problems)
        if len(problems.items) > found or sweep is None or self._holds_tokens():
            return
        try:
            manifest.parse_member_entry(
                self.to_member().to_document(),
                self.account_id,
                sweep,
                source=f"{subject} thresholds merged over the sweep's",
                acknowledged=acknowledged,
            )
        except manifest.ManifestError as exc:
            problems.add(str(exc).removeprefix("policy "))

    def _collect_list_problems(self, problems: Problems, subject: str) -> None:
        for name, rule in (
            ("regions", rules.REGION_NAME),
            ("protected_configuration_sets", rules.CONFIGURATION_SET_NAME),
        ):
            values = getattr(self, name)
            if isinstance(values, str):  # a lone string would be read as a list of letters
                problems.add(f"{subject}.{name}={values!r}: must be a list of names")
            elif not is_token(values):
                for value in values:
                    problems.pattern(f"{subject}.{name} item", value, rule)
        if not isinstance(self.regions, str) and not is_token(self.regions):
            repeated = rules.HUB_MEMBER_REGIONS_UNIQUE.duplicates([str(region) for region in self.regions])
            if repeated:
                problems.add(f"{subject}.regions={repeated!r}: {rules.HUB_MEMBER_REGIONS_UNIQUE.sentence}")

    def _holds_tokens(self) -> bool:
        values = [self.account_id, self.regions, self.action, self.account_action, self.evaluate_account]
        values += [self.protected_configuration_sets, *(self.thresholds.given().values() if self.thresholds else ())]
        if any(is_token(value) for value in values):
            return True
        return any(
            is_token(item) for name in ("regions", "protected_configuration_sets") for item in getattr(self, name)
        )


@dataclass(frozen=True)
class HubPolicy:
    """Hub mode (needs an enabled ``sweep_policy``): the sweep's run also covers each member account x
    Region, through the role ``<name_prefix>-member`` deployed in each member (``MemberRole``)."""

    members: Sequence[HubMember] | TerraformExpression = ()
    """The member accounts, each once (at most 200 member account x Region pairs in all). Default () (the
    hub sweeps only itself until members are added). Or a ``TerraformExpression`` of the map account id =>
    the member's entry as JSON text (as ``member_documents`` returns it), known only at plan: its values are
    Terraform's to check."""
    include_hub: Flag = True
    """Each run also sweeps the hub's own account and Region. Default True."""
    enabled: Flag = True
    """Hub mode at all; a token when only Terraform knows (the generated module's ``hub_policy != null``):
    the hub's resources are then counted, its manifest section and timeout conditional. Default True."""
    member_thresholds: TerraformExpression | None = None
    """With ``members`` an expression: the map account id => the member's own thresholds (name => ratio or
    null), checked at plan merged over the sweep's as the function reads them (warning below critical, AWS's
    review level unless acknowledged). Default None (no such check; Python members are checked at synth)."""

    def collect_problems(
        self,
        problems: Problems,
        subject: str = "hub_policy",
        *,
        sweep: manifest.Sweep | None = None,
        review_level_acknowledged: Any = False,
    ) -> None:
        """Record every invalid value (nothing is raised here). ``sweep``: the hub's sweep as the model
        reads it, over whose thresholds each member's are merged and checked; None skips that check.
        ``review_level_acknowledged``: the guard's flag (a token: AWS's pause level only)."""
        for name in ("include_hub", "enabled"):
            value = getattr(self, name)
            if not isinstance(value, bool) and not is_token(value):
                problems.add(f"{subject}.{name}={value!r}: must be True or False")
        members = self.members
        if isinstance(members, TerraformExpression):
            return  # the members known only to Terraform: its validations check them
        if isinstance(members, str) or not isinstance(members, Sequence):
            problems.add(f"{subject}.members={members!r}: must be a list of HubMember")
            return
        if members and all(isinstance(member, str) for member in members) and is_token(list(members)):
            return  # a list known only to Terraform
        acknowledged = None if is_token(review_level_acknowledged) else bool(review_level_acknowledged)
        seen: set[str] = set()
        for index, member in enumerate(members):
            where = f"{subject}.members[{index}]"
            if not isinstance(member, HubMember):
                problems.add(f"{where}={member!r}: must be a HubMember")
                continue
            member.collect_problems(problems, where, sweep, acknowledged)
            if member.account_id in seen:
                problems.add(f"{where}.account_id={member.account_id!r}: lists the account more than once")
            seen.add(member.account_id)
        pairs = sum(member.region_count() for member in members if isinstance(member, HubMember))
        if not rules.HUB_MEMBER_REGIONS.check(range(pairs)):
            problems.add(f"{subject}.members: {pairs} member Regions: {rules.HUB_MEMBER_REGIONS.sentence}")

    def listed_members(self) -> Sequence[HubMember]:
        """The members as Python values; () when they are a ``TerraformExpression``."""
        return () if isinstance(self.members, TerraformExpression) else self.members

    def to_hub(self, name_prefix: str) -> manifest.Hub:
        """The manifest's ``hub`` section, members included (Python values only)."""
        return manifest.Hub(
            members_path=hub.members_path(name_prefix),
            include_hub=bool(self.include_hub),
            members={member.account_id: member.to_member() for member in self.listed_members()},
        )

    def member_documents(self) -> dict[str, str] | TerraformExpression:
        """Account id => the member's entry as the function reads it from its parameter (JSON text of
        ``manifest.Member.to_document``), in account order; ``members`` itself when it is an expression."""
        if isinstance(self.members, TerraformExpression):
            return self.members
        entries = {member.account_id: member.to_member().to_document() for member in self.members}
        return {
            account: json.dumps(entries[account], sort_keys=True, separators=(",", ":")) for account in sorted(entries)
        }
