"""MemberRole: the role a hub guard's function assumes in a member account (issue "[6 of 7]").

One role per member account, for every Region of it (IAM is global to the account): trusted by exactly
one principal, the hub function's role (its ARN; also inside one AWS Organization when an id is given),
and holding only what the guard does in an account: read SES's reputation datapoints, the account's
sending status and the configuration sets; pause sets within ``pause_scope`` (never one tagged
``ses-reputation-guard:action = notify``); tag a set it paused with the two pause tag keys; pause the
account only when the hub's policy for this member allows it. Nothing deletes, nothing touches IAM.
docs/design.md ("Across accounts (hub and members)") is the threat model; tests/constructs/
test_member_role.py checks every statement against its table.

The set statements are the function role's (``pause_statements``), so that the scope logic (listed,
tagged, name pattern, or an expression of one) exists once; the rules of this construct's inputs are
``ses_guard_policy.rules``' (``HUB_FUNCTION_ROLE_ARN``, ``ORGANIZATION_ID``, ``REGION_NAME``). The
Region of every ARN is ``*``: ``regions`` narrows the role instead, with one Deny on every action
outside them (``aws:RequestedRegion``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ses_guard_policy import rules
from ses_reputation_guard import pause_scope as scopes
from ses_reputation_guard._cdktf import (
    Construct,
    DataAwsCallerIdentity,
    DataAwsIamPolicyDocument,
    DataAwsPartition,
    IamRole,
    IamRolePolicy,
    PolicyCondition,
    PolicyPrincipals,
    PolicyStatement,
    Precondition,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, TerraformExpression, count_for
from ses_reputation_guard.naming import data_address
from ses_reputation_guard.pause_statements import notify_only_deny, set_pause_grant
from ses_reputation_guard.validation import Problems, is_token

ROLE_NAME_SUFFIX = "member"
MAX_SESSION_SECONDS = 3600
"""One hour, IAM's minimum: a stolen session of the hub expires within the hour."""
DEFAULT_NAME_PREFIX = "ses-guard"
"""The guard's default name prefix (``ReputationGuardProps.name_prefix``): the hub writes it as the
``paused-by`` tag value, and the ``tagged`` scope reads it in the ``guard`` tag."""

READ_STATEMENTS = (
    # None of these actions has a resource type (Service Authorization Reference): "*" is the only
    # scope AWS offers, and each only reads.
    ("ReadReputationDatapoints", ("cloudwatch:GetMetricData",)),
    ("ReadAccountSendingStatus", ("ses:GetAccount",)),
    ("ListConfigurationSets", ("ses:ListConfigurationSets",)),
)
SET_ACTIONS = (
    "ses:GetConfigurationSet",
    "ses:PutConfigurationSetSendingOptions",
    "ses:ListTagsForResource",
    "ses:TagResource",
)
ACCOUNT_PAUSE_ACTION = "ses:PutAccountSendingAttributes"
ALL_ACTIONS = (*(action for _, actions in READ_STATEMENTS for action in actions), *SET_ACTIONS, ACCOUNT_PAUSE_ACTION)
"""Every action the role can hold: the Deny outside ``regions`` names exactly these."""
_LISTED_ONLY = TerraformExpression("[]")
"""Passed for the scopes whose grant reads no ARN list (``tagged``, ``name-pattern:``)."""


@dataclass(frozen=True)
class MemberRoleProps:
    """The member account's side of hub mode. Any value may be a Terraform reference (a cdktf token or,
    where the type says so, a ``TerraformExpression``): validation skips those, Terraform checks them."""

    hub_function_role_arn: str
    """Required. The ARN of the hub guard's function role, the one principal the trust names (no
    wildcard). If that role is deleted and created again, apply this role again: IAM stores the
    principal as the old role's unique id."""
    organization_id: str | TerraformExpression | None = None
    """The AWS Organizations id (``o-...``) the hub's account belongs to: the trust then also requires
    ``aws:PrincipalOrgID``. Default None (no organization condition)."""
    name_prefix: str = DEFAULT_NAME_PREFIX
    """The hub guard's name prefix: the role is ``<name_prefix>-member``, the hub tags the sets it
    pauses ``paused-by = <name_prefix>``, and the ``tagged`` scope reads the set tag ``guard =
    <name_prefix>``. Default "ses-guard", the guard's default."""
    pause_scope: str | TerraformExpression = rules.PAUSE_SCOPE_LISTED
    """Which sets of this account the hub may pause (``pause_scope.py``): ``listed`` (default; the sets in
    ``pausing_configuration_sets``), ``tagged`` or ``name-pattern:<pattern>``. Sets tagged
    ``ses-reputation-guard:action = notify`` are always denied."""
    pausing_configuration_sets: Sequence[str] | TerraformExpression = ()
    """Names of the sets the hub may pause with the ``listed`` scope, in every Region of ``regions``.
    Default () (no set may be paused). Only read with ``listed``."""
    account_pause_allowed: Flag = False
    """The hub's policy for this member: may its function pause the whole account's sending
    (``PutAccountSendingAttributes``, which IAM cannot scope to less than a Region)? Default False."""
    regions: Sequence[str] | TerraformExpression = ()
    """Regions the hub may act in (``aws:RequestedRegion``, a Deny on everything else). Default () (every
    Region)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the role. Default {} (the role still carries ``ses-reputation-guard:component``)."""

    def validate(self) -> None:
        """Raise ``GuardValidationError`` listing every invalid value at once."""
        problems = Problems()
        problems.pattern("hub_function_role_arn", self.hub_function_role_arn, rules.HUB_FUNCTION_ROLE_ARN)
        if self.organization_id is not None and not isinstance(self.organization_id, TerraformExpression):
            problems.pattern("organization_id", self.organization_id, rules.ORGANIZATION_ID)
        problems.pattern("name_prefix", self.name_prefix, rules.NAME_PREFIX)
        self._collect_scope_problems(problems)
        if not isinstance(self.account_pause_allowed, bool) and not is_token(self.account_pause_allowed):
            problems.add(f"account_pause_allowed={self.account_pause_allowed!r}: must be True or False")
        if not isinstance(self.regions, TerraformExpression):
            problems.each_pattern("regions", self.regions, rules.REGION_NAME)
        problems.tags("tags", self.tags)
        problems.raise_if_any("MemberRoleProps")

    def _collect_scope_problems(self, problems: Problems) -> None:
        scope, names = self.pause_scope, self.pausing_configuration_sets
        if isinstance(names, str):  # a lone string would be read as a list of letters
            problems.add(f"pausing_configuration_sets={names!r}: must be a list of configuration set names")
            return
        listed_names = None if isinstance(names, TerraformExpression) else list(names)
        if listed_names is not None:
            problems.each_pattern("pausing_configuration_sets", listed_names, rules.CONFIGURATION_SET_NAME)
        if isinstance(scope, TerraformExpression):
            return
        listed = scope == rules.PAUSE_SCOPE_LISTED
        if listed_names and not listed and rules.PAUSE_SCOPE.check(scope):  # a bad scope is reported below
            problems.add(
                f"pausing_configuration_sets={listed_names!r} with pause_scope={scope!r}: the names are read only "
                "with pause_scope 'listed' (the other scopes choose the sets by tag or name pattern)"
            )
        scopes.collect_problems(scope, listed_names if listed else None, (), problems)


class MemberRole(Construct):
    """``role`` (read-only): ``<name_prefix>-member``, assumable only by the hub function's role.

    Inline policies, each present only when it grants something: ``member-read`` always,
    ``member-set-pause`` (sets in the scope, and the Deny on notify-tagged sets), ``member-account-pause``
    (when ``account_pause_allowed``) and ``member-regions`` (the Deny outside ``regions``, when given).
    """

    def __init__(self, scope: Construct, construct_id: str, props: MemberRoleProps) -> None:
        super().__init__(scope, construct_id)
        props.validate()  # before creating anything: nothing is half-built
        self.context = self._context(construct_id.replace("-", "_"), props)
        self.props = props
        if isinstance(props.pause_scope, str) and is_token(props.pause_scope):
            # the builders choose by value: a token scope becomes a local they read at plan time
            self.props = replace(props, pause_scope=self.context.local(self, "pause_scope", props.pause_scope))
        self._role = self.context.create(
            self,
            IamRole,
            "role",
            name=self.context.aws_name(ROLE_NAME_SUFFIX),
            assume_role_policy=self._trust_policy(),
            max_session_duration=MAX_SESSION_SECONDS,
            tags=self.context.component_tags("member-role"),
            lifecycle=self._scope_checks(),
        )
        self.read_policy = self._policy(
            "read", [self._read_statement(sid, actions) for sid, actions in READ_STATEMENTS]
        )
        self.set_pause_policy = self._set_pause_policy()
        self.account_pause_policy = self._account_pause_policy()
        self.regions_policy = self._regions_policy()

    @property
    def role(self) -> Any:
        """The ``aws_iam_role``: the hub names its ARN in its member list."""
        return self._role

    @property
    def policies(self) -> list[Any]:
        """Every inline policy created (None-free)."""
        policies = (self.read_policy, self.set_pause_policy, self.account_pause_policy, self.regions_policy)
        return [policy for policy in policies if policy is not None]

    def _context(self, resource_prefix: str, props: MemberRoleProps) -> GuardContext:
        """This account and partition, looked up; Region ``*``: one role serves every Region."""
        tags = props.tags if is_token(props.tags) else dict(props.tags)
        unresolved = GuardContext(props.name_prefix, resource_prefix, "", "", region="*", tags=tags)
        caller = unresolved.create(self, DataAwsCallerIdentity, "caller")
        partition = unresolved.create(self, DataAwsPartition, "partition")
        return replace(unresolved, account_id=caller.account_id, partition=partition.partition)

    def _trust_policy(self) -> Any:
        """Only the hub function's role, by exact ARN; with ``aws:PrincipalOrgID`` when an organization is
        given (two documents chosen at plan time when only Terraform knows whether it is)."""
        organization = self.props.organization_id
        if organization is None:
            return self._trust_document("trust", []).json
        if not isinstance(organization, TerraformExpression):
            return self._trust_document("trust", [organization]).json
        without = self._trust_document("trust", [])
        count = Token.as_number(f"${{{organization.text} != null ? 1 : 0}}")
        within = self._trust_document("trust_in_organization", [organization.interpolated], count=count)
        return Token.as_string(
            f"${{{organization.text} != null ? {data_address(within)}[0].json : {data_address(without)}.json}}"
        )

    def _trust_document(self, role: str, organization: list[str], count: Any = None) -> Any:
        condition = [PolicyCondition(test="StringEquals", variable="aws:PrincipalOrgID", values=organization)]
        statement = PolicyStatement(
            sid="OnlyTheHubFunctionRole",
            effect="Allow",
            principals=[PolicyPrincipals(type="AWS", identifiers=[self.props.hub_function_role_arn])],
            actions=["sts:AssumeRole"],
            condition=condition if organization else None,
        )
        return self.context.create(self, DataAwsIamPolicyDocument, role, count=count, statement=[statement])

    @staticmethod
    def _read_statement(sid: str, actions: Sequence[str]) -> Any:
        return PolicyStatement(sid=sid, actions=list(actions), resources=["*"])

    def _set_pause_policy(self) -> Any:
        """The function role's grant over the scope (pause, read, tag), and the Deny on notify-tagged sets."""
        arns, count = self._pausing_set_arns()
        if count is SKIP:
            return None
        grant = set_pause_grant(self, self.context, self.props.pause_scope, arns)
        return self._policy("set_pause", [*grant, notify_only_deny(self.context)], count=count)

    def _pausing_set_arns(self) -> tuple[TerraformExpression, Any]:
        """The ``listed`` ARNs (a local) and the set policy's ``count``: ``SKIP`` when nothing may be
        paused, None when something may, an expression when only Terraform knows."""
        scope, names = self.props.pause_scope, self.props.pausing_configuration_sets
        if isinstance(scope, str) and scope != rules.PAUSE_SCOPE_LISTED:
            return _LISTED_ONLY, None
        if not isinstance(names, TerraformExpression) and not isinstance(scope, TerraformExpression):
            if not names:
                return _LISTED_ONLY, SKIP
            arn_prefix = self.context.arn("ses", "configuration-set/")
            return self.context.local(self, "pausing_set_arns", [arn_prefix + name for name in names]), None
        names_text = names.text if isinstance(names, TerraformExpression) else _hcl_list(names)
        prefix = self.context.local(self, "configuration_set_arn_prefix", self.context.arn("ses", "configuration-set/"))
        arns = self.context.local(
            self, "pausing_set_arns", f'${{[for name in {names_text} : "{prefix.interpolated}${{name}}"]}}'
        )
        pausing = f"length({arns.text}) > 0"
        if isinstance(scope, TerraformExpression):
            pausing = f'{scope.text} != "{rules.PAUSE_SCOPE_LISTED}" || {pausing}'
        return arns, Token.as_number(f"${{{pausing} ? 1 : 0}}")

    def _account_pause_policy(self) -> Any:
        # PutAccountSendingAttributes has no resource type: "*" is the only scope AWS offers (the
        # regions Deny narrows it); granted only when the hub's policy for this member allows it.
        count = count_for(self.props.account_pause_allowed)
        if count is SKIP:
            return None
        statement = PolicyStatement(sid="PauseAccountSending", actions=[ACCOUNT_PAUSE_ACTION], resources=["*"])
        return self._policy("account_pause", [statement], count=count)

    def _regions_policy(self) -> Any:
        regions = self.props.regions
        if isinstance(regions, TerraformExpression):
            count: Any = Token.as_number(f"${{length({regions.text}) > 0 ? 1 : 0}}")
            values: Any = Token.as_list(regions.interpolated)
        elif not regions:
            return None
        else:
            count, values = None, list(regions)
        statement = PolicyStatement(
            sid="OnlyInTheGuardedRegions",
            effect="Deny",
            actions=list(ALL_ACTIONS),
            resources=["*"],
            condition=[PolicyCondition(test="StringNotEquals", variable="aws:RequestedRegion", values=values)],
        )
        return self._policy("regions", [statement], count=count)

    def _policy(self, role: str, statements: list[Any], *, count: Any = None) -> Any:
        """A policy document and the inline policy ``member-<role>`` using it, both counted by ``count``."""
        document = self.context.create(
            self, DataAwsIamPolicyDocument, f"{role}_policy", count=count, statement=statements
        )
        policy = document.json if count is None else f"${{{data_address(document)}[0].json}}"
        return self.context.create(
            self,
            IamRolePolicy,
            role,
            count=count,
            name=f"{ROLE_NAME_SUFFIX}-{role.replace('_', '-')}",
            role=self._role.id,
            policy=policy,
        )

    def _scope_checks(self) -> TerraformResourceLifecycle | None:
        """At plan time, when scope or names are references: names given with a scope that does not read them."""
        scope, names = self.props.pause_scope, self.props.pausing_configuration_sets
        if not isinstance(scope, TerraformExpression) and not isinstance(names, TerraformExpression):
            return None
        scope_text = scope.text if isinstance(scope, TerraformExpression) else f'"{scope}"'
        names_text = names.text if isinstance(names, TerraformExpression) else _hcl_list(names)
        check = Precondition(
            condition=f'${{{scope_text} == "{rules.PAUSE_SCOPE_LISTED}" || length({names_text}) == 0}}',
            error_message=(
                "pausing_configuration_sets is read only with pause_scope 'listed' (the other scopes choose "
                "the sets by tag or name pattern): leave it empty"
            ),
        )
        return TerraformResourceLifecycle(precondition=[check])


def _hcl_list(names: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{name}"' for name in names) + "]"
