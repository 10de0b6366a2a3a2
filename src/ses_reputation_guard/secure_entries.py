"""One SSM SecureString parameter per entry of a map, under one path, encrypted with the guard's key: how the
guard ships what its function reads one entry at a time (a set's own policy, a hub member's entry), since
the function's environment holds 4 KB (docs/lambda.md, "Policy manifest").

``secure_entries`` renders one ``for_each`` block, so 10,000 entries stay one block in the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ses_reputation_guard._cdktf import Construct, SsmParameter, TerraformIterator
from ses_reputation_guard.context import GuardContext


def secure_entries(
    scope: Construct,
    context: GuardContext,
    role: str,
    *,
    entries: Any,
    path: str,
    value: Callable[[Any], Any],
    description: str,
    kms_key_arn: str,
    component: str,
) -> Any:
    """The ``aws_ssm_parameter`` ``<prefix>_<role>``: ``<path><key>`` for each key of ``entries`` (a map token),
    its value ``value(iterator)`` (a map iterator: ``.key``, ``.value``), tagged ``component``."""
    iterator = TerraformIterator.from_map(entries)
    return context.create(
        scope,
        SsmParameter,
        role,
        for_each=iterator,
        name=f"{path}{iterator.key}",
        description=description,
        type="SecureString",
        key_id=kms_key_arn,
        value=value(iterator),
        tags=context.component_tags(component),
    )
