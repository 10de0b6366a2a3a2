"""Terraform addresses and AWS names used by every construct.

Resource addresses are ``<guard id>_<role>`` (for example ``aws_sns_topic.guard_notifications``):
stable, readable in plans and in the generated module, and unique across resource types so
checkov results are unambiguous.
"""

from __future__ import annotations

from typing import Any, Protocol


class _HasLogicalId(Protocol):
    def override_logical_id(self, new_logical_id: str) -> None: ...


def address(resource_prefix: str, role: str) -> str:
    return f"{resource_prefix}_{role}"


def named(element: Any, resource_prefix: str, role: str) -> Any:
    """Give a cdktf element a stable, readable logical id and return it."""
    element.override_logical_id(address(resource_prefix, role))
    return element
