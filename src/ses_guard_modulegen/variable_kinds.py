"""The module variable's parts and the HCL building blocks every variable of the generated modules uses
(``variables`` for the main module, ``hub_variable``, ``member_module``): one place, no import loop."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ses_guard_modulegen.conditions import breaks, choice_holds_not_null, hcl_list, hcl_string
from ses_guard_policy import rules


@dataclass(frozen=True)
class Validation:
    condition: str
    """HCL expression, true when the value is acceptable."""
    message: str
    """HCL string (quoted; may interpolate the bad value)."""
    rule: rules.Rule | None = None
    """The model's rule both are derived from (None: a check of the module's own shape)."""


@dataclass(frozen=True)
class ModuleVariable:
    name: str
    type: str
    description: str
    default: Any
    validations: tuple[Validation, ...] = field(default_factory=tuple)
    nullable: bool = False
    """True only where null means something (``fleet_policy = null``: fleet mode off)."""

    def render(self) -> str:
        lines = [
            f'variable "{self.name}" {{',
            f"  description = {json.dumps(self.description)}",
            f"  type        = {self.type}",
            f"  default     = {hcl_value(self.default)}",
            f"  nullable    = {json.dumps(self.nullable)}",
        ]
        for validation in self.validations:
            lines += [
                "  validation {",
                f"    condition     = {validation.condition}",
                f"    error_message = {validation.message}",
                "  }",
            ]
        return "\n".join(lines) + "\n}\n"


# --- HCL building blocks ----------------------------------------------------------------------------
def hcl_value(value: Any) -> str:
    """A literal value in HCL (objects as ``{ key = value }``; everything else as JSON, which HCL reads)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {hcl_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def template(text: str, **values: str) -> str:
    """``text`` as an HCL string in which each ``<name>`` marker becomes the interpolation ``${values[name]}``."""
    rendered = hcl_string(text)
    for name, expression in values.items():
        rendered = rendered.replace(f"<{name}>", "${" + expression + "}")
    return rendered


def message(subject: str, value: str, sentence: str) -> str:
    """``"<subject> <value>: <sentence>."`` with ``value`` an HCL expression interpolated into the string."""
    return template(f"{subject} <value>: {sentence}.", value=value)


def at_or_above_pause_level(value: str, threshold_name: str) -> str:
    """A ratio at or above AWS's pause level for its metric (a value that is no ratio is the ratio rule's
    to refuse, a null the default's)."""
    return f"!{breaks(rules.RATIO, value)} && {breaks(rules.AWS_PAUSE_LEVEL, value, threshold_name)}"


def one_of_actions(value: str) -> str:
    """``value`` is "pause" or "notify"; null is not (Terraform cannot tell an omitted attribute from a null
    one, so neither may stand for "pause": the caller says which)."""
    return choice_holds_not_null(rules.ACTION, value)


def any_threshold_not_a_ratio(obj: str) -> str:
    return f"anytrue([for k in {hcl_list(rules.THRESHOLD_NAMES)} : {breaks(rules.RATIO, f'{obj}[k]')}])"


def policy_attribute(variable: str, name: str, default: object = None) -> str:
    """``var.<variable>.<name>``, or ``default`` when that mode is off (the variable is null): validation
    conditions and messages must evaluate either way."""
    return f"try(var.{variable}.{name}, {hcl_value(default)})"
