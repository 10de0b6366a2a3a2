"""Example compositions. Each ``examples/<scenario>/stack.py`` has ``build(app) -> list[stack]``."""

from __future__ import annotations

from collections.abc import Callable

from examples.account_wide.stack import build as build_account_wide
from ses_reputation_guard._cdktf import App, TerraformStack

EXAMPLES: dict[str, Callable[[App], list[TerraformStack]]] = {
    "account_wide": build_account_wide,
}
