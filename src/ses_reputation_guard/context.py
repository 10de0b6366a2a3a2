"""GuardContext: what every child construct of one guard shares, passed as one object.

A guard's children need the same handful of values: the prefix of AWS names, the prefix of
Terraform addresses, the account, partition and Region (Terraform references to data sources) and
the tags. ``ReputationGuard`` builds one context and hands it to every child, whose props then hold
only the child's own settings. ``create`` makes a resource and gives it its stable address in one
step, so no resource is created and renamed afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import (
    Construct,
    DataAwsCallerIdentity,
    DataAwsPartition,
    DataAwsRegion,
    TerraformLocal,
)
from ses_reputation_guard.expressions import TerraformExpression, merged_tags

COMPONENT_TAG = contract.TAG_PREFIX + "component"
"""Tag naming the part of the guard a resource is (``pause-function``, ``dead-letter-queue``...), on every
resource the guard's reputation tags are not on (``GuardContext.component_tags``). It keeps every
resource's tags non-empty, which is what spares a plan the provider's empty-tags noise (real AWS, not
the emulator): AWS provider 5.x stores an empty ``tags`` as null at create and reads it back as ``{}``,
so every plan until the next apply reports ``+ tags = {}`` "changed outside of Terraform"
(hashicorp/terraform-provider-aws#37601), and its plugin-framework resources (the chat channel
configurations) plan ``+ tags = {}`` on every run (#38173). Omitting ``tags`` when empty does not help:
the refresh still reads ``{}``."""

Element = TypeVar("Element")
Props = TypeVar("Props")


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

    @classmethod
    def discover(
        cls, scope: Construct, *, name_prefix: str, resource_prefix: str, tags: Mapping[str, str] | Any
    ) -> GuardContext:
        """A context whose account, partition and Region are read by data sources created in ``scope``
        (``data.aws_caller_identity.<resource_prefix>_caller``, ``..._partition``, ``..._region``)."""
        unresolved = cls(name_prefix, resource_prefix, account_id="", partition="", region="", tags=tags)
        caller = unresolved.create(scope, DataAwsCallerIdentity, "caller")
        partition = unresolved.create(scope, DataAwsPartition, "partition")
        region = unresolved.create(scope, DataAwsRegion, "region")
        return replace(unresolved, account_id=caller.account_id, partition=partition.partition, region=region.name)

    def aws_name(self, suffix: str) -> str:
        """``<name_prefix>-<suffix>``: the AWS name of one of the guard's resources."""
        return f"{self.name_prefix}-{suffix}"

    def global_name(self, suffix: str) -> str:
        """``<name_prefix>-<region>-<suffix>``: for names IAM keeps per account, not per Region (roles),
        so the same prefix can guard several Regions of one account."""
        return f"{self.name_prefix}-{self.region}-{suffix}"

    def address(self, role: str) -> str:
        """``<resource_prefix>_<role>``: the logical id (Terraform address name) of a resource."""
        return f"{self.resource_prefix}_{role}"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """An ARN in this guard's partition, account and (unless ``regional=False``) Region."""
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    def create(self, scope: Construct, element_type: type[Element], role: str, /, **kwargs: Any) -> Element:
        """Create a cdktf element (resource, data source, local...) with the address ``<prefix>_<role>``.

        ``role`` is also the construct id: unique within ``scope``, as addresses are within a stack.
        The first three are positional-only, so ``kwargs`` may hold a ``role`` (``aws_iam_role_policy``).
        """
        element = element_type(scope, role, **kwargs)  # type: ignore[call-arg]
        element.override_logical_id(self.address(role))  # type: ignore[attr-defined]
        return element

    def local(self, scope: Construct, role: str, value: Any) -> TerraformExpression:
        """A ``locals`` value named ``<prefix>_<role>``; returns the expression ``local.<prefix>_<role>``."""
        self.create(scope, TerraformLocal, role, expression=value)
        return TerraformExpression(f"local.{self.address(role)}")

    def tags_with(self, extra: Mapping[str, Any]) -> Any:
        """The guard's tags plus ``extra`` (which wins): a mapping, or a ``merge(...)`` token."""
        return merged_tags(self.tags, extra)

    def component_tags(self, component: str) -> Any:
        """The guard's tags plus ``COMPONENT_TAG = component``: never empty, whatever ``tags`` holds."""
        return self.tags_with({COMPONENT_TAG: component})


class GuardChild(Construct, Generic[Props]):
    """A child construct of one guard: keeps the guard's ``context`` and its own ``props``."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: Props) -> None:
        super().__init__(scope, construct_id)
        self.context = context
        self.props = props
