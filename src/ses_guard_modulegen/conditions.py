"""HCL conditions derived from the model's rule declarations: one renderer per rule *kind*, none per rule.

``holds(rule, *values)`` is an HCL expression that is true when the value(s) follow ``rule``;
``breaks(rule, value)`` its opposite, for filters that list the offending items. Values are HCL
expressions (``var.name_prefix``, ``s.action``). Together with the rule's sentence, these are all a
``validation`` block needs, so adding a rule to ``ses_guard_policy.rules`` never needs HCL by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from ses_guard_policy import rules


def hcl_string(text: str) -> str:
    """``text`` as an HCL string literal (JSON escapes, and no accidental ``${`` / ``%{`` templates)."""
    return json.dumps(text).replace("${", "$${").replace("%{", "%%{")


def hcl_list(values: tuple[object, ...]) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def _whole_number(rule: rules.WholeNumberRule, value: str) -> str:
    """In range only: the step is its own validation, with its own sentence (``step_holds``)."""
    in_range = f"(floor({value}) == {value} && {value} >= {rule.minimum} && {value} <= {rule.maximum})"
    return in_range if rule.also is None else f"{value} == {rule.also} || {in_range}"


def _unique(rule: rules.UniqueRule, items: str, size: str = "") -> str:
    """``toset``, not ``distinct``: distinct is quadratic (~160 s at 10,000 names), a set is hashed.
    ``size``: an expression of as many items, when shorter (the map whose ``keys`` are the items)."""
    folded = f"[for name in {items} : lower(name)]" if rule.ignore_case else items
    return f"length(toset({folded})) == length({size or items})"


def _evaluation_range(rule: rules.EvaluationRangeRule, period: str, periods: str) -> str:
    if rule.short_period:
        limit = f"({period} < {rule.short_period} ? {rule.short_maximum} : {rule.maximum})"
        return f"{period} * {periods} <= {limit}"
    return f"{period} >= {rule.step} && {period} % {rule.step} == 0 && {period} * {periods} <= {rule.maximum}"


def _literal(rule: rules.LiteralRule, value: str) -> str:
    """``try``: a value of another form is the pattern rule's to report."""
    remainder = f'trimprefix({value}, "{rule.prefix}")'
    return f'try(!startswith({value}, "{rule.prefix}") || can(regex({hcl_string(rule.literal)}, {remainder})), true)'


def _text_breaks(rule: rules.TextRule, value: str) -> str:
    too_short = f'{value} == "" || ' if rule.min_length else ""
    prefix = hcl_string(rule.reserved_prefix)
    return f"{too_short}length({value}) > {rule.max_length} || startswith({value}, {prefix})"


def _restricted_text_breaks(rule: rules.RestrictedTextRule, value: str) -> str:
    """The text rule, or a character outside ``rule.characters`` (RE2's ``\\p{..}`` classes)."""
    return f"{_text_breaks(rule, value)} || !can(regex({hcl_string(rule.characters.pattern)}, {value}))"


Renderer = Callable[..., str]
# rule kind => HCL true when the value(s) follow the rule
_HOLDS: dict[type[rules.Rule], Renderer] = {
    rules.PatternRule: lambda rule, value: f"can(regex({hcl_string(rule.pattern)}, {value}))",
    rules.RatioRule: lambda rule, value: f"!{breaks(rule, value)}",
    rules.WholeNumberRule: _whole_number,
    rules.ChoiceRule: lambda rule, value: f"contains({hcl_list(rule.options)}, {value})",
    rules.CountRule: lambda rule, items: f"length({items}) <= {rule.maximum}",
    rules.UniqueRule: _unique,
    rules.OrderRule: lambda rule, first, second: f"{first} {'<' if rule.strict else '<='} {second}",
    rules.EvaluationRangeRule: _evaluation_range,
    rules.LiteralRule: _literal,
    # the level of the threshold's metric, from the rule's data (an acknowledgement is the caller's to add)
    rules.LevelRule: lambda rule, value, threshold_name: f"{value} < {rule.level(threshold_name)}",
}
# rule kind => HCL true when the value(s) break the rule, where that reads better than !(holds)
_BREAKS: dict[type[rules.Rule], Renderer] = {
    # a null (meaning "the default") passes: comparing it fails inside try (|| does not short-circuit)
    rules.RatioRule: lambda rule, value: f"try({value} <= 0 || {value} >= 1, false)",
    rules.PatternRule: lambda rule, value: f"!{holds(rule, value)}",  # one call: no parentheses needed
    rules.ChoiceRule: lambda rule, value: f"!{holds(rule, value)}",
    # in range only: already in parentheses
    rules.WholeNumberRule: lambda rule, value: (
        f"!{holds(rule, value)}" if rule.also is None else f"!({holds(rule, value)})"
    ),
    rules.OrderRule: lambda rule, first, second: f"{first} {'>=' if rule.strict else '>'} {second}",
    rules.TextRule: _text_breaks,
    rules.RestrictedTextRule: _restricted_text_breaks,
    # a null (meaning "the default") passes, as for ratios
    rules.LevelRule: lambda rule, value, threshold_name: f"try({value} >= {rule.level(threshold_name)}, false)",
}


def holds(rule: rules.Rule, *values: str) -> str:
    """HCL true when ``values`` follow ``rule``."""
    renderer = _HOLDS.get(type(rule))
    if renderer is None:
        raise NotImplementedError(f"no HCL rendering for rule kind {type(rule).__name__} ({rule.name})")
    return renderer(rule, *values)


def breaks(rule: rules.Rule, *values: str) -> str:
    """HCL true when ``values`` break ``rule``: by default the negated condition in parentheses (``!``
    binds tighter than ``<=``, ``==`` and ``||`` in HCL)."""
    renderer = _BREAKS.get(type(rule))
    return renderer(rule, *values) if renderer is not None else f"!({holds(rule, *values)})"


def step_holds(rule: rules.WholeNumberRule, value: str) -> str:
    return f"{value} % {rule.step} == 0"


def choice_holds_not_null(rule: rules.ChoiceRule, value: str) -> str:
    """``value`` one of the options; null is not (``contains`` refuses null: ``try``). For inputs where
    Terraform cannot tell an omitted attribute from a null one, so neither may stand for a default."""
    return f"try({holds(rule, value)}, false)"


def all_match(rule: rules.PatternRule, values: str) -> str:
    """Every string of the list ``values`` matches ``rule``, tested as ONE regular expression over the
    newline-joined list (RE2 runs in linear time; a regex per name costs Terraform ~15 s more per plan
    at 10,000 set names). Only for rules that never allow a newline, which ``^``/``$`` then delimit."""
    assert rule.pattern.startswith("^") and rule.pattern.endswith("$") and not re.search(rule.pattern[1:-1], "\n")
    joined = f"^(?:{rule.pattern[1:-1]}\n)*$"
    # An empty list joins to "\n", which the regex refuses: no names break no rule (can() never errors).
    return f'length({values}) == 0 || can(regex({hcl_string(joined)}, "${{join("\\n", {values})}}\\n"))'
