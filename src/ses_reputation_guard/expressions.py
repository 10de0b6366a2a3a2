"""Small helpers that accept a Python value or a Terraform token and return the right form.

Stacks pass Python values (decided at synth, visible in the output); the generated module passes
``var.*`` tokens (decided at plan). Helpers keep that difference out of the constructs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ses_reputation_guard._cdktf import Fn, Op, Token
from ses_reputation_guard.validation import is_token

SKIP = object()
"""Returned by ``count_for`` when a Python flag is False: do not create the resource at all."""


def count_for(*flags: Any) -> Any:
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


def actions_for(action: Any, pause_topic_arn: str, notification_topic_arn: str) -> Any:
    """Alarm actions of a critical alarm: the pause topic only when the action is ``pause``."""
    if not is_token(action):
        return [pause_topic_arn, notification_topic_arn] if action == "pause" else [notification_topic_arn]
    return Token.as_list(
        Fn.conditional(Op.eq(action, "pause"), [pause_topic_arn, notification_topic_arn], [notification_topic_arn])
    )


def merged_tags(base: Mapping[str, str] | Any, extra: Mapping[str, Any]) -> Any:
    if isinstance(base, Mapping) and not Token.is_unresolved(base):
        return {**base, **extra}
    if not extra:
        return base
    return Token.as_string_map(Fn.merge([base, dict(extra)]))
