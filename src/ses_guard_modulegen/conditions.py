"""HCL conditions derived from the model's rule declarations: one renderer per rule *kind*, none per rule.

``holds(rule, *values)`` is an HCL expression that is true when the value(s) follow ``rule``;
``breaks(rule, value)`` its opposite, for filters that list the offending items. Values are HCL
expressions (``var.name_prefix``, ``s.action``). Together with the rule's sentence, these are all a
``validation`` block needs, so adding a rule to ``ses_guard_policy.rules`` never needs HCL by hand.
"""

from __future__ import annotations

import json
import re
from functools import singledispatch

from ses_guard_policy import rules


def hcl_string(text: str) -> str:
    """``text`` as an HCL string literal (JSON escapes, and no accidental ``${`` / ``%{`` templates)."""
    return json.dumps(text).replace("${", "$${").replace("%{", "%%{")


def hcl_list(values: tuple[object, ...]) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


@singledispatch
def holds(rule: rules.Rule, *values: str) -> str:
    raise NotImplementedError(f"no HCL rendering for rule kind {type(rule).__name__} ({rule.name})")


@holds.register
def _pattern(rule: rules.PatternRule, value: str) -> str:
    return f"can(regex({hcl_string(rule.pattern)}, {value}))"


@holds.register
def _ratio(rule: rules.RatioRule, value: str) -> str:
    return f"!{breaks(rule, value)}"


@holds.register
def _whole_number(rule: rules.WholeNumberRule, value: str) -> str:
    """In range only: the step is its own validation, with its own sentence (``step_holds``)."""
    in_range = f"(floor({value}) == {value} && {value} >= {rule.minimum} && {value} <= {rule.maximum})"
    return in_range if rule.also is None else f"{value} == {rule.also} || {in_range}"


def step_holds(rule: rules.WholeNumberRule, value: str) -> str:
    return f"{value} % {rule.step} == 0"


@holds.register
def _choice(rule: rules.ChoiceRule, value: str) -> str:
    return f"contains({hcl_list(rule.options)}, {value})"


def choice_holds_not_null(rule: rules.ChoiceRule, value: str) -> str:
    """``value`` one of the options; null is not (``contains`` refuses null: ``try``). For inputs where
    Terraform cannot tell an omitted attribute from a null one, so neither may stand for a default."""
    return f"try({holds(rule, value)}, false)"


@holds.register
def _count(rule: rules.CountRule, items: str) -> str:
    return f"length({items}) <= {rule.maximum}"


@holds.register
def _unique(rule: rules.UniqueRule, items: str) -> str:
    """``toset``, not ``distinct``: distinct is quadratic (~160 s at 10,000 names), a set is hashed."""
    folded = f"[for name in {items} : lower(name)]" if rule.ignore_case else items
    return f"length(toset({folded})) == length({items})"


@holds.register
def _order(rule: rules.OrderRule, first: str, second: str) -> str:
    return f"{first} {'<' if rule.strict else '<='} {second}"


@holds.register
def _evaluation_range(rule: rules.EvaluationRangeRule, period: str, periods: str) -> str:
    if rule.short_period:
        limit = f"({period} < {rule.short_period} ? {rule.short_maximum} : {rule.maximum})"
        return f"{period} * {periods} <= {limit}"
    return f"{period} >= {rule.step} && {period} % {rule.step} == 0 && {period} * {periods} <= {rule.maximum}"


@holds.register
def _literal(rule: rules.LiteralRule, value: str) -> str:
    """``try``: a value of another form is the pattern rule's to report."""
    remainder = f'trimprefix({value}, "{rule.prefix}")'
    return f'try(!startswith({value}, "{rule.prefix}") || can(regex({hcl_string(rule.literal)}, {remainder})), true)'


@singledispatch
def breaks(rule: rules.Rule, *values: str) -> str:
    """True when the value(s) break ``rule``: the negated condition, in parentheses (``!`` binds
    tighter than ``<=``, ``==`` and ``||`` in HCL)."""
    return f"!({holds(rule, *values)})"


@breaks.register
def _pattern_breaks(rule: rules.PatternRule, value: str) -> str:
    return f"!{holds(rule, value)}"  # one function call: no parentheses needed


@breaks.register
def _choice_breaks(rule: rules.ChoiceRule, value: str) -> str:
    return f"!{holds(rule, value)}"  # one function call


@breaks.register
def _whole_number_breaks(rule: rules.WholeNumberRule, value: str) -> str:
    condition = holds(rule, value)
    return f"!{condition}" if rule.also is None else f"!({condition})"  # in range: already parenthesized


@breaks.register
def _order_breaks(rule: rules.OrderRule, first: str, second: str) -> str:
    return f"{first} {'>=' if rule.strict else '>'} {second}"


@breaks.register
def _ratio_breaks(rule: rules.RatioRule, value: str) -> str:
    """A number outside (0, 1). A null (meaning "the default") passes: comparing it fails inside ``try``
    (Terraform's ``||`` does not short-circuit)."""
    return f"try({value} <= 0 || {value} >= 1, false)"


@breaks.register
def _text_breaks(rule: rules.TextRule, value: str) -> str:
    prefix = hcl_string(rule.reserved_prefix)
    too_short = f'{value} == "" || ' if rule.min_length else ""
    return f"{too_short}length({value}) > {rule.max_length} || startswith({value}, {prefix})"


def all_match(rule: rules.PatternRule, values: str) -> str:
    """Every string of the list ``values`` matches ``rule``, tested as ONE regular expression over the
    newline-joined list (RE2 runs in linear time; a regex per name costs Terraform ~15 s more per plan
    at 10,000 set names). Only for rules that never allow a newline, which ``^``/``$`` then delimit."""
    assert rule.pattern.startswith("^") and rule.pattern.endswith("$") and not re.search(rule.pattern[1:-1], "\n")
    joined = f"^(?:{rule.pattern[1:-1]}\n)*$"
    return f'can(regex({hcl_string(joined)}, "${{join("\\n", {values})}}\\n"))'
