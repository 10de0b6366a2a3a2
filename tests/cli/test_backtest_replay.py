"""``backtest_replay``: every alarm replayed over its target's history, then what the guard would have paused.

The pause rule is the function's: only a critical alarm with action ``pause`` entering ALARM pauses, and
a pause lasts until someone resumes it.
"""

from __future__ import annotations

from ses_guard_cli.backtest_history import SeriesKey
from ses_guard_cli.backtest_policy import SCOPE_FLEET, policy_from_document
from ses_guard_cli.backtest_replay import decide_pauses, needed_series, run_policy
from ses_guard_policy.evaluation import ALARM, OK
from tests.cli.support import BOUNCE, COMPLAINT, document, series


def test_a_pause_lasts_until_resumed_and_notify_targets_are_never_paused() -> None:
    policy = policy_from_document(
        document(account={"action": "pause"}, configuration_sets={"quiet": {"action": "notify"}}), source="p"
    )
    spike = series(0.01, 0.06, 0.01, 0.07, 0.01)
    calm = series(0.0001, 0.0001, 0.0001, 0.0001, 0.0001)
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): spike,
        SeriesKey(COMPLAINT, None, "Maximum", 3600): calm,
        SeriesKey(BOUNCE, "quiet", "Maximum", 3600): spike,
        SeriesKey(COMPLAINT, "quiet", "Maximum", 3600): calm,
    }
    outcome = run_policy(policy, history, [])
    assert [(p.target, p.at.hour, p.already_paused) for p in outcome.pauses] == [
        ("account", 1, False),
        ("account", 3, True),
    ]
    assert [(p.target, p.at.hour) for p in outcome.first_pauses] == [("account", 1)]
    quiet = [
        a
        for a in outcome.alarms
        if a.target == "configuration-set:quiet" and a.alarm.tier == "critical" and a.alarm.metric == BOUNCE
    ]
    assert [t.new for t in quiet[0].replay.transitions] == [OK, ALARM, OK, ALARM, OK]


def test_fleet_contributors_cover_the_discovered_sets_without_their_own_policy() -> None:
    policy = policy_from_document(
        document(configuration_sets={"vip": {"action": "notify"}}, fleet={"action": "pause", "warning_alarms": False}),
        source="p",
    )
    keys = needed_series([policy], ["vip", "new-customer"])
    assert SeriesKey(BOUNCE, "new-customer", "Maximum", 3600) in keys
    history = {key: series(0.0, 0.09, None, None, None, None) for key in keys}
    outcome = run_policy(policy, history, ["vip", "new-customer"])
    paused = sorted({p.target for p in outcome.first_pauses})
    assert paused == ["configuration-set:new-customer"]
    contributors = [a for a in outcome.alarms if a.alarm.scope == SCOPE_FLEET]
    assert {a.configuration_set for a in contributors} == {"new-customer"}  # vip: judged by its own alarms only
    contributor = next(a for a in contributors if a.alarm.metric == BOUNCE)
    # Metrics Insights: 3-hour window, contributors are OK or ALARM only.
    assert contributor.replay.rule.range_periods == 3
    assert set(contributor.replay.states) <= {OK, ALARM}


def test_the_series_needed_are_one_per_metric_and_target_at_the_alarms_statistic_and_period() -> None:
    policy = policy_from_document(
        document(account={"action": "pause"}, alarm={"period": 300, "statistic": "Average"}), source="p"
    )
    assert needed_series([policy], ["ignored-without-a-fleet"]) == {
        SeriesKey(BOUNCE, None, "Average", 300),
        SeriesKey(COMPLAINT, None, "Average", 300),
    }


def test_pauses_are_decided_in_time_order_across_alarms_and_only_the_first_per_target_is_new() -> None:
    policy = policy_from_document(document(account={"action": "pause"}), source="p")
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): series(0.0, 0.0, 0.09),
        SeriesKey(COMPLAINT, None, "Maximum", 3600): series(0.0, 0.002, 0.0),
    }
    pauses = decide_pauses(run_policy(policy, history, []).alarms)
    assert [(p.alarm, p.already_paused) for p in pauses] == [
        ("test-account-complaint-critical", False),
        ("test-account-bounce-critical", True),
    ]
    assert [(p.value, p.threshold) for p in pauses] == [(0.002, 0.0008), (0.09, 0.04)]
