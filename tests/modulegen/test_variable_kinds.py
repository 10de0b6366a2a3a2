"""The parts of a module variable and the HCL building blocks (``variable_kinds``)."""

from __future__ import annotations

import pytest

from ses_guard_modulegen.variable_kinds import ModuleVariable, Validation, hcl_value, message, one_of_actions, template
from ses_guard_policy import rules


def test_a_variable_renders_its_attributes_and_one_block_per_validation():
    variable = ModuleVariable(
        "size", "number", 'How "big".', 3, (Validation("var.size > 0", '"size ${var.size}: must be positive."'),)
    )
    assert variable.render() == (
        'variable "size" {\n'
        '  description = "How \\"big\\"."\n'
        "  type        = number\n"
        "  default     = 3\n"
        "  nullable    = false\n"
        "  validation {\n"
        "    condition     = var.size > 0\n"
        '    error_message = "size ${var.size}: must be positive."\n'
        "  }\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("value", "hcl"),
    [
        (None, "null"),
        (False, "false"),
        (365, "365"),
        ([], "[]"),
        ({}, "{}"),
        ('say "hi"', '"say \\"hi\\""'),
        ({"action": "pause", "nested": {"n": [1]}}, '{action = "pause", nested = {n = [1]}}'),
    ],
)
def test_hcl_value_renders_literals_and_objects_with_bare_keys(value, hcl):
    assert hcl_value(value) == hcl


def test_template_escapes_the_text_and_interpolates_only_the_named_markers():
    assert template('"<a>" costs ${x} and <b>', a="var.a") == '"\\"${var.a}\\" costs $${x} and <b>"'


def test_message_puts_the_bad_value_between_subject_and_sentence():
    assert message("tags", "length(var.tags)", "at most 45") == '"tags ${length(var.tags)}: at most 45."'


def test_one_of_actions_admits_the_two_actions_and_a_null_is_false_not_an_error():
    assert one_of_actions("var.action") == (
        "try(contains([" + ", ".join(f'"{action}"' for action in rules.ACTION.options) + "], var.action), false)"
    )
