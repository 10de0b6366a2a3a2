"""Every input rule of the guard, declared once as data: its kind, bounds or pattern, and its sentence.

A rule is a frozen value of one of the kinds below. Each kind carries its own Python check
(``check``), and the renderings derive from the declaration, one renderer per *kind*, never per rule:
- the constructs' props validation (``ses_reputation_guard.validation``) at synth time;
- the generated module's ``validation`` blocks (``ses_guard_modulegen.conditions``) at plan time;
- the policy manifest and policy-file check (``manifest``) for the function and the operator tool;
- the function's checks of its environment and of names it reads.
A refusal reads ``<input> <bad value>: <sentence>`` everywhere, so a test finds the same rule on
every side (``tests/model/test_rules.py`` enumerates ``declared()``).

Patterns are anchored and RE2-compatible (Terraform's ``regex`` is RE2); Python matches them with
``fullmatch`` (``$`` alone would accept a trailing newline). Standard library only.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence, Sized
from dataclasses import dataclass
from typing import Final

from . import contract


# --- sentences shared by several rules -----------------------------------------------------------
def one_of(options: tuple[object, ...]) -> str:
    """``must be one of 'pause', 'notify'`` (strings quoted as Python's repr does, numbers bare)."""
    return "must be one of " + ", ".join(repr(option) for option in options)


def whole_number(minimum: int, maximum: int) -> str:
    return f"must be a whole number from {minimum} to {maximum}"


def multiple_of(step: int) -> str:
    return f"must be a multiple of {step}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- the kinds ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """A named rule; ``sentence`` is what users read after the bad value."""

    name: str

    @property
    def sentence(self) -> str:
        raise NotImplementedError


class _Worded:
    """A kind whose sentence is written out in the declaration (its ``rule`` field)."""

    rule: str

    @property
    def sentence(self) -> str:
        return self.rule


@dataclass(frozen=True)
class PatternRule(_Worded, Rule):
    """A string matching ``pattern`` as a whole."""

    pattern: str
    rule: str

    def check(self, value: object) -> bool:
        return isinstance(value, str) and re.fullmatch(self.pattern, value) is not None


@dataclass(frozen=True)
class RatioRule(_Worded, Rule):
    """A number strictly between 0 and 1."""

    rule: str

    def check(self, value: object) -> bool:
        return _is_number(value) and 0 < value < 1  # type: ignore[operator]


@dataclass(frozen=True)
class WholeNumberRule(Rule):
    """A whole number from ``minimum`` to ``maximum`` (a multiple of ``step``), or the value ``also``."""

    minimum: int
    maximum: int
    step: int = 1
    also: int | None = None
    also_means: str = ""

    @property
    def sentence(self) -> str:
        text = whole_number(self.minimum, self.maximum)
        return text if self.also is None else f"must be {self.also} ({self.also_means}) or {text}"

    @property
    def step_sentence(self) -> str:
        return multiple_of(self.step)

    def in_range(self, value: object) -> bool:
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            return False
        return value == int(value) and (value == self.also or self.minimum <= value <= self.maximum)

    def check(self, value: object) -> bool:
        if not self.in_range(value):
            return False
        assert isinstance(value, int | float)
        return value == self.also or int(value) % self.step == 0


@dataclass(frozen=True)
class ChoiceRule(Rule):
    """One of ``options`` (null is no option)."""

    options: tuple[object, ...]

    @property
    def sentence(self) -> str:
        return one_of(self.options)

    def check(self, value: object) -> bool:
        return not isinstance(value, bool) and value in self.options


@dataclass(frozen=True)
class TextRule(_Worded, Rule):
    """A string of ``min_length`` to ``max_length`` characters, not starting with ``reserved_prefix``."""

    min_length: int
    max_length: int
    reserved_prefix: str
    rule: str

    def check(self, value: object) -> bool:
        return (
            isinstance(value, str)
            and self.min_length <= len(value) <= self.max_length
            and not value.startswith(self.reserved_prefix)
        )


@dataclass(frozen=True)
class CharacterSet:
    """The characters a text may hold, as data: whole Unicode general categories (``("L", "letters")``:
    the code ``unicodedata.category`` starts with, and its word) and literal ``punctuation``.

    Python's ``re`` has no ``\\p{L}``: Python checks each character's category (``allows``); the module
    gets the RE2 class Terraform's ``regex`` reads (``pattern``). Both read this one declaration.
    """

    categories: tuple[tuple[str, str], ...]
    punctuation: str

    def allows(self, value: str) -> bool:
        codes = tuple(code for code, _ in self.categories)
        return all(unicodedata.category(char).startswith(codes) or char in self.punctuation for char in value)

    @property
    def pattern(self) -> str:
        """Anchored RE2, any number of the characters: ``^[\\p{L}...]*$`` (only ``\\ ] [ ^ -`` escaped)."""
        literal = "".join("\\" + char if char in "\\][^-" else char for char in self.punctuation)
        return "^[" + "".join(f"\\p{{{code}}}" for code, _ in self.categories) + literal + "]*$"

    @property
    def sentence(self) -> str:
        """``contain only letters, spaces, numbers and _ . : / = + - @``"""
        return f"contain only {', '.join(word for _, word in self.categories)} and {' '.join(self.punctuation)}"


@dataclass(frozen=True)
class RestrictedTextRule(TextRule):
    """A ``TextRule`` whose characters are also all of ``characters``."""

    characters: CharacterSet

    def check(self, value: object) -> bool:
        return super().check(value) and isinstance(value, str) and self.characters.allows(value)


@dataclass(frozen=True)
class CountRule(_Worded, Rule):
    """A list or map of at most ``maximum`` items."""

    maximum: int
    rule: str

    def check(self, items: Sized) -> bool:
        return len(items) <= self.maximum


@dataclass(frozen=True)
class UniqueRule(_Worded, Rule):
    """No item twice (``ignore_case``: compared in lower case)."""

    ignore_case: bool
    rule: str

    def duplicates(self, items: Sequence[str]) -> list[str]:
        seen: set[str] = set()
        repeated: list[str] = []
        for item in items:
            key = item.lower() if self.ignore_case else item
            if key in seen and item not in repeated:
                repeated.append(item)
            seen.add(key)
        return repeated

    def check(self, items: Sequence[str]) -> bool:
        return not self.duplicates(items)


@dataclass(frozen=True)
class OrderRule(_Worded, Rule):
    """Two values of one input in order: the first below the second (``strict``) or not above it."""

    strict: bool
    rule: str

    def check(self, first: float, second: float) -> bool:
        return first < second if self.strict else first <= second


@dataclass(frozen=True)
class EvaluationRangeRule(_Worded, Rule):
    """``period x evaluation periods`` at most ``maximum`` seconds, or ``short_maximum`` for periods below
    ``short_period`` seconds; with ``step``, the period a multiple of it (at least one step)."""

    maximum: int
    short_period: int
    short_maximum: int
    step: int
    rule: str

    def limit(self, period: int) -> int:
        return self.short_maximum if period < self.short_period else self.maximum

    def check(self, period: int, periods: int) -> bool:
        return period >= self.step and period % self.step == 0 and period * periods <= self.limit(period)


@dataclass(frozen=True)
class LiteralRule(_Worded, Rule):
    """After ``prefix``, at least one character of ``literal`` (a regex character class)."""

    prefix: str
    literal: str
    rule: str

    def check(self, value: str) -> bool:
        return not value.startswith(self.prefix) or re.search(self.literal, value[len(self.prefix) :]) is not None


@dataclass(frozen=True)
class BudgetRule(_Worded, Rule):
    """Names that together, plus ``per_item`` characters each, take at most ``maximum`` characters."""

    maximum: int
    per_item: int
    rule: str

    def cost(self, names: Sequence[str]) -> int:
        return sum(len(name) + self.per_item for name in names)

    def check(self, names: Sequence[str]) -> bool:
        return self.cost(names) <= self.maximum


def number_text(value: float) -> str:
    """A number as people write it, without float noise or exponent: ``2e-05`` => ``0.00002``."""
    return f"{value:.12f}".rstrip("0").rstrip(".")


def percent(ratio: float) -> str:
    """A ratio as the percent people read: ``0.005`` => ``0.5``."""
    return number_text(ratio * 100)


def threshold_metric(threshold_name: str) -> str:
    """``complaint_critical`` => ``complaint`` (the metric short name a threshold is of)."""
    return threshold_name.rsplit("_", 1)[0]


@dataclass(frozen=True)
class LevelRule(Rule):
    """Every threshold strictly below AWS's level for its metric (``levels``: metric short name => ratio
    0-1), unless the flag input ``acknowledgement`` is true (None: nothing accepts a threshold there).

    Only for ratios: a value that is no ratio is ``RATIO``'s to refuse (one refusal per value). A refusal
    names the probable mistake, a percentage written where a ratio belongs (``explain``).
    """

    level_name: str
    levels: tuple[tuple[str, float], ...]
    consequence: str
    acknowledgement: str | None = None

    def level(self, threshold_name: str) -> float:
        return dict(self.levels)[threshold_metric(threshold_name)]

    @property
    def sentence(self) -> str:
        listed = ", ".join(f"{metric} {number_text(level)} = {percent(level)} %" for metric, level in self.levels)
        unless = f", unless {self.acknowledgement} is true" if self.acknowledgement else ""
        return (
            f"thresholds must be below AWS's {self.level_name} ({listed}), {self.consequence}{unless}; "
            "rates are ratios 0-1, not percentages"
        )

    def check(self, threshold_name: str, value: float, acknowledged: bool = False) -> bool:
        return (acknowledged and self.acknowledgement is not None) or value < self.level(threshold_name)

    def reached(self, threshold_name: str) -> str:
        """``at or above AWS's pause level 0.005 (0.5 %)`` (the level of the threshold's metric)."""
        level = self.level(threshold_name)
        return f"at or above AWS's {self.level_name} {number_text(level)} ({percent(level)} %)"

    @staticmethod
    def guess(guess: str, value: str) -> str:
        """``did you mean 0.0008 (0.08 %)?``: the value read as a percentage; texts, so that the module
        words it the same with HCL interpolations."""
        return f"did you mean {guess} ({value} %)?"

    def explain(self, threshold_name: str, value: float) -> str:
        """``at or above AWS's pause level 0.005 (0.5 %); did you mean 0.0008 (0.08 %)? <sentence>``"""
        guess = self.guess(number_text(value / 100), number_text(value))
        return f"{self.reached(threshold_name)}; {guess} {self.sentence}"


@dataclass(frozen=True)
class AtLeastOneRule(_Worded, Rule):
    """At least one item in one of the list inputs ``inputs``, unless the flag input ``opt_out`` is true."""

    inputs: tuple[str, ...]
    opt_out: str
    rule: str

    def check(self, lists: Sequence[Sized], opted_out: bool = False) -> bool:
        return opted_out or any(len(items) > 0 for items in lists)


def glob_regex(pattern: str) -> str:
    """An IAM wildcard pattern (``*``, ``?``) as an anchored RE2/Python regex (set names hold no other
    special characters)."""
    return "^" + pattern.replace("*", ".*").replace("?", ".") + "$"


@dataclass(frozen=True)
class CoverageRule(_Worded, Rule):
    """Every name matches the IAM wildcard pattern found after ``prefix`` in a scope value."""

    prefix: str
    rule: str

    def missed(self, scope: str, names: Sequence[str]) -> list[str]:
        if not scope.startswith(self.prefix):
            return []
        regex = re.compile(glob_regex(scope[len(self.prefix) :]))
        return sorted(name for name in names if not regex.fullmatch(name))

    def check(self, scope: str, names: Sequence[str]) -> bool:
        return not self.missed(scope, names)


# --- names and addresses -------------------------------------------------------------------------
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

# --- who hears of a pause ----------------------------------------------------------------------------
NOTIFICATION_TARGET_INPUTS: Final = (
    "notification_emails",
    "notification_phone_numbers",
    "slack_channels",
    "teams_channels",
)
NO_NOTIFICATION_TARGETS_OPT_OUT: Final = "allow_no_notification_targets"
NOTIFICATION_TARGETS: Final = AtLeastOneRule(
    "notification_targets",
    NOTIFICATION_TARGET_INPUTS,
    NO_NOTIFICATION_TARGETS_OPT_OUT,
    "a guard needs at least one notification target (notification_emails, notification_phone_numbers, "
    "slack_channels or teams_channels): without one nobody hears of a warning, a pause or a failure of "
    f"the guard; set {NO_NOTIFICATION_TARGETS_OPT_OUT} to true only when people subscribe to the "
    "notification topic some other way",
)

# --- configuration sets ----------------------------------------------------------------------------
MAX_CONFIGURATION_SETS: Final = 10_000  # SES quota per account and Region, not adjustable
CONFIGURATION_SET_COUNT: Final = CountRule(
    "configuration_set_count",
    MAX_CONFIGURATION_SETS,
    f"SES allows at most {MAX_CONFIGURATION_SETS} configuration sets per account and Region",
)
MAX_CONFIGURATION_SETS_RULE: Final = CONFIGURATION_SET_COUNT.sentence
UNIQUE_SET_NAMES: Final = UniqueRule(
    "unique_configuration_set_names", True, "configuration set names must be unique, ignoring case"
)
UNIQUE_SET_NAMES_RULE: Final = UNIQUE_SET_NAMES.sentence
ACTION: Final = ChoiceRule("action", contract.ACTIONS)

# --- thresholds ----------------------------------------------------------------------------------
THRESHOLD_NAMES: Final = ("bounce_warning", "bounce_critical", "complaint_warning", "complaint_critical")
RATIO: Final = RatioRule("ratio", "must be a ratio strictly between 0 and 1 (0.05 = 5 %), not a percentage")
RATIO_RULE: Final = RATIO.sentence
WARNING_BELOW_CRITICAL: Final = OrderRule("warning_below_critical", True, "must be below critical threshold")
WARNING_BELOW_CRITICAL_RULE: Final = WARNING_BELOW_CRITICAL.sentence


def warning_below_critical(warning: object, critical: object) -> str:
    """``warning threshold W must be below critical threshold C``; W and C as the caller renders them."""
    return f"warning threshold {warning} {WARNING_BELOW_CRITICAL_RULE} {critical}"


# --- AWS's own levels: a threshold the guard acts at must come before them ------------------------
# Amazon SES enforcement (its "sending review process"): at or above the review level AWS places the
# account under review; at or above the pause level AWS may pause the account's sending. Ratios 0-1,
# by metric short name. Sources: SES Developer Guide, "Amazon SES Enforcement FAQs"
# (http://docs.aws.amazon.com/ses/latest/DeveloperGuide/e-faq.html, now "Amazon SES sending review
# process FAQs": bounce rate 5 % under review, 10 % paused; complaint rate 0.1 % and 0.5 %), and AWS
# re:Post Knowledge Center, "Why is my Amazon SES sending account under review or paused?"
# (https://repost.aws/knowledge-center/ses-resolve-account-review-pause: "A bounce rate of 10% or
# greater", "A complaint rate of 0.5% or greater" may pause sending).
AWS_REVIEW_LEVELS: Final = {"bounce": 0.05, "complaint": 0.001}
AWS_PAUSE_LEVELS: Final = {"bounce": 0.10, "complaint": 0.005}
REVIEW_LEVEL_ACKNOWLEDGEMENT: Final = "allow_thresholds_at_or_above_aws_review_level"
"""The flag (a guard prop, a module variable, a policy-manifest key) that accepts thresholds at or above
AWS's review level; nothing accepts one at or above its pause level."""
AWS_PAUSE_LEVEL: Final = LevelRule(
    "aws_pause_level",
    "pause level",
    tuple(AWS_PAUSE_LEVELS.items()),
    "where AWS may already have paused sending: the guard would act too late",
)
AWS_REVIEW_LEVEL: Final = LevelRule(
    "aws_review_level",
    "review level",
    tuple(AWS_REVIEW_LEVELS.items()),
    "where AWS puts the account under review",
    REVIEW_LEVEL_ACKNOWLEDGEMENT,
)
AWS_LEVELS: Final = (AWS_PAUSE_LEVEL, AWS_REVIEW_LEVEL)
"""Checked in this order: a threshold at the pause level is refused for that (one refusal per value)."""

# --- alarm evaluation (CloudWatch PutMetricAlarm) -----------------------------------------------------
# SES publishes rates irregularly, so no high-resolution periods: whole minutes up to a day, at most
# a day's worth of hourly periods.
ALARM_STATISTICS: Final = ("Average", "Maximum", "Minimum")
ALARM_STATISTIC: Final = ChoiceRule("alarm_statistic", ALARM_STATISTICS)
ALARM_PERIOD_SECONDS_MIN: Final = 60
ALARM_PERIOD_SECONDS_MAX: Final = 86_400
ALARM_PERIOD_SECONDS_MULTIPLE: Final = 60
ALARM_PERIOD: Final = WholeNumberRule(
    "alarm_period_seconds", ALARM_PERIOD_SECONDS_MIN, ALARM_PERIOD_SECONDS_MAX, ALARM_PERIOD_SECONDS_MULTIPLE
)
ALARM_EVALUATION_PERIODS_MAX: Final = 24
ALARM_EVALUATION_PERIODS: Final = WholeNumberRule("alarm_evaluation_periods", 1, ALARM_EVALUATION_PERIODS_MAX)
ALARM_DATAPOINTS: Final = WholeNumberRule("alarm_datapoints_to_alarm", 1, ALARM_EVALUATION_PERIODS_MAX)
DATAPOINTS_NOT_ABOVE_PERIODS: Final = OrderRule(
    "datapoints_not_above_evaluation_periods", False, "must not exceed evaluation_periods"
)
DATAPOINTS_RULE: Final = DATAPOINTS_NOT_ABOVE_PERIODS.sentence
# PutMetricAlarm (API reference, ``Period``): "An alarm's total current evaluation period can be no
# longer than seven days, so Period multiplied by EvaluationPeriods can't be more than 604,800 seconds.
# For alarms with a period of less than one hour (3,600 seconds), the total evaluation period can't be
# longer than one day (86,400 seconds)."
ALARM_EVALUATION_RANGE_SECONDS_MAX: Final = 604_800
ALARM_EVALUATION_RANGE_SECONDS_MAX_SHORT_PERIODS: Final = 86_400
ALARM_SHORT_PERIOD_SECONDS: Final = 3_600  # periods below this are "short"
ALARM_EVALUATION_RANGE: Final = EvaluationRangeRule(
    "alarm_evaluation_range",
    ALARM_EVALUATION_RANGE_SECONDS_MAX,
    ALARM_SHORT_PERIOD_SECONDS,
    ALARM_EVALUATION_RANGE_SECONDS_MAX_SHORT_PERIODS,
    ALARM_PERIOD_SECONDS_MULTIPLE,
    f"period_seconds x evaluation_periods must be at most {ALARM_EVALUATION_RANGE_SECONDS_MAX} s (7 days), "
    f"or {ALARM_EVALUATION_RANGE_SECONDS_MAX_SHORT_PERIODS} s (1 day) when period_seconds is below "
    f"{ALARM_SHORT_PERIOD_SECONDS} (CloudWatch PutMetricAlarm)",
)
EVALUATION_RANGE_RULE: Final = ALARM_EVALUATION_RANGE.sentence


# --- the function ----------------------------------------------------------------------------------
LOG_RETENTION_DAYS: Final = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                             2557, 2922, 3288, 3653)  # fmt: skip
LOG_RETENTION: Final = ChoiceRule("log_retention_days", LOG_RETENTION_DAYS)
RESERVED_CONCURRENCY_MIN: Final = 1
RESERVED_CONCURRENCY_MAX: Final = 100
RESERVED_CONCURRENCY_NONE: Final = -1  # no reservation
RESERVED_CONCURRENCY: Final = WholeNumberRule(
    "reserved_concurrency",
    RESERVED_CONCURRENCY_MIN,
    RESERVED_CONCURRENCY_MAX,
    also=RESERVED_CONCURRENCY_NONE,
    also_means="no reservation",
)
LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_LEVEL: Final = ChoiceRule("log_level", LOG_LEVELS)

# --- tags (Tagging AWS resources, "Tag naming limits and requirements") --------------------------------
TAG_KEY_MAX_LENGTH: Final = 128
TAG_VALUE_MAX_LENGTH: Final = 256
TAG_RESERVED_PREFIX: Final = "aws:"
MAX_TAGS_PER_RESOURCE: Final = 50
# Every alarm carries the guard's own tags (contract.TAG_GUARD, TAG_SCOPE, TAG_CONFIGURATION_SET,
# TAG_TIER, TAG_ACTION), so users get the rest of the 50.
GUARD_TAGS_PER_ALARM: Final = 5
USER_TAGS_MAX: Final = MAX_TAGS_PER_RESOURCE - GUARD_TAGS_PER_ALARM
# Characters: the strictest of the services the guard tags. IAM (API Reference, "Tag": key pattern
# ``[\p{L}\p{Z}\p{N}_.:/=+\-@]+``, value ``[\p{L}\p{Z}\p{N}_.:/=+\-@]*``,
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html), Lambda (TagResource / CreateFunction
# ``Tags``, https://docs.aws.amazon.com/lambda/latest/dg/API_TagResource.html: the page gives no pattern;
# the service model's TagKey / TagValue shapes, lambda 2015-03-31 in botocore, have the same one) and
# CloudWatch Logs (TagLogGroup / TagResource: ``^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$``,
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TagLogGroup.html) accept only
# Unicode letters, separators and numbers and these 8 characters, and refuse anything else at apply
# ("R&D", "team#1"). Python's Unicode tables and Terraform's (Go) may differ on characters assigned in
# the newest Unicode version only.
TAG_CHARACTERS: Final = CharacterSet((("L", "letters"), ("Z", "spaces"), ("N", "numbers")), "_.:/=+-@")
TAG_CHARACTERS_SOURCE: Final = "(IAM, Lambda and CloudWatch Logs tag rules)"
TAG_KEY: Final = RestrictedTextRule(
    "tag_key",
    1,
    TAG_KEY_MAX_LENGTH,
    TAG_RESERVED_PREFIX,
    f"must be 1-{TAG_KEY_MAX_LENGTH} characters, not start with {TAG_RESERVED_PREFIX!r} and "
    f"{TAG_CHARACTERS.sentence} {TAG_CHARACTERS_SOURCE}",
    TAG_CHARACTERS,
)
TAG_KEY_RULE: Final = TAG_KEY.sentence
# SES v2 "Tag": "The aws: prefix is reserved ... you can't use it in any tag keys or values".
TAG_VALUE: Final = RestrictedTextRule(
    "tag_value",
    0,
    TAG_VALUE_MAX_LENGTH,
    TAG_RESERVED_PREFIX,
    f"must be a string of at most {TAG_VALUE_MAX_LENGTH} characters, not start with {TAG_RESERVED_PREFIX!r} "
    f"and {TAG_CHARACTERS.sentence} {TAG_CHARACTERS_SOURCE}",
    TAG_CHARACTERS,
)
TAG_VALUE_RULE: Final = TAG_VALUE.sentence
TAG_COUNT: Final = CountRule(
    "tag_count",
    USER_TAGS_MAX,
    f"at most {USER_TAGS_MAX} tags: AWS allows {MAX_TAGS_PER_RESOURCE} per resource and the guard adds "
    f"its own {GUARD_TAGS_PER_ALARM} to every alarm",
)
TAG_COUNT_RULE: Final = TAG_COUNT.sentence

# --- fleet mode: CloudWatch Metrics Insights alarms grouped by configuration set (docs/fleet.md) ---------
# Quota per account and Region (CloudWatch User Guide, "Limits": "A default of 200 alarms using the
# Metrics Insights query per account per Region"); a guard counts only its own alarms.
METRICS_INSIGHTS_ALARMS_PER_REGION: Final = 200
# MetricDataQuery.Expression is 1-2,048 characters (CloudWatch API Reference; botocore MetricExpression).
METRICS_INSIGHTS_QUERY_MAX_LENGTH: Final = 2048
# Only the latest 3 hours of data are evaluated ("Limits"): period x evaluation periods <= 3 h.
METRICS_INSIGHTS_WINDOW_SECONDS_MAX: Final = 3 * 3600
# Whole-minute periods in that window: the most evaluation periods (and datapoints) a fleet alarm can use.
METRICS_INSIGHTS_EVALUATION_PERIODS_MAX: Final = METRICS_INSIGHTS_WINDOW_SECONDS_MAX // ALARM_PERIOD_SECONDS_MULTIPLE
FLEET_EVALUATION_PERIODS: Final = WholeNumberRule(
    "fleet_evaluation_periods", 1, METRICS_INSIGHTS_EVALUATION_PERIODS_MAX
)
FLEET_DATAPOINTS: Final = WholeNumberRule("fleet_datapoints_to_alarm", 1, METRICS_INSIGHTS_EVALUATION_PERIODS_MAX)
# Metrics Insights has no high-resolution data ("Metrics Insights quotas") and AWS/SES rates are
# standard resolution: whole minutes only (PutMetricAlarm's 10/20/30 s are high-resolution periods).
FLEET_WINDOW: Final = EvaluationRangeRule(
    "fleet_evaluation_window",
    METRICS_INSIGHTS_WINDOW_SECONDS_MAX,
    0,
    METRICS_INSIGHTS_WINDOW_SECONDS_MAX,
    ALARM_PERIOD_SECONDS_MULTIPLE,
    "must be a multiple of 60 seconds (Metrics Insights alarms are standard resolution) and, times "
    "evaluation_periods, at most 10800 s (CloudWatch evaluates only the latest 3 hours)",
)
METRICS_INSIGHTS_PERIOD_RULE: Final = FLEET_WINDOW.sentence
# What one query can see ("Metrics Insights quotas"; "Limits"): beyond these the alarm evaluates
# PARTIAL_DATA, the top of the ORDER BY first; at most 100 contributors are reported in ALARM.
METRICS_INSIGHTS_SERIES_MAX: Final = 500
METRICS_INSIGHTS_METRICS_MATCHED_MAX: Final = 10_000
METRICS_INSIGHTS_CONTRIBUTORS_IN_ALARM_MAX: Final = 100

# --- sweep mode: a scheduled run of two Metrics Insights queries (ses_guard_policy.sweep, docs/sweep.md) ---
# EventBridge schedules run at most once a minute (rate expressions); below 5 minutes a run would read
# the same hourly SES datapoints again and again. A day at most: AWS's review can start within a day.
SWEEP_SCHEDULE_MINUTES_DEFAULT: Final = 60
SWEEP_SCHEDULE_MINUTES: Final = WholeNumberRule("sweep_schedule_minutes", 5, 1440)
# The worst sets a run pauses: one query returns at most 500 series ("Metrics Insights quotas").
SWEEP_MAX_PAUSES_PER_RUN: Final = METRICS_INSIGHTS_SERIES_MAX
# Metrics Insights queries read at most the last 2 weeks ("Metrics Insights quotas").
METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX: Final = 14 * 86_400
# Sets named in protected_configuration_sets travel in the function's environment (4 KB for all
# variables, Lambda quotas): a short list; more sets are protected with a per-set policy (action
# notify) or the SES tag ses-reputation-guard:action = notify, which scale to 10,000.
PROTECTED_SETS_MAX: Final = 25
PROTECTED_SETS_COUNT: Final = CountRule(
    "protected_sets_count",
    PROTECTED_SETS_MAX,
    f"at most {PROTECTED_SETS_MAX} names (they travel in the function's 4 KB environment); protect more sets "
    "with a per-set policy of action 'notify' or the SES tag ses-reputation-guard:action = notify",
)
FLEET_DELIVERY: Final = ChoiceRule("fleet_delivery", contract.FLEET_DELIVERIES)

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
PAUSE_SCOPE_LITERAL: Final = LiteralRule(
    "pause_scope_literal",
    PAUSE_SCOPE_NAME_PATTERN,
    r"[A-Za-z0-9_-]",
    "the name pattern needs at least one letter, digit, '_' or '-': a pattern of wildcards only is every "
    "set of the Region (choose 'tagged' to scope by tags instead)",
)
PAUSE_SCOPE_LITERAL_RULE: Final = PAUSE_SCOPE_LITERAL.sentence
PAUSE_SCOPE_COVERAGE: Final = CoverageRule(
    "pause_scope_coverage", PAUSE_SCOPE_NAME_PATTERN, "every set whose action is 'pause' must match the name pattern"
)
PAUSE_SCOPE_COVERAGE_RULE: Final = PAUSE_SCOPE_COVERAGE.sentence

# --- hub mode's member role (MemberRole, the member module) -----------------------------------
# One IAM role by its exact ARN (a path allowed, no wildcard, never an account root or a user): what a
# trust statement of the member role may name.
ROLE_ARN_PATTERN: Final = r"^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$"
ROLE_ARN_SENTENCE: Final = (
    "must be the ARN of one IAM role, arn:<partition>:iam::<12-digit account>:role/<name>, without wildcards"
)
HUB_FUNCTION_ROLE_ARN: Final = PatternRule(
    "hub_function_role_arn",
    ROLE_ARN_PATTERN,
    f"{ROLE_ARN_SENTENCE}: the hub function's role (output function_role_arn of the hub guard)",
)
OPERATOR_ROLE_ARN: Final = PatternRule(
    "operator_role_arn",
    ROLE_ARN_PATTERN,
    f"{ROLE_ARN_SENTENCE}: a role the operators run ses-guard status and resume with",
)
ORGANIZATION_ID: Final = PatternRule(
    "organization_id",
    r"^o-[a-z0-9]{10,32}$",
    "must be an AWS Organizations id: 'o-' and 10-32 lower-case letters or digits",
)
REGION_NAME: Final = PatternRule(
    "region_name", r"^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", "must be an AWS Region name such as 'eu-west-1'"
)


# --- hub mode: the hub's list of member accounts and Regions (manifest ``hub``, docs/organization.md) ---
ACCOUNT_ID: Final = PatternRule("account_id", r"^[0-9]{12}$", "must be a 12-digit AWS account id")
# One hub run reads every member account x Region in turn (three GetMetricData and an AssumeRole per
# member); bench/hub_bench.py measured 50 x 2 well inside the hub function's timeout. Beyond this,
# split the members over two hubs (each its own prefix): a run must end inside one invocation.
HUB_MEMBER_REGIONS_MAX: Final = 200
HUB_MEMBER_REGIONS: Final = CountRule(
    "hub_member_regions",
    HUB_MEMBER_REGIONS_MAX,
    f"at most {HUB_MEMBER_REGIONS_MAX} member account x Region pairs in one hub (one run reads each in turn "
    "within one invocation): split the members over two hubs with their own name_prefix",
)
HUB_MEMBER_REGIONS_UNIQUE: Final = UniqueRule("hub_member_regions_unique", False, "must not name a Region twice")


def declared() -> tuple[Rule, ...]:
    """Every rule of this module, in declaration order (the test that finds each one rendered uses it)."""
    return tuple(value for value in globals().values() if isinstance(value, Rule))
