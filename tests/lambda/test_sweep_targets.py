"""What a sweep run does with each breach (``sweep_targets``): exclusions as fleet mode, already paused
sets left unreported, resumed sets judged afresh, warnings once per episode, the account by its action,
dry run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ses_guard_policy import contract
from tests.stubbed_aws import SET_ENTRY, FakeClock


def test_a_set_with_its_own_policy_is_left_to_its_own_alarms_without_a_notice(sweep: Any) -> None:
    sweep.expect_queries(bounce={"vip": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("vip", SET_ENTRY)
    summary = sweep.run(sweep.config())
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == summary["warned"] == [] and summary["excluded"] == ["configuration-set:vip"]
    assert sweep.aws.published == [] and sweep.episodes() == {}
    assert summary["counts"]["excluded"] == {"own_policy": 1}


def test_a_protected_set_is_not_paused_and_notified_once(sweep: Any) -> None:
    config = sweep.config(protected=["Transactional"])  # protection ignores case
    sweep.expect_queries(bounce={"transactional": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("transactional")
    sweep.aws.expect_publish()
    summary = sweep.run(config)
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["warned"] == ["configuration-set:transactional"]
    assert sweep.subjects() == ["SES CRITICAL set transactional in us-east-1 (sweep): bounce 20.00% >= 5.00%"]
    assert "PROTECTED_CONFIGURATION_SETS" in sweep.reports()[0]["Texts"]["email"]


def test_a_set_tagged_notify_in_ses_is_not_paused_and_notified_once(sweep: Any) -> None:
    sweep.expect_queries(bounce={"receipts": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("receipts")
    sweep.aws.expect_set("receipts")
    sweep.aws.expect_set_tags("receipts", {contract.TAG_ACTION: contract.ACTION_NOTIFY})
    sweep.aws.expect_publish()
    summary = sweep.run(sweep.config())
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["excluded"] == ["configuration-set:receipts"]
    assert summary["counts"]["excluded"] == {"notify_tag": 1} and len(sweep.aws.published) == 1
    # The next run: still in breach, the episode is open: one state read, nothing sent.
    sweep.aws.published.clear()
    sweep.expect_queries(bounce={"receipts": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("receipts")
    sweep.aws.expect_set("receipts")
    sweep.run(sweep.config())
    sweep.aws.assert_all_calls_made()
    assert sweep.aws.published == []


def test_a_set_that_no_longer_exists_is_left_alone_without_a_notice(sweep: Any) -> None:
    sweep.expect_queries(bounce={"gone": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("gone")
    sweep.aws.expect_set("gone")
    sweep.aws.stubs["sesv2"].add_client_error("list_tags_for_resource", "NotFoundException", http_status_code=404)
    summary = sweep.run(sweep.config())
    assert summary["counts"]["excluded"] == {"missing": 1} and sweep.aws.published == []


def test_a_set_the_sweep_paused_is_not_reported_again_by_the_next_run(sweep: Any) -> None:
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2)})
    sweep.expect_set_pause("beta")
    sweep.run(sweep.config())
    sweep.aws.published.clear()
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("beta")
    sweep.aws.expect_set("beta", sending_enabled=False)
    summary = sweep.run(sweep.config(), clock=FakeClock(start=sweep.now + timedelta(minutes=10)))
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["already_paused"] == ["configuration-set:beta"]
    assert sweep.aws.published == [] and len(sweep.aws.calls_to("PutConfigurationSetSendingOptions")) == 1


def test_a_set_paused_by_someone_else_is_reported_once_as_already_paused(sweep: Any) -> None:
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("beta")
    sweep.aws.expect_set("beta", sending_enabled=False)
    sweep.aws.expect_publish()
    summary = sweep.run(sweep.config())
    assert summary["already_paused"] == ["configuration-set:beta"]
    assert sweep.subjects() == ["SES PAUSED set beta in us-east-1 (sweep): bounce 20.00% >= 5.00%"]
    assert "it already was" in sweep.reports()[0]["Texts"]["email"]


def test_a_set_resumed_after_the_breach_is_judged_only_on_the_datapoints_since(sweep: Any) -> None:
    resumed = sweep.now - timedelta(minutes=30)  # after the two breaching periods ended
    sweep.expect_queries(bounce={"beta": sweep.points(None, 0.2, 0.2)})
    sweep.aws.expect_set_policy("beta")
    sweep.aws.expect_set("beta", fresh_start=resumed)
    summary = sweep.run(sweep.config(sweep={"warning_notices": False}))
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["resumed"] == ["configuration-set:beta"]


def test_a_set_breaching_again_after_its_resume_is_paused_again(sweep: Any) -> None:
    resumed = sweep.now - timedelta(hours=3)
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2, None, 0.3)})
    sweep.aws.expect_set_policy("beta")
    sweep.aws.expect_set("beta", fresh_start=resumed)
    sweep.aws.expect_set_tags("beta")
    sweep.aws.expect_pause_set("beta")
    sweep.aws.expect_pause_tag("beta")
    sweep.aws.expect_publish()
    summary = sweep.run(sweep.config())
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == ["configuration-set:beta"]


def test_a_warning_is_notified_once_across_two_runs_and_again_after_its_episode_closed(sweep: Any) -> None:
    warning = {"news": sweep.points(0.03, 0.03)}
    for minutes in (0, 60):  # two runs, the same warning: one notice
        sweep.expect_queries(bounce=warning)
        sweep.aws.expect_set_policy("news")
        if minutes == 0:
            sweep.aws.expect_publish()
        sweep.run(sweep.config(), clock=FakeClock(start=sweep.now + timedelta(minutes=minutes)))
        sweep.aws.assert_all_calls_made()
    assert sweep.subjects() == ["SES WARNING set news in us-east-1 (sweep): bounce 3.00% >= 2.00%"]
    assert list(sweep.episodes()) == ["set/news/bounce/warning"]
    sweep.expect_queries(bounce={"news": sweep.points(0.01, 0.01, 0.01)})  # seen, healthy: the episode closes
    sweep.run(sweep.config())
    assert sweep.episodes() == {}
    sweep.expect_queries(bounce=warning)  # a new episode: a new notice
    sweep.aws.expect_set_policy("news")
    sweep.aws.expect_publish()
    summary = sweep.run(sweep.config())
    sweep.aws.assert_all_calls_made()
    assert summary["warned"] == ["configuration-set:news"] and len(sweep.aws.published) == 2


def test_a_set_absent_from_a_run_keeps_its_episode_open(sweep: Any) -> None:
    sweep.expect_queries(bounce={"news": sweep.points(0.03, 0.03)})
    sweep.aws.expect_set_policy("news")
    sweep.aws.expect_publish()
    sweep.run(sweep.config())
    sweep.expect_queries()  # not returned (a full query, or no data): not seen, so not healthy either
    sweep.run(sweep.config())
    assert list(sweep.episodes()) == ["set/news/bounce/warning"]


def test_without_warning_notices_a_warning_breach_sends_nothing(sweep: Any) -> None:
    sweep.expect_queries(bounce={"news": sweep.points(0.03, 0.03)})
    summary = sweep.run(sweep.config(sweep={"warning_notices": False}))
    assert summary["warned"] == [] and sweep.aws.published == [] and sweep.aws.calls_to("GetParameter") == []


def test_an_account_breach_pauses_the_account_when_its_action_is_pause(sweep: Any) -> None:
    sweep.expect_queries(account_bounce=sweep.points(0.11, 0.12))
    sweep.aws.expect_account()
    sweep.aws.expect_pause_account()
    sweep.aws.expect_publish()
    summary = sweep.run(sweep.config())
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == ["account"]
    assert sweep.subjects() == ["SES PAUSED account in us-east-1 (sweep): bounce 12.00% >= 5.00%"]
    assert "ses-guard resume --account --region us-east-1" in sweep.reports()[0]["Texts"]["email"]


def test_an_account_breach_is_notified_once_when_its_action_is_notify(sweep: Any) -> None:
    config = sweep.config(account={"action": "notify"})
    for _ in range(2):
        sweep.expect_queries(account_bounce=sweep.points(0.11, 0.12))
        sweep.run(config) if sweep.aws.published else (sweep.aws.expect_publish(), sweep.run(config))
    sweep.aws.assert_all_calls_made()
    assert sweep.aws.calls_to("PutAccountSendingAttributes") == [] and len(sweep.aws.published) == 1


def test_an_account_a_person_resumed_is_not_paused_again_on_the_old_datapoints(sweep: Any) -> None:
    breach = sweep.points(0.11, 0.12)
    sweep.expect_queries(account_bounce=breach)
    sweep.aws.expect_account()
    sweep.aws.expect_pause_account()
    sweep.aws.expect_publish()
    sweep.run(sweep.config())
    sweep.expect_queries(account_bounce=breach)  # resumed by a person, the old datapoints still in the window
    sweep.aws.expect_account()
    later = FakeClock(start=sweep.now + timedelta(minutes=5))
    summary = sweep.run(sweep.config(), clock=later)
    assert summary["resumed"] == ["account"] and len(sweep.aws.calls_to("PutAccountSendingAttributes")) == 1
    sweep.expect_queries(account_bounce=breach)  # judged from the resume on: no breach, the episode closes
    summary = sweep.run(sweep.config(), clock=FakeClock(start=sweep.now + timedelta(minutes=10)))
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == [] and sweep.episodes() == {}


def test_an_account_sweep_can_be_turned_off(sweep: Any) -> None:
    sweep.expect_queries(account=False)
    summary = sweep.run(sweep.config(sweep={"evaluate_account": False}))
    sweep.aws.assert_all_calls_made()
    assert summary["counts"]["calls"] == 5  # lock, episodes, two queries, cursor (the release comes after)


def test_a_dry_run_pauses_nothing_and_reports_would_pause_once_per_episode(sweep: Any) -> None:
    config = sweep.config(dry_run=True)
    for minutes in (0, 60):
        sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2)})
        sweep.aws.expect_set_policy("beta")
        sweep.aws.expect_set("beta")
        if minutes == 0:
            sweep.aws.expect_set_tags("beta")
            sweep.aws.expect_publish()
        summary = sweep.run(config, clock=FakeClock(start=sweep.now + timedelta(minutes=minutes)))
        sweep.aws.assert_all_calls_made()
    assert sweep.aws.calls_to("PutConfigurationSetSendingOptions") == sweep.aws.calls_to("TagResource") == []
    assert sweep.subjects() == ["SES WOULD PAUSE set beta in us-east-1 (sweep): bounce 20.00% >= 5.00%"]
    assert "DRY RUN" in sweep.reports()[0]["Texts"]["email"] and summary["counts"]["dry_run"] is True


def test_a_report_that_cannot_be_published_leaves_the_episode_for_the_next_run(sweep: Any) -> None:
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2)})
    sweep.aws.expect_set_policy("beta")
    sweep.aws.expect_set("beta")
    sweep.aws.expect_set_tags("beta")
    sweep.aws.expect_pause_set("beta")
    sweep.aws.expect_pause_tag("beta")
    sweep.aws.stubs["sns"].add_client_error("publish", "KMSAccessDenied")
    try:
        sweep.run(sweep.config())
    except Exception as exc:
        assert "report could not be published" in str(exc)
    assert sweep.episodes() == {}  # the next run finds it paused and reports it then
