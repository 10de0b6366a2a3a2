"""secure_entries: one SecureString parameter per map entry under one path, with the guard's key and tags."""

from __future__ import annotations

from ses_reputation_guard._cdktf import Fn, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.secure_entries import secure_entries
from tests.constructs.support import CONTEXT, KEY_ARN, TAGS, resources, synthesized


def test_one_block_renders_a_parameter_per_key_under_the_path_encrypted_and_tagged(stack):
    entries = {"alpha": {"action": "pause"}, "beta": {"action": "notify"}}
    block = secure_entries(
        stack,
        CONTEXT,
        "entries",
        entries=entries,
        path="/guard/policy/things/",
        value=lambda iterator: Fn.jsonencode(iterator.value),
        description="one thing's entry",
        kms_key_arn=KEY_ARN,
        component="thing",
    )
    [(address, parameter)] = resources(synthesized(stack), "aws_ssm_parameter").items()
    assert address == CONTEXT.address("entries") and block is not None
    assert parameter["for_each"] == entries
    assert parameter["name"] == "/guard/policy/things/${each.key}"
    assert parameter["value"] == "${jsonencode(each.value)}"
    assert (parameter["type"], parameter["key_id"], parameter["description"]) == (
        "SecureString",
        KEY_ARN,
        "one thing's entry",
    )
    assert parameter["tags"] == {**TAGS, COMPONENT_TAG: "thing"}


def test_a_map_known_only_to_terraform_stays_one_block_over_the_expression(stack):
    secure_entries(
        stack,
        CONTEXT,
        "entries",
        entries=Token.as_any_map("${local.things}"),
        path="/guard/policy/things/",
        value=lambda iterator: Token.as_string(iterator.value),
        description="one thing's entry",
        kms_key_arn=KEY_ARN,
        component="thing",
    )
    [parameter] = resources(synthesized(stack), "aws_ssm_parameter").values()
    assert parameter["for_each"] == "${local.things}" and parameter["value"] == "${each.value}"
