"""Structured logging through the standard ``logging`` module: one JSON object per line on stdout.

Every line has ``timestamp``, ``level`` and ``event`` (the log message) plus the fields passed in
``extra={"fields": {...}}``. Each record yields exactly one ``decision`` line (fields: alarm, metric,
value, threshold, target, action, outcome, dry_run, reason, record, source, request_id, and evidence
details), each invocation one ``summary`` line (docs/lambda.md, "Log lines").

The logger does not propagate to the root logger: the Lambda runtime installs its own handler there,
which would print every line a second time in its own format.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

LOGGER_NAME = "ses_guard_lambda"
MAX_FIELD_CHARS = 2000  # one oversized field (e.g. text copied from an event) must not flood the log


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            document.update({key: _bounded(value) for key, value in fields.items()})
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


def _bounded(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
        return value[:MAX_FIELD_CHARS] + f"... ({len(value) - MAX_FIELD_CHARS} more characters)"
    return value


class _StdoutHandler(logging.Handler):
    """Writes to whatever ``sys.stdout`` is at the time (so test capture works)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # logging must never break the handler
            self.handleError(record)


def _configure() -> logging.Logger:
    logger = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


logger = _configure()
_LEVELS = logging.getLevelNamesMapping()


def set_level(level: str) -> None:
    logger.setLevel(_LEVELS.get(level.upper(), logging.INFO))


# Fields every line of the current invocation carries (the request id), attached once by ``bound``.
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("ses_guard_log_context", default=None)


@contextlib.contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """Within the block, every line also carries ``fields`` (the handler binds ``request_id`` once)."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def emit(level: str, event: str, **fields: Any) -> None:
    """One JSON line: ``event`` with ``fields`` (and the bound ones) at ``level`` (DEBUG ... CRITICAL)."""
    logger.log(_LEVELS.get(level.upper(), logging.INFO), event, extra={"fields": {**fields, **(_context.get() or {})}})
