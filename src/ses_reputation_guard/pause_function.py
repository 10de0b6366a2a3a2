"""PauseFunction: the Lambda that pauses sending, with least-privilege IAM and its safety net.

Created here: the function (code from ``lambda_src/``), its role and policies (policy documents,
never JSON strings), a KMS-encrypted dead-letter queue, a KMS-encrypted log group with retention,
the SNS subscription to the pause topic and a ``lambda_permission`` limited to that topic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_lambda import contract
from ses_reputation_guard._cdktf import (
    CloudwatchLogGroup,
    Construct,
    DataAwsIamPolicyDocument,
    Fn,
    IamRole,
    IamRolePolicy,
    IamRolePolicyAttachment,
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
    LambdaPermission,
    PolicyCondition,
    PolicyPrincipals,
    PolicyStatement,
    SnsTopicSubscription,
    SqsQueue,
    Token,
)
from ses_reputation_guard.expressions import SKIP, count_for
from ses_reputation_guard.naming import data_address, named

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time for a human to look


@dataclass(frozen=True)
class PauseFunctionProps:
    name_prefix: str
    """Function ``<name_prefix>-pause``, queue ``<name_prefix>-pause-dlq``."""
    resource_prefix: str
    kms_key_arn: str
    account_id: str
    partition: str
    region: str
    notification_topic_arn: str
    """Where the function publishes its reports."""
    pause_topic_arn: str
    """The only topic allowed to invoke the function."""
    package_path: str
    """The deployment zip, as Terraform sees the path (may contain ``${path.module}``)."""
    package_path_expression: str
    """The same path as a Terraform expression (no ``${}``), for ``filebase64sha256``."""
    account_pause_allowed: Any
    """Whether the account policy may pause the account (bool or token); grants
    ``ses:PutAccountSendingAttributes`` only when true."""
    pausing_set_arns_expression: str | None
    """Terraform expression (no ``${}``): list of configuration-set ARNs the function may pause;
    None when the guard has no configuration sets."""
    dry_run: Any
    log_retention_days: Any
    reserved_concurrency: Any
    tags: Any
    timeout_seconds: int = 120
    """Covers the SDK's bounded retries (5 attempts) on three calls with room to spare."""
    memory_mb: int = 256


class PauseFunction(Construct):
    """The pausing Lambda and everything it needs to fail safely and visibly."""

    def __init__(self, scope: Construct, construct_id: str, props: PauseFunctionProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        p = props.resource_prefix
        function_name = f"{props.name_prefix}-pause"

        self.log_group = named(
            CloudwatchLogGroup(
                self,
                "logs",
                name=f"/aws/lambda/{function_name}",
                retention_in_days=props.log_retention_days,
                kms_key_id=props.kms_key_arn,
                tags=props.tags,
            ),
            p,
            "function_logs",
        )
        self.dead_letter_queue = named(
            SqsQueue(
                self,
                "dlq",
                name=f"{function_name}-dlq",
                kms_master_key_id=props.kms_key_arn,
                kms_data_key_reuse_period_seconds=300,
                message_retention_seconds=DLQ_RETENTION_SECONDS,
                tags=props.tags,
            ),
            p,
            "dead_letter_queue",
        )

        assume = named(
            DataAwsIamPolicyDocument(
                self,
                "assume",
                statement=[
                    PolicyStatement(
                        effect="Allow",
                        principals=[PolicyPrincipals(type="Service", identifiers=["lambda.amazonaws.com"])],
                        actions=["sts:AssumeRole"],
                        condition=[
                            PolicyCondition(
                                test="StringEquals", variable="aws:SourceAccount", values=[props.account_id]
                            )
                        ],
                    )
                ],
            ),
            p,
            "function_assume_role",
        )
        self.role = named(
            IamRole(
                self,
                "role",
                name=f"{function_name}-function",
                assume_role_policy=assume.json,
                tags=props.tags,
            ),
            p,
            "function_role",
        )
        alarm_arn = f"arn:{props.partition}:cloudwatch:{props.region}:{props.account_id}:alarm:{props.name_prefix}"
        alarm_arns = [f"{alarm_arn}-account-*", f"{alarm_arn}-set-*"]
        base_policy = named(
            DataAwsIamPolicyDocument(
                self,
                "base_policy",
                statement=[
                    PolicyStatement(
                        sid="WriteOwnLogs",
                        actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                        resources=[f"{self.log_group.arn}:*"],
                    ),
                    PolicyStatement(
                        sid="PublishReports",
                        actions=["sns:Publish"],
                        resources=[props.notification_topic_arn],
                    ),
                    PolicyStatement(
                        sid="UseGuardKey",
                        actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                        resources=[props.kms_key_arn],
                    ),
                    PolicyStatement(
                        sid="DeadLetter", actions=["sqs:SendMessage"], resources=[self.dead_letter_queue.arn]
                    ),
                    PolicyStatement(
                        sid="ReadGuardAlarmPolicy",
                        actions=["cloudwatch:ListTagsForResource"],
                        resources=alarm_arns,
                    ),
                    PolicyStatement(
                        # GetAccount has no resource type: "*" is the only possible scope (read only).
                        sid="ReadAccountSendingStatus",
                        actions=["ses:GetAccount"],
                        resources=["*"],
                    ),
                ],
            ),
            p,
            "function_base_policy",
        )
        self.base_policy = named(
            IamRolePolicy(self, "base", name="guard-base", role=self.role.id, policy=base_policy.json),
            p,
            "function_base",
        )

        # Pausing the account: PutAccountSendingAttributes has no resource type, so "*" is the only
        # scope AWS offers; we narrow it to this Region and grant it only if the policy may pause.
        self.account_pause_policy: IamRolePolicy | None = None
        account_count = count_for(props.account_pause_allowed)
        if account_count is not SKIP:
            self.account_pause_policy = self._counted_role_policy(
                "account_pause",
                count=account_count,
                statements=[
                    PolicyStatement(
                        sid="PauseAccountSendingInThisRegion",
                        actions=["ses:PutAccountSendingAttributes"],
                        resources=["*"],
                        condition=[
                            PolicyCondition(test="StringEquals", variable="aws:RequestedRegion", values=[props.region])
                        ],
                    )
                ],
            )

        # Pausing configuration sets: scoped to configuration-set ARNs, never "*".
        self.set_pause_policy: IamRolePolicy | None = None
        if props.pausing_set_arns_expression is not None:
            arns = props.pausing_set_arns_expression
            self.set_pause_policy = self._counted_role_policy(
                "set_pause",
                count=Token.as_number(f"${{length({arns}) > 0 ? 1 : 0}}"),
                statements=[
                    PolicyStatement(
                        sid="PauseAndReadGuardedConfigurationSets",
                        actions=["ses:GetConfigurationSet", "ses:PutConfigurationSetSendingOptions"],
                        resources=Token.as_list(f"${{{arns}}}"),
                    ),
                    # Defense in depth, independent of the number of sets: a managed set whose policy is
                    # notify-only carries the action tag, and IAM refuses to pause it whatever alarm asks.
                    PolicyStatement(
                        sid="NeverPauseNotifyOnlySets",
                        effect="Deny",
                        actions=["ses:PutConfigurationSetSendingOptions"],
                        resources=[f"arn:{props.partition}:ses:{props.region}:{props.account_id}:configuration-set/*"],
                        condition=[
                            PolicyCondition(
                                test="StringEquals",
                                variable=f"aws:ResourceTag/{contract.TAG_ACTION}",
                                values=[contract.ACTION_NOTIFY],
                            )
                        ],
                    ),
                ],
            )

        self.tracing_policy = named(
            IamRolePolicyAttachment(
                self,
                "tracing",
                role=self.role.name,
                policy_arn=f"arn:{props.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess",
            ),
            p,
            "function_tracing",
        )

        self.function = named(
            LambdaFunction(
                self,
                "function",
                function_name=function_name,
                description="ses-reputation-guard: pauses SES sending on critical reputation alarms",
                role=self.role.arn,
                runtime=contract.RUNTIME,
                handler=contract.HANDLER,
                filename=props.package_path,
                # Base64 SHA-256, as AWS reports it: a hex hash would show a change on every plan.
                source_code_hash=f"${{filebase64sha256({props.package_path_expression})}}",
                timeout=props.timeout_seconds,
                memory_size=props.memory_mb,
                reserved_concurrent_executions=props.reserved_concurrency,
                kms_key_arn=props.kms_key_arn,
                tracing_config=LambdaFunctionTracingConfig(mode="Active"),
                dead_letter_config=LambdaFunctionDeadLetterConfig(target_arn=self.dead_letter_queue.arn),
                environment=LambdaFunctionEnvironment(
                    variables={
                        contract.ENV_GUARD_NAME_PREFIX: props.name_prefix,
                        contract.ENV_PAUSE_TOPIC_ARN: props.pause_topic_arn,
                        contract.ENV_REPORT_TOPIC_ARN: props.notification_topic_arn,
                        contract.ENV_DRY_RUN: _bool_string(props.dry_run),
                        contract.ENV_LOG_LEVEL: "INFO",
                    }
                ),
                tags=props.tags,
                # Every permission in place before the first alarm can arrive.
                depends_on=[
                    element
                    for element in (self.log_group, self.base_policy, self.account_pause_policy, self.set_pause_policy)
                    if element is not None
                ],
            ),
            p,
            "function",
        )
        self.permission = named(
            LambdaPermission(
                self,
                "permission",
                statement_id="AllowGuardPauseTopic",
                action="lambda:InvokeFunction",
                function_name=self.function.function_name,
                principal="sns.amazonaws.com",
                source_arn=props.pause_topic_arn,
            ),
            p,
            "function_invoke_permission",
        )
        self.subscription = named(
            SnsTopicSubscription(
                self,
                "subscription",
                topic_arn=props.pause_topic_arn,
                protocol="lambda",
                endpoint=self.function.arn,
                depends_on=[self.permission],
            ),
            p,
            "function_subscription",
        )

    def _counted_role_policy(self, role: str, *, count: Any, statements: list[Any]) -> IamRolePolicy:
        """A policy document and the role policy using it, both created only when ``count`` is 1
        (``count`` None: always)."""
        p = self.props.resource_prefix
        document = named(
            DataAwsIamPolicyDocument(self, f"{role}_document", count=count, statement=statements),
            p,
            f"function_{role}_policy",
        )
        policy = document.json if count is None else f"${{{data_address(document)}[0].json}}"
        role_policy: IamRolePolicy = named(
            IamRolePolicy(
                self,
                role,
                count=count,
                name=f"guard-{role.replace('_', '-')}",
                role=self.role.id,
                policy=policy,
            ),
            p,
            f"function_{role}",
        )
        return role_policy


def _bool_string(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return Token.as_string(Fn.conditional(value, "true", "false"))
