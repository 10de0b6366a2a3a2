"""Values that are either Python or Terraform, and the helpers that keep the difference out of constructs.

A stack passes Python values: decided at synth, visible in the output. The generated module passes
references to its variables: decided at ``terraform plan``. Every prop of the guard accepts both
(see ``ReputationGuardProps``); strings, numbers, lists and maps of cdktf tokens look like Python
values, booleans are ``Flag`` and whole Terraform expressions are ``TerraformExpression``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import Fn, IResolvable, Op, Token
from ses_reputation_guard.validation import is_token

Flag: TypeAlias = bool | IResolvable
"""A boolean, or a token of one (``Token.as_any(variable.value)``)."""


@dataclass(frozen=True)
class TerraformExpression:
    """A Terraform expression written without ``${}``: ``local.configuration_sets``, ``var.tags``."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.strip() or self.text.lstrip().startswith("${"):
            raise ValueError(f"TerraformExpression({self.text!r}): write the expression itself, without ${{}}")

    @property
    def interpolated(self) -> str:
        """``${<text>}``: the form cdktf attributes take."""
        return f"${{{self.text}}}"


SKIP = object()
"""Returned by ``count_for`` when a Python flag is False: do not create the resource at all."""


def count_for(*flags: Flag) -> Any:
    """``None`` (create once, no count), ``SKIP``, or a ``count`` expression when any flag is a token."""
    if any(flag is False for flag in flags):
        return SKIP
    tokens = [flag for flag in flags if not isinstance(flag, bool)]
    if not tokens:
        return None
    condition = tokens[0]
    for token in tokens[1:]:
        condition = Op.and_(condition, token)
    return Token.as_number(Fn.conditional(condition, 1, 0))


def equals(value: Any, constant: str) -> Flag:
    """``value == constant``: a Python boolean, or a token when ``value`` is one."""
    return Op.eq(value, constant) if is_token(value) else value == constant


def all_of(*flags: Flag) -> Flag:
    """Every flag holds: Python booleans are decided here, tokens joined with ``&&`` (in order)."""
    return _fold(flags, False, Op.and_)


def any_of(*flags: Flag) -> Flag:
    """Some flag holds: Python booleans are decided here, tokens joined with ``||`` (in order)."""
    return _fold(flags, True, Op.or_)


def _fold(flags: tuple[Flag, ...], decisive: bool, join: Any) -> Flag:
    """``decisive`` if any flag is it; else the tokens joined with ``join``, or ``not decisive`` without any."""
    if any(flag is decisive for flag in flags):
        return decisive
    neutral = not decisive
    condition: Flag = neutral
    for token in (flag for flag in flags if flag is not neutral):
        condition = token if condition is neutral else join(condition, token)
    return condition


def actions_for(action: str, pause_topic_arn: str, notification_topic_arn: str) -> Any:
    """Alarm actions of a critical alarm: the pause topic only when the action is ``pause``."""
    if not is_token(action):
        if action == contract.ACTION_PAUSE:
            return [pause_topic_arn, notification_topic_arn]
        return [notification_topic_arn]
    return Token.as_list(
        Fn.conditional(
            Op.eq(action, contract.ACTION_PAUSE), [pause_topic_arn, notification_topic_arn], [notification_topic_arn]
        )
    )


def merged_tags(base: Mapping[str, str] | Any, extra: Mapping[str, Any]) -> Any:
    """``base`` and ``extra`` (which wins); a ``merge(...)`` expression when ``base`` is a token."""
    if isinstance(base, Mapping) and not Token.is_unresolved(base):
        return {**base, **extra}
    if not extra:
        return base
    return Token.as_string_map(Fn.merge([base, dict(extra)]))


def bool_string(value: Flag) -> Any:
    """``"true"`` / ``"false"``, as Lambda environment variables carry booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return Token.as_string(Fn.conditional(value, "true", "false"))
