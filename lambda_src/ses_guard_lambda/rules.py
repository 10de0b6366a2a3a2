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

# AWS tag rules (Tagging AWS resources, "Tag naming limits and requirements").
TAG_KEY_MAX_LENGTH: Final = 128
TAG_VALUE_MAX_LENGTH: Final = 256
TAG_RESERVED_PREFIX: Final = "aws:"
MAX_TAGS_PER_RESOURCE: Final = 50

# Fleet mode: CloudWatch Metrics Insights alarms grouped by configuration set (docs/fleet.md).
# Quota per account and Region (CloudWatch User Guide, "Limits": "A default of 200 alarms using the
# Metrics Insights query per account per Region"); a guard counts only its own alarms.
METRICS_INSIGHTS_ALARMS_PER_REGION: Final = 200
# MetricDataQuery.Expression is 1-2,048 characters (CloudWatch API Reference; botocore MetricExpression).
METRICS_INSIGHTS_QUERY_MAX_LENGTH: Final = 2048
# Only the latest 3 hours of data are evaluated ("Limits"): period x evaluation periods <= 3 h.
METRICS_INSIGHTS_WINDOW_SECONDS_MAX: Final = 3 * 3600
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
