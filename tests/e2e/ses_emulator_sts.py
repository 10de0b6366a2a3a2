"""The emulator's AssumeRole: refused, as AWS refuses it, when the role does not exist in its account.

moto 5.2.5's ``STSBackend.assume_role`` issues credentials for any role ARN ("the role does not need to
exist", its docstring), which is how tests switch accounts. AWS answers ``AccessDenied`` ("User: ... is not
authorized to perform: sts:AssumeRole on resource: ...", STS API Reference, AssumeRole, Errors; IAM User
Guide, "Troubleshooting IAM roles": the role must exist and trust the caller) when the role is missing.
The hub's e2e scenario needs that refusal to show an unreachable member: the patch checks that the role
exists in the target account (moto keeps IAM per account); trust policies stay unevaluated (moto enforces
no IAM: tests read the policy documents instead).
"""

from __future__ import annotations

from typing import Any

from moto.core.exceptions import ServiceException
from moto.iam.exceptions import NotFoundException
from moto.iam.models import iam_backends
from moto.sts.models import STSBackend
from moto.utilities.utils import get_partition

_MARKER = "_ses_emulator_role_must_exist"


class AccessDenied(ServiceException):
    code = "AccessDenied"


def _account_of(role_arn: str) -> str:
    parts = role_arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def install_assume_role_checks() -> None:
    """Patch ``STSBackend.assume_role`` (idempotent): a role that does not exist is refused."""
    if getattr(STSBackend, _MARKER, False):
        return
    original = STSBackend.assume_role

    def assume_role(self: STSBackend, region_name: str, role_session_name: str, role_arn: str, *args: Any, **kw: Any):  # type: ignore[no-untyped-def]
        account = _account_of(role_arn)
        try:
            iam_backends[account][get_partition(region_name)].get_role_by_arn(role_arn)
        except (NotFoundException, KeyError):
            raise AccessDenied(f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}") from None
        return original(self, region_name, role_session_name, role_arn, *args, **kw)

    STSBackend.assume_role = assume_role  # type: ignore[method-assign]
    setattr(STSBackend, _MARKER, True)
