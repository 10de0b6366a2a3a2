"""Every input rule of the guard, written once: patterns, limits and the words that explain them.

Three renderings derive from this table, so they cannot drift apart:
- the constructs' props validation (``ses_reputation_guard.validation``) at synth time;
- the generated Terraform module's ``validation`` blocks (``ses_guard_modulegen``) at plan time;
- the function's own checks of its environment and of names it reads (``ses_guard_lambda.config``).

Patterns are anchored and RE2-compatible (Terraform's ``regex`` is RE2); match them with
``fullmatch`` in Python (``$`` alone would accept a trailing newline). This module imports nothing, so
the constructs can import it without boto3 and the function zip stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class PatternRule:
    """A string rule: ``pattern`` is the whole-value regular expression, ``rule`` the sentence users see."""

    name: str
    pattern: str
    rule: str


CONFIGURATION_SET_NAME: Final = PatternRule(
    "configuration_set_name",
    r"^[A-Za-z0-9_-]{1,64}$",
    "configuration set names are 1-64 characters of letters, digits, '_' and '-' (SES rule)",
)
# Alarm, topic, queue and function names derive from the prefix; Lambda names allow 64 characters and
# the longest suffix we add is "-pause-dlq" style (10), so the prefix stays at 32 or fewer.
NAME_PREFIX: Final = PatternRule(
    "name_prefix",
    r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$",
    "must be 2-32 characters: lower-case letters, digits and '-', starting with a letter",
)
# A pragmatic address check (RFC 5322 is broader): one @, no spaces, a dot in the domain.
EMAIL: Final = PatternRule("email", r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "must be an email address")
E164_PHONE_NUMBER: Final = PatternRule(
    "e164_phone_number",
    r"^\+[1-9][0-9]{6,14}$",
    "must be an E.164 phone number: '+', country code and number, 8-15 digits",
)
PATTERN_RULES: Final = (CONFIGURATION_SET_NAME, NAME_PREFIX, EMAIL, E164_PHONE_NUMBER)

# --- limits -----------------------------------------------------------------------------------
MAX_CONFIGURATION_SETS: Final = 10_000  # SES quota per account and Region, not adjustable
RATIO_RULE: Final = "must be a ratio strictly between 0 and 1 (0.05 = 5 %), not a percentage"
THRESHOLD_NAMES: Final = ("bounce_warning", "bounce_critical", "complaint_warning", "complaint_critical")
ALARM_STATISTICS: Final = ("Average", "Maximum", "Minimum")
LOG_RETENTION_DAYS: Final = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
RESERVED_CONCURRENCY_MIN: Final = 1
RESERVED_CONCURRENCY_MAX: Final = 100
RESERVED_CONCURRENCY_NONE: Final = -1  # no reservation
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Reputation alarm evaluation (CloudWatch PutMetricAlarm; SES publishes rates irregularly, so no
# high-resolution periods): whole minutes up to a day, at most a day's worth of hourly periods.
ALARM_PERIOD_SECONDS_MIN: Final = 60
ALARM_PERIOD_SECONDS_MAX: Final = 86_400
ALARM_PERIOD_SECONDS_MULTIPLE: Final = 60
ALARM_EVALUATION_PERIODS_MAX: Final = 24
# PutMetricAlarm (API reference, ``Period``): "An alarm's total current evaluation period can be no
# longer than seven days, so Period multiplied by EvaluationPeriods can't be more than 604,800 seconds.
# For alarms with a period of less than one hour (3,600 seconds), the total evaluation period can't be
# longer than one day (86,400 seconds)."
ALARM_EVALUATION_RANGE_SECONDS_MAX: Final = 604_800
ALARM_EVALUATION_RANGE_SECONDS_MAX_SHORT_PERIODS: Final = 86_400
ALARM_SHORT_PERIOD_SECONDS: Final = 3_600  # periods below this are "short"

# AWS tag rules (Tagging AWS resources, "Tag naming limits and requirements").
TAG_KEY_MAX_LENGTH: Final = 128
TAG_VALUE_MAX_LENGTH: Final = 256
TAG_RESERVED_PREFIX: Final = "aws:"
MAX_TAGS_PER_RESOURCE: Final = 50
# Every alarm carries the guard's own tags (contract.TAG_GUARD, TAG_SCOPE, TAG_CONFIGURATION_SET,
# TAG_TIER, TAG_ACTION), so users get the rest of the 50.
GUARD_TAGS_PER_ALARM: Final = 5
USER_TAGS_MAX: Final = MAX_TAGS_PER_RESOURCE - GUARD_TAGS_PER_ALARM

# --- rule sentences ---------------------------------------------------------------------------
# The words a user reads after the bad value. The constructs (synth) and the module's validation
# blocks (plan) both use these, so a test can find the same rule on both sides.
MAX_CONFIGURATION_SETS_RULE: Final = (
    f"SES allows at most {MAX_CONFIGURATION_SETS} configuration sets per account and Region"
)
UNIQUE_SET_NAMES_RULE: Final = "configuration set names must be unique, ignoring case"
WARNING_BELOW_CRITICAL_RULE: Final = "must be below critical threshold"
DATAPOINTS_RULE: Final = "must not exceed evaluation_periods"
EVALUATION_RANGE_RULE: Final = (
    f"period_seconds x evaluation_periods must be at most {ALARM_EVALUATION_RANGE_SECONDS_MAX} s (7 days), "
    f"or {ALARM_EVALUATION_RANGE_SECONDS_MAX_SHORT_PERIODS} s (1 day) when period_seconds is below "
    f"{ALARM_SHORT_PERIOD_SECONDS} (CloudWatch PutMetricAlarm)"
)
TAG_KEY_RULE: Final = f"must be 1-{TAG_KEY_MAX_LENGTH} characters and not start with {TAG_RESERVED_PREFIX!r}"
# SES v2 "Tag": "The aws: prefix is reserved ... you can't use it in any tag keys or values".
TAG_VALUE_RULE: Final = (
    f"must be a string of at most {TAG_VALUE_MAX_LENGTH} characters, not starting with {TAG_RESERVED_PREFIX!r}"
)
TAG_COUNT_RULE: Final = (
    f"at most {USER_TAGS_MAX} tags: AWS allows {MAX_TAGS_PER_RESOURCE} per resource and the guard adds "
    f"its own {GUARD_TAGS_PER_ALARM} to every alarm"
)


def one_of(options: tuple[object, ...]) -> str:
    """``must be one of 'pause', 'notify'`` (strings quoted as Python's repr does, numbers bare)."""
    return "must be one of " + ", ".join(repr(option) for option in options)


def whole_number(minimum: int, maximum: int) -> str:
    return f"must be a whole number from {minimum} to {maximum}"


def multiple_of(step: int) -> str:
    return f"must be a multiple of {step}"


def warning_below_critical(warning: object, critical: object) -> str:
    """``warning threshold W must be below critical threshold C``; W and C as the caller renders them."""
    return f"warning threshold {warning} {WARNING_BELOW_CRITICAL_RULE} {critical}"


def evaluation_range_ok(period_seconds: int, evaluation_periods: int) -> bool:
    limit = (
        ALARM_EVALUATION_RANGE_SECONDS_MAX_SHORT_PERIODS
        if period_seconds < ALARM_SHORT_PERIOD_SECONDS
        else ALARM_EVALUATION_RANGE_SECONDS_MAX
    )
    return period_seconds * evaluation_periods <= limit


# Fleet mode: CloudWatch Metrics Insights alarms grouped by configuration set (docs/fleet.md).
# Quota per account and Region (CloudWatch User Guide, "Limits": "A default of 200 alarms using the
# Metrics Insights query per account per Region"); a guard counts only its own alarms.
METRICS_INSIGHTS_ALARMS_PER_REGION: Final = 200
# MetricDataQuery.Expression is 1-2,048 characters (CloudWatch API Reference; botocore MetricExpression).
METRICS_INSIGHTS_QUERY_MAX_LENGTH: Final = 2048
# Only the latest 3 hours of data are evaluated ("Limits"): period x evaluation periods <= 3 h.
METRICS_INSIGHTS_WINDOW_SECONDS_MAX: Final = 3 * 3600
# Whole-minute periods in that window: the most evaluation periods (and datapoints) a fleet alarm can use.
METRICS_INSIGHTS_EVALUATION_PERIODS_MAX: Final = METRICS_INSIGHTS_WINDOW_SECONDS_MAX // ALARM_PERIOD_SECONDS_MULTIPLE
# Metrics Insights has no high-resolution data ("Metrics Insights quotas") and AWS/SES rates are
# standard resolution: whole minutes only (PutMetricAlarm's 10/20/30 s are high-resolution periods).
METRICS_INSIGHTS_PERIOD_RULE: Final = (
    "must be a multiple of 60 seconds (Metrics Insights alarms are standard resolution) and, times "
    "evaluation_periods, at most 10800 s (CloudWatch evaluates only the latest 3 hours)"
)
# What one query can see ("Metrics Insights quotas"; "Limits"): beyond these the alarm evaluates
# PARTIAL_DATA, the top of the ORDER BY first; at most 100 contributors are reported in ALARM.
METRICS_INSIGHTS_SERIES_MAX: Final = 500
METRICS_INSIGHTS_METRICS_MATCHED_MAX: Final = 10_000
METRICS_INSIGHTS_CONTRIBUTORS_IN_ALARM_MAX: Final = 100

# --- chat notifications (AWS chat integration, formerly AWS Chatbot) -----------------------------
# The API's own patterns (chatbot 2017-10-11 model: SlackTeamId [0-9A-Z]{1,255}, SlackChannelId
# [A-Za-z0-9]+, UUID, TeamsChannelId, ConfigurationName [A-Za-z0-9-_]+ up to 128), narrowed to what
# Slack and Microsoft Teams actually issue, so a channel *name* or a decoded Teams id fails early.
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

# --- dashboard ----------------------------------------------------------------------------------
# Amazon SES enforcement levels (SES FAQ, "enforcement"): under review at or above, may be paused at
# or above. Drawn on the dashboard; ratios 0-1.
AWS_REVIEW_LEVELS: Final = {"bounce": 0.05, "complaint": 0.001}
AWS_PAUSE_LEVELS: Final = {"bounce": 0.10, "complaint": 0.005}
# CloudWatch "Dashboard Body Structure and Syntax": 0-500 widgets, an alarm status widget lists 1-100
# alarm ARNs, a metrics array 0-500 metrics; CloudWatch quotas: 2,500 metrics per dashboard.
DASHBOARD_WIDGETS_MAX: Final = 500
DASHBOARD_ALARMS_PER_WIDGET_MAX: Final = 100
DASHBOARD_METRICS_PER_WIDGET_MAX: Final = 500
DASHBOARD_METRICS_MAX: Final = 2500
# Sets graphed one line each (alphabetically first); the Metrics Insights top-10 widgets cover all.
DASHBOARD_SETS_SHOWN_MAX: Final = 100

# --- which configuration sets the function may pause (pause_scope) ------------------------------
# "listed": one ARN per pausing set; "tagged": any set of the Region tagged for this guard with the
# action "pause"; "name-pattern:<pattern>": the sets whose names match (IAM wildcards * and ?).
PAUSE_SCOPE_LISTED: Final = "listed"
PAUSE_SCOPE_TAGGED: Final = "tagged"
PAUSE_SCOPE_NAME_PATTERN: Final = "name-pattern:"
PAUSE_SCOPE: Final = PatternRule(
    "pause_scope",
    r"^(listed|tagged|name-pattern:[A-Za-z0-9_*?-]{1,64})$",
    "must be 'listed', 'tagged' or 'name-pattern:<pattern>' (1-64 letters, digits, '_', '-', and the IAM "
    "wildcards '*' and '?')",
)
PAUSE_SCOPE_LITERAL_RULE: Final = (
    "the name pattern needs at least one letter, digit, '_' or '-': a pattern of wildcards only is every "
    "set of the Region (choose 'tagged' to scope by tags instead)"
)
PAUSE_SCOPE_COVERAGE_RULE: Final = "every set whose action is 'pause' must match the name pattern"
# IAM quotas (IAM User Guide, "IAM and AWS STS quotas"): a role's inline policies together hold at
# most 10,240 characters, whitespace not counted. The function's other statements take under 2,300
# (measured with a 32-character prefix and the longest partition and Region); 3,072 stays reserved.
IAM_ROLE_INLINE_POLICIES_CHARS_MAX: Final = 10_240
IAM_ROLE_POLICY_RESERVED_CHARS: Final = 3_072
SET_ARNS_CHARS_MAX: Final = IAM_ROLE_INLINE_POLICIES_CHARS_MAX - IAM_ROLE_POLICY_RESERVED_CHARS
# One configuration-set ARN in a policy without its name, quoted and comma-separated, at the longest
# partition (aws-iso-b) and a 16-character Region: '"arn:aws-iso-b:ses:<region>:<account>:configuration-set/",'.
SET_ARN_CHARS_OVERHEAD: Final = 69
SET_ARNS_BUDGET_RULE: Final = (
    "configuration sets named one by one in the function's IAM policy must fit its "
    f"{IAM_ROLE_INLINE_POLICIES_CHARS_MAX}-character inline policy quota: the names plus "
    f"{SET_ARN_CHARS_OVERHEAD} characters each may total at most {SET_ARNS_CHARS_MAX}; "
    "choose pause_scope 'tagged' or 'name-pattern:<pattern>'"
)


def set_arns_chars(names: tuple[str, ...] | list[str]) -> int:
    """Characters the ARNs of ``names`` take in a policy (the budget of ``SET_ARNS_BUDGET_RULE``)."""
    return sum(len(name) + SET_ARN_CHARS_OVERHEAD for name in names)
