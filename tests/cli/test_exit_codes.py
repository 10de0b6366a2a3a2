"""``exit_codes``: every code ``ses-guard`` exits with, each listed in ``ses-guard --help``, none shared by
accident."""

from __future__ import annotations

import re
import signal

import pytest

from ses_guard_cli import cli, exit_codes

CODES = {name: value for name, value in vars(exit_codes).items() if name.startswith("EXIT_")}
ALIASES = {"EXIT_INPUT_ERROR": "EXIT_AWS_ERROR"}
"""Names that share a code on purpose (an input file that cannot be used exits like a failed AWS call)."""


def _help(capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["--help"]) == exit_codes.EXIT_OK
    return " ".join(capsys.readouterr().out.split())  # argparse wraps the epilog anywhere


def test_the_help_of_ses_guard_lists_every_exit_code_and_no_other(capsys: pytest.CaptureFixture[str]) -> None:
    epilog = _help(capsys).split("Exit codes: ", 1)[1]
    listed = {int(number) for number in re.findall(r"(?:^|, )(\d+) ", epilog)}
    assert listed == set(CODES.values())


def test_no_two_exit_codes_share_a_value_unless_declared_an_alias() -> None:
    by_value: dict[int, list[str]] = {}
    for name, value in CODES.items():
        by_value.setdefault(value, []).append(name)
    shared = {name: names for names in by_value.values() if len(names) > 1 for name in names}
    assert all(CODES[alias] == CODES[target] for alias, target in ALIASES.items())
    assert set(shared) == set(ALIASES) | set(ALIASES.values())


def test_every_exit_code_is_one_a_shell_can_see_and_interrupted_is_128_plus_sigint() -> None:
    assert all(isinstance(value, int) and 0 <= value <= 255 for value in CODES.values())
    assert exit_codes.EXIT_OK == 0 and exit_codes.EXIT_USAGE == 2  # argparse exits 2 on a usage error
    assert exit_codes.EXIT_INTERRUPTED == 128 + signal.SIGINT


def test_the_codes_the_command_documents_are_the_codes_of_this_module(capsys: pytest.CaptureFixture[str]) -> None:
    """The help names each code's meaning; the module's names say the same."""
    help_text = _help(capsys)
    meanings = {
        "EXIT_OK": "0 ok/nothing to do",
        "EXIT_AWS_ERROR": "1 AWS error",
        "EXIT_USAGE": "2 usage",
        "EXIT_REFUSED": "3 refused",
        "EXIT_ABORTED": "4 aborted",
        "EXIT_DRILL_FAILED": "5 drill failed",
        "EXIT_PARTIAL_EPISODE_OPEN": "6 partial: alarm episode still open",
        "EXIT_PARTIAL_STILL_PAUSED": "7 partial: sending still paused",
        "EXIT_INTERRUPTED": "130 interrupted",
    }
    assert set(meanings) == set(CODES) - set(ALIASES)
    for name, meaning in meanings.items():
        assert meaning.startswith(f"{CODES[name]} ") and meaning in help_text, name
