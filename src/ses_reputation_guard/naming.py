"""Terraform addresses and AWS names used by every construct.

Resource addresses are ``<guard id>_<role>`` (for example ``aws_sns_topic.guard_notifications``):
stable, readable in plans and in the generated module, and unique across resource types so
checkov results are unambiguous.
"""

from __future__ import annotations

from typing import Any


def address(resource_prefix: str, role: str) -> str:
    return f"{resource_prefix}_{role}"


def named(element: Any, resource_prefix: str, role: str) -> Any:
    """Give a cdktf element a stable, readable logical id and return it."""
    element.override_logical_id(address(resource_prefix, role))
    return element


def resource_address(resource: Any) -> str:
    """``aws_sns_topic.guard_notifications_topic``: for raw expressions that cdktf tokens cannot express."""
    return f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"


def data_address(data_source: Any) -> str:
    """``data.aws_iam_policy_document.guard_x``."""
    return f"data.{resource_address(data_source)}"


def local_reference(local: Any) -> str:
    """``local.guard_configuration_sets``."""
    return f"local.{local.friendly_unique_id}"
