"""HubMembers: a hub guard's member list where its function reads it, and the function's right to use it.

Created here, for a guard with a ``HubPolicy`` (docs/organization.md, "Deploying a hub"):

- ``parameters``: one SSM SecureString parameter per member account,
  ``/<name_prefix>/policy/members/<account id>`` (``hub.members_path``), holding the member's entry
  (``manifest.Member.to_document`` as JSON), encrypted with the guard's customer managed key, ``for_each``
  over the accounts, as the per-set policy parameters (``PolicyManifest``). Each run lists the path
  (``GetParametersByPath``, decrypted): the function's environment holds 4 KB, 50 members do not fit;
- ``policy``: the inline policy ``guard-hub`` on the function's role: ``sts:AssumeRole`` on exactly the
  member roles' ARNs (``hub.member_role_arn``, never a wildcard) and ``ssm:GetParametersByPath`` on the
  members' path. ``GetParametersByPath`` is authorized against the path of the request, not the
  parameters returned (Systems Manager User Guide, "How Parameter Store authorizes parameter
  retrieval"): both ``parameter/<prefix>/policy/members`` and ``.../members/*`` are named, so the request's
  path matches with or without its trailing ``/``. Decrypting the entries takes the base policy's
  ``kms:Decrypt`` on the guard's key, which encrypts the per-set parameters too.

Members known only to Terraform (the generated module: ``member_documents`` a ``TerraformExpression``,
``enabled`` a token): the parameters iterate over the expression, the member roles' ARNs are built at plan
from its keys (``formatlist``, the local ``hub_member_role_arns``), ``AssumeMemberRoles`` is a document of
its own, counted away without members, that ``guard-hub`` takes as a source; the policy is counted by
``enabled``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import hub
from ses_reputation_guard._cdktf import (
    Construct,
    DataAwsIamPolicyDocument,
    Fn,
    IamRolePolicy,
    PolicyStatement,
    Precondition,
    TerraformLocal,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import Flag, TerraformExpression, count_for
from ses_reputation_guard.naming import data_address
from ses_reputation_guard.secure_entries import secure_entries

POLICY_NAME = "guard-hub"
"""The inline policy on the function's role that lets a hub run reach its members."""


@dataclass(frozen=True)
class HubMembersProps:
    member_documents: Mapping[str, str] | TerraformExpression
    """Account id => the member's entry, JSON text (``HubPolicy.member_documents``). May be empty: the hub
    then sweeps only itself, and its role may assume nothing. Or a ``TerraformExpression`` of that map
    (empty when ``enabled`` is false)."""
    kms_key_arn: str
    """The guard's customer managed key: encrypts the parameters."""
    function_role: str
    """The function's role (its ``id``, the role name): holds ``guard-hub``."""
    enabled: Flag = True
    """Create the grant at all; a token makes it counted (the generated module's ``hub_policy != null``).
    Default True."""
    checks: Sequence[Precondition] = ()
    """Preconditions of ``guard-hub`` (what only Terraform can check: the hub's sweep is enabled). Default ()."""


class HubMembers(GuardChild[HubMembersProps]):
    """``parameters`` (the for_each block, None without members), ``policy_document`` and ``policy`` (the
    inline policy ``guard-hub``), ``members_path`` and ``member_role_arns`` (what the policy names)."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: HubMembersProps) -> None:
        super().__init__(scope, construct_id, context, props)
        self._members_path = hub.members_path(context.name_prefix)
        documents = props.member_documents
        if not isinstance(documents, TerraformExpression) and not isinstance(props.enabled, bool):
            # members known now, hub mode decided by Terraform: none unless it is on
            documents = context.local(
                self, "hub_member_documents", Fn.conditional(props.enabled, dict(sorted(documents.items())), {})
            )
        self._documents = documents
        self._member_role_arns: Any
        if isinstance(documents, TerraformExpression):
            self._member_role_arns = self._planned_role_arns(documents)
            self._parameters = self._parameters_block(Token.as_any_map(documents.interpolated))
            self._policy_document, self._policy = self._planned_role_policy()
        else:
            self._member_role_arns = [
                hub.member_role_arn(context.partition, account, context.name_prefix) for account in sorted(documents)
            ]
            self._parameters = self._parameters_block(dict(sorted(documents.items()))) if documents else None
            self._policy_document, self._policy = self._role_policy()

    @property
    def members_path(self) -> str:
        """``/<name_prefix>/policy/members/``: the SSM path the function lists."""
        return self._members_path

    @property
    def member_role_arns(self) -> list[str]:
        """The member roles the function may assume, in account order (a list token when only Terraform
        knows the members)."""
        if isinstance(self._member_role_arns, TerraformExpression):
            return Token.as_list(self._member_role_arns.interpolated)
        return list(self._member_role_arns)

    @property
    def member_role_arns_expression(self) -> TerraformExpression | None:
        """The local holding the member roles' ARNs when only Terraform knows the members, else None."""
        arns = self._member_role_arns
        return arns if isinstance(arns, TerraformExpression) else None

    @property
    def parameters(self) -> Any:
        """The ``aws_ssm_parameter`` block (``for_each`` over the accounts), or None without members."""
        return self._parameters

    @property
    def policy_document(self) -> Any:
        """The ``aws_iam_policy_document`` of ``guard-hub``."""
        return self._policy_document

    @property
    def policy(self) -> Any:
        """The ``aws_iam_role_policy`` ``guard-hub`` on the function's role."""
        return self._policy

    def _parameters_block(self, documents: Any) -> Any:
        return secure_entries(
            self,
            self.context,
            "hub_members",
            entries=documents,
            path=self._members_path,
            value=lambda iterator: Token.as_string(iterator.value),
            description="ses-reputation-guard: this member account's entry in the hub's list (each run reads it)",
            kms_key_arn=self.props.kms_key_arn,
            component="hub-member",
        )

    def _list_members_statement(self) -> Any:
        path = self._members_path.rstrip("/")
        return PolicyStatement(
            sid="ListHubMembers",
            actions=["ssm:GetParametersByPath"],
            resources=[self.context.arn("ssm", f"parameter{path}"), self.context.arn("ssm", f"parameter{path}/*")],
        )

    def _assume_statement(self) -> Any:
        return PolicyStatement(sid="AssumeMemberRoles", actions=["sts:AssumeRole"], resources=self.member_role_arns)

    def _role_policy(self) -> tuple[Any, Any]:
        context = self.context
        statements = [self._list_members_statement()]
        if self._member_role_arns:
            statements.append(self._assume_statement())
        document = context.create(self, DataAwsIamPolicyDocument, "function_hub_policy", statement=statements)
        policy = context.create(
            self,
            IamRolePolicy,
            "function_hub",
            name=POLICY_NAME,
            role=self.props.function_role,
            policy=document.json,
            lifecycle=self._lifecycle(),
        )
        return document, policy

    def _planned_role_arns(self, documents: TerraformExpression) -> TerraformExpression:
        """``arn:<partition>:iam::<account>:role/<name_prefix>-member`` for each key of ``documents``, at plan."""
        context = self.context
        template = hub.member_role_arn("%s", "%s", "%s").replace(f"%s-{hub.MEMBER_ROLE_SUFFIX}", "%s")
        role_name = hub.member_role_name(context.name_prefix)
        # a local holding the map: a reference cdktf renders inside the function call
        members = context.create(self, TerraformLocal, "hub_member_entries", expression=documents.interpolated)
        accounts = Fn.keys(members.as_any_map)
        arns = Fn.formatlist(template, [context.partition, accounts, role_name])
        return context.local(self, "hub_member_role_arns", arns)

    def _planned_role_policy(self) -> tuple[Any, Any]:
        """``guard-hub`` counted by ``enabled``; ``AssumeMemberRoles`` a document counted by the members, its
        source: no statement without a resource when there is no member."""
        context, documents = self.context, self._documents
        assert isinstance(documents, TerraformExpression)
        assume = context.create(
            self,
            DataAwsIamPolicyDocument,
            "function_hub_assume_policy",
            # by the members themselves: their ARNs wait for the partition
            count=Token.as_number(f"${{length({documents.text}) > 0 ? 1 : 0}}"),
            statement=[self._assume_statement()],
        )
        count = count_for(self.props.enabled)
        document = context.create(
            self,
            DataAwsIamPolicyDocument,
            "function_hub_policy",
            count=count,
            source_policy_documents=Token.as_list(f"${{{data_address(assume)}[*].json}}"),
            statement=[self._list_members_statement()],
        )
        policy = context.create(
            self,
            IamRolePolicy,
            "function_hub",
            count=count,
            name=POLICY_NAME,
            role=self.props.function_role,
            policy=document.json if count is None else f"${{{data_address(document)}[0].json}}",
            lifecycle=self._lifecycle(),
        )
        return document, policy

    def _lifecycle(self) -> TerraformResourceLifecycle | None:
        checks = list(self.props.checks)
        return TerraformResourceLifecycle(precondition=checks) if checks else None
