"""One sweep run's context and tallies (``sweep_run``): the thresholds it judges by (the model's
``manifest.Sweep.thresholds_of``), the AWS calls it counts, the time it leaves itself (targets beyond it are
deferred to the next run), episode keys and the names of targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ses_guard_lambda.budget import Budget
from ses_guard_lambda.clients import Clients
from ses_guard_lambda.sweep_report import Where
from ses_guard_lambda.sweep_run import TARGET_MARGIN_SECONDS, CountingBudget, SweepRun, iso, parse_iso, target_name
from ses_guard_lambda.sweep_state import Episodes, StateTable
from ses_guard_lambda.verify import Invocation
from ses_guard_policy import contract, manifest
from ses_guard_policy.sweep import Verdict
from tests.stubbed_aws import CONFIG, CTX, FUNCTION_ARN, MANIFEST_DOCUMENT, NOW, FakeClock, FakeContext, log_lines

BOUNCE = contract.METRIC_BOUNCE_RATE
COMPLAINT = contract.METRIC_COMPLAINT_RATE
SWEEP = {"action": "pause", "period": 3600, "evaluation_periods": 3, "datapoints_to_alarm": 2}


def _guard(sweep: dict[str, Any] | None = None, account: dict[str, Any] | None = None) -> manifest.Manifest:
    document = {**MANIFEST_DOCUMENT, "sweep": {**SWEEP, **(sweep or {})}}
    if account is not None:
        document["account"] = account
    return manifest.parse(document, source="tests")


def _run(guard: manifest.Manifest, seconds: float = 120.0, clock: FakeClock | None = None) -> SweepRun:
    """A run as ``scheduled_sweep.handle_scheduled`` builds it (the account when ``evaluate_account``); no
    AWS client is called by what these tests exercise."""
    fake = clock or FakeClock()
    policy = guard.sweep
    assert policy is not None
    budget = CountingBudget.of(Budget(deadline=fake.monotonic() + seconds, clock=fake.clock))
    clients = Clients(sesv2=None, sns=None, cloudwatch=None)
    inv = Invocation(CONFIG, clients, CTX, fake.clock, budget, "request-1", FUNCTION_ARN)
    account = guard.account if policy.evaluate_account else None
    where = Where(CTX.region, CTX.account_id, FUNCTION_ARN, NOW)
    return SweepRun(inv, policy, account, StateTable(None, "table", budget), Episodes(), NOW, budget, where)


# --- the thresholds: the model's rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sweep", "account"),
    [
        ({}, {"action": "pause"}),
        ({}, {"action": "pause", "enabled": False}),
        ({}, {"action": "notify", "warning_alarms": False, "bounce_critical": 0.04}),
        ({"warning_notices": False}, {"action": "pause"}),
        ({"evaluate_account": False}, {"action": "pause"}),
        ({"bounce_critical": 0.06, "complaint_warning": 0.0004}, None),
    ],
)
def test_the_runs_thresholds_are_the_models_thresholds_of_for_every_target_metric_and_tier(
    sweep: dict[str, Any], account: dict[str, Any] | None
) -> None:
    guard = _guard(sweep, account)
    assert guard.sweep is not None
    expected = guard.sweep.thresholds_of(guard.account)
    run = _run(guard)
    for target in ("marketing", None):
        for metric in (BOUNCE, COMPLAINT):
            for tier in contract.TIERS:
                assert run.thresholds(target, metric, tier) == expected(target, metric, tier), (target, metric, tier)


def test_the_account_is_judged_by_its_own_thresholds_even_when_its_alarms_are_disabled() -> None:
    run = _run(_guard(account={"action": "pause", "enabled": False, "bounce_critical": 0.04}))
    assert run.account is not None and run.account.enabled is False
    assert run.thresholds(None, BOUNCE, contract.TIER_CRITICAL) == 0.04
    assert run.thresholds(None, BOUNCE, contract.TIER_WARNING) == 0.02
    assert run.thresholds("marketing", BOUNCE, contract.TIER_CRITICAL) == 0.05  # sets: the sweep's own


def test_without_evaluate_account_the_account_is_not_judged_and_the_sets_still_are() -> None:
    run = _run(_guard(sweep={"evaluate_account": False}))
    assert run.account is None
    assert [run.thresholds(None, BOUNCE, tier) for tier in contract.TIERS] == [None, None]
    assert run.thresholds("marketing", BOUNCE, contract.TIER_CRITICAL) == 0.05


def test_without_warning_notices_only_the_critical_tier_is_judged() -> None:
    run = _run(_guard(sweep={"warning_notices": False}))
    for target in ("marketing", None):
        assert run.thresholds(target, COMPLAINT, contract.TIER_WARNING) is None
        assert run.thresholds(target, COMPLAINT, contract.TIER_CRITICAL) == 0.001


def test_an_account_without_warning_alarms_is_judged_at_the_critical_tier_only() -> None:
    run = _run(_guard(account={"action": "pause", "warning_alarms": False}))
    assert run.thresholds(None, BOUNCE, contract.TIER_WARNING) is None
    assert run.thresholds(None, BOUNCE, contract.TIER_CRITICAL) == 0.05
    assert run.thresholds("marketing", BOUNCE, contract.TIER_WARNING) == 0.02


def test_a_breach_of_an_account_whose_alarms_are_disabled_pauses_the_account(sweep: Any) -> None:
    sweep.expect_queries(account_bounce=sweep.points(0.11, 0.12))
    sweep.aws.expect_account()
    sweep.aws.expect_pause_account()
    sweep.aws.expect_publish()
    summary = sweep.run(sweep.config(account={"action": "pause", "enabled": False}))
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == ["account"] and summary["counts"]["breaches"]["critical"] == 1


# --- the calls and the time of a run --------------------------------------------------------------------------


def test_counting_budget_keeps_the_invocations_deadline_clock_and_reserve() -> None:
    clock = FakeClock()
    budget = Budget(deadline=42.0, clock=clock.clock, reserve=7.0)
    counting = CountingBudget.of(budget)
    assert (counting.deadline, counting.clock, counting.reserve, counting.calls) == (42.0, budget.clock, 7.0, 0)
    clock.sleep(2.0)
    assert counting.remaining() == 40.0


def test_counting_budget_counts_each_call_once_and_a_throttled_retry_as_a_retry() -> None:
    budget = CountingBudget.of(Budget(deadline=120.0, clock=FakeClock().clock))
    answers = iter([_throttled(), "first", "second"])

    def operation(**params: Any) -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return f"{answer}:{params['name']}"

    assert budget.call(operation, name="a") == "first:a"
    assert budget.call(operation, name="b") == "second:b"
    assert budget.calls == 2 and budget.retries == 1


def _throttled() -> Exception:
    error: Exception = ClientError({"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, "GetItem")
    return error


def test_another_target_fits_while_the_margin_and_the_reserve_are_left() -> None:
    clock = FakeClock()
    run = _run(_guard(), seconds=100.0, clock=clock)
    fits = 100.0 - TARGET_MARGIN_SECONDS - run.budget.reserve
    clock.sleep(fits)
    assert run.has_time() and not run.out_of_time
    clock.sleep(0.5)
    assert not run.has_time() and run.out_of_time


def test_once_short_of_time_the_run_defers_every_remaining_target() -> None:
    run = _run(_guard(), seconds=100.0)
    run.out_of_time = True  # as after a call that spent the budget (BudgetExhaustedError)
    assert run.budget.remaining() == 100.0
    assert not run.has_time()


@dataclass
class _ShortContext(FakeContext):
    """An invocation with ``seconds`` left when it starts."""

    seconds: float = 40.0

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def test_running_out_of_time_mid_run_defers_the_remaining_targets_and_reports_them_as_deferred(
    sweep: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock()
    # 40 s left: enough for one target (20 s margin + 10 s reserve); its pause takes 15 s.
    sweep.aws.sesv2.meta.events.register(
        "after-call.sesv2.PutConfigurationSetSendingOptions", lambda **_: clock.sleep(15.0)
    )
    bounce = {"beta": sweep.points(0.3, 0.3), "alpha": sweep.points(0.2, 0.2), "gamma": sweep.points(0.1, 0.1)}
    sweep.expect_queries(bounce=bounce)
    sweep.expect_set_pause("beta")  # the worst first; alpha and gamma: no call at all
    summary = sweep.run(sweep.config(sweep={"warning_notices": False}), clock=clock, context=_ShortContext())
    sweep.aws.assert_all_calls_made()
    assert summary["paused"] == ["configuration-set:beta"]
    assert summary["deferred"] == ["configuration-set:alpha", "configuration-set:gamma"]
    assert summary["failed"] == {} and summary["counts"]["deferred"] == 2
    assert set(sweep.episodes()) == {"set/beta/bounce/critical"}  # the next run handles alpha and gamma
    (line,) = log_lines(capsys.readouterr().out, "sweep_summary")
    assert line["deferred"] == 2 and line["paused"] == 1 and line["level"] == "INFO"
    assert sweep.item("lock") is None


# --- episodes, tallies, names ---------------------------------------------------------------------------------


def test_an_episode_opened_by_the_run_is_keyed_by_target_metric_and_tier_at_the_runs_time() -> None:
    run = _run(_guard())
    verdict = Verdict("marketing", BOUNCE, contract.TIER_CRITICAL, 0.05, 0.07, 0.09)
    assert not run.is_open(verdict)
    run.open(verdict)
    assert run.is_open(verdict) and run.episodes.open == {"set/marketing/bounce/critical": "2026-11-28T01:35:12Z"}
    assert run.episodes.changed


def test_a_failed_target_is_recorded_with_its_reason_and_logged(capsys: pytest.CaptureFixture[str]) -> None:
    run = _run(_guard())
    run.fail(Verdict(None, BOUNCE, contract.TIER_CRITICAL, 0.05, 0.07, 0.09), "ClientError: denied")
    assert run.tally.failed == {"account": "ClientError: denied"}
    (line,) = log_lines(capsys.readouterr().out, "sweep_target_failed")
    assert line["level"] == "ERROR" and line["target"] == "account" and line["metric"] == BOUNCE


def test_a_target_is_tallied_once_per_outcome() -> None:
    run = _run(_guard())
    for _ in range(2):
        run.tally.add(run.tally.deferred, "configuration-set:beta")
    assert run.tally.deferred == ["configuration-set:beta"]


def test_targets_are_named_as_the_alarm_paths_summary_names_them() -> None:
    assert target_name("marketing") == "configuration-set:marketing"
    assert target_name(None) == "account"


def test_times_are_kept_as_utc_text_and_unreadable_text_is_no_time() -> None:
    moment = datetime(2026, 11, 28, 1, 35, 12, tzinfo=UTC)
    assert iso(moment) == "2026-11-28T01:35:12Z" and parse_iso(iso(moment)) == moment
    assert parse_iso(iso(moment + timedelta(microseconds=1))) == moment
    assert parse_iso(None) is None and parse_iso("") is None and parse_iso("yesterday") is None
