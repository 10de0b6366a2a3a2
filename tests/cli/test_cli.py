"""`ses-guard status|resume`, with Stubber-validated SES v2 calls and fake stdin (closing the account's alarm
episode with `resume --account --name-prefix`: `test_resume.py`)."""

from __future__ import annotations

import io
import json
import pathlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
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


def test_status_shows_account_and_configuration_sets(ses: Ses) -> None:
    ses.account(sending_enabled=True, enforcement="HEALTHY")
    ses.configuration_set("marketing", sending_enabled=False, fresh=datetime(2026, 11, 1, tzinfo=UTC))
    code, out, _ = run(ses, "status", "--region", REGION, "--configuration-set", "marketing")
    assert code == exit_codes.EXIT_OK
    assert "account: sending enabled, enforcement status HEALTHY" in out
    assert "configuration set marketing: sending PAUSED, reputation metrics on" in out
    assert "last fresh start 2026-11-01T00:00:00+00:00" in out
    assert ses.regions == [REGION]


def test_status_json_is_machine_readable(ses: Ses) -> None:
    ses.account(sending_enabled=False, enforcement="SHUTDOWN")
    ses.configuration_set("a", sending_enabled=True)
    ses.configuration_set("b", sending_enabled=False)
    code, out, _ = run(ses, "status", "--json", "--configuration-set", "a", "--configuration-set", "b")
    document = json.loads(out)
    assert code == 0
    assert document["account"] == {
        "sending_enabled": False,
        "enforcement_status": "SHUTDOWN",
        "production_access_enabled": None,
    }
    sets = [(s["name"], s["sending_enabled"]) for s in document["configuration_sets"]]
    assert sets == [("a", True), ("b", False)]
    assert document["region"] == REGION


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
        (["--configuration-set", "marketing", "--name-prefix", "mail"], "--name-prefix goes with --account"),
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


def status_with_a_missing_set(ses: Ses, *flags: str) -> tuple[int, str]:
    """``status`` naming the missing set ``nope`` and the set ``marketing``: exit code and output."""
    ses.account(sending_enabled=True, enforcement="HEALTHY")
    ses.missing_configuration_set("nope")
    ses.configuration_set("marketing", sending_enabled=True)
    code, out, _ = run(ses, "status", *flags, "--configuration-set", "nope", "--configuration-set", "marketing")
    return code, out


def test_status_shows_the_account_even_when_a_named_set_is_missing(ses: Ses) -> None:
    code, out = status_with_a_missing_set(ses)
    assert code == exit_codes.EXIT_AWS_ERROR
    assert "account: sending enabled, enforcement status HEALTHY" in out
    assert "configuration set nope: NOT FOUND in this Region" in out
    assert "configuration set marketing: sending enabled" in out


def test_status_json_marks_a_missing_set(ses: Ses) -> None:
    code, out = status_with_a_missing_set(ses, "--json")
    assert code == exit_codes.EXIT_AWS_ERROR
    document = json.loads(out)
    assert document["account"]["sending_enabled"] is True
    assert document["configuration_sets"][0] == {"name": "nope", "error": "not found"}
    assert (document["configuration_sets"][1]["name"], document["configuration_sets"][1]["sending_enabled"]) == (
        "marketing",
        True,
    )


def test_resume_needs_exactly_one_target(ses: Ses, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(ses, "resume")[0] == exit_codes.EXIT_USAGE
    assert run(ses, "resume", "--account", "--configuration-set", "x")[0] == exit_codes.EXIT_USAGE
    assert "one of the arguments --account --configuration-set is required" in capsys.readouterr().err


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
