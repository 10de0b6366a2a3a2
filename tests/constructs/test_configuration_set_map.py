"""ConfigurationSetMap: locals that filter the normalized set map for the per-set resources."""

from __future__ import annotations

from ses_reputation_guard.configuration_set_map import (
    SET_ARN_WILDCARD_THRESHOLD,
    ConfigurationSetMap,
    ConfigurationSetMapProps,
)
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


def test_pausing_sets_are_listed_by_arn_of_this_account_and_region(stack):
    ConfigurationSetMap(stack, "set_map", CONTEXT, ConfigurationSetMapProps(sets=SETS))
    views = synthesized(stack)["locals"]
    assert views["guard_configuration_set_arn_prefix"] == f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/"
    assert views["guard_pausing_set_arns"] == (
        f"${{length(local.guard_pausing_set_names) > {SET_ARN_WILDCARD_THRESHOLD} ? "
        '["${local.guard_configuration_set_arn_prefix}*"] : '
        '[for name in local.guard_pausing_set_names : "${local.guard_configuration_set_arn_prefix}${name}"]}'
    )
