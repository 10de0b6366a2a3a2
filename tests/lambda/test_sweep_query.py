"""What a sweep run reads (``sweep_query``) and keeps (``sweep_state``), and what it tells people
(``sweep_report``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ses_guard_lambda import sweep_query, sweep_report
from ses_guard_lambda.decision import PAUSED
from ses_guard_lambda.sweep_state import Episodes, StateTable
from ses_guard_policy.sweep import Verdict
from tests.stubbed_aws import make_budget


def test_each_group_by_series_is_read_by_the_set_name_its_dynamic_label_carries(sweep: Any) -> None:
    assert sweep_query.SET_LABEL == "${PROP('Dim.ses:configuration-set')}"
    sweep.expect_insights(sweep.bounce, {"alpha": sweep.points(0.1)}, next_token="t1")
    sweep.expect_insights(sweep.bounce, {"alpha": sweep.points(None, 0.2), "beta": sweep.points(0.3)}, token="t1")
    window = (sweep.now - timedelta(hours=9), sweep.now)
    found = sweep_query.insights_series(sweep.aws.cloudwatch, make_budget(), sweep.bounce, 3600, window)
    sweep.aws.assert_all_calls_made()
    assert list(found.series) == ["alpha", "beta"] and len(found.series["alpha"]) == 2 and found.calls == 2


def test_a_label_that_is_no_set_name_is_never_guessed_at(sweep: Any) -> None:
    labels = {"a": "${PROP('Dim.ses:configuration-set')}", "b": "Other set"}
    sweep.expect_insights(sweep.bounce, {"a": sweep.points(0.3), "b": sweep.points(0.3)}, labels=labels)
    window = (sweep.now - timedelta(hours=9), sweep.now)
    found = sweep_query.insights_series(sweep.aws.cloudwatch, make_budget(), sweep.bounce, 3600, window)
    assert found.series == {} and found.unreadable == list(labels.values())


def test_the_lock_is_taken_once_and_released_only_by_its_owner(sweep: Any) -> None:
    table = StateTable(sweep.dynamodb, sweep.table, make_budget())
    assert table.acquire_lock("run-1", sweep.now, 900)
    assert not table.acquire_lock("run-2", sweep.now + timedelta(seconds=899), 900)
    assert not table.release_lock("run-2") and sweep.item("lock")["owner"]["S"] == "run-1"
    assert table.acquire_lock("run-2", sweep.now + timedelta(seconds=901), 900)  # the lease ran out
    assert int(sweep.item("lock")["expires_at"]["N"]) > int(sweep.item("lock")["lease_until"]["N"])


def test_episodes_are_written_only_when_they_changed(sweep: Any) -> None:
    table = StateTable(sweep.dynamodb, sweep.table, make_budget())
    episodes = table.load_episodes()
    assert episodes == Episodes() and not table.save_episodes(episodes)
    episodes.open["set/a/bounce/warning"] = "2026-11-28T01:35:12Z"
    assert table.save_episodes(episodes) and not table.save_episodes(episodes)
    assert table.load_episodes().open == {"set/a/bounce/warning": "2026-11-28T01:35:12Z"}


def test_the_cursor_is_kept_while_a_scan_is_unfinished_and_deleted_after(sweep: Any) -> None:
    table = StateTable(sweep.dynamodb, sweep.table, make_budget())
    table.save_cursor("m-set", sweep.now)
    assert table.load_cursor() == "m-set"
    table.save_cursor(None, sweep.now)
    assert table.load_cursor() is None


def test_a_sweep_report_is_bounded_and_safe_in_every_channel(sweep: Any) -> None:
    verdict = Verdict("marketing", sweep.bounce, "critical", 0.05, 0.07, 0.09)
    where = sweep_report.Where(
        "us-east-1", "123456789012", "arn:aws:lambda:us-east-1:123456789012:function:f", sweep.now
    )
    rendered = sweep_report.pause_report(verdict, PAUSED, sweep.rule(sweep.config()), where)
    assert rendered.subject == "SES PAUSED set marketing in us-east-1 (sweep): bounce 9.00% >= 5.00%"
    assert rendered.subject.isascii() and len(rendered.subject) <= 100 and len(rendered.sms) <= 140
    for text in ("Source:      sweep", "Highest:     0.09 (9.00 %)", "Latest:      0.07 (7.00 %)",
                 "Threshold:   >= 0.05 (5.00 %)", "ses-guard resume --configuration-set marketing --region us-east-1",
                 "resets its reputation metrics"):  # fmt: skip
        assert text in rendered.body
    params = rendered.publish_params("arn:aws:sns:us-east-1:123456789012:t")
    assert params["MessageStructure"] == "json"
