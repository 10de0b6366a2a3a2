"""The generated Terraform module's input layer: variables (with validation) and normalizing locals.

The variables mirror ``ReputationGuardProps`` and its validation rules, so a bad value fails at
``terraform plan`` with the same rule the constructs enforce at synth. They are rendered here as
text (cdktf 0.21's HCL renderer drops ``default = false`` / ``0`` and ``nullable = false``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ses_reputation_guard.policy import (
    DEFAULT_BOUNCE_CRITICAL,
    DEFAULT_BOUNCE_WARNING,
    DEFAULT_COMPLAINT_CRITICAL,
    DEFAULT_COMPLAINT_WARNING,
)
from ses_reputation_guard.validation import (
    ALARM_STATISTICS,
    LOG_RETENTION_DAYS,
    MAX_CONFIGURATION_SETS,
)

SET_NAME_REGEX = "^[A-Za-z0-9_-]{1,64}$"
PREFIX_REGEX = "^[a-z][a-z0-9-]{0,30}[a-z0-9]$"
EMAIL_REGEX = "^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$"
E164_REGEX = "^\\\\+[1-9][0-9]{6,14}$"
THRESHOLD_NAMES = ("bounce_warning", "bounce_critical", "complaint_warning", "complaint_critical")
PACKAGE_RELATIVE_PATH = "lambda/ses_guard_lambda.zip"


@dataclass(frozen=True)
class ModuleVariable:
    name: str
    type: str
    description: str
    default: Any
    validations: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(condition, error_message) pairs; both HCL; error messages may interpolate the bad values."""

    def render(self) -> str:
        lines = [
            f'variable "{self.name}" {{',
            f"  description = {json.dumps(self.description)}",
            f"  type        = {self.type}",
            f"  default     = {json.dumps(self.default)}",
            "  nullable    = false",
        ]
        for condition, message in self.validations:
            lines += [
                "",
                "  validation {",
                f"    condition     = {condition}",
                f"    error_message = {message}",
                "  }",
            ]
        return "\n".join(lines) + "\n}\n"


def _ratio_ok(expression: str) -> str:
    # null means "use the default"; coalesce avoids comparing null (Terraform's || does not short-circuit).
    return f"(coalesce({expression}, 0.5) > 0 && coalesce({expression}, 0.5) < 1)"


def _warning_below_critical(obj: str, metric: str) -> str:
    return f"(coalesce({obj}.{metric}_warning, 0) < coalesce({obj}.{metric}_critical, 1))"


def _thresholds_type(with_defaults: bool) -> str:
    defaults = {
        "bounce_warning": DEFAULT_BOUNCE_WARNING,
        "bounce_critical": DEFAULT_BOUNCE_CRITICAL,
        "complaint_warning": DEFAULT_COMPLAINT_WARNING,
        "complaint_critical": DEFAULT_COMPLAINT_CRITICAL,
    }
    if with_defaults:
        return ", ".join(f"{n} = optional(number, {defaults[n]})" for n in THRESHOLD_NAMES)
    return ", ".join(f"{n} = optional(number)" for n in THRESHOLD_NAMES)


def _all_ratios_ok(obj: str) -> str:
    return " && ".join(_ratio_ok(f"{obj}.{n}") for n in THRESHOLD_NAMES)


def _set_ratio_problems(set_ratios: str) -> str:
    """Error message listing each offending set with the thresholds it was given."""
    return (
        '"configuration_sets thresholds must be ratios strictly between 0 and 1 (0.05 = 5 %, not 5): '
        f"${{jsonencode({{for name, s in var.configuration_sets : name => {{for k in {json.dumps(list(THRESHOLD_NAMES))} : "
        f'k => lookup(s, k) if lookup(s, k) != null}} if !({set_ratios})}})}}"'
    )


def variables() -> list[ModuleVariable]:
    account_ratios = _all_ratios_ok("var.account_policy")
    default_ratios = _all_ratios_ok("var.default_thresholds")
    set_ratios = _all_ratios_ok("s")
    set_order = " && ".join(_warning_below_critical("s", m) for m in ("bounce", "complaint"))
    bad_names = f'[for name, s in var.configuration_sets : name if !can(regex("{SET_NAME_REGEX}", name))]'
    retention = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
    return [
        ModuleVariable(
            "name_prefix",
            "string",
            "Prefix of every AWS name (alarms, topics, function, key alias): 2-32 lower-case letters, "
            "digits and '-', starting with a letter.",
            "ses-guard",
            (
                (
                    f'can(regex("{PREFIX_REGEX}", var.name_prefix))',
                    '"name_prefix \\"${var.name_prefix}\\": must be 2-32 characters: lower-case letters, digits and '
                    "'-', starting with a letter.\"",
                ),
            ),
        ),
        ModuleVariable(
            "default_thresholds",
            f"object({{ {_thresholds_type(True)} }})",
            "Alarm thresholds (ratios 0-1, 0.05 = 5 %) for the account and every set without its own. Defaults: "
            "bounce 0.02 warning / 0.04 critical, complaint 0.0005 / 0.0008 (below AWS's 0.05 / 0.001 review).",
            {},
            (
                (
                    default_ratios,
                    '"default_thresholds ${jsonencode(var.default_thresholds)}: every threshold must be a ratio strictly '
                    'between 0 and 1 (0.05 = 5 %, not 5)."',
                ),
                (
                    " && ".join(_warning_below_critical("var.default_thresholds", m) for m in ("bounce", "complaint")),
                    '"default_thresholds ${jsonencode(var.default_thresholds)}: each warning threshold must be below its '
                    'critical threshold."',
                ),
            ),
        ),
        ModuleVariable(
            "account_policy",
            'object({ enabled = optional(bool, true), action = optional(string, "pause"), '
            f"warning_alarms = optional(bool, true), {_thresholds_type(False)} }})",
            'Account-wide alarms (no dimension). action: "pause" pauses the whole account on a critical alarm, '
            '"notify" only notifies. Thresholds left null use default_thresholds.',
            {},
            (
                (
                    'contains(["pause", "notify"], var.account_policy.action)',
                    '"account_policy.action \\"${var.account_policy.action}\\": must be \\"pause\\" or \\"notify\\"."',
                ),
                (
                    account_ratios,
                    '"account_policy ${jsonencode(var.account_policy)}: thresholds must be ratios strictly between 0 and 1 '
                    '(0.05 = 5 %, not 5)."',
                ),
            ),
        ),
        ModuleVariable(
            "configuration_sets",
            'map(object({ action = optional(string, "pause"), managed = optional(bool, true), '
            f"warning_alarms = optional(bool, true), {_thresholds_type(False)} }}))",
            "Per-set policies keyed by configuration set name (at most 10,000). managed = true creates the set "
            "with reputation metrics on; false guards an existing set (enable its reputation metrics yourself). "
            'action "pause" pauses only that set; "notify" never pauses it. Thresholds left null use '
            "default_thresholds.",
            {},
            (
                (
                    f"length(var.configuration_sets) <= {MAX_CONFIGURATION_SETS}",
                    f'"configuration_sets has ${{length(var.configuration_sets)}} entries: SES allows at most '
                    f'{MAX_CONFIGURATION_SETS} configuration sets per account and Region."',
                ),
                (
                    f"length({bad_names}) == 0",
                    f'"configuration_sets keys ${{jsonencode({bad_names})}}: configuration set names are 1-64 '
                    "characters of letters, digits, '_' and '-' (SES rule).\"",
                ),
                (
                    "length(distinct([for name in keys(var.configuration_sets) : lower(name)])) == "
                    "length(var.configuration_sets)",
                    '"configuration_sets keys ${jsonencode(keys(var.configuration_sets))}: names must be unique ignoring '
                    'case."',
                ),
                (
                    'alltrue([for name, s in var.configuration_sets : contains(["pause", "notify"], s.action)])',
                    '"configuration_sets actions ${jsonencode({for name, s in var.configuration_sets : name => s.action '
                    'if !contains(["pause", "notify"], s.action)})}: action must be \\"pause\\" or \\"notify\\"."',
                ),
                (f"alltrue([for name, s in var.configuration_sets : {set_ratios}])", _set_ratio_problems(set_ratios)),
                (
                    f"alltrue([for name, s in var.configuration_sets : {set_order}])",
                    '"configuration_sets ${jsonencode([for name, s in var.configuration_sets : name if !('
                    + set_order
                    + ')])}: each warning threshold must be below its critical threshold."',
                ),
            ),
        ),
        ModuleVariable(
            "notification_emails",
            "list(string)",
            "Email addresses subscribed to the notification topic (each must confirm the subscription).",
            [],
            (
                (
                    f'alltrue([for e in var.notification_emails : can(regex("{EMAIL_REGEX}", e))])',
                    f'"notification_emails ${{jsonencode([for e in var.notification_emails : e if !can(regex("{EMAIL_REGEX}", e))])}}: '
                    'must be email addresses."',
                ),
            ),
        ),
        ModuleVariable(
            "notification_phone_numbers",
            "list(string)",
            "Phone numbers in E.164 form (+15555550100) that receive SMS notifications.",
            [],
            (
                (
                    f'alltrue([for p in var.notification_phone_numbers : can(regex("{E164_REGEX}", p))])',
                    f'"notification_phone_numbers ${{jsonencode([for p in var.notification_phone_numbers : p if !can(regex("{E164_REGEX}", p))])}}: '
                    "must be E.164 phone numbers: '+', country code and number, 8-15 digits.\"",
                ),
            ),
        ),
        ModuleVariable(
            "dry_run",
            "bool",
            "true: the function decides, logs and reports what it would pause, but never pauses.",
            False,
        ),
        ModuleVariable(
            "alarm_settings",
            "object({ period_seconds = optional(number, 3600), evaluation_periods = optional(number, 1), "
            'datapoints_to_alarm = optional(number, 1), statistic = optional(string, "Maximum") })',
            "Evaluation of every reputation alarm: period (seconds, multiple of 60), evaluation periods, "
            "datapoints to alarm and statistic (Maximum, Average or Minimum).",
            {},
            (
                (
                    "var.alarm_settings.period_seconds >= 60 && var.alarm_settings.period_seconds <= 86400 && "
                    "var.alarm_settings.period_seconds % 60 == 0",
                    '"alarm_settings.period_seconds ${var.alarm_settings.period_seconds}: must be a multiple of 60 from '
                    '60 to 86400."',
                ),
                (
                    "var.alarm_settings.datapoints_to_alarm >= 1 && var.alarm_settings.datapoints_to_alarm <= "
                    "var.alarm_settings.evaluation_periods",
                    '"alarm_settings.datapoints_to_alarm ${var.alarm_settings.datapoints_to_alarm}: must be from 1 to '
                    'evaluation_periods (${var.alarm_settings.evaluation_periods})."',
                ),
                (
                    f"contains({json.dumps(list(ALARM_STATISTICS))}, var.alarm_settings.statistic)",
                    '"alarm_settings.statistic \\"${var.alarm_settings.statistic}\\": must be Maximum, Average or '
                    'Minimum."',
                ),
            ),
        ),
        ModuleVariable(
            "log_retention_days",
            "number",
            "Retention of the function's log group, days (a CloudWatch Logs value).",
            365,
            (
                (
                    f"contains([{retention}], var.log_retention_days)",
                    f'"log_retention_days ${{var.log_retention_days}}: must be one of {retention}."',
                ),
            ),
        ),
        ModuleVariable(
            "reserved_concurrency",
            "number",
            "Reserved concurrent executions of the pause function, 1-100, or -1 for no reservation (needed in "
            "accounts whose Lambda concurrency quota is still 10).",
            2,
            (
                (
                    "var.reserved_concurrency == -1 || (var.reserved_concurrency >= 1 && var.reserved_concurrency <= 100 && "
                    "floor(var.reserved_concurrency) == var.reserved_concurrency)",
                    '"reserved_concurrency ${var.reserved_concurrency}: must be -1 (no reservation) or a whole number from 1 to 100."',
                ),
            ),
        ),
        ModuleVariable("tags", "map(string)", "Tags on every taggable resource.", {}),
    ]


def normalizing_locals() -> str:
    """Defaults resolved once, in the same record shape the stacks ship as JSON."""
    thresholds = "\n".join(f"      {n} = coalesce(s.{n}, var.default_thresholds.{n})" for n in THRESHOLD_NAMES)
    return (
        "locals {\n"
        f'  function_package_path = "${{path.module}}/{PACKAGE_RELATIVE_PATH}"\n'
        "  configuration_sets = {\n"
        "    for name, s in var.configuration_sets : name => {\n"
        "      action         = s.action\n"
        "      managed        = s.managed\n"
        "      warning_alarms = s.warning_alarms\n"
        f"{thresholds}\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
