"""``exit_codes``: every code ``ses-guard`` exits with, each listed in ``ses-guard --help``, none shared by
accident."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from ses_guard_cli import backtest, cli, exit_codes
from tests.cli.support import manifest_document, run_cli, write_policy, write_stack

CODES = {name: value for name, value in vars(exit_codes).items() if name.startswith("EXIT_")}
ALIASES = {"EXIT_INPUT_ERROR": "EXIT_USAGE"}
"""Names that share a code on purpose (an input file named on the command line that cannot be used is a
usage error: the command needs a different argument)."""


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


def test_an_input_file_that_cannot_be_used_is_a_usage_error_and_never_looks_like_an_aws_failure() -> None:
    assert exit_codes.EXIT_INPUT_ERROR == exit_codes.EXIT_USAGE == 2
    assert exit_codes.EXIT_AWS_ERROR == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["estimate", "--compare", "10,abc"], "error: --compare '10,abc': must be whole numbers"),
        (["estimate", "--compare", "10", "--fleet-sets", "-1"], "error: --fleet-sets -1: must be from 0 to 10000"),
        (["estimate", "--module-config", "MISSING"], "error: MISSING: cannot read a JSON object of module variables"),
        (["estimate", "--module-config", "NOT_JSON"], "error: NOT_JSON: cannot read a JSON object of module variables"),
        (["estimate", "--stack", "EMPTY_DIR"], "error: EMPTY_DIR: no cdk.tf.json"),
        (["estimate", "--plan-json", "NOT_JSON"], "error: --plan-json NOT_JSON: not valid JSON"),
        (
            ["backtest", "--policy", "MISSING.json", "--region", "us-east-1"],
            "error: --policy MISSING.json: cannot read",
        ),
        (["backtest", "--plan-json", "NOT_JSON"], "error: --plan-json NOT_JSON: not valid JSON"),
        (["backtest", "--stack", "EU_STACK", "--region", "us-east-1"], "error: --region us-east-1 disagrees"),
        (["backtest", "--policy", "POLICY"], "error: no Region: --policy POLICY does not name one; pass --region"),
        (["drill", "--region", "us-east-1", "--name-prefix", "g", "--metric", "delivery"], "invalid choice"),
        (["status", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
    ids=[
        "compare-not-a-number",
        "fleet-sets-negative",
        "module-config-missing",
        "module-config-not-json",
        "stack-without-cdk-tf-json",
        "plan-json-not-json",
        "policy-missing",
        "backtest-plan-json-not-json",
        "region-disagrees-with-stack",
        "no-region",
        "drill-unknown-metric",
        "unknown-option",
    ],
)
def test_every_usage_error_exits_2_with_an_error_line_and_calls_no_aws(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "NOT_JSON").write_text("{not json")
    (tmp_path / "EMPTY_DIR").mkdir()
    write_stack(tmp_path / "EU_STACK", manifest_document(account={"action": "pause"}), region="eu-west-1")
    write_policy(tmp_path, "POLICY.json", account={"action": "pause"})
    monkeypatch.chdir(tmp_path)
    argv = ["POLICY.json" if arg == "POLICY" else arg for arg in argv]
    message = message.replace("POLICY ", "POLICY.json ")

    def no_aws(*_: object) -> None:
        raise AssertionError("a usage error must be found before any AWS client is made")

    monkeypatch.setattr(backtest, "_default_cloudwatch", no_aws)
    code, out, err = run_cli(*argv, client_factory=no_aws, service_factory=no_aws)
    assert (code, out) == (exit_codes.EXIT_USAGE, "")
    assert message in err, err
