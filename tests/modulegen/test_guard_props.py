"""guard_props: the guard's props for the module are references to its variables and locals."""

from __future__ import annotations

import pytest

from ses_guard_modulegen import hub_variable
from ses_guard_modulegen.guard_props import (
    FLEET_LOCAL,
    HUB_LOCAL,
    SWEEP_LOCAL,
    fleet_props,
    hub_props,
    module_props,
    sweep_props,
)
from ses_guard_modulegen.variables import fleet_local_attributes, sweep_local_attributes, variables
from ses_guard_policy import rules
from ses_reputation_guard._cdktf import App, TerraformStack, cdktf
from ses_reputation_guard.expressions import TerraformExpression


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    return TerraformStack(App(outdir=str(tmp_path_factory.mktemp("props"))), "props")


@pytest.fixture(scope="module")
def props(stack):
    return module_props(stack)


@pytest.fixture(scope="module")
def resolve(stack):
    def resolve(value):
        resolver = cdktf.DefaultTokenResolver(cdktf.StringConcat())
        return cdktf.Tokenization.resolve(value, scope=stack, preparing=False, resolver=resolver)

    return resolve


@pytest.mark.parametrize(
    "name",
    [
        "name_prefix",
        "notification_emails",
        "notification_phone_numbers",
        "dry_run",
        "log_retention_days",
        "reserved_concurrency",
        "tags",
        "pause_scope",
        "dashboard",
    ],
)
def test_a_scalar_prop_is_the_variable_of_the_same_name(props, resolve, name):
    assert resolve(getattr(props, name)) == f"${{var.{name}}}"


def test_nested_props_look_up_attributes_of_their_object_variable(props, resolve):
    assert resolve(props.account_policy.action) == "${var.account_policy.action}"
    assert resolve(props.account_policy.enabled) == "${var.account_policy.enabled}"
    assert resolve(props.alarm_settings.period_seconds) == "${var.alarm_settings.period_seconds}"
    assert resolve(props.alarm_settings.statistic) == "${var.alarm_settings.statistic}"
    assert resolve(props.default_thresholds.bounce_critical) == "${var.default_thresholds.bounce_critical}"


def test_an_account_threshold_left_null_falls_back_to_the_default_thresholds(props, resolve):
    for name in rules.THRESHOLD_NAMES:
        expected = f"${{coalesce(var.account_policy.{name}, var.default_thresholds.{name})}}"
        assert resolve(getattr(props.account_policy.thresholds, name)) == expected


def test_whole_terraform_expressions_name_the_normalizing_locals_and_chat_variables(props):
    assert props.configuration_sets == TerraformExpression("local.configuration_sets")
    assert props.function_package == TerraformExpression("local.function_package_path")
    assert props.slack_channels == TerraformExpression("var.slack_channels")
    assert props.teams_channels == TerraformExpression("var.teams_channels")


def test_the_fleet_policy_reads_the_fleet_local(props, resolve):
    fleet = props.fleet_policy
    assert resolve(fleet.action) == "${local.fleet_policy.action}"
    assert resolve(fleet.enabled) == "${local.fleet_policy.enabled}"
    assert resolve(fleet.period_seconds) == "${local.fleet_policy.period_seconds}"
    assert resolve(fleet.thresholds.complaint_warning) == "${local.fleet_policy.thresholds.complaint_warning}"
    assert fleet.exclude_explicit_sets == TerraformExpression("local.fleet_policy.exclude_explicit_sets")
    assert resolve(fleet.delivery) == "${local.fleet_policy.delivery}"


def test_the_sweep_policy_reads_the_sweep_local(props, resolve):
    policy = props.sweep_policy
    for name in ("action", "enabled", "warning_notices", "evaluate_account", "schedule_minutes", "period_seconds",
                 "evaluation_periods", "datapoints_to_alarm"):  # fmt: skip
        assert resolve(getattr(policy, name)) == f"${{local.sweep_policy.{name}}}", name
    for name in rules.THRESHOLD_NAMES:
        assert resolve(getattr(policy.thresholds, name)) == f"${{local.sweep_policy.thresholds.{name}}}"


def test_the_hub_policy_reads_the_hub_local(props, resolve):
    policy = props.hub_policy
    assert resolve(policy.enabled) == "${local.hub_policy.enabled}"
    assert resolve(policy.include_hub) == "${local.hub_policy.include_hub}"
    assert policy.members == TerraformExpression("local.hub_policy.member_documents")


def test_the_protected_sets_are_the_variable(props, resolve):
    assert resolve(props.protected_configuration_sets) == "${var.protected_configuration_sets}"


def test_the_module_never_allows_deleting_a_configuration_set(props):
    assert props.allow_configuration_set_deletion is False


def test_every_module_variable_and_the_fleet_local_are_declared_in_the_stack(stack, props):
    config = stack.to_terraform()
    assert sorted(config["variable"]) == sorted(v.name for v in variables())
    assert config["locals"][FLEET_LOCAL] == {name: f"${{{value}}}" for name, value in fleet_local_attributes().items()}
    assert config["locals"][SWEEP_LOCAL] == {name: f"${{{value}}}" for name, value in sweep_local_attributes().items()}
    hub_local = {name: f"${{{value}}}" for name, value in hub_variable.local_attributes().items()}
    assert config["locals"][HUB_LOCAL] == hub_local


def test_fleet_props_alone_define_the_local_under_its_own_name(tmp_path):
    stack = TerraformStack(App(outdir=str(tmp_path)), "fleet")
    fleet_props(stack)
    assert list(stack.to_terraform()["locals"]) == ["fleet_policy"]


def test_sweep_props_alone_define_the_local_under_its_own_name(tmp_path):
    stack = TerraformStack(App(outdir=str(tmp_path)), "sweep")
    sweep_props(stack)
    assert list(stack.to_terraform()["locals"]) == ["sweep_policy"]


def test_hub_props_alone_define_the_local_under_its_own_name(tmp_path):
    stack = TerraformStack(App(outdir=str(tmp_path)), "hub")
    hub_props(stack)
    assert list(stack.to_terraform()["locals"]) == ["hub_policy"]
