"""ChatNotifications: the guard's notification topic in Slack and Microsoft Teams channels.

AWS chat integration (AWS Chatbot, now "Amazon Q Developer in chat applications") posts CloudWatch
alarm notifications from the topic to each channel. One channel configuration per channel,
``<name_prefix>-<region>-slack-<label>`` / ``...-teams-<label>``, all sharing one role
``<name_prefix>-<region>-chat``. The workspace or team must first be authorized once in the AWS chat console
(an OAuth step no API can do); the ids come from there.

Least privilege:
- the channel role may only read the guard's alarms and draw metric graphs (the chat service's
  "notification permissions" template, narrowed from ``cloudwatch:Describe*/Get*/List*`` on ``*``),
  nothing else, not logs;
- every configuration sets its guardrail explicitly to the AWS managed ``CloudWatchReadOnlyAccess``
  policy (without one, the API applies ``AdministratorAccess``): whatever role a channel member
  uses, commands from the channel can at most read CloudWatch;
- ``user_authorization_required``: members who run commands must bring their own role; the channel
  role is for notifications.

Region: chat configurations are global. Provider 5.100 sends their API calls to its own Region when
that is one of the chat API's Regions (us-east-2, us-west-2, eu-west-1, ap-southeast-1), otherwise to
us-west-2; no provider alias is needed, and a configuration can subscribe a topic of any Region.
Configuration and role names are global to the account, so they carry the guard's Region
(``GuardContext.global_name``): one prefix can guard several Regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import chat_rules, rules
from ses_reputation_guard._cdktf import (
    ChatbotSlackChannelConfiguration,
    ChatbotTeamsChannelConfiguration,
    Construct,
    DataAwsIamPolicyDocument,
    IamRole,
    IamRolePolicy,
    PolicyPrincipals,
    PolicyStatement,
    TerraformIterator,
    Token,
)
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import SKIP, TerraformExpression
from ses_reputation_guard.validation import Problems

CHAT_SERVICE_PRINCIPAL = "chatbot.amazonaws.com"
GUARDRAIL_POLICY = "CloudWatchReadOnlyAccess"
"""AWS managed policy capping what anyone may do through the channel."""
# The chat service's "notification permissions" template grants cloudwatch:Describe*, Get* and List*
# on "*"; narrowed here to what an alarm notification reads: the guard's own alarms and the graph.
ALARM_READ_ACTIONS = ("cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory")
GRAPH_READ_ACTIONS = (
    "cloudwatch:GetMetricWidgetImage",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
)
LOGGING_LEVELS = chat_rules.CHAT_LOGGING_LEVEL.options


@dataclass(frozen=True)
class SlackChannel:
    """A Slack channel of a workspace already authorized in the AWS chat console."""

    label: str
    """Names the configuration ``<name_prefix>-<region>-slack-<label>``: 1-64 letters, digits, '_', '-'."""
    team_id: str
    """Slack workspace (team) id from the AWS chat console, ``T...``."""
    channel_id: str
    """Channel id, ``C...`` (``G...`` for older private channels); invite the AWS app to private ones."""


@dataclass(frozen=True)
class TeamsChannel:
    """A Microsoft Teams channel of a team already authorized in the AWS chat console."""

    label: str
    """Names the configuration ``<name_prefix>-<region>-teams-<label>``: 1-64 letters, digits, '_', '-'."""
    tenant_id: str
    """Microsoft Entra tenant id (a GUID)."""
    team_id: str
    """Team id (a GUID) from the AWS chat console."""
    channel_id: str
    """Channel id as URL-encoded in the channel's link: ``19%3a...%40thread.tacv2``."""


# Per platform: the channel-configuration resource, and the channel field each of its attributes takes.
PLATFORMS: dict[str, tuple[type[Any], dict[str, str]]] = {
    "slack": (ChatbotSlackChannelConfiguration, {"slack_team_id": "team_id", "slack_channel_id": "channel_id"}),
    "teams": (
        ChatbotTeamsChannelConfiguration,
        {"tenant_id": "tenant_id", "team_id": "team_id", "channel_id": "channel_id"},
    ),
}


@dataclass(frozen=True)
class ChatNotificationsProps:
    topic_arns: Sequence[str]
    """SNS topics whose messages are posted (the guard's notification topic)."""
    slack_channels: Sequence[SlackChannel] | TerraformExpression = ()
    """Slack channels, or a Terraform list of objects ``{label, team_id, channel_id}``. Default none."""
    teams_channels: Sequence[TeamsChannel] | TerraformExpression = ()
    """Teams channels, or a Terraform list of objects ``{label, tenant_id, team_id, channel_id}``.
    Default none."""
    logging_level: str = "ERROR"
    """What the chat service logs to CloudWatch Logs: ``ERROR`` (default), ``INFO`` or ``NONE``."""

    def validate(self) -> None:
        """Raise ``GuardValidationError`` listing every invalid value, or return."""
        problems = Problems()
        collect_channel_problems(self.slack_channels, self.teams_channels, problems)
        problems.choice("logging_level", self.logging_level, chat_rules.CHAT_LOGGING_LEVEL)
        problems.raise_if_any("ChatNotificationsProps")


def collect_channel_problems(
    slack: Sequence[SlackChannel] | TerraformExpression,
    teams: Sequence[TeamsChannel] | TerraformExpression,
    problems: Problems,
    subject: str = "",
) -> None:
    """Every id against ``rules``; labels unique, at most ``chat_rules.CHAT_CHANNELS_MAX`` per platform."""
    platforms: tuple[tuple[str, Sequence[SlackChannel | TeamsChannel] | TerraformExpression], ...] = (
        ("slack_channels", slack),
        ("teams_channels", teams),
    )
    for name, channels in platforms:
        if isinstance(channels, TerraformExpression):
            continue  # checked by the module's validation blocks at plan time
        if not chat_rules.CHAT_CHANNEL_COUNT.check(channels):
            problems.add(f"{subject}{name} has {len(channels)} channels: {chat_rules.CHAT_CHANNEL_COUNT.sentence}")
        duplicates = sorted(chat_rules.CHAT_LABELS_UNIQUE.duplicates([c.label for c in channels]))
        if duplicates:
            problems.add(f"{subject}{name} uses the label(s) {duplicates!r} {chat_rules.CHAT_LABELS_UNIQUE.sentence}")
        for i, channel in enumerate(channels):
            item = f"{subject}{name}[{i}]"
            problems.pattern(f"{item}.label", channel.label, chat_rules.CHAT_CHANNEL_LABEL)
            problems.pattern(f"{item}.team_id", channel.team_id, _team_rule(channel))
            problems.pattern(f"{item}.channel_id", channel.channel_id, _channel_rule(channel))
            if isinstance(channel, TeamsChannel):
                problems.pattern(f"{item}.tenant_id", channel.tenant_id, chat_rules.TEAMS_GUID)


def _team_rule(channel: SlackChannel | TeamsChannel) -> rules.PatternRule:
    return chat_rules.SLACK_TEAM_ID if isinstance(channel, SlackChannel) else chat_rules.TEAMS_GUID


def _channel_rule(channel: SlackChannel | TeamsChannel) -> rules.PatternRule:
    return chat_rules.SLACK_CHANNEL_ID if isinstance(channel, SlackChannel) else chat_rules.TEAMS_CHANNEL_ID


class ChatNotifications(GuardChild[ChatNotificationsProps]):
    """``role`` (``aws_iam_role.<prefix>_chat_role``), its read-only policy, and ``slack`` / ``teams``:
    one ``for_each`` channel-configuration block per platform, keyed by label (None without channels).
    With Terraform lists the role is counted (created only when some list is non-empty)."""

    def __init__(
        self, scope: Construct, construct_id: str, context: GuardContext, props: ChatNotificationsProps
    ) -> None:
        super().__init__(scope, construct_id, context, props)
        props.validate()
        self.role: IamRole | None = None
        self.slack: ChatbotSlackChannelConfiguration | None = None
        self.teams: ChatbotTeamsChannelConfiguration | None = None
        count = self._count()
        if count is SKIP:
            return
        self.role = self._role(count)
        role_arn = self.role.arn if count is None else f"${{one({self._role_address()}[*].arn)}}"
        common: dict[str, Any] = {
            "iam_role_arn": role_arn,
            "sns_topic_arns": list(props.topic_arns),
            "guardrail_policy_arns": [f"arn:{context.partition}:iam::aws:policy/{GUARDRAIL_POLICY}"],
            "user_authorization_required": True,
            "logging_level": props.logging_level,
            "tags": context.component_tags("chat-channel"),
        }
        self.slack = self._channel_configurations("slack", props.slack_channels, common)
        self.teams = self._channel_configurations("teams", props.teams_channels, common)

    def _channel_configurations(
        self, platform: str, channels: Sequence[Any] | TerraformExpression, common: Mapping[str, Any]
    ) -> Any:
        """One ``for_each`` block ``<platform>_channels`` keyed by label; None without channels."""
        if _empty(channels):
            return None
        element_type, channel_fields = PLATFORMS[platform]
        iterator = _iterator(channels, tuple(channel_fields.values()))
        return self.context.create(
            self,
            element_type,
            f"{platform}_channels",
            for_each=iterator,
            configuration_name=self._configuration_name(platform, iterator),
            **{attribute: iterator.get_string(field) for attribute, field in channel_fields.items()},
            **common,
        )

    def _count(self) -> Any:
        """``count`` of the role: None (create it once), ``SKIP`` (no channel), or an expression
        when a list is a Terraform expression (the generated module's variables)."""
        lists = (self.props.slack_channels, self.props.teams_channels)
        lengths = [f"length({c.text})" for c in lists if isinstance(c, TerraformExpression)]
        known = sum(len(c) for c in lists if not isinstance(c, TerraformExpression))
        if not lengths:
            return None if known else SKIP
        if known:
            return None
        return Token.as_number(f"${{{' + '.join(lengths)} > 0 ? 1 : 0}}")

    def _configuration_name(self, platform: str, channels: Any) -> str:
        return f"{self.context.global_name(platform)}-{channels.key}"

    def _role_address(self) -> str:
        return f"aws_iam_role.{self.context.address('chat_role')}"

    def _role(self, count: Any) -> IamRole:
        context = self.context
        assume = context.create(
            self,
            DataAwsIamPolicyDocument,
            "chat_assume_role",
            statement=[
                PolicyStatement(
                    effect="Allow",
                    principals=[PolicyPrincipals(type="Service", identifiers=[CHAT_SERVICE_PRINCIPAL])],
                    actions=["sts:AssumeRole"],
                )
            ],
        )
        role: IamRole = context.create(
            self,
            IamRole,
            "chat_role",
            name=context.global_name("chat"),
            description="AWS chat integration: read CloudWatch to post the guard's alarm notifications.",
            assume_role_policy=assume.json,
            tags=context.component_tags("chat-role"),
            count=count,
        )
        permissions = context.create(
            self,
            DataAwsIamPolicyDocument,
            "chat_permissions",
            statement=[
                PolicyStatement(
                    sid="ReadTheGuardsAlarms",
                    effect="Allow",
                    actions=list(ALARM_READ_ACTIONS),
                    resources=[context.arn("cloudwatch", f"alarm:{context.aws_name('*')}")],
                ),
                # These actions have no resource type (Service Authorization Reference): "*" only.
                PolicyStatement(
                    sid="DrawAlarmGraphs", effect="Allow", actions=list(GRAPH_READ_ACTIONS), resources=["*"]
                ),
            ],
        )
        role_name = role.name if count is None else f"${{one({self._role_address()}[*].name)}}"
        context.create(self, IamRolePolicy, "chat_role_policy", role=role_name, policy=permissions.json, count=count)
        return role


def _empty(channels: Sequence[Any] | TerraformExpression) -> bool:
    return not isinstance(channels, TerraformExpression) and len(channels) == 0


def _iterator(channels: Sequence[Any] | TerraformExpression, fields: Sequence[str]) -> Any:
    """A ``for_each`` map iterator (it has ``key``) over the channels keyed by label."""
    if isinstance(channels, TerraformExpression):
        return TerraformIterator.from_map(Token.as_any_map(f"${{{{for c in {channels.text} : c.label => c}}}}"))
    return TerraformIterator.from_map({c.label: {name: getattr(c, name) for name in fields} for c in channels})
