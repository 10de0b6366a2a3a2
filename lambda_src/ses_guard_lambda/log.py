"""Structured logging: one JSON object per line on stdout (CloudWatch Logs keeps each line).

Every decision produces exactly one line with ``"event": "decision"`` and the fields
alarm, metric, value, threshold, target, action, outcome, dry_run, reason (see docs/lambda.md).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
_state = {"level": LEVELS["INFO"]}


def set_level(level: str) -> None:
    _state["level"] = LEVELS.get(level.upper(), LEVELS["INFO"])


def emit(level: str, event: str, **fields: Any) -> dict[str, Any]:
    """Write one JSON line (if `level` is enabled) and return the record (handy in tests)."""
    record: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": level,
        "event": event,
        **fields,
    }
    if LEVELS.get(level, 20) >= _state["level"]:
        sys.stdout.write(json.dumps(record, default=str, sort_keys=False) + "\n")
        sys.stdout.flush()
    return record


def decision_line(
    *,
    alarm: str | None,
    metric: str | None,
    value: float | None,
    threshold: float | None,
    target: str | None,
    action: str,
    outcome: str,
    dry_run: bool,
    reason: str,
    record: int,
    source: str | None = None,
    request_id: str | None = None,
    level: str = "INFO",
) -> dict[str, Any]:
    return emit(
        level,
        "decision",
        alarm=alarm,
        metric=metric,
        value=value,
        threshold=threshold,
        target=target,
        action=action,
        outcome=outcome,
        dry_run=dry_run,
        reason=reason,
        record=record,
        source=source,
        request_id=request_id,
    )
