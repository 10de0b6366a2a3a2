"""hcl_style: expressions flattened or broken at their brackets, block items in hand-written order."""

from __future__ import annotations

import pytest

from ses_guard_modulegen.hcl_style import LINE_WIDTH, body_items, flatten, item_name, render_expression, tidy_block

LONG_OBJECT = "{" + ", ".join(f'key_{i} = "value number {i}"' for i in range(8)) + "}"
OBJECT_LINES = "\n".join(f'key_{i} = "value number {i}"' for i in range(8))


@pytest.mark.parametrize(
    ("expression", "flat"),
    [
        pytest.param(
            'merge(  var.tags ,\n {\n"Name" = "x"\n})',
            'merge(var.tags, { Name = "x" })',
            id="a call and its object argument are spaced canonically",
        ),
        pytest.param('[\n"a",\n"b"\n]', '["a", "b"]', id="a list is joined on one line"),
        pytest.param("var.list[ 0 ]", "var.list[0]", id="an index loses its inner spaces"),
        pytest.param('{\n"for" = 1\n}', '{ "for" = 1 }', id="a keyword key stays quoted"),
        pytest.param("[for k, v in var.m :\n  v]", "[for k, v in var.m : v]", id="a for expression is kept whole"),
    ],
)
def test_flatten_puts_an_expression_on_one_line_in_canonical_spacing(expression, flat):
    assert flatten(expression) == flat


def test_an_expression_that_fits_stays_on_one_line():
    assert render_expression("[1, 2, 3]", 2) == "[1, 2, 3]"


def test_a_long_object_is_broken_one_attribute_per_line():
    assert render_expression(LONG_OBJECT, 2) == "{\n" + OBJECT_LINES + "\n}"


def test_a_long_list_of_long_items_is_broken_one_item_per_line_with_commas():
    arns = [f'"arn:aws:sns:us-east-1:123456789012:topic-{i}"' for i in range(4)]
    assert render_expression("[" + ", ".join(arns) + "]", 2) == "[\n" + ",\n".join(arns) + ",\n]"


def test_a_list_of_short_scalars_stays_on_one_line_even_when_long():
    numbers = "[" + ", ".join(str(i) for i in range(60)) + "]"
    assert len(numbers) > LINE_WIDTH
    assert render_expression(numbers, 2) == numbers


def test_short_call_arguments_stay_before_a_broken_last_argument():
    assert render_expression(f"merge(var.tags, {LONG_OBJECT})", 2) == "merge(var.tags, {\n" + OBJECT_LINES + "\n})"


def test_the_column_where_an_expression_starts_decides_whether_it_fits():
    expression = "[" + ", ".join(f'"a-long-list-item-number-{i}"' for i in range(4)) + "]"
    assert 90 < len(expression) < 118
    assert render_expression(expression, 2) == expression
    assert render_expression(expression, 2, column=30).startswith("[\n")


def test_body_items_keeps_comments_with_the_next_item_and_nested_blocks_whole():
    assert body_items("a = 1\n# why\nb = [\n1,\n2\n]\nblk {\nx = 1\n}\n") == [
        "a = 1",
        "# why\nb = [\n1,\n2\n]",
        "blk {\nx = 1\n}",
    ]


@pytest.mark.parametrize(
    ("item", "name"), [("# c\nfoo = 1", "foo"), ('dynamic "x" {\n}', "dynamic"), ("count = 2", "count")]
)
def test_item_name_is_the_first_identifier_after_comments(item, name):
    assert item_name(item) == name


def test_a_block_puts_meta_arguments_first_identity_next_tags_last_and_lifecycle_at_the_end():
    block = (
        'resource "aws_x" "y" {\ntags = var.tags\nalarm_name = "a"\ndescription = "d"\n'
        "lifecycle {\nignore_changes = [tags]\n}\ndepends_on = [aws_z.q]\nnested {\nb = 1\n}\n"
        'count = 2\nname = "n"\nzeta = 3\n}'
    )
    assert tidy_block(block) == (
        'resource "aws_x" "y" {\ncount = 2\n\nname = "n"\nalarm_name = "a"\ndescription = "d"\nzeta = 3\n'
        "tags = var.tags\n\nnested {\nb = 1\n}\n\ndepends_on = [aws_z.q]\n\nlifecycle {\nignore_changes = [tags]\n}\n}"
    )


def test_a_comment_above_the_block_stays_above_it():
    assert tidy_block('# string\noutput "x" {\nvalue = 1\n}') == '# string\noutput "x" {\nvalue = 1\n}'


def test_an_empty_block_closes_on_its_own_line():
    assert tidy_block('data "aws_region" "r" {\n}') == 'data "aws_region" "r" {}'


def test_a_long_attribute_is_broken_relative_to_its_name():
    assert tidy_block(f"locals {{\nx = {LONG_OBJECT}\n}}") == "locals {\nx = {\n" + OBJECT_LINES + "\n}\n}"


def test_a_comment_inside_the_body_stays_with_its_attribute():
    assert tidy_block("locals {\na = 1\n# why\nb = 2\n}") == "locals {\na = 1\n# why\nb = 2\n}"


def test_a_long_for_expression_is_broken_inside_its_braces_only():
    alarms = ", ".join(f"aws_cloudwatch_metric_alarm.guard_account_{i}" for i in range(3))
    clause = f"for alarm in concat({alarms}) : alarm.alarm_name => alarm.arn"
    assert render_expression(f"{{ {clause} }}", 2) == f"{{\n{clause}\n}}"
