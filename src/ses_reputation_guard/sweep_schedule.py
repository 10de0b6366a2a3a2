"""SweepSchedule: the schedule that starts a sweep run, and the little state a run keeps between runs.

Created here (all counted when ``enabled`` is a Terraform flag, the generated module's
``sweep_policy != null``):

- ``rule``: an EventBridge rule ``<name_prefix>-sweep`` on ``rate(<schedule_minutes> minutes)``;
- ``target``: the guard's function, with **no input**: the function receives EventBridge's "Scheduled
  Event" envelope (``source`` ``aws.events``, ``detail-type`` "Scheduled Event"; EventBridge User Guide,
  "Creating a rule that runs on a schedule") and trusts nothing in it. A forged invocation can at most
  start a run early; the run reads SES's own datapoints itself;
- ``permission``: ``lambda:InvokeFunction`` for ``events.amazonaws.com``, pinned to this rule's ARN;
- ``table``: the DynamoDB table ``<name_prefix>-sweep-state`` (hash key ``pk``, a string) holding the run
  lock (runs never overlap) and the open warning episodes (a warning notifies once per episode).
  On-demand billing (nothing at idle), encrypted with the guard's customer managed key, point-in-time
  recovery on, items expire through the TTL attribute ``expires_at``. Why a table: it survives cold
  starts and restarts, and it is no attribute of a managed set (tags written by the function would show
  as drift in the next plan of a set Terraform manages; docs/sweep.md).

The function's IAM (the table's item actions, ``ses:ListConfigurationSets``) is ``FunctionRole``'s;
the table's name and ARN are known before it exists (``sweep_state_table_name``), so the function's
environment and role name it without a reference to a counted resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ses_guard_policy import rules
from ses_reputation_guard._cdktf import (
    CloudwatchEventRule,
    Construct,
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableServerSideEncryption,
    DynamodbTableTtl,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, count_for
from ses_reputation_guard.function_trigger import invoke_function_from_rule
from ses_reputation_guard.validation import Problems, is_token

RULE_SUFFIX = "sweep"
"""The schedule is the EventBridge rule ``<name_prefix>-sweep``."""
STATE_TABLE_SUFFIX = "sweep-state"
"""The state table is ``<name_prefix>-sweep-state``."""
STATE_TABLE_HASH_KEY = "pk"
"""The table's only key attribute (a string): the function names its items (lock, episodes)."""
STATE_TABLE_TTL_ATTRIBUTE = "expires_at"
"""Epoch seconds after which DynamoDB deletes an item (a stale lock, a closed episode)."""


def sweep_state_table_name(context: GuardContext) -> str:
    """``<name_prefix>-sweep-state``: known before the table exists (the function's environment names it)."""
    return context.aws_name(STATE_TABLE_SUFFIX)


def sweep_state_table_arn(context: GuardContext) -> str:
    """The state table's ARN in this guard's account and Region (the function role's grant names it)."""
    return context.arn("dynamodb", f"table/{sweep_state_table_name(context)}")


@dataclass(frozen=True)
class SweepScheduleProps:
    """The schedule and the state table of one guard's sweep. Values may be Terraform tokens."""

    function_arn: str
    """The guard's function: the rule's only target."""
    function_name: str
    """The same function, by name: the invoke permission names it."""
    kms_key_arn: str
    """The guard's customer managed key: encrypts the state table."""
    schedule_minutes: int = rules.SWEEP_SCHEDULE_MINUTES_DEFAULT
    """Minutes between runs, 5-1440 (``rules.SWEEP_SCHEDULE_MINUTES``; may be a token). Default 60."""
    enabled: Flag = True
    """Create the schedule and the table at all; a token makes every resource counted (the generated
    module's ``sweep_policy != null``). Default True."""

    def collect_problems(self, problems: Problems, subject: str = "sweep_policy") -> None:
        """Record every invalid value (tokens are Terraform's to check at plan)."""
        problems.whole_number(f"{subject}.schedule_minutes", self.schedule_minutes, rules.SWEEP_SCHEDULE_MINUTES)
        if not isinstance(self.enabled, bool) and not is_token(self.enabled):
            problems.add(f"{subject}.enabled={self.enabled!r}: must be True or False")


class SweepSchedule(GuardChild[SweepScheduleProps]):
    """``rule``, ``target``, ``permission`` and ``table`` (each None when ``enabled`` is False)."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: SweepScheduleProps) -> None:
        super().__init__(scope, construct_id, context, props)
        Problems.refuse("SweepScheduleProps", props.collect_problems)
        self.rule: Any = None
        self.target: Any = None
        self.permission: Any = None
        self.table: Any = None
        count = count_for(props.enabled)
        if count is SKIP:
            return
        self._count = count
        self.table = self._table()
        self.rule = context.create(
            self,
            CloudwatchEventRule,
            "sweep_schedule",
            name=context.aws_name(RULE_SUFFIX),
            description="ses-reputation-guard: starts a sweep run over every configuration set of the Region",
            schedule_expression=f"rate({props.schedule_minutes} minutes)",
            tags=context.component_tags("sweep-schedule"),
            count=count,
        )
        # No input: the function gets EventBridge's "Scheduled Event" envelope and reads nothing from it.
        self.permission, self.target = invoke_function_from_rule(
            self,
            context,
            self.rule,
            function_arn=props.function_arn,
            function_name=props.function_name,
            count=count,
            statement_id="AllowGuardSweepSchedule",
            addresses=("sweep_invoke_permission", "sweep_target"),
            depends_on=[self.table],  # the first run finds its table in place
        )

    def _table(self) -> Any:
        context = self.context
        return context.create(
            self,
            DynamodbTable,
            "sweep_state",
            name=sweep_state_table_name(context),
            billing_mode="PAY_PER_REQUEST",
            hash_key=STATE_TABLE_HASH_KEY,
            attribute=[DynamodbTableAttribute(name=STATE_TABLE_HASH_KEY, type="S")],
            server_side_encryption=DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=self.props.kms_key_arn),
            point_in_time_recovery=DynamodbTablePointInTimeRecovery(enabled=True),
            ttl=DynamodbTableTtl(attribute_name=STATE_TABLE_TTL_ATTRIBUTE, enabled=True),
            tags=context.component_tags("sweep-state"),
            count=self._count,
        )
