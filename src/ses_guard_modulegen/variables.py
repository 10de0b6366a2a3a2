"""The generated module's input layer: variables whose ``validation`` blocks are rendered from the rules table.

Every pattern, limit, choice and rule sentence comes from ``ses_guard_policy.rules`` (and the names
from ``ses_guard_policy.contract``), the same table the constructs validate with, so a bad value fails
``terraform plan`` with the words the constructs use at synth: each message is ``<input> <bad
value>: <rule sentence>.`` The variables are rendered here as text (cdktf 0.21's HCL renderer drops
``default = false`` / ``0`` and ``nullable = false``).
"""

from __future__ import annotations

import json

from ses_guard_modulegen import hub_variable
from ses_guard_modulegen.conditions import (
    all_match,
    breaks,
    choice_holds_not_null,
    hcl_list,
    holds,
    step_holds,
)
from ses_guard_modulegen.variable_kinds import (
    ModuleVariable,
    Validation,
    any_threshold_not_a_ratio,
    at_or_above_pause_level,
    message,
    one_of_actions,
    policy_attribute,
    template,
)
from ses_guard_policy import chat_rules, contract, evaluation, rules, sweep
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.policy import AccountPolicy, ConfigurationSetPolicy, ReputationThresholds
from ses_reputation_guard.reputation_guard import ReputationGuardProps
from ses_reputation_guard.sweep_policy import SweepPolicy

PACKAGE_RELATIVE_PATH = "lambda/ses_guard_lambda.zip"
DEFAULT_PROPS = ReputationGuardProps()  # every default of the module is the constructs' default
METRICS = (contract.METRIC_SHORT_BOUNCE, contract.METRIC_SHORT_COMPLAINT)


# --- validations ------------------------------------------------------------------------------------
def whole_number_validation(subject: str, value: str, rule: rules.WholeNumberRule) -> Validation:
    """``value`` (HCL) in ``rule``'s range, refused in the rule's words."""
    return Validation(holds(rule, value), message(subject, value, rule.sentence), rule)


def step_validation(subject: str, value: str, rule: rules.WholeNumberRule) -> Validation:
    return Validation(step_holds(rule, value), message(subject, value, rule.step_sentence), rule)


# The error messages keep their interpolations simple (lists, no object for-expressions with string
# literals in their conditions): python-hcl2, which checkov and tools/snapshot.py parse the module
# with, misreads those.
def pause_level_message(subject: str, value: str, threshold_name: str) -> str:
    """``<subject> <value>: at or above AWS's pause level 0.005 (0.5 %); did you mean <value / 100>
    (<value> %)? <sentence>.`` (``try``: Terraform renders the message for a null value too)."""
    rule = rules.AWS_PAUSE_LEVEL
    guess = rule.guess("<guess>", "<value>")
    return template(
        f"{subject} <value>: {rule.reached(threshold_name)}; {guess} {rule.sentence}.",
        value=f"jsonencode({value})",
        guess=f"jsonencode(try({value} / 100, null))",
    )


def pause_level_validations(subject: str, obj: str) -> tuple[Validation, ...]:
    """Each threshold of the object ``obj`` below AWS's pause level, whatever else the guard allows."""
    return tuple(
        Validation(
            f"!({at_or_above_pause_level(f'{obj}.{name}', name)})",
            pause_level_message(f"{subject}.{name}", f"{obj}.{name}", name),
            rules.AWS_PAUSE_LEVEL,
        )
        for name in rules.THRESHOLD_NAMES
    )


def warning_not_below_critical(obj: str, metric: str) -> str:
    """Both given and the warning threshold not below the critical one (a null is a default: no verdict here)."""
    rule = rules.WARNING_BELOW_CRITICAL
    return breaks(rule, f"coalesce({obj}.{metric}_warning, 0)", f"coalesce({obj}.{metric}_critical, 1)")


def optional_attributes(defaults: object, **types: str) -> str:
    """``name = optional(type, <default of the props dataclass>)`` for each attribute, comma-separated."""
    return ", ".join(
        f"{name} = optional({hcl_type}, {json.dumps(getattr(defaults, name))})" for name, hcl_type in types.items()
    )


def thresholds_type(with_defaults: bool) -> str:
    if with_defaults:
        return optional_attributes(ReputationThresholds(), **dict.fromkeys(rules.THRESHOLD_NAMES, "number"))
    return ", ".join(f"{name} = optional(number)" for name in rules.THRESHOLD_NAMES)


def threshold_validations(subject: str, obj: str) -> tuple[Validation, ...]:
    """Every threshold of ``obj`` a ratio; per metric, warning below critical (when both are given)."""
    ratios = Validation(
        f"!{any_threshold_not_a_ratio(obj)}",
        message(subject, f"jsonencode({obj})", rules.RATIO.sentence),
        rule=rules.RATIO,
    )
    order = tuple(
        order_validation(
            f"{subject} {metric}",
            f"!({warning_not_below_critical(obj, metric)})",
            f"{obj}.{metric}_warning",
            f"{obj}.{metric}_critical",
        )
        for metric in METRICS
    )
    return (ratios, *order, *pause_level_validations(subject, obj))


def order_validation(subject: str, condition: str, warning: str, critical: str) -> Validation:
    """``<subject>: warning threshold W must be below critical threshold C.`` for the HCL values given."""
    return Validation(
        condition,
        template(
            f"{subject}: " + rules.warning_below_critical("<warning>", "<critical>") + ".",
            # jsonencode: Terraform renders the message even when the condition holds, and a null
            # (a threshold left to the default) may not be interpolated.
            warning=f"jsonencode({warning})",
            critical=f"jsonencode({critical})",
        ),
        rules.WARNING_BELOW_CRITICAL,
    )


def each_set(condition_on_s: str) -> str:
    """Names of the configuration sets ``s`` for which ``condition_on_s`` is true."""
    return f"[for name, s in var.configuration_sets : name if {condition_on_s}]"


def pattern_validation(variable: str, rule: rules.PatternRule) -> Validation:
    """``var.<variable>`` matches ``rule``, refused in the rule's words (both modules' string inputs)."""
    value = f"var.{variable}"
    return Validation(holds(rule, value), message(variable, f"jsonencode({value})", rule.sentence), rule)


def list_items_match(variable: str, rule: rules.PatternRule) -> Validation:
    bad = f"[for item in var.{variable} : item if {breaks(rule, 'item')}]"
    return Validation(f"length({bad}) == 0", message(variable, f"jsonencode({bad})", rule.sentence), rule)


# --- the variables ------------------------------------------------------------------------------------
def _set_validations() -> tuple[Validation, ...]:
    sets = "var.configuration_sets"
    bad_names = each_set(breaks(rules.CONFIGURATION_SET_NAME, "name"))
    bad_actions = each_set(f"!{one_of_actions('s.action')}")
    bad_ratios = each_set(any_threshold_not_a_ratio("s"))
    order = tuple(
        Validation(
            f"alltrue([for name, s in {sets} : !({warning_not_below_critical('s', metric)})])",
            message(
                "configuration_sets",
                f"jsonencode({each_set(warning_not_below_critical('s', metric))})",
                f"{metric} warning threshold {rules.WARNING_BELOW_CRITICAL.sentence}",
            ),
            rules.WARNING_BELOW_CRITICAL,
        )
        for metric in METRICS
    )
    return (
        Validation(holds(rules.CONFIGURATION_SET_COUNT, sets),
                   message("configuration_sets: too many entries,", f"length({sets})",
                           rules.CONFIGURATION_SET_COUNT.sentence), rule=rules.CONFIGURATION_SET_COUNT),
        Validation(all_match(rules.CONFIGURATION_SET_NAME, f"keys({sets})"),
                   message("configuration_sets keys", f"jsonencode({bad_names})", rules.CONFIGURATION_SET_NAME.sentence), rule=rules.CONFIGURATION_SET_NAME),
        Validation(holds(rules.UNIQUE_SET_NAMES, f"keys({sets})", sets),
                   message("configuration_sets keys", f"jsonencode(keys({sets}))", rules.UNIQUE_SET_NAMES.sentence), rule=rules.UNIQUE_SET_NAMES),
        Validation(f"length({bad_actions}) == 0",
                   message("configuration_sets", f"jsonencode({bad_actions})", "action " + rules.ACTION.sentence), rule=rules.ACTION),
        Validation(f"length({bad_ratios}) == 0",
                   message("configuration_sets", f"jsonencode({bad_ratios})", "thresholds " + rules.RATIO.sentence), rule=rules.RATIO),
        *order,
        *_set_pause_level_validations(),
    )  # fmt: skip


def _set_pause_level_validations() -> tuple[Validation, ...]:
    """Per threshold, the sets whose own value is at or above AWS's pause level, with what each would
    be read as a percentage."""
    rule = rules.AWS_PAUSE_LEVEL
    validations = []
    for name in rules.THRESHOLD_NAMES:
        bad = at_or_above_pause_level(f"s.{name}", name)
        guesses = f"{{for name, s in var.configuration_sets : name => s.{name} / 100 if {bad}}}"
        validations.append(
            Validation(
                f"length({each_set(bad)}) == 0",
                template(
                    f"configuration_sets <sets>: {name} {rule.reached(name)}; did you mean <guesses> "
                    f"(the values read as percentages)? {rule.sentence}.",
                    sets=f"jsonencode({{for name, s in var.configuration_sets : name => s.{name} if {bad}}})",
                    guesses=f"jsonencode({guesses})",
                ),
                rule,
            )
        )
    return tuple(validations)


def _alarm_settings_validations() -> tuple[Validation, ...]:
    period, periods, datapoints, statistic = (
        f"var.alarm_settings.{name}"
        for name in ("period_seconds", "evaluation_periods", "datapoints_to_alarm", "statistic")
    )
    return (
        whole_number_validation("alarm_settings.period_seconds", period, rules.ALARM_PERIOD),
        step_validation("alarm_settings.period_seconds", period, rules.ALARM_PERIOD),
        whole_number_validation("alarm_settings.evaluation_periods", periods, rules.ALARM_EVALUATION_PERIODS),
        whole_number_validation("alarm_settings.datapoints_to_alarm", datapoints, rules.ALARM_DATAPOINTS),
        Validation(holds(rules.ALARM_EVALUATION_RANGE, period, periods),
                   template(f"alarm_settings.period_seconds <period> x evaluation_periods <periods>: "
                            f"{rules.ALARM_EVALUATION_RANGE.sentence}.", period=period, periods=periods), rule=rules.ALARM_EVALUATION_RANGE),
        Validation(holds(rules.DATAPOINTS_NOT_ABOVE_PERIODS, datapoints, periods),
                   message("alarm_settings.datapoints_to_alarm", datapoints,
                           rules.DATAPOINTS_NOT_ABOVE_PERIODS.sentence), rule=rules.DATAPOINTS_NOT_ABOVE_PERIODS),
        Validation(holds(rules.ALARM_STATISTIC, statistic),
                   message("alarm_settings.statistic", f"jsonencode({statistic})", rules.ALARM_STATISTIC.sentence), rule=rules.ALARM_STATISTIC),
    )  # fmt: skip


def tag_validations() -> tuple[Validation, ...]:
    """``var.tags``: keys, values and count as AWS accepts them (both modules' ``tags`` input)."""
    bad_keys = f"[for key, value in var.tags : key if {breaks(rules.TAG_KEY, 'key')}]"
    bad_values = f"[for key, value in var.tags : key if {breaks(rules.TAG_VALUE, 'value')}]"
    return (
        Validation(f"length({bad_keys}) == 0",
                   message("tags keys", f"jsonencode({bad_keys})", rules.TAG_KEY.sentence), rule=rules.TAG_KEY),
        Validation(f"length({bad_values}) == 0",
                   message("tags values of", f"jsonencode({bad_values})", rules.TAG_VALUE.sentence), rule=rules.TAG_VALUE),
        Validation(holds(rules.TAG_COUNT, "var.tags"),
                   message("tags: too many,", "length(var.tags)", rules.TAG_COUNT.sentence), rule=rules.TAG_COUNT),
    )  # fmt: skip


CHAT_PLATFORMS = {
    # variable => (attribute => the rule its values follow), in the order of the channel objects
    "slack_channels": {
        "label": chat_rules.CHAT_CHANNEL_LABEL,
        "team_id": chat_rules.SLACK_TEAM_ID,
        "channel_id": chat_rules.SLACK_CHANNEL_ID,
    },
    "teams_channels": {
        "label": chat_rules.CHAT_CHANNEL_LABEL,
        "tenant_id": chat_rules.TEAMS_GUID,
        "team_id": chat_rules.TEAMS_GUID,
        "channel_id": chat_rules.TEAMS_CHANNEL_ID,
    },
}


def _chat_validations(variable: str) -> tuple[Validation, ...]:
    """At most ``CHAT_CHANNELS_MAX`` channels, unique labels, every id in its platform's form (the
    words of ``chat_notifications.collect_channel_problems``)."""
    channels = f"var.{variable}"
    labels = f"[for c in {channels} : c.label]"
    per_attribute = tuple(
        Validation(
            f"length([for c in {channels} : c if {breaks(rule, f'c.{attribute}')}]) == 0",
            message(
                f"{variable} {attribute}",
                f"jsonencode([for c in {channels} : c.{attribute} if {breaks(rule, f'c.{attribute}')}])",
                rule.sentence,
            ),
            rule,
        )
        for attribute, rule in CHAT_PLATFORMS[variable].items()
    )
    return (
        Validation(holds(chat_rules.CHAT_CHANNEL_COUNT, channels),
                   template(f"{variable} has <count> channels: {chat_rules.CHAT_CHANNEL_COUNT.sentence}.",
                            count=f"length({channels})"), rule=chat_rules.CHAT_CHANNEL_COUNT),
        Validation(holds(chat_rules.CHAT_LABELS_UNIQUE, labels),
                   template(f"{variable} uses the label(s) <labels> {chat_rules.CHAT_LABELS_UNIQUE.sentence}.",
                            labels=f"jsonencode({labels})"), rule=chat_rules.CHAT_LABELS_UNIQUE),
        *per_attribute,
    )  # fmt: skip


def fleet_attribute(name: str, default: object = None) -> str:
    """``var.fleet_policy.<name>``, or ``default`` when fleet mode is off (null)."""
    return policy_attribute("fleet_policy", name, default)


def sweep_attribute(name: str, default: object = None) -> str:
    """``var.sweep_policy.<name>``, or ``default`` when sweep mode is off (null)."""
    return policy_attribute("sweep_policy", name, default)


def _mode_threshold_validations(variable: str) -> tuple[Validation, ...]:
    """A mode's (fleet, sweep) own thresholds: ratios, warning below critical when both are given, below
    AWS's pause level. Both thresholds given: a validation that read var.default_thresholds would not run
    while that variable is itself invalid; a threshold left null takes the (validated) default."""
    obj = f"var.{variable}"
    order = tuple(
        order_validation(
            f"{variable} {metric}",
            f"!try({warning_not_below_critical(obj, metric)}, false)",
            policy_attribute(variable, f"{metric}_warning"),
            policy_attribute(variable, f"{metric}_critical"),
        )
        for metric in METRICS
    )
    return (
        Validation(f"!{any_threshold_not_a_ratio(obj)}",
                   message(variable, f"jsonencode({obj})", rules.RATIO.sentence), rule=rules.RATIO),
        *order,
        *(Validation(f"!try({at_or_above_pause_level(f'{obj}.{name}', name)}, false)",
                     pause_level_message(f"{variable}.{name}", policy_attribute(variable, name), name),
                     rules.AWS_PAUSE_LEVEL)
          for name in rules.THRESHOLD_NAMES),
    )  # fmt: skip


def _fleet_validations() -> tuple[Validation, ...]:
    defaults = FleetPolicy()
    period, periods, datapoints = (
        fleet_attribute(name, getattr(defaults, name))
        for name in ("period_seconds", "evaluation_periods", "datapoints_to_alarm")
    )
    return (
        Validation(one_of_actions(fleet_attribute("action", defaults.action)),
                   message("fleet_policy.action", f"jsonencode({fleet_attribute('action')})", rules.ACTION.sentence), rule=rules.ACTION),
        *_mode_threshold_validations("fleet_policy"),
        Validation(holds(rules.FLEET_WINDOW, period, periods),
                   template(f"fleet_policy.period_seconds <period> x evaluation_periods <periods>: "
                            f"{rules.FLEET_WINDOW.sentence}.", period=period, periods=periods), rule=rules.FLEET_WINDOW),
        whole_number_validation("fleet_policy.evaluation_periods", periods, rules.FLEET_EVALUATION_PERIODS),
        whole_number_validation("fleet_policy.datapoints_to_alarm", datapoints, rules.FLEET_DATAPOINTS),
        Validation(holds(rules.DATAPOINTS_NOT_ABOVE_PERIODS, datapoints, periods),
                   message("fleet_policy.datapoints_to_alarm", datapoints,
                           rules.DATAPOINTS_NOT_ABOVE_PERIODS.sentence), rule=rules.DATAPOINTS_NOT_ABOVE_PERIODS),
        Validation(choice_holds_not_null(rules.FLEET_DELIVERY, fleet_attribute("delivery", defaults.delivery)),
                   message("fleet_policy.delivery", f"jsonencode({fleet_attribute('delivery')})",
                           rules.FLEET_DELIVERY.sentence), rule=rules.FLEET_DELIVERY),
    )  # fmt: skip


# The numbers sweep.window_problem names, as (text in its sentence, HCL marker): the sentence is the
# model's, each number becomes an interpolation of the consumer's values.
_WINDOW_SAMPLE = evaluation.AlarmRule(
    threshold=0.5, period_seconds=rules.ALARM_PERIOD_SECONDS_MAX, evaluation_periods=7
)  # a day's period over 7 periods: 18 days read, beyond the 2 weeks


def sweep_lookback_periods(periods: str) -> str:
    """HCL: the periods a sweep run reads (``sweep.lookback_periods``: twice the evaluation range of
    ``evaluation_periods`` + ``EXTRA_PERIODS_IN_RANGE`` periods)."""
    factor = sweep.lookback_periods(_WINDOW_SAMPLE) // _WINDOW_SAMPLE.range_periods
    return f"{factor} * ({periods} + {evaluation.EXTRA_PERIODS_IN_RANGE})"


def sweep_window_validation(subject: str, period: str, periods: str) -> Validation:
    """``sweep.window_problem`` at plan: what one run reads fits what a Metrics Insights query reads (2
    weeks), in the model's words with the consumer's numbers (the model declares no Rule for it: rule None)."""
    lookback = sweep_lookback_periods(periods)
    text = sweep.window_problem(_WINDOW_SAMPLE)
    assert text is not None, "the sample must break the window rule"
    sample_lookback = sweep.lookback_periods(_WINDOW_SAMPLE)
    for literal, marker in (
        (f"period {_WINDOW_SAMPLE.period_seconds} s", "period <period> s"),
        (f"x {sample_lookback} periods", "x <lookback> periods"),
        (f"= {sample_lookback * _WINDOW_SAMPLE.period_seconds} s:", "= <seconds> s:"),
    ):
        assert text.count(literal) == 1, f"sweep.window_problem no longer reads {literal!r}: {text}"
        text = text.replace(literal, marker)
    return Validation(
        f"{period} * {lookback} <= {rules.METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX}",
        template(f"{subject}: {text}.", period=period, lookback=lookback, seconds=f"{period} * {lookback}"),
    )


def _sweep_validations() -> tuple[Validation, ...]:
    """SweepPolicy.collect_problems at plan: action, thresholds, schedule, the alarm-like evaluation and
    the window one run reads (PutMetricAlarm's evaluation range is implied by that window: any period x
    evaluation periods beyond it reads more than 2 weeks)."""
    defaults = SweepPolicy()
    schedule, period, periods, datapoints = (
        sweep_attribute(name, getattr(defaults, name))
        for name in ("schedule_minutes", "period_seconds", "evaluation_periods", "datapoints_to_alarm")
    )
    return (
        Validation(one_of_actions(sweep_attribute("action", defaults.action)),
                   message("sweep_policy.action", f"jsonencode({sweep_attribute('action')})", rules.ACTION.sentence), rule=rules.ACTION),
        *_mode_threshold_validations("sweep_policy"),
        whole_number_validation("sweep_policy.schedule_minutes", schedule, rules.SWEEP_SCHEDULE_MINUTES),
        whole_number_validation("sweep_policy.period_seconds", period, rules.ALARM_PERIOD),
        step_validation("sweep_policy.period_seconds", period, rules.ALARM_PERIOD),
        whole_number_validation("sweep_policy.evaluation_periods", periods, rules.ALARM_EVALUATION_PERIODS),
        whole_number_validation("sweep_policy.datapoints_to_alarm", datapoints, rules.ALARM_DATAPOINTS),
        Validation(holds(rules.DATAPOINTS_NOT_ABOVE_PERIODS, datapoints, periods),
                   message("sweep_policy.datapoints_to_alarm", datapoints,
                           rules.DATAPOINTS_NOT_ABOVE_PERIODS.sentence), rule=rules.DATAPOINTS_NOT_ABOVE_PERIODS),
        sweep_window_validation("sweep_policy", period, periods),
    )  # fmt: skip


def _protected_set_validations() -> tuple[Validation, ...]:
    """ReputationGuardProps._collect_protected_set_problems at plan: names, no name twice, at most 25."""
    names = "var.protected_configuration_sets"
    # grouped by name (``...``): linear, where index() per item would be quadratic in a long (refused) list
    repeated = f"[for name, found in {{ for name in {names} : name => name... }} : name if length(found) > 1]"
    return (
        list_items_match("protected_configuration_sets", rules.CONFIGURATION_SET_NAME),
        Validation(f"length({repeated}) == 0",
                   template("protected_configuration_sets lists <names> more than once.", names=f"jsonencode({repeated})")),
        Validation(holds(rules.PROTECTED_SETS_COUNT, names),
                   template(f"protected_configuration_sets has <count> names: {rules.PROTECTED_SETS_COUNT.sentence}.",
                            count=f"length({names})"), rule=rules.PROTECTED_SETS_COUNT),
    )  # fmt: skip


def pause_scope_validations() -> tuple[Validation, ...]:
    """``var.pause_scope``: one of the scopes, and a name pattern with a literal (both modules)."""
    scope, shown = "var.pause_scope", "jsonencode(var.pause_scope)"
    return (
        Validation(holds(rules.PAUSE_SCOPE, scope), message("pause_scope", shown, rules.PAUSE_SCOPE.sentence), rule=rules.PAUSE_SCOPE),
        Validation(holds(rules.PAUSE_SCOPE_LITERAL, scope),
                   message("pause_scope", shown, rules.PAUSE_SCOPE_LITERAL.sentence), rule=rules.PAUSE_SCOPE_LITERAL),
    )  # fmt: skip


def variables() -> list[ModuleVariable]:
    return [
        ModuleVariable(
            "name_prefix", "string",
            "Prefix of every AWS name (alarms, topics, function, key alias): 2-32 lower-case letters, digits and "
            "'-', starting with a letter.",
            DEFAULT_PROPS.name_prefix,
            (pattern_validation("name_prefix", rules.NAME_PREFIX),),
        ),
        ModuleVariable(
            "default_thresholds", f"object({{ {thresholds_type(True)} }})",
            "Alarm thresholds (ratios 0-1, 0.05 = 5 %) for the account and every set without its own. Defaults: "
            "bounce 0.02 warning / 0.04 critical, complaint 0.0005 / 0.0008 (below AWS's 0.05 / 0.001 review).",
            {},
            threshold_validations("default_thresholds", "var.default_thresholds"),
        ),
        ModuleVariable(
            "account_policy",
            f"object({{ {optional_attributes(AccountPolicy(), enabled='bool', warning_alarms='bool')}, action = optional(string), "
            f"{thresholds_type(False)} }})",
            'Account-wide alarms (no dimension). action (required: "pause" or "notify"; null is refused, not read as '
            '"pause"): "pause" pauses the whole account on a critical alarm, "notify" only notifies. Thresholds left '
            "null use default_thresholds; a warning threshold must be below its critical one after defaults.",
            {"action": AccountPolicy().action},
            (
                Validation(one_of_actions("var.account_policy.action"),
                           message("account_policy.action", "jsonencode(var.account_policy.action)",
                                   rules.ACTION.sentence), rule=rules.ACTION),
                *threshold_validations("account_policy", "var.account_policy"),
            ),
        ),
        ModuleVariable(
            "configuration_sets",
            f"map(object({{ action = optional(string), {optional_attributes(ConfigurationSetPolicy(), managed='bool', warning_alarms='bool')}, "
            f"{thresholds_type(False)} }}))",
            f"Per-set policies keyed by configuration set name (at most {rules.MAX_CONFIGURATION_SETS:,}). managed = true creates the set "
            "with reputation metrics on; false guards an existing set (enable its reputation metrics yourself). "
            'action (required, null is refused): "pause" pauses only that set; "notify" never pauses it. Thresholds '
            "left null use default_thresholds.",
            {},
            _set_validations(),
        ),
        ModuleVariable(
            "pause_scope", "string",
            "Which configuration sets the function may pause. \"listed\" (default): one IAM ARN per set whose action "
            "is pause (about 85 sets fit the role's policy quota). \"tagged\": any set of this account and Region "
            "tagged ses-reputation-guard:guard = name_prefix and ses-reputation-guard:action = pause. "
            "\"name-pattern:<pattern>\": the sets whose names match (IAM wildcards * and ?), e.g. "
            "\"name-pattern:tenant-*\"; every pausing set must match. Notify-only sets are always denied.",
            DEFAULT_PROPS.pause_scope,
            pause_scope_validations(),
        ),
        ModuleVariable(
            "notification_emails", "list(string)",
            "Email addresses subscribed to the notification topic (each must confirm the subscription).",
            [],
            (list_items_match("notification_emails", rules.EMAIL),),
        ),
        ModuleVariable(
            "notification_phone_numbers", "list(string)",
            "Phone numbers in E.164 form (+15555550100) that receive SMS notifications.",
            [],
            (list_items_match("notification_phone_numbers", rules.E164_PHONE_NUMBER),),
        ),
        ModuleVariable(
            "dry_run", "bool",
            "true: the function decides, logs and reports what it would pause, but never pauses.",
            DEFAULT_PROPS.dry_run,
        ),
        ModuleVariable(
            "alarm_settings",
            f"object({{ {optional_attributes(AlarmSettings(), period_seconds='number', evaluation_periods='number', datapoints_to_alarm='number', statistic='string')} }})",
            "Evaluation of every reputation alarm: period (seconds, multiple of 60), evaluation periods, "
            "datapoints to alarm and statistic (Maximum, Average or Minimum).",
            {},
            _alarm_settings_validations(),
        ),
        ModuleVariable(
            "log_retention_days", "number",
            "Retention of the function's log group, days (a CloudWatch Logs value).",
            DEFAULT_PROPS.log_retention_days,
            (Validation(holds(rules.LOG_RETENTION, "var.log_retention_days"),
                        message("log_retention_days", "var.log_retention_days", rules.LOG_RETENTION.sentence), rule=rules.LOG_RETENTION),),
        ),
        ModuleVariable(
            "reserved_concurrency", "number",
            "Reserved concurrent executions of the pause function, 1-100, or -1 for no reservation (needed in "
            "accounts whose Lambda concurrency quota is still 10).",
            DEFAULT_PROPS.reserved_concurrency,
            (whole_number_validation("reserved_concurrency", "var.reserved_concurrency", rules.RESERVED_CONCURRENCY),),
        ),
        ModuleVariable(
            "tags", "map(string)",
            f"Tags on every taggable resource (at most {rules.USER_TAGS_MAX}: every alarm also carries the guard's "
            f"own {rules.GUARD_TAGS_PER_ALARM}).",
            {},
            tag_validations(),
        ),
        ModuleVariable(
            "dashboard", "bool",
            "true: one CloudWatch dashboard <name_prefix>-<region>-reputation (rates against the thresholds, worst "
            "sets, alarm states, the function's health, how to resume); false opts out.",
            DEFAULT_PROPS.dashboard,
        ),
        ModuleVariable(
            "slack_channels", "list(object({ label = string, team_id = string, channel_id = string }))",
            f"Slack channels (at most {chat_rules.CHAT_CHANNELS_MAX}) that get the notification topic through AWS chat "
            "integration; authorize the workspace once in the AWS chat console. label names the configuration.",
            [],
            _chat_validations("slack_channels"),
        ),
        ModuleVariable(
            "teams_channels",
            "list(object({ label = string, tenant_id = string, team_id = string, channel_id = string }))",
            f"Microsoft Teams channels (at most {chat_rules.CHAT_CHANNELS_MAX}), likewise; channel_id URL-encoded as in "
            "the channel's link (19%3a...%40thread.tacv2).",
            [],
            _chat_validations("teams_channels"),
        ),
        ModuleVariable(
            "fleet_policy",
            f"object({{ {optional_attributes(FleetPolicy(), action='string', warning_alarms='bool', period_seconds='number', evaluation_periods='number', datapoints_to_alarm='number', exclude_explicit_sets='bool', delivery='string')}, {thresholds_type(False)} }})",
            "Fleet mode: Metrics Insights alarms over every configuration set of the Region, present and future "
            "(sets in configuration_sets are judged only by their own alarms). null (default) = off. action "
            "\"pause\" pauses the set that crossed a critical threshold; thresholds left null use "
            "default_thresholds; period_seconds a multiple of 60, x evaluation_periods at most 10800. delivery: how "
            "a set's alarm change reaches the function, \"eventbridge\" (default: an EventBridge rule on the "
            "documented \"CloudWatch Alarm Contributor State Change\" events of the guard's critical fleet alarms), "
            "\"sns\" (the alarms' action on the pause topic) or \"alarm-action\" (the critical alarms invoke the "
            "function directly).",
            None,
            _fleet_validations(),
            nullable=True,
        ),
        ModuleVariable(
            "sweep_policy",
            f"object({{ {optional_attributes(SweepPolicy(), action='string', warning_notices='bool', schedule_minutes='number', period_seconds='number', evaluation_periods='number', datapoints_to_alarm='number', evaluate_account='bool')}, {thresholds_type(False)} }})",
            f"Sweep mode: every schedule_minutes (default {rules.SWEEP_SCHEDULE_MINUTES_DEFAULT}, "
            f"{rules.SWEEP_SCHEDULE_MINUTES.minimum}-{rules.SWEEP_SCHEDULE_MINUTES.maximum}) the function reads the "
            "reputation rates of every configuration set of the Region with two Metrics Insights queries (no "
            "alarms) and judges each set without its own policy (sets in configuration_sets are judged only by "
            "their own alarms). null (default) = off. action \"pause\" (default) pauses a set in critical breach, "
            "never the account; \"notify\" only notifies. Thresholds (ratios 0-1, 0.05 = 5 %) left null use "
            "default_thresholds. As for an alarm: period_seconds (default 3600, "
            f"{rules.ALARM_PERIOD.minimum}-{rules.ALARM_PERIOD.maximum}, a multiple of {rules.ALARM_PERIOD.step}), "
            f"evaluation_periods N (default 1, {rules.ALARM_EVALUATION_PERIODS.minimum}-"
            f"{rules.ALARM_EVALUATION_PERIODS.maximum}) and datapoints_to_alarm M (default 1, at most N); a run reads "
            f"period_seconds x 2 x (N + {evaluation.EXTRA_PERIODS_IN_RANGE}) seconds, at most "
            f"{rules.METRICS_INSIGHTS_QUERY_RANGE_SECONDS_MAX} (2 weeks). warning_notices (default true): a warning "
            "breach notifies once per episode. evaluate_account (default true): the run also judges the "
            "account-wide rates by account_policy (then account_policy.enabled = false needs no account alarm).",
            None,
            _sweep_validations(),
            nullable=True,
        ),
        hub_variable.variable(),
        ModuleVariable(
            "protected_configuration_sets", "list(string)",
            f"Configuration sets never paused by any path (per-set alarms, fleet, sweep), whatever the evidence: "
            f"at most {rules.PROTECTED_SETS_MAX} names (they travel in the function's environment). Per-set "
            "policies with action \"notify\" and the SES tag ses-reputation-guard:action = notify protect any "
            "number of sets.",
            [],
            _protected_set_validations(),
        ),
        ModuleVariable(
            rules.REVIEW_LEVEL_ACKNOWLEDGEMENT, "bool",
            "true: thresholds (in default_thresholds, account_policy, configuration_sets, fleet_policy or "
            "sweep_policy) at or above "
            "AWS's review level (bounce 0.05 = 5 %, complaint 0.001 = 0.1 %) are accepted, for a guard meant to act "
            "only after AWS has put the account under review. false (default): such a threshold fails the plan "
            "(it is usually a percentage written for a ratio). At or above AWS's pause level (bounce 0.1, complaint "
            "0.005) a threshold always fails the plan.",
            DEFAULT_PROPS.allow_thresholds_at_or_above_aws_review_level,
        ),
        ModuleVariable(
            rules.NO_NOTIFICATION_TARGETS_OPT_OUT, "bool",
            "true: the guard may have no notification target (notification_emails, notification_phone_numbers, "
            "slack_channels and teams_channels all empty), for people who subscribe to the notification topic "
            "(output notification_topic_arn) some other way. false (default): such a guard fails the plan, since "
            "nobody would hear of a warning, a pause or the guard failing.",
            DEFAULT_PROPS.allow_no_notification_targets,
        ),
    ]  # fmt: skip


def normalizing_locals() -> str:
    """Defaults resolved once, in the same record shape the stacks ship as JSON."""
    thresholds = "\n".join(f"      {n} = coalesce(s.{n}, var.default_thresholds.{n})" for n in rules.THRESHOLD_NAMES)
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


def fleet_local_attributes() -> dict[str, str]:
    """``local.fleet_policy`` (HCL expressions by attribute): the fleet variable with defaults applied,
    defined when fleet mode is off too (``enabled = false``; action ``notify``, so the function's pause
    scope never widens)."""
    defaults = FleetPolicy()
    return {
        "enabled": "var.fleet_policy != null",
        "action": fleet_attribute("action", contract.ACTION_NOTIFY),
        "warning_alarms": fleet_attribute("warning_alarms", False),
        "thresholds": _resolved_thresholds("fleet_policy"),
        **{name: fleet_attribute(name, getattr(defaults, name))
           for name in ("period_seconds", "evaluation_periods", "datapoints_to_alarm", "exclude_explicit_sets",
                        "delivery")},
    }  # fmt: skip


def sweep_local_attributes() -> dict[str, str]:
    """``local.sweep_policy``: the sweep variable with defaults applied, defined when sweep mode is off too
    (``enabled = false``; action ``notify``, no warning notices, no account evaluation: nothing it could
    widen or send)."""
    defaults = SweepPolicy()
    return {
        "enabled": "var.sweep_policy != null",
        "action": sweep_attribute("action", contract.ACTION_NOTIFY),
        "warning_notices": sweep_attribute("warning_notices", False),
        "evaluate_account": sweep_attribute("evaluate_account", False),
        "thresholds": _resolved_thresholds("sweep_policy"),
        **{name: sweep_attribute(name, getattr(defaults, name))
           for name in ("schedule_minutes", "period_seconds", "evaluation_periods", "datapoints_to_alarm")},
    }  # fmt: skip


def _resolved_thresholds(variable: str) -> str:
    """Each threshold of the mode's variable, or the default thresholds' where null (or the mode is off)."""
    return (
        f"{{ for k in {hcl_list(rules.THRESHOLD_NAMES)} : "
        f"k => coalesce(try(var.{variable}[k], null), var.default_thresholds[k]) }}"
    )
