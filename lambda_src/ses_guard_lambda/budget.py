"""Time: the invocation's clock and its budget for retrying throttled AWS calls.

SES and CloudWatch throttle their control planes (SES answers ``TooManyRequestsException``). botocore's
standard retry mode already retries a few times; when a burst of alarms (up to 100 Metrics Insights
contributors at once) meets a function with a reserved concurrency of 2, that is not enough. Every
AWS call of the function therefore goes through `Budget.call`, which keeps retrying throttling errors
with capped exponential backoff and full jitter for as long as the invocation's remaining time allows
(keeping `reserve` seconds for the report and the log). When the budget is spent the record fails
and Lambda's asynchronous retries take over; pauses are idempotent, so a retry is safe.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")

# Error codes meaning "slow down" across SES v2, CloudWatch, SNS and KMS.
THROTTLING_CODES = frozenset(
    {
        "TooManyRequestsException",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "Throttled",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "KMSThrottlingException",
        "SlowDown",
    }
)
# Used when the context cannot say how much time is left (tests, local runs): the function's timeout.
DEFAULT_BUDGET_SECONDS = 120.0


class BudgetExhaustedError(RuntimeError):
    """Still throttled when the invocation's time ran out; the record fails and Lambda retries it."""


@dataclass(frozen=True)
class Clock:
    """Wall time (for evidence windows and reports), a monotonic clock and sleep; tests pass fakes."""

    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@dataclass
class Budget:
    deadline: float
    """In ``clock.monotonic()`` seconds."""
    clock: Clock = field(default_factory=Clock)
    reserve: float = 10.0
    base_delay: float = 0.25
    max_delay: float = 8.0
    slept: float = 0.0
    retries: int = 0
    _random: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def for_context(cls, context: Any, clock: Clock) -> Budget:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        seconds = remaining() / 1000.0 if callable(remaining) else DEFAULT_BUDGET_SECONDS
        return cls(deadline=clock.monotonic() + seconds, clock=clock)

    def call(self, operation: Callable[..., T], **params: Any) -> T:
        """``operation(**params)``, retrying throttling errors until the budget is spent."""
        attempt = 0
        while True:
            try:
                return operation(**params)
            except ClientError as exc:
                if error_code(exc) not in THROTTLING_CODES:
                    raise
                delay = self._random.uniform(0.0, min(self.max_delay, self.base_delay * 2**attempt))
                if self.clock.monotonic() + delay > self.deadline - self.reserve:
                    name = getattr(operation, "__name__", "call")
                    raise BudgetExhaustedError(
                        f"{name} still throttled ({error_code(exc)}) after {attempt + 1} attempt(s): the "
                        f"invocation's time budget is spent; Lambda will retry the event"
                    ) from exc
                self.clock.sleep(delay)
                self.slept += delay
                self.retries += 1
                attempt += 1
