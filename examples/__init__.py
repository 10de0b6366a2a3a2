"""Example compositions. Each ``examples/<scenario>/stack.py`` has ``build(app) -> list[stack]``.

``examples/terraform_module/`` is plain Terraform (no Python): it sources the generated module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from examples.account_wide.stack import build as build_account_wide
from examples.chat.stack import build as build_chat
from examples.fleet.stack import build as build_fleet
from examples.multi_region.stack import build as build_multi_region
from examples.organization.stack import build as build_organization
from examples.per_set.stack import build as build_per_set
from examples.sweep.stack import build as build_sweep
from ses_reputation_guard import App, TerraformStack

EXAMPLES: dict[str, Callable[[App], Sequence[TerraformStack]]] = {
    "account_wide": build_account_wide,
    "per_set": build_per_set,
    "multi_region": build_multi_region,
    "fleet": build_fleet,
    "chat": build_chat,
    "sweep": build_sweep,
    "organization": build_organization,
}
