"""An operator in a hub's member account: the role ``<name_prefix>-member`` (``ses_guard_policy.hub``),
assumed from the hub account's credentials, and clients built from the session it returns.

The member role trusts the hub function's role and the operator role ARNs the member was deployed with
(``operator_role_arns``), so ``status --hub`` and ``resume --member`` work from one of those. The session
is named ``<name_prefix>-operator`` (the hub's own are ``<name_prefix>-hub``): CloudTrail in the member
tells a person's resume from the guard's pause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import boto3

from ses_guard_lambda.clients import RETRY_CONFIG
from ses_guard_policy import hub

ServiceFactory = Callable[[str, str | None], Any]
"""(service, Region) -> client."""

DEFAULT_NAME_PREFIX: Final = "ses-guard"
"""The guard's default name prefix (``ReputationGuardProps.name_prefix``, ``MemberRoleProps.name_prefix``),
so the member role ``ses-guard-member`` when the hub kept it."""
OPERATOR_SESSION_SUFFIX: Final = "operator"


def session_name(name_prefix: str) -> str:
    """``<name_prefix>-operator``: at most 41 characters (AssumeRole allows 64)."""
    return f"{name_prefix}-{OPERATOR_SESSION_SUFFIX}"


@dataclass(frozen=True)
class Caller:
    """Who the hub account's credentials are (GetCallerIdentity: needs no permission)."""

    account: str
    partition: str


def caller(sts: Any) -> Caller:
    identity = sts.get_caller_identity()
    return Caller(str(identity["Account"]), str(identity["Arn"]).split(":")[1])


def _credential_factory(credentials: Mapping[str, Any]) -> ServiceFactory:
    session = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )

    def factory(service: str, region: str | None) -> Any:
        return session.client(service, region_name=region, config=RETRY_CONFIG)

    return factory


credential_factory: Callable[[Mapping[str, Any]], ServiceFactory] = _credential_factory
"""AssumeRole's ``Credentials`` -> a factory of clients acting in the member account. Replaced in tests."""


def assume_member(sts: Any, partition: str, account_id: str, name_prefix: str) -> ServiceFactory:
    """Clients in ``account_id`` through its member role; AssumeRole's ClientError is the caller's to report."""
    response = sts.assume_role(
        RoleArn=hub.member_role_arn(partition, account_id, name_prefix), RoleSessionName=session_name(name_prefix)
    )
    return credential_factory(response["Credentials"])
