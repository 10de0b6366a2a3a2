"""PauseFunction: the Lambda that pauses sending, with its safety net.

Created here: the function (code from ``lambda_src/``, as a zip whose path is a Terraform
expression), a KMS-encrypted dead-letter queue, a KMS-encrypted log group with retention, the SNS
subscription to the pause topic and a ``lambda_permission`` limited to that topic. Its IAM role and
policies are a ``FunctionRole``. Other delivery paths (the fleet's EventBridge rule, the sweep's
schedule) bring their own permissions (``FleetContributorDelivery``, ``SweepSchedule``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import contract, rules
from ses_reputation_guard._cdktf import (
    CloudwatchLogGroup,
    Construct,
    LambdaFunction,
    LambdaFunctionDeadLetterConfig,
    LambdaFunctionEnvironment,
    LambdaFunctionTracingConfig,
    LambdaPermission,
    SnsTopicSubscription,
    SqsQueue,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import Flag, TerraformExpression, bool_string
from ses_reputation_guard.function_role import FunctionRole, FunctionRoleProps

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time for a human to look
# Timeout and memory. Alarm-driven invocations handle a few records: 120 s covers the SDK's bounded
# retries (5 attempts) on three calls with room to spare. A sweep run reads and judges every set of the
# Region (two Metrics Insights queries, up to 500 series each, then up to 500 pauses): a 10,000-set run is
# benchmarked to finish well under 60 s in 256 MB against the emulator (docs/benchmarks.md, the sweep
# benchmark), so 300 s leaves five times the measured time for throttled SES pauses and slow queries.
# A hub's run covers its own account and Region and up to 200 member account x Regions in turn (an
# AssumeRole and the sweep's queries each): Lambda's maximum, 900 s.
ALARM_TIMEOUT_SECONDS = 120
SWEEP_TIMEOUT_SECONDS = 300
HUB_TIMEOUT_SECONDS = 900
MEMORY_MB = 256
SWEEP_MEMORY_MB = 256
FUNCTION_NAME_SUFFIX = "pause"
"""The function is ``<name_prefix>-pause``, its queue ``<name_prefix>-pause-dlq``, its role
``<name_prefix>-<region>-pause-function``."""


def function_log_group_name(context: GuardContext) -> str:
    """``/aws/lambda/<name_prefix>-pause``: known before the function exists (the key names it)."""
    return f"/aws/lambda/{context.aws_name(FUNCTION_NAME_SUFFIX)}"


@dataclass(frozen=True)
class PauseFunctionProps:
    kms_key_arn: str
    """Encrypts the queue, the logs and the environment."""
    notification_topic_arn: str
    """Where the function publishes its reports."""
    pause_topic_arn: str
    """The only topic allowed to invoke the function."""
    package: TerraformExpression
    """Path of the deployment zip (``local.x`` or ``"${path.module}/x.zip"``)."""
    account_pause_allowed: Flag
    """Whether the account policy may pause the account (grants ``ses:PutAccountSendingAttributes``)."""
    pausing_set_arns: TerraformExpression | None
    """List of configuration-set ARNs the function may pause; None when the guard has no sets."""
    alarm_name_patterns: Sequence[str] = ()
    """Name patterns of the alarms the function may read (see ``FunctionRoleProps``)."""
    pause_scope: str | TerraformExpression = rules.PAUSE_SCOPE_LISTED
    """Which sets the function may pause, with the two below (see ``FunctionRoleProps``)."""
    notify_only_set_arns: TerraformExpression | None = None
    set_pause_checks: Sequence[Any] = ()
    policy_manifest: Any = ""
    """The guard-level policy manifest (JSON text or a ``jsonencode`` token) for ``POLICY_MANIFEST``."""
    policy_parameters_path: str = ""
    """SSM path of the per-set policy entries the function may read. Default "" (none)."""
    dry_run: Flag = False
    """Decide, log and report, never pause. Default False."""
    log_retention_days: int = 365
    """Retention of the function's log group, days. Default 365."""
    reserved_concurrency: int = 2
    """Reserved concurrent executions, or -1 for none. Default 2."""
    timeout_seconds: int = ALARM_TIMEOUT_SECONDS
    """Seconds an invocation may run (may be a token). Default 120 (``ALARM_TIMEOUT_SECONDS``); a guard
    with a sweep passes ``SWEEP_TIMEOUT_SECONDS`` (300), a hub ``HUB_TIMEOUT_SECONDS`` (900)."""
    memory_mb: int = MEMORY_MB
    """Memory, MB (may be a token). Default 256."""
    accepted_sources: Any = ""
    """``ACCEPTED_SOURCES``: delivery paths the function accepts besides SNS from the pause topic
    (``eventbridge`` when the fleet's contributors come through EventBridge); text or a token. Default ""
    (unset)."""
    protected_configuration_sets: Any = ""
    """``PROTECTED_CONFIGURATION_SETS``: comma-separated sets never paused; text or a token. Default "" (unset)."""
    sweep_state_table: Any = ""
    """``SWEEP_STATE_TABLE``: the sweep's state table name; text or a token. Default "" (no sweep)."""
    sweep_state_table_arn: str | None = None
    """The same table's ARN, for the role's sweep grant (``FunctionRoleProps``). Default None (no sweep)."""
    sweep_enabled: Flag = True
    """Whether the sweep grant exists (a token: counted). Default True."""


class PauseFunction(GuardChild[PauseFunctionProps]):
    """The pausing Lambda and everything it needs to fail safely and visibly."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: PauseFunctionProps) -> None:
        super().__init__(scope, construct_id, context, props)
        self.function_name = context.aws_name(FUNCTION_NAME_SUFFIX)
        self.log_group = context.create(
            self,
            CloudwatchLogGroup,
            "function_logs",
            name=function_log_group_name(context),
            retention_in_days=props.log_retention_days,
            kms_key_id=props.kms_key_arn,
            tags=context.component_tags("function-logs"),
        )
        self.dead_letter_queue = context.create(
            self,
            SqsQueue,
            "dead_letter_queue",
            name=f"{self.function_name}-dlq",
            kms_master_key_id=props.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=context.component_tags("dead-letter-queue"),
        )
        self.permissions = FunctionRole(
            self,
            "permissions",
            context,
            FunctionRoleProps(
                role_name=context.global_name(f"{FUNCTION_NAME_SUFFIX}-function"),
                alarm_name_patterns=props.alarm_name_patterns,
                log_group_arn=self.log_group.arn,
                dead_letter_queue_arn=self.dead_letter_queue.arn,
                kms_key_arn=props.kms_key_arn,
                notification_topic_arn=props.notification_topic_arn,
                account_pause_allowed=props.account_pause_allowed,
                pausing_set_arns=props.pausing_set_arns,
                pause_scope=props.pause_scope,
                notify_only_set_arns=props.notify_only_set_arns,
                set_pause_checks=props.set_pause_checks,
                policy_parameters_path=props.policy_parameters_path,
                sweep_state_table_arn=props.sweep_state_table_arn,
                sweep_enabled=props.sweep_enabled,
            ),
        )
        self.role = self.permissions.role
        self.function = self._function()
        self._subscribe_to_pause_topic()

    def _function(self) -> Any:
        context, props = self.context, self.props
        return context.create(
            self,
            LambdaFunction,
            "function",
            function_name=self.function_name,
            description="ses-reputation-guard: pauses SES sending on critical reputation alarms",
            role=self.role.arn,
            runtime=contract.RUNTIME,
            handler=contract.HANDLER,
            filename=props.package.interpolated,
            # Base64 SHA-256, as AWS reports it: a hex hash would show a change on every plan.
            source_code_hash=f"${{filebase64sha256({props.package.text})}}",
            timeout=props.timeout_seconds,
            memory_size=props.memory_mb,
            reserved_concurrent_executions=props.reserved_concurrency,
            kms_key_arn=props.kms_key_arn,
            tracing_config=LambdaFunctionTracingConfig(mode="Active"),
            dead_letter_config=LambdaFunctionDeadLetterConfig(target_arn=self.dead_letter_queue.arn),
            environment=LambdaFunctionEnvironment(
                variables={
                    contract.ENV_GUARD_NAME_PREFIX: context.name_prefix,
                    contract.ENV_PAUSE_TOPIC_ARN: props.pause_topic_arn,
                    contract.ENV_REPORT_TOPIC_ARN: props.notification_topic_arn,
                    contract.ENV_DRY_RUN: bool_string(props.dry_run),
                    contract.ENV_LOG_LEVEL: "INFO",
                    **({contract.ENV_POLICY_MANIFEST: props.policy_manifest} if props.policy_manifest else {}),
                    **self._optional_environment(),
                }
            ),
            # No layers, said explicitly: the provider keeps an omitted list as null at create and reads
            # it back as [], which the first plan after that apply reports as "changed outside of
            # Terraform". An empty list (a list, unlike sets and maps) is kept as [] in the state.
            layers=[],
            tags=context.component_tags("pause-function"),
            # Every permission in place before the first alarm can arrive.
            depends_on=[self.log_group, *self.permissions.policies],
        )

    def _optional_environment(self) -> dict[str, Any]:
        """The variables set only when they hold something (a token always: Terraform decides)."""
        props = self.props
        values = {
            contract.ENV_ACCEPTED_SOURCES: props.accepted_sources,
            contract.ENV_PROTECTED_CONFIGURATION_SETS: props.protected_configuration_sets,
            contract.ENV_SWEEP_STATE_TABLE: props.sweep_state_table,
        }
        return {name: value for name, value in values.items() if value != ""}

    def _subscribe_to_pause_topic(self) -> None:
        self.permission = self.context.create(
            self,
            LambdaPermission,
            "function_invoke_permission",
            statement_id="AllowGuardPauseTopic",
            action="lambda:InvokeFunction",
            function_name=self.function.function_name,
            principal="sns.amazonaws.com",
            source_arn=self.props.pause_topic_arn,
        )
        self.subscription = self.context.create(
            self,
            SnsTopicSubscription,
            "function_subscription",
            topic_arn=self.props.pause_topic_arn,
            protocol="lambda",
            endpoint=self.function.arn,
            depends_on=[self.permission],
        )
