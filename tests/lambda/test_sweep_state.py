"""What a sweep run keeps in its DynamoDB table (``sweep_state``): the lock, the open episodes and the
cursor of the scan beyond the top 500, each item written only by the run that holds the lock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ses_guard_lambda.sweep_state import CURSOR_TTL_SECONDS, LOCK_TTL_EXTRA_SECONDS, Episodes, StateTable
from tests.stubbed_aws import make_budget


class _Recording:
    """The moto DynamoDB client, recording the name of every operation called through it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.operations: list[str] = []

    def __getattr__(self, name: str) -> Any:
        operation = getattr(self.client, name)

        def call(**params: Any) -> Any:
            self.operations.append(name)
            return operation(**params)

        return call


def _table(sweep: Any) -> StateTable:
    return StateTable(sweep.dynamodb, sweep.table, make_budget())


def _recorded(sweep: Any) -> tuple[StateTable, _Recording]:
    client = _Recording(sweep.dynamodb)
    return StateTable(client, sweep.table, make_budget()), client


# --- the lock -------------------------------------------------------------------------------------------------


def test_a_free_lock_is_taken_with_its_owner_its_lease_and_a_later_expiry(sweep: Any) -> None:
    assert _table(sweep).acquire_lock("run-1", sweep.now, 900)
    lock = sweep.item("lock")
    lease = int(sweep.now.timestamp()) + 900
    assert lock["owner"]["S"] == "run-1" and int(lock["lease_until"]["N"]) == lease
    assert int(lock["expires_at"]["N"]) == lease + LOCK_TTL_EXTRA_SECONDS


def test_a_lock_held_by_another_run_until_its_lease_ends_is_not_taken(sweep: Any) -> None:
    table = _table(sweep)
    assert table.acquire_lock("run-1", sweep.now, 900)
    assert not table.acquire_lock("run-2", sweep.now + timedelta(seconds=899), 900)
    assert sweep.item("lock")["owner"]["S"] == "run-1"


def test_a_lock_whose_lease_ended_is_taken_by_the_next_run(sweep: Any) -> None:
    table = _table(sweep)
    assert table.acquire_lock("run-1", sweep.now, 900)
    assert table.acquire_lock("run-2", sweep.now + timedelta(seconds=901), 900)
    assert sweep.item("lock")["owner"]["S"] == "run-2"


def test_the_lock_is_released_only_by_its_owner(sweep: Any) -> None:
    table = _table(sweep)
    assert table.acquire_lock("run-1", sweep.now, 900)
    assert not table.release_lock("run-2") and sweep.item("lock")["owner"]["S"] == "run-1"
    assert table.release_lock("run-1") and sweep.item("lock") is None


def test_a_run_whose_lock_was_taken_over_releases_nothing(sweep: Any) -> None:
    table = _table(sweep)
    assert table.acquire_lock("run-1", sweep.now, 900)
    assert table.acquire_lock("run-2", sweep.now + timedelta(seconds=901), 900)  # run-1's lease ran out
    assert not table.release_lock("run-1") and sweep.item("lock")["owner"]["S"] == "run-2"


def test_an_error_other_than_a_failed_condition_is_raised(sweep: Any) -> None:
    missing = StateTable(sweep.dynamodb, "no-such-table", make_budget())
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        missing.acquire_lock("run-1", sweep.now, 900)


# --- the open episodes ----------------------------------------------------------------------------------------


def test_without_an_episodes_item_no_episode_is_open_and_nothing_is_written(sweep: Any) -> None:
    table, client = _recorded(sweep)
    episodes = table.load_episodes()
    assert episodes == Episodes() and not episodes.changed
    assert not table.save_episodes(episodes)
    assert client.operations == ["get_item"] and sweep.item("episodes") is None


def test_episodes_are_written_only_when_they_changed(sweep: Any) -> None:
    table, client = _recorded(sweep)
    episodes = table.load_episodes()
    episodes.open["set/a/bounce/warning"] = "2026-11-28T01:35:12Z"
    assert episodes.changed and table.save_episodes(episodes)
    assert not episodes.changed and not table.save_episodes(episodes)
    assert client.operations == ["get_item", "put_item"]
    assert table.load_episodes().open == {"set/a/bounce/warning": "2026-11-28T01:35:12Z"}


def test_episodes_read_back_unchanged_are_not_written_again(sweep: Any) -> None:
    first = _table(sweep)
    episodes = first.load_episodes()
    episodes.open["set/a/bounce/critical"] = "2026-11-28T01:35:12Z"
    episodes.account_resumed_at = "2026-11-28T01:00:00Z"
    first.save_episodes(episodes)
    table, client = _recorded(sweep)
    again = table.load_episodes()
    assert again.open == episodes.open and again.account_resumed_at == "2026-11-28T01:00:00Z"
    assert not again.changed and not table.save_episodes(again)
    assert client.operations == ["get_item"]


def test_a_closed_episode_and_a_forgotten_account_resume_are_written_back(sweep: Any) -> None:
    table = _table(sweep)
    episodes = table.load_episodes()
    episodes.open["set/a/bounce/critical"] = "2026-11-28T01:35:12Z"
    episodes.account_resumed_at = "2026-11-28T01:00:00Z"
    table.save_episodes(episodes)
    later = table.load_episodes()
    del later.open["set/a/bounce/critical"]
    later.account_resumed_at = None
    assert table.save_episodes(later)
    assert sweep.item("episodes") == {"pk": {"S": "episodes"}, "episodes": {"M": {}}}


# --- the cursor of the scan beyond the top 500 ----------------------------------------------------------------


def test_without_a_cursor_item_the_scan_starts_at_the_first_set(sweep: Any) -> None:
    assert _table(sweep).load_cursor() is None


def test_the_cursor_item_holds_the_last_set_scanned_and_expires_after_a_week(sweep: Any) -> None:
    table = _table(sweep)
    table.save_cursor("m-set", sweep.now)
    assert table.load_cursor() == "m-set"
    cursor = sweep.item("cursor")
    assert int(cursor["expires_at"]["N"]) == int(sweep.now.timestamp()) + CURSOR_TTL_SECONDS


def test_the_cursor_is_kept_while_a_scan_is_unfinished_and_deleted_after(sweep: Any) -> None:
    table = _table(sweep)
    table.save_cursor("m-set", sweep.now)
    table.save_cursor("t-set", sweep.now)
    assert table.load_cursor() == "t-set"
    table.save_cursor(None, sweep.now)
    assert table.load_cursor() is None and sweep.item("cursor") is None
