"""hcl: the post-processing of cdktf's HCL (cdktf 0.21 workarounds), on small strings."""

from __future__ import annotations

import subprocess

import pytest

from ses_guard_modulegen import hcl
from ses_guard_modulegen.hcl import (
    HclBlock,
    blockify_conditions,
    clean_block,
    closing_bracket,
    escape_prose_quotes,
    split_blocks,
    string_end,
    terraform_block,
    unquote_ignore_changes,
    unwrap_interpolations,
)


@pytest.mark.parametrize(
    ("text", "unwrapped"),
    [
        pytest.param('a = "${var.x}"', "a = var.x", id="a whole string interpolation becomes a plain expression"),
        pytest.param(
            'b = "pre-${var.y}"', 'b = "pre-${var.y}"', id="a string with text around its interpolation stays a string"
        ),
        pytest.param(
            'd = "${var.a}-${var.b}"', 'd = "${var.a}-${var.b}"', id="a string of two interpolations stays a string"
        ),
        pytest.param(
            'c = ["${"${local.z}"}"]', "c = [local.z]", id="nested whole string interpolations unwrap recursively"
        ),
        pytest.param('# "${var.x}"\na = "${var.x}"', '# "${var.x}"\na = var.x', id="comments are left as written"),
    ],
)
def test_unwrap_interpolations_turns_only_whole_string_interpolations_into_expressions(text, unwrapped):
    assert unwrap_interpolations(text) == unwrapped


def test_quoted_references_in_ignore_changes_and_depends_on_are_unquoted():
    text = 'ignore_changes = ["sending_options", "tags"]\ndepends_on = ["aws_x.y"]\nother = ["keep"]'
    assert unquote_ignore_changes(text) == (
        'ignore_changes = [sending_options, tags]\ndepends_on = [aws_x.y]\nother = ["keep"]'
    )


def test_an_ignored_map_key_keeps_its_quotes_inside_the_reference():
    text = 'ignore_changes = [\n"sending_options",\n"tags[\\"ses-reputation-guard:paused-by\\"]",\n]'
    assert unquote_ignore_changes(text) == (
        'ignore_changes = [\nsending_options,\ntags["ses-reputation-guard:paused-by"],\n]'
    )


def test_a_list_of_preconditions_becomes_one_block_each():
    text = 'lifecycle {\n  precondition = [{\ncondition = a\n}, {\ncondition = b\nerror_message = "{n}"\n}]\n}'
    assert blockify_conditions(text) == (
        'lifecycle {\n  precondition {\ncondition = a\n}\n  precondition {\ncondition = b\nerror_message = "{n}"\n}\n}'
    )


def test_postconditions_are_blockified_too():
    assert blockify_conditions("postcondition = [{ condition = c }]") == "postcondition { condition = c }"


def test_quotes_inside_a_one_line_description_are_escaped_outside_interpolations():
    text = '  description = "rule "x" ${jsonencode("y")} ok"'
    assert escape_prose_quotes(text) == '  description = "rule \\"x\\" ${jsonencode("y")} ok"'


def test_quotes_in_other_attributes_are_not_touched():
    assert escape_prose_quotes('  name = "a "b""') == '  name = "a "b""'


def test_clean_block_applies_every_workaround():
    block = (
        'resource "a" "b" {\nx = "${var.x}"\nlifecycle {\nignore_changes = ["tags"]\n'
        'postcondition = [{\ncondition = "${self.ok}"\nerror_message = "bad"\n}]\n}\n}'
    )
    assert clean_block(block) == (
        'resource "a" "b" {\nx = var.x\nlifecycle {\nignore_changes = [tags]\n'
        'postcondition {\ncondition = self.ok\nerror_message = "bad"\n}\n}\n}'
    )


def test_split_blocks_finds_top_level_blocks_and_ignores_braces_in_strings():
    text = 'terraform {\n a = 1\n}\nresource "x" "y" {\n b = "}"\n}\nlocals {\n c = {d = 1}\n}\n'
    assert split_blocks(text) == [
        HclBlock("terraform", "terraform {\n a = 1\n}"),
        HclBlock("resource", 'resource "x" "y" {\n b = "}"\n}'),
        HclBlock("locals", "locals {\n c = {d = 1}\n}"),
    ]


def test_closing_bracket_skips_brackets_inside_strings():
    assert closing_bracket('(a, "(", (b))x', 0, "()") == 13


def test_closing_bracket_refuses_an_unbalanced_text():
    with pytest.raises(ValueError, match="unbalanced"):
        closing_bracket("(a", 0, "()")


def test_string_end_skips_escaped_quotes_and_quotes_inside_interpolations():
    assert string_end('"a\\"b" c', 0) == 6
    assert string_end('"${f("}")} x" y', 0) == 13


def test_string_end_refuses_an_unterminated_string():
    with pytest.raises(ValueError, match="unterminated"):
        string_end('"abc', 0)


def test_the_terraform_block_pins_terraform_and_the_aws_provider():
    assert terraform_block(">= 1.5", ">= 5.100, < 7.0") == (
        "terraform {\n"
        '  required_version = ">= 1.5"\n'
        "  required_providers {\n"
        "    aws = {\n"
        '      source  = "hashicorp/aws"\n'
        '      version = ">= 5.100, < 7.0"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )


def test_a_backend_is_carried_into_the_rewritten_terraform_block():
    block = HclBlock("terraform", 'terraform {\n  backend "s3" {\n    bucket = "b"\n  }\n  x = 1\n}')
    backend = hcl._backend_text(block)
    assert backend == '  backend "s3" {\n    bucket = "b"\n  }\n'
    assert terraform_block("v", "p", backend).endswith('  }\n  backend "s3" {\n    bucket = "b"\n  }\n}\n')


def test_without_terraform_installed_the_text_is_returned_unformatted(monkeypatch):
    monkeypatch.setattr(hcl.shutil, "which", lambda name: None)
    assert hcl.terraform_fmt("a   =  1\n") == "a   =  1\n"


def test_text_that_terraform_fmt_rejects_stops_the_generator(monkeypatch):
    monkeypatch.setattr(hcl.shutil, "which", lambda name: "/bin/terraform")
    rejected = subprocess.CompletedProcess([], 2, stdout="", stderr="Error: Invalid expression")
    monkeypatch.setattr(hcl.subprocess, "run", lambda *args, **kwargs: rejected)
    with pytest.raises(ValueError, match="rejected the generated HCL:\nError: Invalid expression"):
        hcl.terraform_fmt("a = = 1\n")
