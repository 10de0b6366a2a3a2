"""`ses-guard status|resume`, with Stubber-validated SES v2 calls and fake stdin (closing the account's alarm
episode with `resume --account --name-prefix`: `test_resume.py`)."""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import pathlib
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from botocore.stub import Stubber

import ses_guard_lambda
from ses_guard_cli import cli, exit_codes
from tests.cli.support import run_cli
from tests.stubbed_aws import REGION, make_client


class Ses:
    def __init__(self) -> None:
        self.client = make_client("sesv2")
        self.stub = Stubber(self.client)
        self.regions: list[str | None] = []

    def factory(self, region: str | None) -> Any:
        self.regions.append(region)
        return self.client

    def account(self, sending_enabled: bool = True, enforcement: str = "HEALTHY") -> None:
        response = {"SendingEnabled": sending_enabled, "EnforcementStatus": enforcement}
        self.stub.add_response("get_account", response, {})

    def expect_resume_set(self, name: str) -> None:
        params = {"ConfigurationSetName": name, "SendingEnabled": True}
        self.stub.add_response("put_configuration_set_sending_options", {}, params)

    def missing_configuration_set(self, name: str) -> None:
        message = f"Configuration set <{name}> does not exist."
        self.stub.add_client_error(
            "get_configuration_set", "NotFoundException", message, 404, expected_params={"ConfigurationSetName": name}
        )

    def configuration_set(self, name: str, sending_enabled: bool, fresh: datetime | None = None) -> None:
        reputation: dict[str, Any] = {"ReputationMetricsEnabled": True}
        if fresh:
            reputation["LastFreshStart"] = fresh
        self.stub.add_response(
            "get_configuration_set",
            {
                "ConfigurationSetName": name,
                "SendingOptions": {"SendingEnabled": sending_enabled},
                "ReputationOptions": reputation,
            },
            {"ConfigurationSetName": name},
        )


@pytest.fixture
def ses() -> Iterator[Ses]:
    fake = Ses()
    with fake.stub:
        yield fake
        fake.stub.assert_no_pending_responses()


def run(ses: Ses, *argv: str, typed: str = "") -> tuple[int, str, str]:
    return run_cli(*argv, typed=typed, client_factory=ses.factory)


def test_resume_set_asks_for_the_set_name_warns_about_fresh_start_and_enables_it(ses: Ses) -> None:
    ses.account()
    ses.configuration_set("marketing", sending_enabled=False)
    ses.expect_resume_set("marketing")
    code, out, _ = run(ses, "resume", "--configuration-set", "marketing", typed="marketing\n")
    assert code == exit_codes.EXIT_OK
    # the warning comes before the prompt, the change after the confirmation
    assert out.index("fresh start") < out.index("Type 'marketing' to confirm") < out.index("re-enabled")


def test_resume_set_with_the_wrong_confirmation_changes_nothing(ses: Ses) -> None:
    ses.account()
    ses.configuration_set("marketing", sending_enabled=False)
    code, _, err = run(ses, "resume", "--configuration-set", "marketing", typed="yes\n")
    assert code == exit_codes.EXIT_ABORTED
    assert "expected 'marketing', got 'yes'" in err


def test_end_of_input_at_the_prompt_aborts_cleanly(ses: Ses) -> None:
    ses.account(sending_enabled=False)
    code, _, err = run(ses, "resume", "--account", typed="")
    assert code == exit_codes.EXIT_ABORTED == 4
    assert "no answer (end of input)" in err and "nothing was changed" in err
    assert "Traceback" not in err


def _ctrl_c(*_: Any) -> str:
    raise KeyboardInterrupt


def test_ctrl_c_at_the_prompt_exits_130_without_a_traceback_and_changes_nothing(
    ses: Ses, monkeypatch: pytest.MonkeyPatch
) -> None:
    ses.account()
    ses.configuration_set("marketing", sending_enabled=False)  # no resume call stubbed: a write would fail
    out, err, stdin = io.StringIO(), io.StringIO(), io.StringIO()
    monkeypatch.setattr(stdin, "readline", _ctrl_c)  # Ctrl-C while the prompt waits
    argv = ["resume", "--configuration-set", "marketing"]
    code = cli.main(argv, client_factory=ses.factory, stdin=stdin, stdout=out, stderr=err)
    assert code == exit_codes.EXIT_INTERRUPTED == 130
    assert "interrupted at the confirmation prompt: nothing was changed" in err.getvalue()


def test_ctrl_c_anywhere_else_exits_130(ses: Ses) -> None:
    def interrupted(region: str | None) -> Any:
        raise KeyboardInterrupt

    err = io.StringIO()
    code = cli.main(["status"], client_factory=interrupted, stdout=io.StringIO(), stderr=err)
    assert code == exit_codes.EXIT_INTERRUPTED and err.getvalue().strip() == "interrupted"


def test_resume_with_yes_skips_the_question(ses: Ses) -> None:
    ses.account()
    ses.configuration_set("marketing", sending_enabled=False)
    ses.expect_resume_set("marketing")
    code, out, _ = run(ses, "resume", "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK
    assert "to confirm" not in out


def test_resume_of_an_enabled_set_is_a_no_op(ses: Ses) -> None:
    ses.account()
    ses.configuration_set("marketing", sending_enabled=True)
    code, out, _ = run(ses, "resume", "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK
    assert "nothing to do" in out


def test_resume_account_after_typing_account(ses: Ses) -> None:
    ses.account(sending_enabled=False, enforcement="HEALTHY")
    ses.stub.add_response("put_account_sending_attributes", {}, {"SendingEnabled": True})
    code, out, _ = run(ses, "resume", "--account", "--region", REGION, typed="account\n")
    assert code == exit_codes.EXIT_OK
    assert "Account sending in us-east-1 re-enabled" in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (
            ["--configuration-set", "marketing", "--name-prefix", "mail"],
            "--name-prefix goes with --account (a set's last resume is SES's LastFreshStart) or with --member",
        ),
        (["--member", "111111111111", "--account", "--name-prefix", "Mail_Guard"], "--name-prefix 'Mail_Guard': "),
        (["--account", "--name-prefix", "Mail_Guard"], "--name-prefix 'Mail_Guard': "),
    ],
)
def test_a_name_prefix_that_cannot_apply_is_a_usage_error_before_anything_changes(
    ses: Ses, argv: list[str], problem: str
) -> None:
    code, _, err = run(ses, "resume", *argv, "--yes")  # no SES response stubbed: any call would fail
    assert code == exit_codes.EXIT_USAGE
    assert problem in err


def test_resume_account_refuses_when_aws_shut_the_account_down(ses: Ses) -> None:
    ses.account(sending_enabled=False, enforcement="SHUTDOWN")
    code, _, err = run(ses, "resume", "--account", "--yes")
    assert code == exit_codes.EXIT_REFUSED
    assert "SHUTDOWN" in err and "contact AWS Support" in err


def test_resume_account_that_already_sends_is_a_no_op(ses: Ses) -> None:
    ses.account(sending_enabled=True)
    code, out, _ = run(ses, "resume", "--account")
    assert code == exit_codes.EXIT_OK
    assert "already enabled" in out


def test_resume_of_an_unknown_set_is_an_aws_error(ses: Ses) -> None:
    ses.account()
    ses.missing_configuration_set("nope")
    code, _, err = run(ses, "resume", "--configuration-set", "nope", "--yes")
    assert (code, "not found" in err) == (exit_codes.EXIT_AWS_ERROR, True)


def test_resume_needs_exactly_one_target(ses: Ses) -> None:
    code, _, err = run(ses, "resume")
    assert code == exit_codes.EXIT_USAGE
    assert "one of the arguments --account --configuration-set is required" in err
    assert run(ses, "resume", "--account", "--configuration-set", "x")[0] == exit_codes.EXIT_USAGE


def test_argparse_writes_its_usage_errors_and_help_to_the_streams_main_was_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli("estimate", "--compare", "10", "--no-such-option")
    assert code == exit_codes.EXIT_USAGE and out == ""
    assert err.startswith("usage: ses-guard") and "unrecognized arguments: --no-such-option" in err
    code, out, err = run_cli("--help")
    assert (code, err) == (exit_codes.EXIT_OK, "") and out.startswith("usage: ses-guard")
    assert capsys.readouterr() == ("", "")


def test_a_missing_region_is_a_usage_error_naming_the_ways_to_give_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    """No --region and none in the AWS configuration: botocore cannot make the client; nothing was called."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    code, out, err = run_cli("resume", "--account", "--yes")  # the default client factory
    assert (code, out) == (exit_codes.EXIT_USAGE, "")
    assert err == "error: no AWS Region: pass --region R, or set AWS_REGION (or a region in the AWS profile)\n"


def _distribution_name() -> str:
    pyproject = pathlib.Path(__file__).resolve().parents[2] / "pyproject.toml"
    name: str = tomllib.loads(pyproject.read_text())["project"]["name"]
    return name


def test_version_prints_the_version_of_the_installed_distribution() -> None:
    expected = f"ses-guard {importlib.metadata.version(_distribution_name())}\n"
    assert run_cli("--version") == (exit_codes.EXIT_OK, expected, "")
    script = pathlib.Path(sys.executable).parent / "ses-guard"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (0, expected)


def _actions(parser: argparse.ArgumentParser, path: str = "ses-guard") -> list[tuple[str, argparse.Action]]:
    """Every action of ``parser`` and of its sub-commands' parsers, with the command it belongs to."""
    found = []
    for action in parser._actions:
        found.append((path, action))
        if isinstance(action, argparse._SubParsersAction):
            found += [(f"{path} {a.dest}", a) for a in action._choices_actions]
            for name, sub in action.choices.items():
                found += _actions(sub, f"{path} {name}")
    return found


def test_every_option_and_command_of_every_command_has_help() -> None:
    actions = _actions(cli.build_parser())
    assert {path for path, _ in actions} >= {f"ses-guard {command}" for command in COMMANDS}
    missing = [
        f"{path}: {'/'.join(action.option_strings) or action.dest}"
        for path, action in actions
        if not (action.help or "").strip() or action.help == argparse.SUPPRESS
    ]
    assert missing == []


COMMANDS = ("status", "resume", "drill", "backtest", "estimate")


def test_the_console_script_runs_lists_every_command_and_documents_exit_codes() -> None:
    script = pathlib.Path(sys.executable).parent / "ses-guard"
    for args in (["--help"], *([command, "--help"] for command in COMMANDS)):
        result = subprocess.run([str(script), *args], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        assert "usage: ses-guard" in result.stdout
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert all(f"    {command} " in result.stdout for command in COMMANDS), result.stdout
    assert "Exit codes" in result.stdout and "130 interrupted" in " ".join(result.stdout.split())


def test_python_dash_m_ses_guard_cli_is_the_same_command() -> None:
    command = [sys.executable, "-m", "ses_guard_cli", "--help"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: ses-guard ")


def test_every_module_of_the_operator_tool_has_a_test_file_named_after_it() -> None:
    package = pathlib.Path(cli.__file__).parent
    modules = {p.stem for p in package.glob("*.py") if not p.stem.startswith("_")}
    tests = {p.stem.removeprefix("test_") for p in pathlib.Path(__file__).parent.glob("test_*.py")}
    assert modules - tests == set()


def test_function_package_holds_no_operator_tool() -> None:
    package = pathlib.Path(ses_guard_lambda.__file__).resolve().parent
    assert not (package / "cli.py").exists() and not (package / "__main__.py").exists()


def test_the_help_of_status_and_resume_names_hub_mode_and_what_it_reads_through() -> None:
    _, status_help, _ = run_cli("status", "--help")
    _, resume_help, _ = run_cli("resume", "--help")
    assert "--hub" in status_help and "<prefix>-member" in status_help and "/<prefix>/policy/members/" in status_help
    assert "--member ACCOUNT_ID" in resume_help and "no alarm episode is closed there" in " ".join(resume_help.split())
