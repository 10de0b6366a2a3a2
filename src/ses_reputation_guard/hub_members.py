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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import hub
from ses_reputation_guard._cdktf import (
    Construct,
    DataAwsIamPolicyDocument,
    IamRolePolicy,
    PolicyStatement,
    SsmParameter,
    TerraformIterator,
    Token,
)
from ses_reputation_guard.context import GuardChild, GuardContext

POLICY_NAME = "guard-hub"
"""The inline policy on the function's role that lets a hub run reach its members."""


@dataclass(frozen=True)
class HubMembersProps:
    member_documents: Mapping[str, str]
    """Account id => the member's entry, JSON text (``HubPolicy.member_documents``). May be empty: the hub
    then sweeps only itself, and its role may assume nothing."""
    kms_key_arn: str
    """The guard's customer managed key: encrypts the parameters."""
    function_role: str
    """The function's role (its ``id``, the role name): holds ``guard-hub``."""


class HubMembers(GuardChild[HubMembersProps]):
    """``parameters`` (the for_each block, None without members), ``policy_document`` and ``policy`` (the
    inline policy ``guard-hub``), ``members_path`` and ``member_role_arns`` (what the policy names)."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: HubMembersProps) -> None:
        super().__init__(scope, construct_id, context, props)
        self._members_path = hub.members_path(context.name_prefix)
        self._member_role_arns = [
            hub.member_role_arn(context.partition, account, context.name_prefix)
            for account in sorted(props.member_documents)
        ]
        self._parameters = self._parameters_block() if props.member_documents else None
        self._policy_document, self._policy = self._role_policy()

    @property
    def members_path(self) -> str:
        """``/<name_prefix>/policy/members/``: the SSM path the function lists."""
        return self._members_path

    @property
    def member_role_arns(self) -> list[str]:
        """The member roles the function may assume, in account order."""
        return list(self._member_role_arns)

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

    def _parameters_block(self) -> Any:
        iterator = TerraformIterator.from_map(dict(sorted(self.props.member_documents.items())))
        return self.context.create(
            self,
            SsmParameter,
            "hub_members",
            for_each=iterator,
            name=f"{self._members_path}{iterator.key}",
            description="ses-reputation-guard: this member account's entry in the hub's list (each run reads it)",
            type="SecureString",
            key_id=self.props.kms_key_arn,
            value=Token.as_string(iterator.value),
            tags=self.context.component_tags("hub-member"),
        )

    def _role_policy(self) -> tuple[Any, Any]:
        context = self.context
        path = self._members_path.rstrip("/")
        statements = [
            PolicyStatement(
                sid="ListHubMembers",
                actions=["ssm:GetParametersByPath"],
                resources=[context.arn("ssm", f"parameter{path}"), context.arn("ssm", f"parameter{path}/*")],
            )
        ]
        if self._member_role_arns:
            statements.append(
                PolicyStatement(sid="AssumeMemberRoles", actions=["sts:AssumeRole"], resources=self.member_role_arns)
            )
        document = context.create(self, DataAwsIamPolicyDocument, "function_hub_policy", statement=statements)
        policy = context.create(
            self, IamRolePolicy, "function_hub", name=POLICY_NAME, role=self.props.function_role, policy=document.json
        )
        return document, policy
