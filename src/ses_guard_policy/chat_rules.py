"""Chat notification inputs (AWS chat integration, formerly AWS Chatbot), as rules.

The API's own patterns (chatbot 2017-10-11 model: SlackTeamId [0-9A-Z]{1,255}, SlackChannelId
[A-Za-z0-9]+, UUID, TeamsChannelId, ConfigurationName [A-Za-z0-9-_]+ up to 128), narrowed to what
Slack and Microsoft Teams actually issue, so a channel *name* or a decoded Teams id fails early.
Not the function's: its package does not ship this module.
"""

from __future__ import annotations

from typing import Final

from .rules import ChoiceRule, CountRule, PatternRule, UniqueRule

CHAT_CHANNEL_LABEL: Final = PatternRule(
    "chat_channel_label",
    r"^[A-Za-z0-9_-]{1,64}$",
    "must be 1-64 letters, digits, '_' and '-' (it names the chat configuration <name_prefix>-<label>)",
)
SLACK_TEAM_ID: Final = PatternRule(
    "slack_team_id",
    r"^T[A-Z0-9]{2,254}$",
    "must be a Slack workspace (team) id: 'T' and upper-case letters and digits, as the AWS chat "
    "console shows it after authorizing the workspace (for example T01ABCDEF)",
)
SLACK_CHANNEL_ID: Final = PatternRule(
    "slack_channel_id",
    r"^[CG][A-Z0-9]{2,254}$",
    "must be a Slack channel id: 'C' (or 'G' for older private channels) and upper-case letters and "
    "digits, the end of the channel's link (for example C01ABCDEF), not the channel's name",
)
TEAMS_GUID: Final = PatternRule(
    "teams_guid",
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$",
    "must be a GUID such as 01234567-89ab-cdef-0123-456789abcdef (Microsoft Teams team and tenant ids)",
)
TEAMS_CHANNEL_ID: Final = PatternRule(
    "teams_channel_id",
    r"^[A-Za-z0-9_=+/.,-]{1,100}%3[aA][A-Za-z0-9_=+/.,-]{1,100}%40[A-Za-z0-9_=+/.,-]{1,49}$",
    "must be a Microsoft Teams channel id as it appears URL-encoded in the channel's link "
    "(19%3a...%40thread.tacv2), not decoded (19:...@thread.tacv2)",
)
CHAT_PATTERN_RULES: Final = (CHAT_CHANNEL_LABEL, SLACK_TEAM_ID, SLACK_CHANNEL_ID, TEAMS_GUID, TEAMS_CHANNEL_ID)
CHAT_CHANNELS_MAX: Final = 10  # per guard and platform: notification fan-out, not a chat-room directory
CHAT_CHANNEL_COUNT: Final = CountRule("chat_channel_count", CHAT_CHANNELS_MAX, f"at most {CHAT_CHANNELS_MAX}")
CHAT_LABELS_UNIQUE: Final = UniqueRule("chat_labels_unique", False, "more than once")
# What the chat service logs to CloudWatch Logs (AWS chat integration API, LoggingLevel).
CHAT_LOGGING_LEVEL: Final = ChoiceRule("chat_logging_level", ("ERROR", "INFO", "NONE"))
