"""``backtest_report``: the text report (state changes, would-be pauses, the what-if comparison) and the
Markdown summary written with ``--out``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ses_guard_cli.backtest_history import SeriesKey
from ses_guard_cli.backtest_policy import WhatIf, apply_what_if, policy_from_document
from ses_guard_cli.backtest_replay import PolicyOutcome, run_policy
from ses_guard_cli.backtest_report import (
    PAUSE_NOTE,
    Window,
    comparison_text,
    markdown_summary,
    report_text,
    transition_rows,
)
from tests.cli.support import BOUNCE, COMPLAINT, REGION, START, document, series


def _account_spike() -> PolicyOutcome:
    policy = policy_from_document(document(account={"action": "pause", "warning_alarms": False}), source="p.json")
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): series(0.01, 0.06, 0.01),
        SeriesKey(COMPLAINT, None, "Maximum", 3600): series(0.0001, 0.0001, 0.0001),
    }
    return run_policy(policy, history, [])


def test_the_comparison_names_pauses_gained_lost_and_moved() -> None:
    policy = policy_from_document(
        document(account={"action": "pause"}, configuration_sets={"m": {"action": "pause"}}), source="p"
    )
    candidate = apply_what_if(policy, WhatIf(thresholds={"bounce_critical": 0.03}))
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): series(0.035, 0.05),
        SeriesKey(COMPLAINT, None, "Maximum", 3600): series(0.0, 0.0),
        SeriesKey(BOUNCE, "m", "Maximum", 3600): series(0.035, 0.0),
        SeriesKey(COMPLAINT, "m", "Maximum", 3600): series(0.0, 0.0),
    }
    text = comparison_text(run_policy(policy, history, []), run_policy(candidate, history, []))
    assert text.splitlines()[0] == "What-if test with bounce critical 0.03: 2 pause(s) against 1 with test"
    assert "~ account: 2026-06-01 01:00 -> 2026-06-01 00:00 (1 h earlier)" in text
    assert "+ configuration-set:m: paused 2026-06-01 00:00 only with the candidate" in text
    reversed_text = comparison_text(run_policy(candidate, history, []), run_policy(policy, history, []))
    assert "- configuration-set:m: paused 2026-06-01 00:00 only with what-if" in reversed_text


def test_state_changes_are_listed_with_the_value_threshold_and_pause_but_not_the_first_ok() -> None:
    rows = transition_rows(_account_spike())
    assert rows == [
        ("2026-06-01 01:00", "account", "bounce critical", "OK -> ALARM", "0.06", ">= 0.04", "PAUSE account"),
        ("2026-06-01 02:00", "account", "bounce critical", "ALARM -> OK", "0.01", ">= 0.04", ""),
    ]


def test_the_report_names_the_window_the_policy_its_changes_and_its_would_be_pauses() -> None:
    window = Window(REGION, START, START + timedelta(hours=3), 3600, clipped=True)
    text = report_text(window, [_account_spike()])
    lines = text.splitlines()
    assert lines[0] == "Backtest us-east-1: 2026-06-01 00:00 to 2026-06-01 03:00 UTC (3 h), datapoints every 3600 s"
    assert "Note: --days reaches past what CloudWatch keeps at this period; clipped to its retention." in lines
    assert "Policy 'test' from p.json: 2 alarms, 2 replayed" in lines
    assert "Would-be pauses (test): 1" in lines
    assert "  2026-06-01 01:00  account by test-account-bounce-critical (value 0.06, threshold 0.04)" in lines
    assert f"  {PAUSE_NOTE}" in lines
    assert "What-if" not in text  # one policy: nothing to compare


def test_the_markdown_summary_quotes_the_report_and_shows_each_plot_or_says_there_are_none() -> None:
    summary = markdown_summary("report line\n", [("account", Path("out/backtest-account.png"))])
    assert summary == (
        "# ses-guard backtest\n\n```text\nreport line\n```\n\n## account\n\n![account](backtest-account.png)\n\n"
    )
    assert "No plots: install the `plot` extra (matplotlib)" in markdown_summary("report line\n", [])
