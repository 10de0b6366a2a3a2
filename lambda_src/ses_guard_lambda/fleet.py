"""Which sets a fleet (Metrics Insights) alarm may pause: explicit per-set policies win.

A contributor for set X is left alone when X has its own policy or asks not to be paused:
1. the deployed policy holds an entry for X (``deployed_policy``: its SSM parameter exists): its own
   alarms judge it. Without a deployed manifest the function cannot tell, so it pauses no contributor;
2. X carries the tag ``ses-reputation-guard:action = notify`` in SES (read before pausing, so it
   protects sets created after the deploy too).
Both scale to 10,000 sets and to sets unknown at deploy time: nothing is kept per set in the
function's environment (whose 4 KB limit would break).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from ses_guard_policy import contract

from . import ses_actions
from .budget import Budget
from .decision import Context
from .deployed_policy import DeployedPolicy

ExclusionKind = Literal["own-policy", "notify-tag", "missing", "no-manifest"]
OWN_POLICY: Final = "own-policy"
NOTIFY_TAG: Final = "notify-tag"
MISSING: Final = "missing"
NO_MANIFEST: Final = "no-manifest"


@dataclass(frozen=True)
class Exclusion:
    """Why the fleet leaves a set alone: ``kind`` for code to branch on, ``reason`` for people (logs, reports)."""

    kind: ExclusionKind
    reason: str


def exclusion(
    policy: DeployedPolicy | None, ctx: Context, clients: Any, budget: Budget, configuration_set: str
) -> Exclusion | None:
    """Why the fleet must leave ``configuration_set`` alone, or None when it may pause it."""
    if policy is None:
        manifest = contract.ENV_POLICY_MANIFEST
        why = f"no deployed policy manifest ({manifest}): cannot tell whether set {configuration_set!r} has its own"
        return Exclusion(NO_MANIFEST, why)
    own = policy.set_policy(configuration_set)
    if own is not None:
        why = f"set {configuration_set!r} has its own policy (action {own.action}) in the deployed manifest"
        return Exclusion(OWN_POLICY, why)
    arn = ses_actions.set_arn(ctx.partition, ctx.region, ctx.account_id, configuration_set)
    tags = ses_actions.set_tags(clients.sesv2, arn, budget.call)
    if tags is None:
        return Exclusion(MISSING, f"configuration set {configuration_set!r} does not exist")
    if tags.get(contract.TAG_ACTION) == contract.ACTION_NOTIFY:
        tag = f"{contract.TAG_ACTION}={contract.ACTION_NOTIFY}"
        return Exclusion(NOTIFY_TAG, f"set {configuration_set!r} is tagged {tag} in SES")
    return None
