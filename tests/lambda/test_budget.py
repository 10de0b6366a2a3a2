"""The invocation's time budget (``budget``): throttled AWS calls are retried with capped, jittered
backoff for as long as the invocation's remaining time allows, then the record fails (Lambda retries)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from ses_guard_lambda.budget import (
    DEFAULT_BUDGET_SECONDS,
    THROTTLING_CODES,
    Budget,
    BudgetExhaustedError,
    error_code,
)
from ses_guard_lambda.clients import Clients
from ses_guard_lambda.handler import RecordProcessingError
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    Aws,
    FakeClock,
    load_event,
    log_lines,
    make_budget,
    make_client,
    run_handler,
    throttled_http_response,
)


def client_error(code: str, operation: str = "GetAccount") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}}, operation)


class Flaky:
    """An operation that fails with ``code`` ``failures`` times, then answers ``{"ok": True}``."""

    def __init__(self, code: str, failures: int) -> None:
        self.code, self.failures, self.calls = code, failures, 0
        self.__name__ = "flaky_operation"

    def __call__(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise client_error(self.code)
        return {"ok": True, **params}


# --- Budget.call -------------------------------------------------------------------------------------


def test_throttled_calls_are_retried_with_capped_jittered_backoff_until_they_succeed() -> None:
    clock = FakeClock()
    budget = make_budget(clock)
    budget._random = random.Random(7)
    operation = Flaky("Throttling", failures=6)
    assert budget.call(operation, Name="x") == {"ok": True, "Name": "x"}
    assert operation.calls == 7
    assert budget.retries == 6 and len(clock.sleeps) == 6
    caps = [min(budget.max_delay, budget.base_delay * 2**attempt) for attempt in range(6)]
    assert caps == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert all(0.0 <= slept <= cap for slept, cap in zip(clock.sleeps, caps, strict=True))
    assert budget.slept == pytest.approx(sum(clock.sleeps))
    assert clock.elapsed == pytest.approx(budget.slept)


def test_a_throttled_stubbed_call_is_retried_on_the_same_client(aws: Aws) -> None:
    aws.throttle("sesv2", "get_account", times=2)
    aws.expect_account(sending_enabled=False)
    budget = make_budget()
    response = budget.call(aws.sesv2.get_account)
    aws.assert_all_calls_made()
    assert response["SendingEnabled"] is False
    assert budget.retries == 2


@pytest.mark.parametrize("code", sorted(THROTTLING_CODES))
def test_every_throttling_code_is_retried(code: str) -> None:
    budget = make_budget()
    assert budget.call(Flaky(code, failures=1)) == {"ok": True}
    assert budget.retries == 1


@pytest.mark.parametrize("code", ["AccessDeniedException", "ValidationException", "NotFoundException"])
def test_any_other_error_is_raised_at_once_without_sleeping(code: str) -> None:
    clock = FakeClock()
    budget = make_budget(clock)
    operation = Flaky(code, failures=1)
    with pytest.raises(ClientError) as caught:
        budget.call(operation)
    assert error_code(caught.value) == code
    assert operation.calls == 1 and clock.sleeps == [] and budget.retries == 0


def test_when_the_next_sleep_would_reach_the_reserve_the_call_fails_naming_the_operation(aws: Aws) -> None:
    clock = FakeClock()
    budget = make_budget(clock, seconds=10.0)  # all of it is the reserve: not a single retry fits
    aws.throttle("sesv2", "get_account")
    with pytest.raises(BudgetExhaustedError) as caught:
        budget.call(aws.sesv2.get_account)
    assert str(caught.value) == (
        "get_account still throttled (TooManyRequestsException) after 1 attempt(s): the invocation's time "
        "budget is spent; Lambda will retry the event"
    )
    assert isinstance(caught.value.__cause__, ClientError)
    assert clock.sleeps == [] and budget.retries == 0


def test_retries_stop_short_of_the_deadline_keeping_the_reserve() -> None:
    clock = FakeClock()
    budget = make_budget(clock, seconds=30.0)
    budget._random = random.Random(1)
    with pytest.raises(BudgetExhaustedError, match=r"flaky_operation still throttled \(SlowDown\) after \d+ attempt"):
        budget.call(Flaky("SlowDown", failures=10_000))
    assert budget.retries == len(clock.sleeps) > 3
    assert clock.elapsed <= 30.0 - budget.reserve


# --- the invocation's budget --------------------------------------------------------------------------


class _LambdaContext:
    def get_remaining_time_in_millis(self) -> int:
        return 42_500


def test_the_budget_is_the_time_the_lambda_context_says_is_left() -> None:
    clock = FakeClock(elapsed=3.0)
    assert Budget.for_context(_LambdaContext(), clock.clock).deadline == 3.0 + 42.5
    assert Budget.for_context(object(), clock.clock).deadline == 3.0 + DEFAULT_BUDGET_SECONDS


def test_throttling_beyond_the_sdk_retries_is_retried_until_the_time_budget_is_spent(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("botocore.endpoint.time.sleep", lambda _: None)
    sesv2 = make_client("sesv2")
    attempts: list[int] = []

    def throttled(request: Any, **_: Any) -> AWSResponse:
        attempts.append(1)
        return throttled_http_response(request)

    sesv2.meta.events.register("before-send.sesv2.GetAccount", throttled)
    aws.expect_verified(ACCOUNT_ALARM)
    clients = Clients(sesv2=sesv2, sns=aws.sns, cloudwatch=aws.cloudwatch, ssm=aws.ssm)
    clock = FakeClock()
    with pytest.raises(RecordProcessingError, match=r"TooManyRequestsException.*time budget is spent"):
        run_handler(load_event("sns_account_bounce_alarm.json"), aws, clients=clients, clock=clock)
    # More than the SDK's 5 attempts (its retry quota even runs dry, then it stops retrying at once).
    assert len(attempts) > 5
    assert 100 <= clock.elapsed <= 120  # kept 10 s of the 120 s budget in reserve


def test_the_summary_line_counts_the_throttling_retries_of_the_invocation(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.throttle("sesv2", "get_account", times=2)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.throttle("sesv2", "put_account_sending_attributes")
    aws.expect_pause_account()
    aws.expect_publish()
    clock = FakeClock()
    summary = run_handler(load_event("sns_account_bounce_alarm.json"), aws, clock=clock)
    aws.assert_all_calls_made()
    assert [p["target"] for p in summary["paused"]] == ["account"]
    (line,) = log_lines(capsys.readouterr().out, "summary")
    assert line["throttling_retries"] == 3 == len(clock.sleeps)


def test_error_code_reads_the_code_of_a_client_error() -> None:
    assert error_code(client_error("Throttling")) == "Throttling"
    assert error_code(ClientError({}, "GetAccount")) == ""
