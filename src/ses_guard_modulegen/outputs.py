"""The module's outputs: addresses of the rendered guard's resources, each with a description and a type.

Terraform's ``output`` block has no ``type`` argument: the type is written in a comment above each
output and in the README's outputs table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ses_guard_modulegen.guard_props import HUB_LOCAL
from ses_guard_policy import hub
from ses_reputation_guard.naming import resource_address
from ses_reputation_guard.reputation_guard import ReputationGuard


@dataclass(frozen=True)
class ModuleOutput:
    name: str
    description: str
    type: str
    """The Terraform type callers see (``string``, ``map(string)``...)."""
    value: str

    def render(self) -> str:
        return (
            f"# {self.type}\n"
            f'output "{self.name}" {{\n'
            f"  description = {json.dumps(self.description)}\n"
            f"  value       = {self.value}\n"
            "}\n"
        )


def _attributes_to_arns(addresses: list[str]) -> str:
    """name => ARN of single resources, read attribute by attribute: an output that reads whole objects
    shows their refresh-only drift (``insufficient_data_actions`` null -> []) in every plan's note."""
    names = ", ".join(f"{address}.alarm_name" for address in addresses)
    return f"zipmap([{names}], [{', '.join(f'{address}.arn' for address in addresses)}])"


def outputs(guard: ReputationGuard) -> list[ModuleOutput]:
    account = [resource_address(alarm) for alarm in guard.account_alarms.alarms.values()]
    assert guard.configuration_set_alarms is not None and guard.configuration_sets is not None
    set_alarms = [resource_address(alarm) for alarm in guard.configuration_set_alarms.alarms.values()]
    function = guard.function
    health = [resource_address(a) for a in (guard.health_alarms.errors_alarm, guard.health_alarms.dead_letters_alarm)]
    managed_sets = resource_address(guard.configuration_sets.configuration_sets)

    def arn_of(resource: object, name: str, description: str, attribute: str = "arn") -> ModuleOutput:
        return ModuleOutput(name, description, "string", f"{resource_address(resource)}.{attribute}")

    return [
        arn_of(guard.notification_topic.topic, "notification_topic_arn", "ARN of the SNS topic people subscribe to "
               "(alarms and reports)."),
        arn_of(guard.pause_topic.topic, "pause_topic_arn", "ARN of the SNS topic that delivers pausing alarms to the "
               "function."),
        arn_of(guard.key.key, "kms_key_arn", "ARN of the customer managed KMS key (topics, queue, logs, function)."),
        arn_of(function.function, "function_arn", "ARN of the pause function."),
        arn_of(function.function, "function_name", "Name of the pause function.", "function_name"),
        arn_of(function.role, "function_role_arn", "ARN of the pause function's IAM role."),
        arn_of(function.dead_letter_queue, "dead_letter_queue_url", "URL of the dead-letter queue of unhandled alarm "
               "notifications.", "url"),
        ModuleOutput("account_alarm_arns", "Account-wide alarms: alarm name => ARN.", "map(string)",
                     f"{{ for alarm in concat({', '.join(account)}) : alarm.alarm_name => alarm.arn }}"),
        ModuleOutput("configuration_set_alarm_arns", "Per-set alarms: alarm name => ARN.", "map(string)",
                     "merge(" + ", ".join(f"{{ for alarm in values({a}) : alarm.alarm_name => alarm.arn }}"
                                          for a in set_alarms) + ")"),
        ModuleOutput("configuration_set_names", "Names of every guarded configuration set (managed and existing).",
                     "list(string)", "keys(local.configuration_sets)"),
        ModuleOutput("managed_configuration_set_arns", "Configuration sets created by the module: name => ARN.",
                     "map(string)", f"{{ for name, s in {managed_sets} : name => s.arn }}"),
        *_optional_outputs(guard),
        ModuleOutput("health_alarm_arns", "Alarms on the guard itself (function errors, dead letters): name => ARN.",
                     "map(string)", _attributes_to_arns(health)),
    ]  # fmt: skip


def _optional_outputs(guard: ReputationGuard) -> list[ModuleOutput]:
    """Outputs of the parts a variable turns on or off: null or empty when off."""
    assert guard.dashboard is not None and guard.fleet_alarms is not None
    assert guard.chat.role is not None and guard.chat.slack is not None and guard.chat.teams is not None
    configurations = ", ".join(
        f"{{ for label, c in {resource_address(block)} : label => c.chat_configuration_arn }}"
        for block in (guard.chat.slack, guard.chat.teams)
    )
    fleet = [resource_address(alarm) for alarm in guard.fleet_alarms.alarms.values()]
    sweep = guard.sweep_schedule  # the module's sweep_policy is a variable: the schedule and table are counted
    assert sweep is not None and sweep.rule is not None and sweep.table is not None
    members = guard.hub_members  # the module's hub_policy is a variable: its grant is counted, its members a map
    assert members is not None and members.member_role_arns_expression is not None
    hub_on = f"local.{HUB_LOCAL}.enabled"
    return [
        ModuleOutput("dashboard_name", "Name of the CloudWatch dashboard (null when dashboard = false).", "string",
                     f"one({resource_address(guard.dashboard.dashboard)}[*].dashboard_name)"),
        ModuleOutput("chat_role_arn", "ARN of the chat integration's IAM role (null without chat channels).",
                     "string", f"one({resource_address(guard.chat.role)}[*].arn)"),
        ModuleOutput("chat_configuration_arns", "Chat channel configurations, Slack and Teams: label => ARN.",
                     "map(string)", f"merge({configurations})"),
        ModuleOutput("fleet_alarm_arns", "Fleet (Metrics Insights) alarms: alarm name => ARN (empty when "
                     "fleet_policy = null).", "map(string)",
                     f"{{ for alarm in concat({', '.join(fleet)}) : alarm.alarm_name => alarm.arn }}"),
        ModuleOutput("sweep_schedule_rule_arn", "ARN of the EventBridge rule that starts each sweep run (null when "
                     "sweep_policy = null).", "string", f"one({resource_address(sweep.rule)}[*].arn)"),
        ModuleOutput("sweep_state_table_name", "Name of the DynamoDB table holding the sweep's run lock and open "
                     "warning episodes (null when sweep_policy = null).", "string",
                     f"one({resource_address(sweep.table)}[*].name)"),
        ModuleOutput("hub_members_path", "SSM path of the hub's member entries, one SecureString parameter per "
                     "member account (null when hub_policy = null).", "string",
                     f'{hub_on} ? "{hub.members_path("${var.name_prefix}")}" : null'),
        ModuleOutput("hub_member_role_arns", "The member roles the hub's function may assume, "
                     "arn:<partition>:iam::<account>:role/<name_prefix>-member, in account order (empty when "
                     "hub_policy = null).", "list(string)", members.member_role_arns_expression.text),
    ]  # fmt: skip
