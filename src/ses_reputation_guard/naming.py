"""Terraform addresses of cdktf elements, for raw expressions that cdktf tokens cannot express.

Logical ids are ``<guard id>_<role>`` (``GuardContext.create``), for example
``aws_sns_topic.guard_notifications_topic``: stable, readable in plans and in the generated module,
and unique across resource types so checkov results are unambiguous.
"""

from __future__ import annotations

from typing import Any


def resource_address(resource: Any) -> str:
    """``aws_sns_topic.guard_notifications_topic``."""
    return f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"


def data_address(data_source: Any) -> str:
    """``data.aws_iam_policy_document.guard_x``."""
    return f"data.{resource_address(data_source)}"
