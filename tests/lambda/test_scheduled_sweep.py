"""The scheduled sweep run end to end (``sweep``, issue 23): the scheduled event starts it and nothing in
it is trusted, runs never overlap, the run decides through the model alone and acts worst first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ses_guard_lambda import handler
from ses_guard_lambda.clients import Clients, default_clients
from ses_guard_lambda.config import ConfigError
from ses_guard_lambda.scheduled_sweep import SweepError, is_scheduled_event
from ses_guard_policy import sweep as sweep_model
from tests.stubbed_aws import CONFIG, REPORT_TOPIC, FakeContext, load_event, log_lines


def _scheduled() -> dict[str, Any]:
    return load_event("eventbridge_scheduled_event.json")


# --- the scheduled event ----------------------------------------------------------------------------------


def test_the_documented_scheduled_event_is_recognised_by_its_shape() -> None:
    assert is_scheduled_event(_scheduled())


@pytest.mark.parametrize(
    "change",
    [
        {"source": "aws.cloudwatch"},
        {"detail-type": "CloudWatch Alarm State Change"},
        {"source": None},
        {"detail-type": "scheduled event"},
    ],
)
def test_an_event_of_another_source_or_detail_type_is_no_scheduled_event(change: dict[str, Any]) -> None:
    assert not is_scheduled_event({**_scheduled(), **change})


def test_records_lists_and_text_are_no_scheduled_events() -> None:
    assert not is_scheduled_event(load_event("sns_account_bounce_alarm.json"))
    assert not is_scheduled_event([_scheduled()])
    assert not is_scheduled_event("Scheduled Event")


def test_a_guard_without_a_sweep_ignores_the_scheduled_event_with_one_log_line(
    sweep: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = sweep.run(CONFIG)  # the fleet manifest of the other tests: no sweep section
    sweep.aws.assert_all_calls_made()
    assert summary["sweep"] is False and "no enabled sweep" in summary["ignored"]
    (line,) = log_lines(capsys.readouterr().out, "ignored")
    assert line["source"] == "sweep" and sweep.item("lock") is None


def test_a_disabled_sweep_ignores_the_scheduled_event(sweep: Any) -> None:
    summary = sweep.run(sweep.config(sweep={"enabled": False}))
    assert summary["sweep"] is False and sweep.aws.calls == []


def test_a_sweep_without_its_state_table_fails_loudly(sweep: Any) -> None:
    with pytest.raises(Exception, match="SWEEP_STATE_TABLE"):
        sweep.run(sweep.config(table=None))


def test_nothing_in_the_event_is_read_a_forged_time_account_and_rule_change_nothing(sweep: Any) -> None:
    forged = {**_scheduled(), "time": "1999-01-01T00:00:00Z", "account": "999999999999", "region": "eu-west-1"}
    forged["resources"] = ["arn:aws:events:eu-west-1:999999999999:rule/evil"]
    forged["detail"] = {"configuration_set": "marketing", "pause": True}
    sweep.expect_queries()
    summary = sweep.run(sweep.config(), event=forged)
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == [] and summary["counts"]["calls"] >= 3


def test_the_alarm_path_is_unchanged_by_the_sweep(sweep: Any) -> None:
    sweep.aws.expect_account_pause("sesguard-account-bounce-critical")
    summary = sweep.run(sweep.config(), event=load_event("sns_account_bounce_alarm.json"))
    assert [p["target"] for p in summary["paused"]] == ["account"] and "sweep" not in summary


# --- the lock -----------------------------------------------------------------------------------------------


def test_a_run_that_finds_the_lock_held_does_no_work_and_is_no_error(
    sweep: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep.hold_lock()
    summary = sweep.run(sweep.config())
    assert summary["skipped"] == "another sweep run holds the lock"
    assert sweep.aws.calls == []
    assert sweep.item("lock")["owner"]["S"] == "another-run"
    assert log_lines(capsys.readouterr().out, "sweep_skipped")


def test_a_lock_whose_lease_ended_is_taken_and_released_at_the_end(sweep: Any) -> None:
    sweep.hold_lock(until=sweep.now - timedelta(seconds=1))
    sweep.expect_queries()
    summary = sweep.run(sweep.config())
    assert summary["skipped"] is None and sweep.item("lock") is None


def test_the_lock_is_released_when_a_query_fails_and_the_run_raises_for_a_retry(
    sweep: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep.aws.stubs["cloudwatch"].add_client_error("get_metric_data", "InternalServiceError", http_status_code=500)
    with pytest.raises(Exception, match="InternalServiceError"):
        sweep.run(sweep.config())
    assert sweep.item("lock") is None
    assert log_lines(capsys.readouterr().out, "sweep_failed")


# --- deciding and acting ------------------------------------------------------------------------------------


def test_two_sets_breaching_m_of_n_are_paused_worst_first_and_a_one_off_spike_is_not(sweep: Any) -> None:
    alpha = sweep.points(0.07, 0.08, None)  # 2 of the latest 3 periods at or above 5 %
    beta = sweep.points(0.12, 0.09, 0.01)  # worse: paused first
    spike = sweep.points(0.01, 0.30, 0.01)  # once: not M of N
    sweep.expect_queries(bounce={"beta": beta, "spike": spike, "alpha": alpha})
    for name in ("beta", "alpha"):
        sweep.expect_set_pause(name)
    summary = sweep.run(sweep.config(sweep={"warning_notices": False}))
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == ["configuration-set:beta", "configuration-set:alpha"]
    assert [c["ConfigurationSetName"] for c in sweep.aws.calls_to("PutConfigurationSetSendingOptions")] == [
        "beta",
        "alpha",
    ]
    first = sweep.reports()[0]
    assert first["TopicArn"] == REPORT_TOPIC
    assert first["Subject"] == "SES PAUSED set beta in us-east-1 (sweep): bounce 12.00% >= 5.00%"
    assert "ses-guard resume --configuration-set beta --region us-east-1" in first["Texts"]["email"]
    assert "2 of 3 periods of 3600 s" in first["Texts"]["email"] and len(first["Texts"]["sms"]) <= 140
    assert set(sweep.episodes()) == {"set/beta/bounce/critical", "set/alpha/bounce/critical"}


def test_the_runs_decision_is_exactly_the_models_verdicts_on_the_same_datapoints(sweep: Any) -> None:
    bounce = {"beta": sweep.points(0.12, 0.09), "alpha": sweep.points(0.03, 0.025, 0.01), "spike": sweep.points(0.3)}
    complaint = {"alpha": sweep.points(0.0007, 0.0006)}
    account = sweep.points(0.021, 0.022)
    config = sweep.config(sweep={"action": "notify"}, account={"action": "notify"})
    sweep.expect_queries(bounce, complaint, account_bounce=account)
    sweep.aws.expect_set_policy("beta")  # notify: only the own-policy lookup, then one notice per breach
    sweep.aws.expect_publish()
    sweep.aws.expect_set_policy("alpha")
    for _ in range(3):
        sweep.aws.expect_publish()
    summary = sweep.run(config)
    sweep.aws.assert_all_calls_made()
    manifest = config.manifest
    policy = manifest.sweep

    def thresholds(target: str | None, metric: str, tier: str) -> float | None:
        short = {"Reputation.BounceRate": "bounce", "Reputation.ComplaintRate": "complaint"}[metric]
        if target is None:
            return float(manifest.account.thresholds.of(short, tier))
        return float(policy.thresholds.of(short, tier))

    series = {
        "beta": {sweep.bounce: bounce["beta"]},
        "alpha": {sweep.bounce: bounce["alpha"], sweep.complaint: complaint["alpha"]},
        "spike": {sweep.bounce: bounce["spike"]},
        None: {sweep.bounce: account},
    }
    expected = sweep_model.verdicts(series, thresholds, policy.evaluation.alarm_rule, sweep.now)
    keys = {sweep_model.episode_key(v.configuration_set, v.metric, v.tier) for v in expected}
    assert keys == set(sweep.episodes())
    assert summary["counts"]["breaches"] == {
        "warning": sum(v.tier == "warning" for v in expected),
        "critical": sum(v.tier == "critical" for v in expected),
    }


def test_one_sets_pause_failing_does_not_stop_the_others_and_the_run_raises_naming_it(sweep: Any) -> None:
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2), "alpha": sweep.points(0.1, 0.1)})
    sweep.aws.expect_set_policy("beta")
    sweep.aws.expect_set("beta")
    sweep.aws.expect_set_tags("beta")
    sweep.aws.stubs["sesv2"].add_client_error("put_configuration_set_sending_options", "BadRequestException")
    sweep.expect_set_pause("alpha")
    with pytest.raises(SweepError, match=r"configuration-set:beta: BadRequestException") as raised:
        sweep.run(sweep.config(sweep={"warning_notices": False}))
    assert list(raised.value.failures) == ["configuration-set:beta"]
    assert [c["ConfigurationSetName"] for c in sweep.aws.calls_to("PutConfigurationSetSendingOptions")] == [
        "beta",
        "alpha",
    ]
    assert set(sweep.episodes()) == {"set/alpha/bounce/critical"}  # beta is tried again by the next run
    assert sweep.item("lock") is None


def test_the_summary_line_counts_what_the_run_did(sweep: Any, capsys: pytest.CaptureFixture[str]) -> None:
    sweep.expect_queries(bounce={"beta": sweep.points(0.2, 0.2)})
    sweep.expect_set_pause("beta")
    sweep.run(sweep.config(sweep={"warning_notices": False}))
    (line,) = log_lines(capsys.readouterr().out, "sweep_summary")
    assert line["series"] == {"bounce": 1, "complaint": 0}
    assert line["sets_evaluated"] == 1 and line["breaches"] == {"warning": 0, "critical": 1}
    assert line["paused"] == 1 and line["already_paused"] == 0 and line["excluded"] == {}
    assert line["notices_sent"] == 0 and line["saturated"] == {"bounce": False, "complaint": False}
    assert line["calls"] >= 9 and line["throttling_retries"] == 0 and "duration_seconds" in line
    assert line["request_id"] == "0b6b9f3c-1111-4d2e-9c55-3f1e2d4c5b6a"


def test_the_alarm_path_needs_neither_a_state_table_nor_a_dynamodb_client() -> None:
    assert CONFIG.sweep_state_table is None and handler.get_clients is default_clients
    assert Clients(sesv2=None, sns=None, cloudwatch=None).dynamodb is None


def test_the_run_keeps_its_state_with_the_dynamodb_client_of_its_clients(sweep: Any) -> None:
    sweep.expect_queries()
    summary = sweep.run(sweep.config())  # clients=replace(aws.clients, dynamodb=the moto table's client)
    assert summary["counts"]["calls"] == 6  # lock, episodes, three queries, cursor (the release comes after)
    assert sweep.item("lock") is None and sweep.item("episodes") is None  # taken, released; nothing changed


def test_a_sweep_given_no_dynamodb_client_fails_loudly_before_any_call(sweep: Any) -> None:
    with pytest.raises(ConfigError, match="no DynamoDB client"):
        handler.handle(_scheduled(), FakeContext(), config=sweep.config(), clients=sweep.aws.clients)
    assert sweep.aws.calls == []
