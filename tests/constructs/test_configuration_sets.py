"""ManagedConfigurationSets: sets created with reputation metrics on, whose pause survives apply."""

from __future__ import annotations

from ses_guard_policy import contract
from ses_reputation_guard.configuration_sets import ManagedConfigurationSets, ManagedConfigurationSetsProps
from ses_reputation_guard.expressions import TerraformExpression
from tests.constructs.support import CONTEXT, guard_tags, resources, synthesized


def managed_sets(stack, **props) -> dict:
    ManagedConfigurationSets(
        stack,
        "sets",
        CONTEXT,
        ManagedConfigurationSetsProps(managed_sets=TerraformExpression("local.managed"), **props),
    )
    return resources(synthesized(stack), "aws_sesv2_configuration_set")["guard_configuration_sets"]


def test_one_block_creates_every_managed_set_keyed_by_name_with_reputation_metrics_on(stack):
    sets = managed_sets(stack)
    assert sets["for_each"] == "${local.managed}"
    assert sets["configuration_set_name"] == "${each.key}"
    assert sets["reputation_options"] == {"reputation_metrics_enabled": True}


def test_a_pause_by_the_function_survives_the_next_apply(stack):
    sets = managed_sets(stack)
    assert sets["lifecycle"]["ignore_changes"] == [
        "sending_options",
        'tags["ses-reputation-guard:paused-by"]',  # the function tags what it pauses (ses-guard status)
        'tags["ses-reputation-guard:paused-at"]',
    ]
    assert "sending_options" not in sets


def test_no_plan_deletes_a_managed_set_unless_deletion_was_allowed(stack):
    assert managed_sets(stack)["lifecycle"]["prevent_destroy"] is True


def test_allowing_deletion_lifts_the_protection_for_that_deployment(stack):
    lifecycle = managed_sets(stack, allow_deletion=True)["lifecycle"]
    assert lifecycle["prevent_destroy"] is False and lifecycle["ignore_changes"][0] == "sending_options"


def test_sets_carry_their_guard_and_action_so_iam_can_refuse_to_pause_notify_only_sets(stack):
    assert managed_sets(stack)["tags"] == guard_tags({contract.TAG_ACTION: "${each.value.action}"})
