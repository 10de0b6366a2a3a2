"""FunctionRole: the pause function's IAM role and least-privilege policies.

Policies are built as ``aws_iam_policy_document`` data sources (never JSON strings), so scanners
read them. Pausing permissions exist only when something may be paused: the account action, the
sets whose action is ``pause``; a Deny keeps notify-only managed sets unpausable whatever the Allow.
A sweep adds its own policy (``sweep_policy``): the configuration sets of the Region by name, and the
items of its state table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import rules
from ses_reputation_guard._cdktf import (
    Construct,
    DataAwsIamPolicyDocument,
    IamRole,
    IamRolePolicy,
    IamRolePolicyAttachment,
    PolicyCondition,
    PolicyPrincipals,
    PolicyStatement,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, TerraformExpression, count_for
from ses_reputation_guard.naming import data_address
from ses_reputation_guard.pause_statements import notify_only_deny, set_pause_grant


@dataclass(frozen=True)
class FunctionRoleProps:
    role_name: str
    """IAM role names are global to the account: include the Region (``GuardContext.global_name``)."""
    alarm_name_patterns: Sequence[str]
    """Name patterns (``*`` wildcards) of the guard's reputation alarms: the function reads their
    definition, state and tags before it believes one (``DescribeAlarms``, ``ListTagsForResource``)."""
    log_group_arn: str
    dead_letter_queue_arn: str
    kms_key_arn: str
    notification_topic_arn: str
    """Where the function publishes its reports."""
    account_pause_allowed: Flag
    """Grant ``ses:PutAccountSendingAttributes`` (the account policy may pause the account)."""
    pausing_set_arns: TerraformExpression | None
    """List of configuration-set ARNs the function may pause (the ``listed`` scope; an empty list: no
    set pauses, so no set-pausing policy at all); None: the guard has no sets."""
    pause_scope: str | TerraformExpression = rules.PAUSE_SCOPE_LISTED
    """Which sets the grant names (``pause_scope.py``), or an expression of it (known at plan time).
    Default ``listed``."""
    notify_only_set_arns: TerraformExpression | None = None
    """Notify-only sets the scope covers, denied by name (``name-pattern:`` scopes). Default None."""
    set_pause_checks: Sequence[Any] = ()
    """Plan-time checks (``Precondition``) of the scope, on the policy that grants set pausing."""
    policy_parameters_path: str = ""
    """SSM path of the per-set policy entries (``PolicyManifest``): read-only, ``GetParameter`` there.
    Default "" (none: the function reads no parameter)."""
    sweep_state_table_arn: str | None = None
    """The sweep's state table (``SweepSchedule``): its items may be read and written, and the function
    may list the Region's configuration sets. Default None (no sweep: no such grant)."""
    sweep_enabled: Flag = True
    """Grant the sweep's policy at all when ``sweep_state_table_arn`` is set; a token makes it counted
    (the generated module's ``sweep_policy != null``). Default True."""


class FunctionRole(GuardChild[FunctionRoleProps]):
    """``role`` and its policies: ``base_policy`` always, ``account_pause_policy`` and
    ``set_pause_policy`` when something may be paused (else None), ``sweep_policy`` with a sweep (else
    None), X-Ray through ``tracing_policy``."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: FunctionRoleProps) -> None:
        super().__init__(scope, construct_id, context, props)
        assume = context.create(
            self,
            DataAwsIamPolicyDocument,
            "function_assume_role",
            statement=[
                PolicyStatement(
                    effect="Allow",
                    principals=[PolicyPrincipals(type="Service", identifiers=["lambda.amazonaws.com"])],
                    actions=["sts:AssumeRole"],
                    condition=[
                        PolicyCondition(test="StringEquals", variable="aws:SourceAccount", values=[context.account_id])
                    ],
                )
            ],
        )
        self.role = context.create(
            self,
            IamRole,
            "function_role",
            name=props.role_name,
            assume_role_policy=assume.json,
            tags=context.component_tags("function-role"),
        )
        self.base_policy = self._base_policy()
        self.account_pause_policy = self._account_pause_policy()
        self.set_pause_policy = self._set_pause_policy()
        self.notify_only_deny_policy = self._notify_only_deny_policy()
        self.sweep_policy = self._sweep_policy()
        self.tracing_policy = context.create(
            self,
            IamRolePolicyAttachment,
            "function_tracing",
            role=self.role.name,
            policy_arn=f"arn:{context.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess",
        )

    @property
    def policies(self) -> list[Any]:
        """Every inline policy created: the function depends on them (permissions before the first alarm)."""
        policies = (
            self.base_policy,
            self.account_pause_policy,
            self.set_pause_policy,
            self.notify_only_deny_policy,
            self.sweep_policy,
        )
        return [policy for policy in policies if policy is not None]

    def _policy_statements(self) -> list[Any]:
        """Read the per-set policy entries of the deployed manifest (SSM parameters, the guard's key)."""
        path = self.props.policy_parameters_path
        if not path:
            return []
        arn = self.context.arn("ssm", f"parameter{path}*")
        return [PolicyStatement(sid="ReadDeployedPolicy", actions=["ssm:GetParameter"], resources=[arn])]

    def _base_policy(self) -> Any:
        context, props = self.context, self.props
        statements = [
            PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{props.log_group_arn}:*"],
            ),
            PolicyStatement(sid="PublishReports", actions=["sns:Publish"], resources=[props.notification_topic_arn]),
            PolicyStatement(
                sid="UseGuardKey", actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=[props.kms_key_arn]
            ),
            PolicyStatement(sid="DeadLetter", actions=["sqs:SendMessage"], resources=[props.dead_letter_queue_arn]),
            PolicyStatement(
                sid="ReadGuardAlarms",
                actions=[
                    "cloudwatch:DescribeAlarms",
                    "cloudwatch:DescribeAlarmContributors",
                    "cloudwatch:ListTagsForResource",
                ],
                resources=[context.arn("cloudwatch", f"alarm:{name}") for name in props.alarm_name_patterns],
            ),
            PolicyStatement(
                # SES's own datapoints, the evidence behind a pause. GetMetricData has no resource
                # type (Service Authorization Reference): "*" is the only scope, and it only reads.
                sid="ReadReputationDatapoints",
                actions=["cloudwatch:GetMetricData"],
                resources=["*"],
            ),
            *self._policy_statements(),
            PolicyStatement(
                # GetAccount has no resource type: "*" is the only possible scope (read only).
                sid="ReadAccountSendingStatus",
                actions=["ses:GetAccount"],
                resources=["*"],
            ),
        ]
        document = context.create(self, DataAwsIamPolicyDocument, "function_base_policy", statement=statements)
        return context.create(
            self, IamRolePolicy, "function_base", name="guard-base", role=self.role.id, policy=document.json
        )

    def _account_pause_policy(self) -> Any:
        # PutAccountSendingAttributes has no resource type, so "*" is the only scope AWS offers; we
        # narrow it to this Region and grant it only if the policy may pause.
        count = count_for(self.props.account_pause_allowed)
        if count is SKIP:
            return None
        statement = PolicyStatement(
            sid="PauseAccountSendingInThisRegion",
            actions=["ses:PutAccountSendingAttributes"],
            resources=["*"],
            condition=[
                PolicyCondition(test="StringEquals", variable="aws:RequestedRegion", values=[self.context.region])
            ],
        )
        return self._counted_role_policy("account_pause", count=count, statements=[statement])

    def _set_pause_policy(self) -> Any:
        """Pausing configuration sets: the scope the user chose (``pause_scope.py``), never "*" by itself."""
        arns = self.props.pausing_set_arns
        if arns is None:
            return None
        statements = [
            *set_pause_grant(self, self.context, self.props.pause_scope, arns),
            # Defense in depth, independent of the number of sets: a managed set whose policy is
            # notify-only carries the action tag, and IAM refuses to pause it whatever alarm asks.
            notify_only_deny(self.context),
        ]
        count = Token.as_number(f"${{length({arns.text}) > 0 ? 1 : 0}}")
        return self._counted_role_policy(
            "set_pause", count=count, statements=statements, checks=self.props.set_pause_checks
        )

    def _notify_only_deny_policy(self) -> Any:
        """Notify-only sets a name pattern covers, denied by name: existing, untagged sets included."""
        arns = self.props.notify_only_set_arns
        if arns is None:
            return None
        statement = PolicyStatement(
            sid="NeverPauseNotifyOnlySetsByName",
            effect="Deny",
            actions=["ses:PutConfigurationSetSendingOptions", "ses:TagResource"],
            resources=Token.as_list(arns.interpolated),
        )
        count = Token.as_number(f"${{length({arns.text}) > 0 ? 1 : 0}}")
        return self._counted_role_policy("notify_only_deny", count=count, statements=[statement])

    def _sweep_policy(self) -> Any:
        """What a sweep run needs besides the base policy (GetMetricData is there already): the Region's
        configuration sets by name, and its state table's items (the run lock, open warning episodes).
        The table is encrypted with the guard's key: DynamoDB uses it on the function's behalf with the
        base policy's ``kms:Decrypt`` and ``kms:GenerateDataKey*`` (the key policy delegates to IAM)."""
        table = self.props.sweep_state_table_arn
        count = count_for(self.props.sweep_enabled)
        if table is None or count is SKIP:
            return None
        statements = [
            PolicyStatement(
                # ListConfigurationSets has no resource type (Service Authorization Reference, SES v2):
                # "*" is the only scope, narrowed to this Region; it returns names only.
                sid="ListConfigurationSetsInThisRegion",
                actions=["ses:ListConfigurationSets"],
                resources=["*"],
                condition=[
                    PolicyCondition(test="StringEquals", variable="aws:RequestedRegion", values=[self.context.region])
                ],
            ),
            PolicyStatement(
                sid="KeepSweepState",
                # the calls the function makes (tests/constructs/test_function_role.py compares them)
                actions=["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"],
                resources=[table],
            ),
        ]
        return self._counted_role_policy("sweep", count=count, statements=statements)

    def _counted_role_policy(self, role: str, *, count: Any, statements: list[Any], checks: Sequence[Any] = ()) -> Any:
        """A policy document and the role policy using it, both created only when ``count`` is 1
        (``count`` None: always)."""
        document = self.context.create(
            self, DataAwsIamPolicyDocument, f"function_{role}_policy", count=count, statement=statements
        )
        policy = document.json if count is None else f"${{{data_address(document)}[0].json}}"
        return self.context.create(
            self,
            IamRolePolicy,
            f"function_{role}",
            count=count,
            name=f"guard-{role.replace('_', '-')}",
            role=self.role.id,
            policy=policy,
            lifecycle=TerraformResourceLifecycle(precondition=list(checks)) if checks else None,
        )
