"""Idempotent pause / resume / status with the SES v2 API.

Every function takes an SES v2 client (boto3 ``sesv2``); errors from the API propagate
(``botocore.exceptions.ClientError``), the callers decide what a failure means.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

ENFORCEMENT_SHUTDOWN = "SHUTDOWN"

PAUSED = "paused"
ALREADY_PAUSED = "already_paused"
WOULD_PAUSE = "would_pause"
RESUMED = "resumed"
ALREADY_ENABLED = "already_enabled"


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


def account_status(sesv2: Any) -> AccountStatus:
    response = sesv2.get_account()
    return AccountStatus(
        sending_enabled=bool(response.get("SendingEnabled", True)),
        enforcement_status=response.get("EnforcementStatus"),
        production_access=response.get("ProductionAccessEnabled"),
    )


def set_status(sesv2: Any, name: str) -> SetStatus:
    response = sesv2.get_configuration_set(ConfigurationSetName=name)
    # SendingOptions is absent when never set: SES then sends (the default is enabled).
    sending = response.get("SendingOptions") or {}
    reputation = response.get("ReputationOptions") or {}
    return SetStatus(
        name=name,
        sending_enabled=bool(sending.get("SendingEnabled", True)),
        reputation_metrics_enabled=reputation.get("ReputationMetricsEnabled"),
        last_fresh_start=reputation.get("LastFreshStart"),
    )


def pause_account(sesv2: Any, dry_run: bool = False) -> str:
    """Disable sending for the whole account (in the client's Region). Reads first; idempotent."""
    if not account_status(sesv2).sending_enabled:
        return ALREADY_PAUSED
    if dry_run:
        return WOULD_PAUSE
    sesv2.put_account_sending_attributes(SendingEnabled=False)
    return PAUSED


def pause_configuration_set(sesv2: Any, name: str, dry_run: bool = False) -> str:
    """Disable sending for one configuration set. Reads first; idempotent."""
    if not set_status(sesv2, name).sending_enabled:
        return ALREADY_PAUSED
    if dry_run:
        return WOULD_PAUSE
    sesv2.put_configuration_set_sending_options(ConfigurationSetName=name, SendingEnabled=False)
    return PAUSED


def resume_account(sesv2: Any) -> None:
    sesv2.put_account_sending_attributes(SendingEnabled=True)


def resume_configuration_set(sesv2: Any, name: str) -> None:
    sesv2.put_configuration_set_sending_options(ConfigurationSetName=name, SendingEnabled=True)
