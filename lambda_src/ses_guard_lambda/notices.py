"""How many "pause refused" notices one invocation may send (docs/lambda.md, "Notices").

A refusal notice goes to people (email, SMS, chat). Forged records are cheap: one invocation with 200
of them sent 200 notices, so an SMS spend limit ran out and the real pause went unheard. Refusals
are therefore deduplicated per alarm and target within a window (kept per execution environment, so
across the invocations a warm function serves) and capped per invocation; the rest is counted in one
summary notice. Pause reports are never held back; logs keep every decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAX_REFUSAL_NOTICES_PER_INVOCATION = 5
DUPLICATE_WINDOW = timedelta(minutes=15)
_REMEMBERED_MAX = 1000  # keys kept per execution environment (bounded memory)

# (alarm name, target) -> when its last notice was sent, in this execution environment.
_sent_recently: dict[tuple[str, str], datetime] = {}


@dataclass
class NoticeGate:
    """Admits refusal notices for one invocation."""

    limit: int = MAX_REFUSAL_NOTICES_PER_INVOCATION
    window: timedelta = DUPLICATE_WINDOW
    sent: int = 0
    duplicates: int = 0
    """Notices held back as repeats within the window (logged only)."""
    over_cap: list[str] = field(default_factory=list)
    """``alarm -> target`` of each notice held back by the cap (one summary notice counts them)."""

    @property
    def held(self) -> int:
        return self.duplicates + len(self.over_cap)

    def admit(self, alarm: str, target: str, now: datetime, *, drill: bool = False) -> str | None:
        """None when the notice may go; else why not (and it is counted). A drill expects its notice
        every time, so only the cap applies to it."""
        key = (alarm, target)
        last = None if drill else _sent_recently.get(key)
        if last is not None and now - last < self.window:
            self.duplicates += 1
            return f"a notice for {alarm} and {target} was sent at {last:%H:%M:%S} UTC (within {self.window})"
        if self.sent >= self.limit:
            self.over_cap.append(f"{alarm} -> {target}")
            return f"{self.limit} refusal notices were sent in this invocation already"
        self.sent += 1
        _remember(key, now)
        return None


def _remember(key: tuple[str, str], now: datetime) -> None:
    if len(_sent_recently) >= _REMEMBERED_MAX:
        oldest = min(_sent_recently, key=_sent_recently.__getitem__)
        del _sent_recently[oldest]
    _sent_recently[key] = now


def forget_all() -> None:
    """Clear what this execution environment remembers (tests)."""
    _sent_recently.clear()
