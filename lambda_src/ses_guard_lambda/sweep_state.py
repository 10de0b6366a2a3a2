"""The sweep's little state, in the DynamoDB table named by ``SWEEP_STATE_TABLE`` (docs/sweep.md).

Three items, hash key ``pk`` (string), each written only by the run that holds the lock:
- ``pk = "lock"``: the run in progress (``owner`` = its request id, ``lease_until`` epoch seconds = the
  end of its invocation). Taken with a conditional PutItem, released with a conditional DeleteItem, so
  runs never overlap; a run that dies keeps it only until its lease ends.
- ``pk = "episodes"``: the open episodes, a map ``ses_guard_policy.sweep.episode_key(...) -> ISO time the
  episode opened`` (and ``account_resumed_at`` when a person resumed the account the sweep paused).
  Written only when it changes.
- ``pk = "cursor"``: where the scan beyond the top 500 sets continues (``after`` = the last set name
  scanned), present only while a scan is unfinished.

A hub (``hub_run``) keeps each member account x Region's episodes and cursor in the same table, under
keys prefixed ``member:<account>:<region>:`` (``StateTable.scoped``); the lock is the hub's alone.

Terraform creates the table and never manages items, so nothing here drifts; on-demand capacity costs
nothing while no run reads or writes. ``expires_at`` (epoch seconds) is the table's TTL attribute: the
lock and the cursor disappear on their own if a run never cleans up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from .budget import Budget, error_code

LOCK_KEY: Final = "lock"
EPISODES_KEY: Final = "episodes"
CURSOR_KEY: Final = "cursor"
# TTL margins: after its lease a lock item is garbage; a cursor older than a week is stale.
LOCK_TTL_EXTRA_SECONDS: Final = 86_400
CURSOR_TTL_SECONDS: Final = 7 * 86_400
CONDITION_FAILED: Final = "ConditionalCheckFailedException"


def _epoch(moment: datetime) -> int:
    return math.ceil(moment.timestamp())


@dataclass
class Episodes:
    """The open episodes as read at the start of the run; ``changed`` says whether to write them back."""

    open: dict[str, str] = field(default_factory=dict)
    account_resumed_at: str | None = None
    _original: tuple[dict[str, str], str | None] = field(default_factory=lambda: ({}, None), repr=False)

    @property
    def changed(self) -> bool:
        return (self.open, self.account_resumed_at) != self._original


@dataclass
class StateTable:
    """The sweep's DynamoDB table; every call goes through the invocation's budget."""

    client: Any
    table: str
    budget: Budget
    prefix: str = ""
    """Before every key but the lock's: ``""`` for the guard's own Region, ``member:...:`` for a member's."""

    def scoped(self, prefix: str) -> StateTable:
        """The same table for one member account x Region (``hub.state_prefix``)."""
        return replace(self, prefix=prefix)

    # --- the lock -----------------------------------------------------------------------------------
    def acquire_lock(self, owner: str, now: datetime, lease_seconds: float) -> bool:
        """Take the lock until ``now + lease_seconds``; False when another run holds an unexpired lease."""
        until = _epoch(now) + math.ceil(lease_seconds)
        item = {
            "pk": {"S": LOCK_KEY},
            "owner": {"S": owner},
            "lease_until": {"N": str(until)},
            "expires_at": {"N": str(until + LOCK_TTL_EXTRA_SECONDS)},
        }
        try:
            self.budget.call(
                self.client.put_item,
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR lease_until < :now",
                ExpressionAttributeValues={":now": {"N": str(_epoch(now))}},
            )
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True

    def release_lock(self, owner: str) -> bool:
        """Delete the lock if this run still owns it; False when it no longer does (its lease ran out)."""
        try:
            self.budget.call(
                self.client.delete_item,
                TableName=self.table,
                Key={"pk": {"S": LOCK_KEY}},
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True

    # --- the open episodes --------------------------------------------------------------------------
    def load_episodes(self) -> Episodes:
        item = self._get(self.prefix + EPISODES_KEY)
        opened = {key: value.get("S", "") for key, value in item.get("episodes", {}).get("M", {}).items()}
        resumed = item.get("account_resumed_at", {}).get("S")
        return Episodes(dict(opened), resumed, (dict(opened), resumed))

    def save_episodes(self, episodes: Episodes) -> bool:
        """Write the episodes when they changed during the run; True when written."""
        if not episodes.changed:
            return False
        item: dict[str, Any] = {
            "pk": {"S": self.prefix + EPISODES_KEY},
            "episodes": {"M": {key: {"S": value} for key, value in sorted(episodes.open.items())}},
        }
        if episodes.account_resumed_at is not None:
            item["account_resumed_at"] = {"S": episodes.account_resumed_at}
        self.budget.call(self.client.put_item, TableName=self.table, Item=item)
        episodes._original = (dict(episodes.open), episodes.account_resumed_at)
        return True

    # --- the scan beyond the top 500 --------------------------------------------------------------------
    def load_cursor(self) -> str | None:
        value = self._get(self.prefix + CURSOR_KEY).get("after", {}).get("S")
        return str(value) if value else None

    def save_cursor(self, after: str | None, now: datetime) -> None:
        """Remember the last set scanned (None: the scan finished, the cursor is deleted)."""
        if after is None:
            self.budget.call(self.client.delete_item, TableName=self.table, Key={"pk": {"S": self.prefix + CURSOR_KEY}})
            return
        item = {
            "pk": {"S": self.prefix + CURSOR_KEY},
            "after": {"S": after},
            "expires_at": {"N": str(_epoch(now) + CURSOR_TTL_SECONDS)},
        }
        self.budget.call(self.client.put_item, TableName=self.table, Item=item)

    def _get(self, key: str) -> dict[str, Any]:
        response = self.budget.call(
            self.client.get_item, TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True
        )
        item: dict[str, Any] = response.get("Item") or {}
        return item
