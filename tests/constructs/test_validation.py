"""Problems: every check reads its pattern, limit and sentence from the shared rules table."""

from __future__ import annotations

import pytest

from ses_guard_policy import rules
from ses_reputation_guard import ReputationGuardProps
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.validation import GuardValidationError, Problems, is_token


def problems_from(check) -> list[str]:
    problems = Problems()
    check(problems)
    return problems.items


def test_tokens_of_every_kind_are_recognized_and_plain_values_are_not(stack):
    value = TerraformVariable(stack, "v", type="any").value
    for token in (
        Token.as_string(value),
        Token.as_number(value),
        Token.as_list(value),
        Token.as_string_map(value),
        Token.as_any(value),
        "${var.v}",
    ):
        assert is_token(token), token
    for plain in ("text", 3, 0.5, float("nan"), True, [], ["a"], (), {}, {"k": "v"}, None, object()):
        assert not is_token(plain), plain


def test_all_problems_are_raised_together_one_per_line():
    problems = Problems()
    problems.add("first")
    problems.add("second")
    with pytest.raises(GuardValidationError) as raised:
        problems.raise_if_any("Props")
    assert raised.value.problems == ["first", "second"]
    assert str(raised.value) == "Props: 2 invalid value(s):\n  - first\n  - second"
    Problems().raise_if_any("nothing to raise")


def test_a_percentage_given_for_a_ratio_is_refused_with_the_rule_and_a_hint():
    [problem] = problems_from(lambda p: p.ratio("bounce_critical", 5))
    assert problem == f"bounce_critical=5: {rules.RATIO_RULE} (did you mean 0.05 for 5 %?)"


@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5, float("nan"), None, True, "0.1"])
def test_ratios_must_lie_strictly_between_zero_and_one(value):
    [problem] = problems_from(lambda p: p.ratio("r", value))
    assert problem.startswith(f"r={value!r}: ") and rules.RATIO_RULE in problem


def test_warning_threshold_must_be_below_critical():
    [problem] = problems_from(lambda p: p.warning_below_critical("bounce", 0.04, 0.04))
    assert problem == "bounce: warning threshold 0.04 must be below critical threshold 0.04"
    assert problems_from(lambda p: p.warning_below_critical("bounce", 0.01, 0.04)) == []


def test_whole_numbers_respect_their_range_and_multiple():
    minutes = rules.WholeNumberRule("n", 60, 3600, 60)
    assert problems_from(lambda p: p.whole_number("n", 120, minutes)) == []
    assert problems_from(lambda p: p.whole_number("n", 90, minutes)) == ["n=90: must be a multiple of 60"]
    for bad in (0, 3601, 1.5, True, 60.0):
        assert problems_from(lambda p, bad=bad: p.whole_number("n", bad, minutes)) == [
            f"n={bad!r}: must be a whole number from 60 to 3600"
        ]


def test_a_whole_number_rule_may_allow_one_value_outside_its_range():
    rule = rules.RESERVED_CONCURRENCY
    assert problems_from(lambda p: p.whole_number("c", -1, rule)) == []
    assert problems_from(lambda p: p.whole_number("c", 0, rule)) == [
        "c=0: must be -1 (no reservation) or must be a whole number from 1 to 100"
    ]


def test_patterns_must_match_the_whole_value_and_quote_the_rule():
    rule = rules.CONFIGURATION_SET_NAME
    assert problems_from(lambda p: p.pattern("set", "marketing", rule)) == []
    # `$` alone would accept a trailing newline: the whole value must match
    assert problems_from(lambda p: p.pattern("set", "marketing\n", rule)) == [f"set='marketing\\n': {rule.rule}"]


def test_list_items_must_match_and_appear_once():
    found = problems_from(lambda p: p.each_pattern("emails", ["a@example.com", "nope", "a@example.com"], rules.EMAIL))
    assert found == [f"emails item='nope': {rules.EMAIL.rule}", "emails lists 'a@example.com' more than once"]


def test_choices_name_every_allowed_value():
    assert problems_from(lambda p: p.choice("action", "stop", rules.ACTION)) == [
        "action='stop': must be one of 'pause', 'notify'"
    ]


def test_tags_follow_aws_tag_rules():
    tags = {"aws:owner": "x", "k" * (rules.TAG_KEY_MAX_LENGTH + 1): "v", "ok": "v" * (rules.TAG_VALUE_MAX_LENGTH + 1)}
    found = problems_from(lambda p: p.tags("tags", tags))
    assert len(found) == 3
    assert found[0] == f"tags key 'aws:owner': {rules.TAG_KEY_RULE}"
    assert found[2].startswith("tags['ok']=") and found[2].endswith(rules.TAG_VALUE_RULE)


def test_tags_with_characters_iam_lambda_or_cloudwatch_logs_refuse_are_refused_naming_the_value():
    tags = {"cost-center": "R&D", "owner": "team#1", "R&D": "x", "Équipe 1": "a.b:c/d=e+f-g@h_i"}
    assert problems_from(lambda p: p.tags("tags", tags)) == [
        f"tags['cost-center']='R&D': {rules.TAG_VALUE_RULE}",
        f"tags['owner']='team#1': {rules.TAG_VALUE_RULE}",
        f"tags key 'R&D': {rules.TAG_KEY_RULE}",
    ]


def test_the_guard_props_refuse_such_tags_at_synth_before_creating_anything():
    emails = ["deliverability@example.com"]
    with pytest.raises(GuardValidationError) as refused:
        ReputationGuardProps(tags={"cost-center": "R&D", "owner": "team#1"}, notification_emails=emails).validate()
    assert refused.value.problems == [
        f"tags['cost-center']='R&D': {rules.TAG_VALUE_RULE}",
        f"tags['owner']='team#1': {rules.TAG_VALUE_RULE}",
    ]
    ReputationGuardProps(tags={"Équipe 1": "a.b:c/d=e+f-g@h_i"}, notification_emails=emails).validate()


def test_tags_leave_room_for_the_guards_own_tags_on_every_alarm():
    allowed = {f"k{i}": "v" for i in range(rules.USER_TAGS_MAX)}
    assert problems_from(lambda p: p.tags("tags", allowed)) == []
    one_more = {**allowed, "extra": "v"}
    assert problems_from(lambda p: p.tags("tags", one_more)) == [
        f"tags has {rules.USER_TAGS_MAX + 1} tags: {rules.TAG_COUNT_RULE}"
    ]


def test_token_values_are_left_to_terraform(stack):
    value = TerraformVariable(stack, "v", type="any").value
    found = problems_from(
        lambda p: (
            p.ratio("r", Token.as_number(value)),
            p.whole_number("n", Token.as_number(value), rules.ALARM_EVALUATION_PERIODS),
            p.choice("c", Token.as_string(value), rules.ACTION),
            p.pattern("s", Token.as_string(value), rules.EMAIL),
            p.each_pattern("l", Token.as_list(value), rules.EMAIL),
            p.tags("t", Token.as_string_map(value)),
        )
    )
    assert found == []


def test_aws_levels_refuse_one_problem_per_value_and_leave_tokens_to_terraform(stack):
    value = TerraformVariable(stack, "level", type="any").value
    pause = rules.AWS_PAUSE_LEVEL.explain("complaint_critical", 0.08)
    assert problems_from(lambda p: p.aws_levels("c", "complaint_critical", 0.08)) == [f"c=0.08: {pause}"]
    review = rules.AWS_REVIEW_LEVEL.explain("bounce_warning", 0.07)
    assert problems_from(lambda p: p.aws_levels("b", "bounce_warning", 0.07)) == [f"b=0.07: {review}"]
    assert problems_from(lambda p: p.aws_levels("b", "bounce_warning", 0.07, True)) == []
    # a flag known only at plan: the pause level still holds at synth, the review level waits for Terraform
    flag = Token.as_any(value)
    assert problems_from(lambda p: p.aws_levels("b", "bounce_warning", 0.07, flag)) == []
    assert problems_from(lambda p: p.aws_levels("b", "bounce_warning", 0.5, flag)) != []
    for skipped in (Token.as_number(value), 5, None, True):
        assert problems_from(lambda p, v=skipped: p.aws_levels("b", "bounce_warning", v)) == []
