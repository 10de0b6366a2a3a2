"""An EventBridge rule's events to the guard's function: the rule's target and the invoke permission.

``SweepSchedule`` (a schedule) and ``FleetContributorDelivery`` (an event pattern) each hand their rule's
events to the guard's function the same way: a ``lambda:InvokeFunction`` permission for
``events.amazonaws.com`` pinned to the rule's ARN, and the function as the rule's only target, created
after the permission so that no event arrives before the function may be invoked. EventBridge invokes
the function asynchronously: Lambda's retries and the function's dead-letter queue apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ses_reputation_guard._cdktf import CloudwatchEventTarget, Construct, LambdaPermission
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.naming import resource_address

TARGET_ID = "guard-function"
"""The function's target id on every rule of the guard."""


def counted_attribute(resource: Any, name: str, count: Any) -> Any:
    """``resource.<name>``, on its one instance when it is counted (``count`` not None)."""
    if count is None:
        return getattr(resource, name)
    return f"${{{resource_address(resource)}[0].{name}}}"


def invoke_function_from_rule(
    scope: Construct,
    context: GuardContext,
    rule: Any,
    *,
    function_arn: str,
    function_name: str,
    count: Any,
    statement_id: str,
    addresses: tuple[str, str],
    depends_on: Sequence[Any] = (),
) -> tuple[Any, Any]:
    """The permission and the target (in that order) that let ``rule`` invoke the function, both
    counted as the rule is. ``addresses``: the roles (``GuardContext.create``) of the permission and of
    the target; ``depends_on``: what else must exist before the first event (the target waits for it)."""
    permission_role, target_role = addresses
    permission = context.create(
        scope,
        LambdaPermission,
        permission_role,
        statement_id=statement_id,
        action="lambda:InvokeFunction",
        function_name=function_name,
        principal="events.amazonaws.com",
        source_arn=counted_attribute(rule, "arn", count),
        count=count,
    )
    target = context.create(
        scope,
        CloudwatchEventTarget,
        target_role,
        rule=counted_attribute(rule, "name", count),
        target_id=TARGET_ID,
        arn=function_arn,
        count=count,
        depends_on=[permission, *depends_on],  # no event before the function may be invoked
    )
    return permission, target
