"""Chat notifications: the guard's alarms in Slack (and Microsoft Teams), plus its dashboard.

Stack ``chat``:
- an account-wide policy that pauses, and one managed configuration set that pauses on its own;
- the notification topic posted to two Slack channels and one Teams channel through AWS chat
  integration (AWS Chatbot), each configuration capped at read-only CloudWatch;
- the dashboard ``ses-guard-team-us-east-1-reputation`` (on by default in every stack).

The Slack workspace and the Teams team must be authorized once in the AWS chat console before the
deploy (an OAuth step no API can do); replace the ids below with the ones the console shows.
"""

from __future__ import annotations

from examples.scaffold import example_stack
from ses_reputation_guard import (
    AccountPolicy,
    App,
    ConfigurationSetPolicy,
    GuardStack,
    ReputationGuardProps,
    SlackChannel,
    TeamsChannel,
)

STACK_NAME = "chat"
NAME_PREFIX = "ses-guard-team"
REGION = "us-east-1"
SLACK_CHANNELS = (
    SlackChannel(label="deliverability", team_id="T0123ABCDEF", channel_id="C0123ABCDEF"),
    SlackChannel(label="oncall", team_id="T0123ABCDEF", channel_id="C0456GHIJKL"),
)
TEAMS_CHANNELS = (
    TeamsChannel(
        label="email-ops",
        tenant_id="00000000-0000-4000-8000-000000000001",
        team_id="00000000-0000-4000-8000-000000000002",
        channel_id="19%3a0123456789abcdef0123456789abcdef%40thread.tacv2",
    ),
)


def build(app: App) -> list[GuardStack]:
    props = ReputationGuardProps(
        name_prefix=NAME_PREFIX,
        account_policy=AccountPolicy(action="pause"),
        configuration_sets={"marketing": ConfigurationSetPolicy(action="pause")},
        notification_emails=["deliverability@example.com"],
        slack_channels=SLACK_CHANNELS,
        teams_channels=TEAMS_CHANNELS,
    )
    return [example_stack(app, STACK_NAME, props, region=REGION)]
