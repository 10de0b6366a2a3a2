"""GuardContext: what every child construct of one guard shares, passed as one object.

A guard's children need the same handful of values: the prefix of AWS names, the prefix of
Terraform addresses, the account, partition and Region (Terraform references to data sources) and
the tags. ``ReputationGuard`` builds one context and hands it to every child, whose props then hold
only the child's own settings. ``create`` makes a resource and gives it its stable address in one
step, so no resource is created and renamed afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ses_reputation_guard._cdktf import Construct

Element = TypeVar("Element")


@dataclass(frozen=True)
class GuardContext:
    """Shared by the children of one ``ReputationGuard``. Values may be Terraform references."""

    name_prefix: str
    """Prefix of every AWS name (``<name_prefix>-pause``...); a Python string or a token."""
    resource_prefix: str
    """Prefix of every Terraform address (``aws_sns_topic.<resource_prefix>_notifications``)."""
    account_id: str
    """The account the guard runs in (``data.aws_caller_identity``)."""
    partition: str
    """``aws``, ``aws-cn``, ``aws-us-gov`` (``data.aws_partition``)."""
    region: str
    """The guard's Region (``data.aws_region``)."""
    tags: Mapping[str, str] | Any
    """Tags on every taggable resource: a mapping or a token of one."""

    def aws_name(self, suffix: str) -> str:
        """``<name_prefix>-<suffix>``: the AWS name of one of the guard's resources."""
        return f"{self.name_prefix}-{suffix}"

    def address(self, role: str) -> str:
        """``<resource_prefix>_<role>``: the logical id (Terraform address name) of a resource."""
        return f"{self.resource_prefix}_{role}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """An ARN in this guard's partition, account and (unless ``regional=False``) Region."""
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def create(self, scope: Construct, element_type: type[Element], role: str, **kwargs: Any) -> Element:
        """Create a cdktf element (resource, data source, local...) with the address ``<prefix>_<role>``."""
        element = element_type(scope, role, **kwargs)  # type: ignore[call-arg]
        element.override_logical_id(self.address(role))  # type: ignore[attr-defined]
        return element
