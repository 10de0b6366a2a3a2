"""MemberRole: the role a hub guard's function assumes in a member account (issue "[6 of 7]").

One role per member account, for every Region of it (IAM is global to the account): trusted by the hub
function's role (its exact ARN) and, when ``operator_role_arns`` is given, by those operator roles (their
exact ARNs), each also inside one AWS Organization when an id is given. It holds only what the guard does
in an account: read SES's reputation datapoints, the account's sending status and the configuration
sets; pause sets within ``pause_scope`` (never one tagged ``ses-reputation-guard:action = notify``); tag
a set it paused with the two pause tag keys; pause the account only when the hub's policy for this
member allows it. With operators, also what ``ses-guard status --hub`` and ``ses-guard resume`` need
through the same role and nothing the guard has not already: find paused sets (``tag:GetResources``,
read-only) and remove the two pause tags from the sets of the scope (``ses:UntagResource``); resuming
re-enables sending with the calls the pause uses. Nothing deletes, nothing touches IAM or CloudWatch
alarms (a member has none of the guard's). docs/design.md ("Across accounts (hub and members)") is the
threat model; tests/constructs/test_member_role.py checks every statement against its table.

The set statements are the function role's (``pause_statements``), so that the scope logic (listed,
tagged, name pattern, or an expression of one) exists once; the rules of this construct's inputs are
``ses_guard_policy.rules``' (``HUB_FUNCTION_ROLE_ARN``, ``OPERATOR_ROLE_ARN``, ``ORGANIZATION_ID``,
``REGION_NAME``). The Region of every ARN is ``*``: ``regions`` narrows the role instead, with one Deny
on every action outside them (``aws:RequestedRegion``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ses_guard_policy import contract, rules
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
OPERATOR_FIND_ACTION = "tag:GetResources"
"""``ses-guard status`` finds the paused sets by their pause tag (Resource Groups Tagging API): no
resource type, "*" is the only scope, and it only reads."""
OPERATOR_UNTAG_ACTION = "ses:UntagResource"
"""``ses-guard resume`` removes the two pause tags of a set it re-enabled, so status stops listing it."""
ALL_ACTIONS = (
    *(action for _, actions in READ_STATEMENTS for action in actions),
    *SET_ACTIONS,
    ACCOUNT_PAUSE_ACTION,
    OPERATOR_FIND_ACTION,
    OPERATOR_UNTAG_ACTION,
)
"""Every action the role can hold: the Deny outside ``regions`` names exactly these."""
Condition = bool | str
"""Whether a part of the role exists: known (a bool), or an HCL condition Terraform decides at plan time."""
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
    operator_role_arns: Sequence[str] | TerraformExpression = ()
    """ARNs of the roles operators run ``ses-guard status --hub`` and ``ses-guard resume`` with against
    this member, through this role: each exact (no wildcard, no account root), trusted by a second trust
    statement (with the same ``aws:PrincipalOrgID`` condition), and the role then also grants
    ``tag:GetResources`` and ``ses:UntagResource`` of the two pause tags on the sets of the scope. They hold
    everything this role holds, pausing included. Default () (only the hub function's role)."""
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
        if isinstance(self.operator_role_arns, str):  # a lone string would be read as a list of letters
            problems.add(f"operator_role_arns={self.operator_role_arns!r}: must be a list of IAM role ARNs")
        elif not isinstance(self.operator_role_arns, TerraformExpression):
            problems.each_pattern("operator_role_arns", self.operator_role_arns, rules.OPERATOR_ROLE_ARN)
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
    """``role`` (read-only): ``<name_prefix>-member``, assumable only by the hub function's role and the
    ``operator_role_arns``.

    Inline policies, each present only when it grants something: ``member-read`` always,
    ``member-set-pause`` (sets in the scope, and the Deny on notify-tagged sets), ``member-account-pause``
    (when ``account_pause_allowed``), ``member-operator-status`` (operators given),
    ``member-operator-resume`` (operators given and a set may be paused) and ``member-regions`` (the Deny
    outside ``regions``, when given).
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
        arns, pausing = self._pausing_set_arns()
        self.set_pause_policy, scope_resources = self._set_pause_policy(arns, pausing)
        self.account_pause_policy = self._account_pause_policy()
        self.operator_status_policy, self.operator_resume_policy = self._operator_policies(scope_resources, pausing)
        self.regions_policy = self._regions_policy()

    @property
    def role(self) -> Any:
        """The ``aws_iam_role``: the hub names its ARN in its member list."""
        return self._role

    @property
    def policies(self) -> list[Any]:
        """Every inline policy created (None-free)."""
        policies = (
            self.read_policy,
            self.set_pause_policy,
            self.account_pause_policy,
            self.operator_status_policy,
            self.operator_resume_policy,
            self.regions_policy,
        )
        return [policy for policy in policies if policy is not None]

    def _context(self, resource_prefix: str, props: MemberRoleProps) -> GuardContext:
        """This account and partition, looked up; Region ``*``: one role serves every Region."""
        tags = props.tags if is_token(props.tags) else dict(props.tags)
        unresolved = GuardContext(props.name_prefix, resource_prefix, "", "", region="*", tags=tags)
        caller = unresolved.create(self, DataAwsCallerIdentity, "caller")
        partition = unresolved.create(self, DataAwsPartition, "partition")
        return replace(unresolved, account_id=caller.account_id, partition=partition.partition)

    def _trust_policy(self) -> Any:
        """The hub function's role and the operators' roles, each by exact ARN; with ``aws:PrincipalOrgID``
        when an organization is given. When only Terraform knows whether there is an organization or any
        operator: one document per case, counted, merged into ``trust`` (``source_policy_documents``)."""
        organization, operators = self.props.organization_id, self._operators_given()
        cases: list[tuple[str, Condition, list[str]]]
        if isinstance(organization, TerraformExpression):
            cases = [
                ("", f"{organization.text} == null", []),
                ("_in_organization", f"{organization.text} != null", [organization.interpolated]),
            ]
        else:
            cases = [("", True, [] if organization is None else [organization])]
        if len(cases) == 1 and isinstance(operators, bool):
            orgs = cases[0][2]
            statements = [self._hub_trust(orgs), *([self._operator_trust(orgs)] if operators else [])]
            return self.context.create(self, DataAwsIamPolicyDocument, "trust", statement=statements).json
        parts = []
        for suffix, holds, orgs in cases:
            parts.append(self._trust_part(f"trust_hub{suffix}", holds, self._hub_trust(orgs)))
            with_operators = _and(holds, operators)
            if with_operators is not False:
                parts.append(self._trust_part(f"trust_operators{suffix}", with_operators, self._operator_trust(orgs)))
        merged = Token.as_list(f"${{concat({', '.join(parts)})}}")
        return self.context.create(self, DataAwsIamPolicyDocument, "trust", source_policy_documents=merged).json

    def _trust_part(self, role: str, holds: Condition, statement: Any) -> str:
        """A trust document counted by ``holds``; returns its JSON as an HCL list of zero or one item."""
        document = self.context.create(self, DataAwsIamPolicyDocument, role, count=_count(holds), statement=[statement])
        return f"{data_address(document)}[*].json" if holds is not True else f"[{data_address(document)}.json]"

    def _hub_trust(self, organization: list[str]) -> Any:
        return self._trust_statement("OnlyTheHubFunctionRole", [self.props.hub_function_role_arn], organization)

    def _operator_trust(self, organization: list[str]) -> Any:
        operators = self.props.operator_role_arns
        identifiers = (
            Token.as_list(operators.interpolated) if isinstance(operators, TerraformExpression) else list(operators)
        )
        return self._trust_statement("OperatorRoles", identifiers, organization)

    @staticmethod
    def _trust_statement(sid: str, principals: Any, organization: list[str]) -> Any:
        condition = [PolicyCondition(test="StringEquals", variable="aws:PrincipalOrgID", values=organization)]
        return PolicyStatement(
            sid=sid,
            effect="Allow",
            principals=[PolicyPrincipals(type="AWS", identifiers=principals)],
            actions=["sts:AssumeRole"],
            condition=condition if organization else None,
        )

    def _operators_given(self) -> Condition:
        operators = self.props.operator_role_arns
        return f"length({operators.text}) > 0" if isinstance(operators, TerraformExpression) else bool(operators)

    @staticmethod
    def _read_statement(sid: str, actions: Sequence[str]) -> Any:
        return PolicyStatement(sid=sid, actions=list(actions), resources=["*"])

    def _set_pause_policy(self, arns: TerraformExpression, pausing: Condition) -> tuple[Any, Any]:
        """The function role's grant over the scope (pause, read, tag), and the Deny on notify-tagged sets;
        with the scope's resources (what the operators may untag)."""
        if pausing is False:
            return None, None
        grant = set_pause_grant(self, self.context, self.props.pause_scope, arns)
        policy = self._policy("set_pause", [*grant, notify_only_deny(self.context)], count=_count(pausing))
        return policy, grant[0].resources

    def _operator_policies(self, scope_resources: Any, pausing: Condition) -> tuple[Any, Any]:
        """What the operator tool needs beyond the guard's own rights: find the paused sets (status) and
        remove the two pause tags from the sets of the scope (resume). Only with operators: the hub
        function needs neither. UntagResource takes no aws:ResourceTag condition (as TagResource,
        ``pause_statements.pause_tag_grant``): the scope's resources, only the pause tag keys."""
        operators = self._operators_given()
        if operators is False:
            return None, None
        find = PolicyStatement(sid="FindPausedConfigurationSets", actions=[OPERATOR_FIND_ACTION], resources=["*"])
        status = self._policy("operator_status", [find], count=_count(operators))
        resuming = _and(operators, pausing)
        if resuming is False:
            return status, None
        untag = PolicyStatement(
            sid="RemovePauseTags",
            actions=[OPERATOR_UNTAG_ACTION],
            resources=scope_resources,
            condition=[
                PolicyCondition(
                    test="ForAllValues:StringEquals", variable="aws:TagKeys", values=list(contract.PAUSE_TAG_KEYS)
                )
            ],
        )
        return status, self._policy("operator_resume", [untag], count=_count(resuming))

    def _pausing_set_arns(self) -> tuple[TerraformExpression, Condition]:
        """The ``listed`` ARNs (a local) and whether a set may be paused: False when nothing may, True when
        something may, an HCL condition when only Terraform knows."""
        scope, names = self.props.pause_scope, self.props.pausing_configuration_sets
        if isinstance(scope, str) and scope != rules.PAUSE_SCOPE_LISTED:
            return _LISTED_ONLY, True
        if not isinstance(names, TerraformExpression) and not isinstance(scope, TerraformExpression):
            if not names:
                return _LISTED_ONLY, False
            arn_prefix = self.context.arn("ses", "configuration-set/")
            return self.context.local(self, "pausing_set_arns", [arn_prefix + name for name in names]), True
        names_text = names.text if isinstance(names, TerraformExpression) else _hcl_list(names)
        prefix = self.context.local(self, "configuration_set_arn_prefix", self.context.arn("ses", "configuration-set/"))
        arns = self.context.local(
            self, "pausing_set_arns", f'${{[for name in {names_text} : "{prefix.interpolated}${{name}}"]}}'
        )
        pausing = f"length({arns.text}) > 0"
        if isinstance(scope, TerraformExpression):
            pausing = f'{scope.text} != "{rules.PAUSE_SCOPE_LISTED}" || {pausing}'
        return arns, pausing

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


def _count(holds: Condition) -> Any:
    """A resource's ``count``: None (created once, no count) when ``holds`` is True, else an expression
    (never called with False: nothing is created then)."""
    return None if holds is True else Token.as_number(f"${{{holds} ? 1 : 0}}")


def _and(first: Condition, second: Condition) -> Condition:
    if first is False or second is False:
        return False
    if first is True:
        return second
    return first if second is True else f"({first}) && ({second})"
