"""The seam between the generated module and the constructs: ``ReputationGuardProps`` of references.

The module is the same ``ReputationGuard`` the stacks use, built with props whose every value
references the module's variables (``var.account_policy.enabled``...) or its normalizing locals
(``local.configuration_sets``: the set map with defaults applied; ``local.function_package_path``).
Synth-time validation skips those references; the module's ``validation`` blocks check them at plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from ses_guard_modulegen import hub_variable
from ses_guard_modulegen.variables import fleet_local_attributes, sweep_local_attributes, variables
from ses_guard_policy import rules
from ses_reputation_guard._cdktf import Construct, Fn, TerraformLocal, TerraformVariable, Token
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.hub_policy import HubPolicy
from ses_reputation_guard.policy import AccountPolicy, ReputationThresholds
from ses_reputation_guard.reputation_guard import ReputationGuardProps
from ses_reputation_guard.sweep_policy import SweepPolicy

SETS_LOCAL = TerraformExpression("local.configuration_sets")
PACKAGE_LOCAL = TerraformExpression("local.function_package_path")
FLEET_LOCAL = "fleet_policy"
SWEEP_LOCAL = "sweep_policy"
HUB_LOCAL = "hub_policy"


def _mode_local(scope: Construct, name: str, attributes: dict[str, str]) -> Callable[..., Any]:
    """``local.<name>`` holding ``attributes`` (HCL by attribute); returns a lookup of its paths."""
    local = TerraformLocal(
        scope, f"{name}_local", expression={key: f"${{{value}}}" for key, value in attributes.items()}
    )
    local.override_logical_id(name)

    def ref(*path: str) -> Any:
        return Fn.lookup_nested(local.as_any_map, list(path))

    return ref


def _thresholds(ref: Callable[..., Any]) -> ReputationThresholds:
    return ReputationThresholds(**{name: Token.as_number(ref("thresholds", name)) for name in rules.THRESHOLD_NAMES})


def fleet_props(scope: Construct) -> FleetPolicy:
    """The fleet policy as references to ``local.fleet_policy`` (the variable with defaults applied,
    ``variables.fleet_local_attributes``): always a policy, its alarms counted by ``enabled``
    (``var.fleet_policy != null``); when off its action is ``notify``, so the function's pause scope
    stays the per-set one."""
    ref = _mode_local(scope, FLEET_LOCAL, fleet_local_attributes())
    return FleetPolicy(
        action=Token.as_string(ref("action")),  # type: ignore[arg-type]
        thresholds=_thresholds(ref),
        warning_alarms=Token.as_any(ref("warning_alarms")),
        period_seconds=cast(int, Token.as_number(ref("period_seconds"))),
        evaluation_periods=cast(int, Token.as_number(ref("evaluation_periods"))),
        datapoints_to_alarm=cast(int, Token.as_number(ref("datapoints_to_alarm"))),
        exclude_explicit_sets=TerraformExpression(f"local.{FLEET_LOCAL}.exclude_explicit_sets"),
        enabled=Token.as_any(ref("enabled")),
        delivery=Token.as_string(ref("delivery")),
    )


def sweep_props(scope: Construct) -> SweepPolicy:
    """The sweep policy as references to ``local.sweep_policy`` (``variables.sweep_local_attributes``):
    always a policy, scheduled by ``enabled`` (``var.sweep_policy != null``), as ``fleet_props``; when off
    its action is ``notify``."""
    ref = _mode_local(scope, SWEEP_LOCAL, sweep_local_attributes())
    return SweepPolicy(
        action=Token.as_string(ref("action")),  # type: ignore[arg-type]
        thresholds=_thresholds(ref),
        warning_notices=Token.as_any(ref("warning_notices")),
        schedule_minutes=cast(int, Token.as_number(ref("schedule_minutes"))),
        period_seconds=cast(int, Token.as_number(ref("period_seconds"))),
        evaluation_periods=cast(int, Token.as_number(ref("evaluation_periods"))),
        datapoints_to_alarm=cast(int, Token.as_number(ref("datapoints_to_alarm"))),
        evaluate_account=Token.as_any(ref("evaluate_account")),
        enabled=Token.as_any(ref("enabled")),
    )


def hub_props(scope: Construct) -> HubPolicy:
    """The hub policy as references to ``local.hub_policy`` (``hub_variable.local_attributes``): always a
    policy, on when ``enabled`` (``var.hub_policy != null``); its members the map account id => entry (JSON
    text), empty when off, which the constructs iterate over at plan."""
    ref = _mode_local(scope, HUB_LOCAL, hub_variable.local_attributes())
    return HubPolicy(
        members=TerraformExpression(f"local.{HUB_LOCAL}.member_documents"),
        member_thresholds=TerraformExpression(f"local.{HUB_LOCAL}.member_thresholds"),
        include_hub=Token.as_any(ref("include_hub")),
        enabled=Token.as_any(ref("enabled")),
    )


def module_props(scope: Construct) -> ReputationGuardProps:
    """Props whose values are the module's variables and locals.

    The ``TerraformVariable`` objects exist only so cdktf renders proper references
    (``var.account_policy.enabled``); their blocks are replaced by ``variables()`` in the output.
    """
    refs = {v.name: TerraformVariable(scope, v.name, type="any") for v in variables()}

    def attr(variable: str, *path: str) -> Any:
        value = refs[variable].value
        return Fn.lookup_nested(value, list(path)) if path else value

    def threshold(name: str) -> Any:
        # An account threshold left null falls back to the default thresholds.
        return Token.as_number(Fn.coalesce([attr("account_policy", name), attr("default_thresholds", name)]))

    def whole_number(variable: str, *path: str) -> int:
        # A number token is a float at runtime; the prop's type says what Terraform will see.
        return cast(int, Token.as_number(attr(variable, *path)))

    account_thresholds = {name: threshold(name) for name in rules.THRESHOLD_NAMES}
    defaults = {name: Token.as_number(attr("default_thresholds", name)) for name in rules.THRESHOLD_NAMES}
    return ReputationGuardProps(
        name_prefix=Token.as_string(attr("name_prefix")),
        default_thresholds=ReputationThresholds(**defaults),
        account_policy=AccountPolicy(
            enabled=Token.as_any(attr("account_policy", "enabled")),
            action=Token.as_string(attr("account_policy", "action")),  # type: ignore[arg-type]
            warning_alarms=Token.as_any(attr("account_policy", "warning_alarms")),
            thresholds=ReputationThresholds(**account_thresholds),
        ),
        configuration_sets=SETS_LOCAL,
        notification_emails=Token.as_list(attr("notification_emails")),
        notification_phone_numbers=Token.as_list(attr("notification_phone_numbers")),
        dry_run=Token.as_any(attr("dry_run")),
        alarm_settings=AlarmSettings(
            period_seconds=whole_number("alarm_settings", "period_seconds"),
            evaluation_periods=whole_number("alarm_settings", "evaluation_periods"),
            datapoints_to_alarm=whole_number("alarm_settings", "datapoints_to_alarm"),
            statistic=Token.as_string(attr("alarm_settings", "statistic")),
        ),
        log_retention_days=whole_number("log_retention_days"),
        reserved_concurrency=whole_number("reserved_concurrency"),
        tags=Token.as_string_map(attr("tags")),
        function_package=PACKAGE_LOCAL,
        pause_scope=Token.as_string(attr("pause_scope")),
        dashboard=Token.as_any(attr("dashboard")),
        slack_channels=TerraformExpression("var.slack_channels"),
        teams_channels=TerraformExpression("var.teams_channels"),
        fleet_policy=fleet_props(scope),
        sweep_policy=sweep_props(scope),
        hub_policy=hub_props(scope),
        protected_configuration_sets=Token.as_list(attr("protected_configuration_sets")),
        allow_thresholds_at_or_above_aws_review_level=Token.as_any(attr(rules.REVIEW_LEVEL_ACKNOWLEDGEMENT)),
        allow_no_notification_targets=Token.as_any(attr(rules.NO_NOTIFICATION_TARGETS_OPT_OUT)),
        # prevent_destroy is static in Terraform: the module always protects the sets it manages
        # (retire one with `terraform state rm`, see ses_reputation_guard.configuration_sets).
        allow_configuration_set_deletion=False,
    )
