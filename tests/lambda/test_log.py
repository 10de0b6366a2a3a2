"""Structured logging (``log``): one JSON object per line on stdout through the ``logging`` module, the
request id bound to every line of an invocation (``log.bound``), one decision line per record."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator

import pytest

from ses_guard_lambda import log
from tests.stubbed_aws import ACCOUNT_ALARM, Aws, FakeContext, load_event, log_lines, run_handler


@pytest.fixture
def info_level() -> Iterator[None]:
    """Restores the logger's level (INFO, as a new execution environment has it) after the test."""
    try:
        yield
    finally:
        log.set_level("INFO")


def lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


# --- the lines the handler writes ---------------------------------------------------------------------


def test_decision_log_line_has_all_fields(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    aws.expect_account_pause(ACCOUNT_ALARM, value=0.1234)
    run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    (line,) = log_lines(capsys.readouterr().out)
    assert line["level"] == "INFO"
    assert line["alarm"] == ACCOUNT_ALARM
    assert line["metric"] == "Reputation.BounceRate"
    assert line["value"] == 0.1234
    assert line["threshold"] == 0.05
    assert line["target"] == "account"
    assert line["action"] == "pause_account"
    assert line["outcome"] == "paused"
    assert line["dry_run"] is False
    assert line["reason"]
    assert line["evidence"].startswith("Maximum of AWS/SES Reputation.BounceRate (account-wide) judged by the deployed")
    assert line["request_id"] == FakeContext().aws_request_id
    assert line["timestamp"].endswith("Z")


def test_ignored_record_still_logs_exactly_one_decision_line(aws: Aws, capsys: pytest.CaptureFixture[str]) -> None:
    run_handler(load_event("sns_ok.json"), aws)
    output = capsys.readouterr().out
    (line,) = log_lines(output)
    assert line["action"] == "ignore" and line["outcome"] == "ignored"
    assert line["reason"] == "state is OK, not ALARM"
    (summary,) = log_lines(output, "summary")
    assert summary["ignored"] == 1 and summary["failed"] == 0


def test_logs_go_through_the_logging_module_as_one_json_object_per_line(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    ours, root = Collect(), Collect()
    logging.getLogger("ses_guard_lambda").addHandler(ours)
    logging.getLogger().addHandler(root)
    try:
        run_handler(load_event("sns_ok.json"), aws)
    finally:
        logging.getLogger("ses_guard_lambda").removeHandler(ours)
        logging.getLogger().removeHandler(root)
    assert [r.getMessage() for r in ours.records] == ["decision", "summary"]
    assert root.records == []  # not propagated: the Lambda runtime's root handler would print it twice
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(isinstance(json.loads(line), dict) for line in lines)


def test_the_handler_binds_the_request_id_to_every_line_of_the_invocation_and_no_further(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    run_handler(load_event("sns_ok.json"), aws, context=FakeContext(aws_request_id="req-42"))
    log.emit("INFO", "after")
    written = lines(capsys.readouterr().out)
    assert [line["event"] for line in written] == ["decision", "summary", "after"]
    assert [line.get("request_id") for line in written] == ["req-42", "req-42", None]


# --- log.bound ----------------------------------------------------------------------------------------


def test_bound_attaches_the_request_id_to_every_line_inside_and_not_after(capsys: pytest.CaptureFixture[str]) -> None:
    log.emit("INFO", "before")
    with log.bound(request_id="r-1"):
        log.emit("INFO", "first")
        log.emit("WARNING", "second", record=3)
    log.emit("INFO", "after")
    before, first, second, after = lines(capsys.readouterr().out)
    assert "request_id" not in before and "request_id" not in after
    assert first["request_id"] == "r-1"
    assert (second["request_id"], second["record"], second["level"]) == ("r-1", 3, "WARNING")


def test_nested_bound_blocks_add_their_fields_and_restore_the_outer_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with log.bound(request_id="r-1"):
        with log.bound(record=0):
            log.emit("INFO", "inner")
        log.emit("INFO", "outer")
    inner, outer = lines(capsys.readouterr().out)
    assert (inner["request_id"], inner["record"]) == ("r-1", 0)
    assert outer["request_id"] == "r-1" and "record" not in outer


def test_bound_fields_are_dropped_even_when_the_block_raises(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError, match="boom"), log.bound(request_id="r-1"):
        raise RuntimeError("boom")
    log.emit("INFO", "after")
    (after,) = lines(capsys.readouterr().out)
    assert "request_id" not in after


# --- the line format -----------------------------------------------------------------------------------


def test_every_line_has_a_utc_millisecond_timestamp_a_level_and_the_event(capsys: pytest.CaptureFixture[str]) -> None:
    log.emit("error", "record_failed", record=1, reason="x")
    (line,) = lines(capsys.readouterr().out)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(line["timestamp"]))
    assert {k: v for k, v in line.items() if k != "timestamp"} == {
        "level": "ERROR",
        "event": "record_failed",
        "record": 1,
        "reason": "x",
    }


def test_an_oversized_text_field_is_cut_and_says_how_much_was_left_out(capsys: pytest.CaptureFixture[str]) -> None:
    log.emit("INFO", "decision", reason="r" * (log.MAX_FIELD_CHARS + 500), alarm="a" * log.MAX_FIELD_CHARS, value=0.5)
    (line,) = lines(capsys.readouterr().out)
    assert line["reason"] == "r" * log.MAX_FIELD_CHARS + "... (500 more characters)"
    assert line["alarm"] == "a" * log.MAX_FIELD_CHARS  # at the limit: kept whole
    assert line["value"] == 0.5


def test_values_json_cannot_hold_are_written_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    log.emit("INFO", "x", when=ACCOUNT_ALARM.encode())
    (line,) = lines(capsys.readouterr().out)
    assert line["when"] == str(ACCOUNT_ALARM.encode())


def test_an_exception_is_written_into_the_same_line(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        log.logger.exception("crashed", extra={"fields": {"record": 2}})
    (line,) = lines(capsys.readouterr().out)
    assert (line["level"], line["event"], line["record"]) == ("ERROR", "crashed", 2)
    assert str(line["exception"]).startswith("Traceback") and "ValueError: bad value" in str(line["exception"])


@pytest.mark.usefixtures("info_level")
def test_set_level_drops_the_lines_below_it(capsys: pytest.CaptureFixture[str]) -> None:
    log.emit("DEBUG", "hidden at info")
    log.set_level("warning")
    log.emit("INFO", "hidden at warning")
    log.emit("WARNING", "shown")
    log.set_level("NOT-A-LEVEL")  # unknown names mean INFO
    log.emit("INFO", "shown at info")
    assert [line["event"] for line in lines(capsys.readouterr().out)] == ["shown", "shown at info"]
