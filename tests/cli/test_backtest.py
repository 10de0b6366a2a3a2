"""``ses-guard backtest``, the command: its arguments, the policy it loads (file, stack, candidate, what-if),
its exit codes and what it writes. History comes from moto (a whole run) or a Stubber (one call)."""

from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ses_guard_cli import backtest, cli, plots
from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_OK, EXIT_USAGE
from tests.cli.support import (
    BOUNCE,
    COMPLAINT,
    MODULE_PLAN_REGIONS,
    REGION,
    manifest_document,
    png_size,
    run_cli,
    write_policy,
    write_stack,
)
from tests.conftest import SynthOutput


def _put_history(cloudwatch: Any, end: datetime, spike_hours: set[int], hours: int = 72) -> None:
    data = []
    base = end - timedelta(hours=hours)
    for hour in range(hours):
        moment = base + timedelta(hours=hour, minutes=17)
        rate = 0.07 if hour in spike_hours else 0.012
        data += [
            {"MetricName": BOUNCE, "Timestamp": moment, "Value": rate},
            {"MetricName": COMPLAINT, "Timestamp": moment, "Value": 0.0002},
        ]
    for offset in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/SES", MetricData=data[offset : offset + 500])


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def _args(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(["backtest", "--region", REGION, *argv])


def _run_with(cloudwatch: Any, *argv: str) -> tuple[int, str, str]:
    """``backtest argv`` reading history through ``cloudwatch`` (a stubbed client)."""
    out, err = io.StringIO(), io.StringIO()
    code = backtest.run(_args(*argv), out=out, err=err, cloudwatch_factory=lambda region: cloudwatch)
    return code, out.getvalue(), err.getvalue()


def test_the_command_reports_the_pause_of_a_spike_and_writes_report_summary_and_png(
    aws_env: None, tmp_path: Path
) -> None:
    policy = write_policy(tmp_path, account={"action": "pause"})
    end = datetime(2026, 6, 10, tzinfo=UTC)
    out_dir = tmp_path / "out"
    with mock_aws():
        _put_history(boto3.client("cloudwatch", region_name=REGION), end, spike_hours={30, 31})
        code, out, err = run_cli(
            *("backtest", "--region", REGION, "--policy", str(policy), "--end", end.isoformat()),
            *("--days", "3", "--out", str(out_dir)),
        )
    assert code == EXIT_OK, err
    assert "2026-06-08 06:00  account by test-account-bounce-critical (value 0.07, threshold 0.04)" in out
    assert "2026-06-08 08:00    account  bounce critical  ALARM -> OK" in out
    assert (out_dir / backtest.REPORT_FILE).read_text() in out
    summary = (out_dir / backtest.SUMMARY_FILE).read_text()
    assert "![account](backtest-account.png)" in summary
    width, height = png_size(out_dir / "backtest-account.png")
    assert (width, height) == (int(plots.SIZE_INCHES[0] * plots.DPI), int(plots.SIZE_INCHES[1] * plots.DPI))


def test_without_matplotlib_the_command_writes_text_and_markdown_and_says_so(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stub = cloudwatch_stub
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    monkeypatch.setattr(plots, "matplotlib_available", lambda: False)
    policy = write_policy(tmp_path, account={"action": "pause"})
    out_dir = tmp_path / "out"
    code, out, err = _run_with(client, "--policy", str(policy), "--days", "1", "--out", str(out_dir))
    assert code == EXIT_OK, err
    assert err == "note: matplotlib is not installed (extra 'plot'): no PNGs, text and Markdown only\n"
    assert out.endswith(f"Wrote {out_dir / 'report.txt'}, {out_dir / 'summary.md'} and 0 PNG(s) to {out_dir}\n")
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.txt", "summary.md"]


def test_the_command_replays_the_manifest_of_a_stack_folder(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    client, stub = cloudwatch_stub
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    stack = write_stack(tmp_path / "stack", manifest_document("mail", account={"action": "pause"}))
    code, out, err = _run_with(client, "--stack", str(stack), "--days", "1")
    assert code == EXIT_OK, err
    assert f"Policy 'mail' from {stack}: 4 alarms, 4 replayed" in out
    assert "Would-be pauses (mail): none" in out


def test_a_stack_folder_without_a_manifest_exits_2_with_one_error_line(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack")
    code, out, err = run_cli("backtest", "--region", REGION, "--stack", str(stack))
    assert (code, out) == (EXIT_USAGE, "")
    assert err.splitlines() == [
        f"error: --stack {stack}: no guard with a policy_manifest.json: "
        "run `make synth` (or `cdktf synth`) with this version"
    ]


def test_a_bad_policy_file_exits_2_with_one_error_line_naming_the_value_and_the_rule(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, account={"action": "maybe"})
    code, _, err = run_cli("backtest", "--region", REGION, "--policy", str(policy))
    assert code == EXIT_USAGE
    assert err.strip().splitlines() == [
        f"error: policy {policy} [account] action='maybe': must be one of 'pause', 'notify'"
    ]


def test_a_cloudwatch_error_exits_1_naming_the_region_and_the_error(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    client, stub = cloudwatch_stub
    stub.add_client_error("get_metric_data", service_error_code="AccessDenied", service_message="not allowed")
    policy = write_policy(tmp_path, account={"action": "pause"})
    code, out, err = _run_with(client, "--policy", str(policy), "--days", "1")
    assert (code, out) == (EXIT_AWS_ERROR, "")
    assert err.startswith("error: reading CloudWatch history in us-east-1 failed: ") and "AccessDenied" in err


def test_what_if_flags_and_a_candidate_file_exclude_each_other(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, account={"action": "pause"})
    code, _, err = run_cli(
        *("backtest", "--region", REGION, "--policy", str(policy)),
        *("--candidate", str(policy), "--bounce-critical", "0.03"),
    )
    assert code == EXIT_USAGE
    assert err == "error: --candidate FILE and what-if flags exclude each other: put the changes in the file\n"


def test_a_candidate_file_is_compared_with_the_deployed_policy(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    client, stub = cloudwatch_stub
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    deployed = write_policy(tmp_path, account={"action": "pause"})
    candidate = write_policy(tmp_path, "candidate.json", label="stricter", account={"action": "notify"})
    code, out, err = _run_with(client, "--policy", str(deployed), "--candidate", str(candidate), "--days", "1")
    assert code == EXIT_OK, err
    assert "Policy 'test' from" in out and "Policy 'stricter' from" in out
    assert f"What-if {candidate}: 0 pause(s) against 0 with test" in out


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--bounce-critical", "5"], "argument --bounce-critical: '5': must be a ratio strictly between 0 and 1"),
        (["--days", "0"], "argument --days: '0': must be a whole number of at least 1"),
        (["--end", "yesterday"], "argument --end: 'yesterday': must be an ISO 8601 time, e.g. 2026-03-01T12:00Z"),
    ],
    ids=["ratio-as-percentage", "days", "end"],
)
def test_a_flag_with_a_bad_value_is_a_usage_error_naming_the_value_and_the_rule(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["backtest", "--region", REGION, "--policy", "p.json", *argv])
    assert code == EXIT_USAGE
    assert problem in capsys.readouterr().err


def test_an_end_time_without_a_zone_is_utc() -> None:
    assert _args("--policy", "p.json", "--end", "2026-06-01T12:00").end == datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert _args("--policy", "p.json", "--end", "2026-06-01T14:00+02:00").end == datetime(2026, 6, 1, 12, tzinfo=UTC)


# --- the Region: the stack's or plan's own ------------------------------------------------------------------
def test_a_region_that_disagrees_with_the_stacks_is_refused_naming_both_before_any_aws_call(
    synth: SynthOutput, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: an eu-west-1 stack replayed with --region us-east-1 read us-east-1's history."""
    monkeypatch.setattr(backtest, "_default_cloudwatch", _no_cloudwatch)
    stack = synth.stack_dir("multi-region-eu-west-1")
    code, out, err = run_cli("backtest", "--stack", str(stack), "--region", "us-east-1")
    assert (code, out) == (EXIT_USAGE, "")
    assert err == (
        f"error: --region us-east-1 disagrees with the Region of --stack {stack}, eu-west-1: the backtest must read "
        "the history of the Region the guard runs in; leave --region out or pass --region eu-west-1\n"
    )


def _no_cloudwatch(region: str) -> Any:
    raise AssertionError(f"no CloudWatch client may be made (asked for {region})")


def _recording(client: Any, regions: list[str]) -> Any:
    def factory(region: str) -> Any:
        regions.append(region)
        return client

    return factory


def test_without_region_the_stacks_region_is_read_and_the_same_region_is_accepted(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    client, stub = cloudwatch_stub
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    stack = write_stack(tmp_path / "eu", manifest_document("mail", account={"action": "pause"}), region="eu-west-1")
    regions: list[str] = []
    for argv in (["--stack", str(stack)], ["--stack", str(stack), "--region", "eu-west-1"]):
        out, err = io.StringIO(), io.StringIO()
        args = cli.build_parser().parse_args(["backtest", *argv, "--days", "1"])
        code = backtest.run(args, out=out, err=err, cloudwatch_factory=_recording(client, regions))
        assert code == EXIT_OK, err.getvalue()
        assert "eu-west-1" in out.getvalue()
    assert regions == ["eu-west-1", "eu-west-1"]


def test_a_policy_file_without_a_region_needs_region(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, account={"action": "pause"})
    code, out, err = run_cli("backtest", "--policy", str(policy))
    assert (code, out) == (EXIT_USAGE, "")
    hint = "pass --region R (the Region whose history to read)"
    assert err == f"error: no Region: --policy {policy} does not name one; {hint}\n"


@pytest.mark.slow
def test_a_module_roots_plan_is_replayed_in_the_region_it_was_planned_for_and_a_different_region_is_refused(
    module_plans: dict[str, Path], cloudwatch_stub: tuple[Any, Stubber], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stub = cloudwatch_stub
    stub.add_response("list_metrics", {"Metrics": []})  # the fleet: which sets publish
    stub.add_response("list_metrics", {"Metrics": []})
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    plan = module_plans["terraform_module_fleet"]
    regions: list[str] = []
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["backtest", "--plan-json", str(plan), "--days", "1"])
    assert backtest.run(args, out=out, err=err, cloudwatch_factory=_recording(client, regions)) == EXIT_OK, err
    assert regions == [MODULE_PLAN_REGIONS["terraform_module_fleet"]] == ["eu-west-1"]
    assert f"Policy 'ses-guard-fleet' from --plan-json {plan} (module.ses_guard, guard ses-guard-fleet): 16 alarms" in (
        out.getvalue()
    )
    monkeypatch.setattr(backtest, "_default_cloudwatch", _no_cloudwatch)
    code, _, err_text = run_cli("backtest", "--plan-json", str(plan), "--region", "us-east-1")
    assert code == EXIT_USAGE
    assert err_text.startswith(f"error: --region us-east-1 disagrees with the Region of --plan-json {plan}, eu-west-1")


def test_name_prefix_goes_with_a_plan(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, account={"action": "pause"})
    code, _, err = run_cli("backtest", "--policy", str(policy), "--region", REGION, "--name-prefix", "g")
    assert code == EXIT_USAGE
    assert err == "error: --name-prefix goes with --plan-json (a stack or policy file holds one guard)\n"


def test_an_out_folder_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, cloudwatch_stub: tuple[Any, Stubber]
) -> None:
    client, stub = cloudwatch_stub
    stub.add_response("get_metric_data", {"MetricDataResults": []})
    policy = write_policy(tmp_path, account={"action": "pause"})
    (tmp_path / "a-file").write_text("")
    code, _, err = _run_with(client, "--policy", str(policy), "--days", "1", "--out", str(tmp_path / "a-file" / "x"))
    assert code == EXIT_USAGE
    assert err.startswith(f"error: --out {tmp_path / 'a-file' / 'x'}: cannot write there (")
