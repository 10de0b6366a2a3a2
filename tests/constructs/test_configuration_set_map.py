"""ConfigurationSetMap: locals that filter the normalized set map for the per-set resources."""

from __future__ import annotations

from ses_guard_policy import limits, rules
from ses_reputation_guard.configuration_set_map import ConfigurationSetMap, ConfigurationSetMapProps
from ses_reputation_guard.expressions import TerraformExpression
from tests.constructs.support import ACCOUNT, CONTEXT, REGION, synthesized

SETS = TerraformExpression("local.sets")


def test_views_are_locals_named_after_the_guard(stack):
    views = ConfigurationSetMap(stack, "set_map", CONTEXT, ConfigurationSetMapProps(sets=SETS))
    assert views.all == SETS
    assert (views.warning.text, views.managed.text) == ("local.guard_warning_sets", "local.guard_managed_sets")
    assert views.pausing_names.text == "local.guard_pausing_set_names"
    assert views.pausing_arns.text == "local.guard_pausing_set_arns"


def test_warning_managed_and_pausing_views_filter_the_map_by_each_sets_policy(stack):
    ConfigurationSetMap(stack, "set_map", CONTEXT, ConfigurationSetMapProps(sets=SETS))
    views = synthesized(stack)["locals"]
    assert views["guard_warning_sets"] == "${{for name, s in local.sets : name => s if s.warning_alarms}}"
    assert views["guard_managed_sets"] == "${{for name, s in local.sets : name => s if s.managed}}"
    assert views["guard_pausing_set_names"] == '${[for name, s in local.sets : name if s.action == "pause"]}'


def test_pausing_sets_are_listed_by_arn_of_this_account_and_region_however_many(stack):
    views = ConfigurationSetMap(stack, "set_map", CONTEXT, ConfigurationSetMapProps(sets=SETS))
    assert (views.notify_only_arns_in_scope, views.checks) == (None, [])
    locals_ = synthesized(stack)["locals"]
    assert locals_["guard_configuration_set_arn_prefix"] == f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/"
    # never widened to every set of the Region: the size limit is checked instead
    assert locals_["guard_pausing_set_arns"] == (
        '${[for name in local.guard_pausing_set_names : "${local.guard_configuration_set_arn_prefix}${name}"]}'
    )


def test_a_name_pattern_lists_the_notify_only_sets_it_covers(stack):
    props = ConfigurationSetMapProps(sets=SETS, pause_scope="name-pattern:tenant-*")
    views = ConfigurationSetMap(stack, "set_map", CONTEXT, props)
    assert views.notify_only_arns_in_scope is not None
    locals_ = synthesized(stack)["locals"]
    assert locals_["guard_notify_only_set_names_in_scope"] == (
        '${[for name, s in local.sets : name if s.action == "notify" && can(regex("^tenant-.*$", name))]}'
    )
    assert locals_["guard_notify_only_set_arns_in_scope"] == (
        "${[for name in local.guard_notify_only_set_names_in_scope : "
        '"${local.guard_configuration_set_arn_prefix}${name}"]}'
    )


def test_sets_known_only_at_plan_time_are_checked_against_the_listed_budget(stack):
    views = ConfigurationSetMap(stack, "set_map", CONTEXT, ConfigurationSetMapProps(sets=SETS, check_at_plan=True))
    [budget] = views.checks
    assert budget.condition == (
        '${length(join("", local.guard_pausing_set_names)) + 69 * length(local.guard_pausing_set_names) '
        f"<= {limits.SET_ARNS_CHARS_MAX}}}"
    )
    assert budget.error_message.endswith(f"{limits.SET_ARNS_BUDGET_RULE}.")


def test_a_scope_known_only_at_plan_time_gets_every_check_guarded_by_its_kind(stack):
    scope = TerraformExpression("local.guard_pause_scope")
    props = ConfigurationSetMapProps(sets=SETS, pause_scope=scope, check_at_plan=True)
    views = ConfigurationSetMap(stack, "set_map", CONTEXT, props)
    budget, coverage, denied = views.checks
    assert budget.condition.startswith('${!(local.guard_pause_scope == "listed") || (')
    assert coverage.condition.startswith('${!(startswith(local.guard_pause_scope, "name-pattern:")) || (length(')
    assert rules.PAUSE_SCOPE_COVERAGE_RULE in coverage.error_message
    assert "notify-only sets, denied by name" in denied.error_message
    denied_names = synthesized(stack)["locals"]["guard_notify_only_set_names_in_scope"]
    assert denied_names.startswith('${startswith(local.guard_pause_scope, "name-pattern:") ? [for name, s in')
