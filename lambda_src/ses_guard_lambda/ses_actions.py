"""Read and change SES sending state with the SES v2 API (shared by the function and ``ses-guard``).

Every function takes an SES v2 client (boto3 ``sesv2``) and optionally ``call``, the function through
which the request is made (the function passes its retry budget); errors from the API propagate
(``botocore.exceptions.ClientError``): the callers decide what a failure means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from ses_guard_policy import contract

ENFORCEMENT_SHUTDOWN = "SHUTDOWN"

Caller = Callable[..., Any]


def _direct(operation: Callable[..., Any], **params: Any) -> Any:
    return operation(**params)


@dataclass(frozen=True)
class AccountStatus:
    sending_enabled: bool
    enforcement_status: str | None
    production_access: bool | None = None

    @property
    def shut_down_by_aws(self) -> bool:
        return self.enforcement_status == ENFORCEMENT_SHUTDOWN


@dataclass(frozen=True)
class SetStatus:
    name: str
    sending_enabled: bool
    reputation_metrics_enabled: bool | None
    last_fresh_start: datetime | None
    """When sending was last re-enabled (SES resets the set's reputation metrics then)."""
    paused_by: str | None = None
    """The name prefix of the guard whose function paused the set (its ``paused-by`` tag), or None."""
    paused_at: str | None = None
    """When, as the function wrote it (``paused-at`` tag, ``contract.PAUSED_AT_FORMAT``), or None."""


def account_status(sesv2: Any, call: Caller = _direct) -> AccountStatus:
    response = call(sesv2.get_account)
    return AccountStatus(
        sending_enabled=bool(response.get("SendingEnabled", True)),
        enforcement_status=response.get("EnforcementStatus"),
        production_access=response.get("ProductionAccessEnabled"),
    )


def set_status(sesv2: Any, name: str, call: Caller = _direct) -> SetStatus:
    response = call(sesv2.get_configuration_set, ConfigurationSetName=name)
    # SendingOptions is absent when never set: SES then sends (the default is enabled).
    sending = response.get("SendingOptions") or {}
    reputation = response.get("ReputationOptions") or {}
    fresh = reputation.get("LastFreshStart")
    if isinstance(fresh, datetime) and fresh.tzinfo is None:
        fresh = fresh.replace(tzinfo=UTC)
    # GetConfigurationSet answers the set's tags too: the guard's pause tags cost no extra call.
    tags = {tag["Key"]: tag.get("Value", "") for tag in response.get("Tags") or []}
    return SetStatus(
        name=name,
        sending_enabled=bool(sending.get("SendingEnabled", True)),
        reputation_metrics_enabled=reputation.get("ReputationMetricsEnabled"),
        last_fresh_start=fresh if isinstance(fresh, datetime) else None,
        paused_by=tags.get(contract.TAG_PAUSED_BY),
        paused_at=tags.get(contract.TAG_PAUSED_AT),
    )


def set_arn(partition: str, region: str, account: str, name: str) -> str:
    return f"arn:{partition}:ses:{region}:{account}:configuration-set/{name}"


def set_tags(sesv2: Any, arn: str, call: Caller = _direct) -> dict[str, str] | None:
    """The configuration set's tags, or None when the set does not exist."""
    try:
        response = call(sesv2.list_tags_for_resource, ResourceArn=arn)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise
    return {tag["Key"]: tag["Value"] for tag in response.get("Tags", [])}


def pause_account(sesv2: Any, call: Caller = _direct) -> None:
    """Disable sending for the whole account in the client's Region."""
    call(sesv2.put_account_sending_attributes, SendingEnabled=False)


def pause_configuration_set(sesv2: Any, name: str, call: Caller = _direct) -> None:
    call(sesv2.put_configuration_set_sending_options, ConfigurationSetName=name, SendingEnabled=False)


def pause_tags(paused_by: str, paused_at: datetime) -> list[dict[str, str]]:
    """The tags that mark a set this guard paused: its name prefix and the time (UTC)."""
    when = paused_at.astimezone(UTC).strftime(contract.PAUSED_AT_FORMAT)
    return [{"Key": contract.TAG_PAUSED_BY, "Value": paused_by}, {"Key": contract.TAG_PAUSED_AT, "Value": when}]


def tag_paused(sesv2: Any, arn: str, paused_by: str, paused_at: datetime, call: Caller = _direct) -> None:
    """Mark the set at ``arn`` as paused by the guard ``paused_by`` at ``paused_at`` (after the pause;
    ``ses-guard status`` lists the sets carrying the tag, ``ses-guard resume`` removes it)."""
    call(sesv2.tag_resource, ResourceArn=arn, Tags=pause_tags(paused_by, paused_at))


def resume_account(sesv2: Any) -> None:
    sesv2.put_account_sending_attributes(SendingEnabled=True)


def resume_configuration_set(sesv2: Any, name: str) -> None:
    sesv2.put_configuration_set_sending_options(ConfigurationSetName=name, SendingEnabled=True)
