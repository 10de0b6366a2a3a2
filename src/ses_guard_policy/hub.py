"""Hub mode's names, derived once (docs/organization.md): where a member's role is, where its entry lives,
where its state lives. Standard library only; the ``hub`` section of the manifest (``manifest.Hub``,
``manifest.Member``) holds the policy itself.

A hub guard's function runs the sweep in its own account and Region and, in turn, in every member
account x Region of its list: it assumes the role ``<name_prefix>-member`` that the member role construct
or module created there (``MemberRole``), reads SES's datapoints and pauses there, and reports to the
hub's topic naming the account and the Region.
"""

from __future__ import annotations

from typing import Final

MEMBER_ROLE_SUFFIX: Final = "member"
"""The member role is ``<name_prefix>-member``, one per member account (IAM is global to an account)."""
SESSION_NAME_SUFFIX: Final = "hub"
"""The hub's sessions in a member account are ``<name_prefix>-hub`` (CloudTrail shows who paused)."""


def member_role_name(name_prefix: str) -> str:
    return f"{name_prefix}-{MEMBER_ROLE_SUFFIX}"


def member_role_arn(partition: str, account_id: str, name_prefix: str) -> str:
    """The role the hub assumes in ``account_id`` (exact: the hub's role may assume only these ARNs)."""
    return f"arn:{partition}:iam::{account_id}:role/{member_role_name(name_prefix)}"


def session_name(name_prefix: str) -> str:
    return f"{name_prefix}-{SESSION_NAME_SUFFIX}"


def members_path(name_prefix: str) -> str:
    """The SSM path of the members' entries, one SecureString parameter per member account:
    ``/<prefix>/policy/members/<account id>`` (the function's environment holds 4 KB: 50 members do not fit)."""
    return f"/{name_prefix}/policy/members/"


def unit_name(account_id: str, region: str) -> str:
    """``<account id>/<region>``: one member account in one Region, as reports, logs and state name it."""
    return f"{account_id}/{region}"


def state_prefix(account_id: str, region: str) -> str:
    """Prefix of a member Region's items in the hub's sweep state table (``member:<account>:<region>:``),
    so each member Region keeps its own episodes and cursor; the lock is the hub's alone."""
    return f"member:{account_id}:{region}:"
