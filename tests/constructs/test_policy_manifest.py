"""PolicyManifest: the guard's policy for the function, and one SSM parameter per configuration set."""

from __future__ import annotations

from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.policy_manifest import PolicyManifest, PolicyManifestProps
from tests.constructs.support import CONTEXT, KEY_ARN, TAGS, resources, synthesized


def test_the_set_parameters_are_tagged_with_what_they_are_so_their_tags_are_never_empty(stack):
    # Empty tags are null in the state after create and {} after the refresh: "changed outside of
    # Terraform" on the first plan after the apply (tests/module/test_module_no_drift.py).
    sets = TerraformExpression("local.sets")
    PolicyManifest(stack, "manifest", CONTEXT, PolicyManifestProps({"format": 1}, kms_key_arn=KEY_ARN, sets=sets))
    parameters = resources(synthesized(stack), "aws_ssm_parameter")["guard_set_policies"]
    assert parameters["for_each"] == "${local.sets}"
    assert parameters["tags"] == {**TAGS, COMPONENT_TAG: "set-policy"}
