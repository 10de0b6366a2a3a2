"""estimate_sweep: a month of sweep runs in the units AWS bills, and the estimate of stacks, plans and module
configurations that schedule a sweep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_guard_cli.estimate import composition_from_module_config, composition_from_stack, estimate, render
from ses_guard_cli.estimate_sweep import RUN_SECONDS_DEFAULT, SweepRun, sweep_lines
from ses_guard_cli.exit_codes import EXIT_INPUT_ERROR, EXIT_OK
from ses_guard_cli.pricing import PRICES
from tests.cli.support import manifest_document, run_cli, write_stack

MONTHLY_BOUND_AT_10000_SETS = 200.0


def priced(run: SweepRun) -> dict[str, float]:
    return {line.part: line.quantity for line in sweep_lines(run)}


def test_the_queries_are_sets_times_two_queries_times_runs_per_month() -> None:
    quantities = priced(SweepRun(10_000))
    assert quantities["sweep: metrics its queries analyze"] == 10_000 * 2 * 730
    assert quantities["sweep: account metrics requested"] == 2 * 730
    assert quantities["sweep: Lambda requests"] == quantities["sweep: EventBridge scheduled invocations"] == 730
    assert quantities["sweep: Lambda GB-seconds"] == pytest.approx(730 * RUN_SECONDS_DEFAULT * 0.25)


def test_a_query_analyzes_at_most_10000_metrics_and_a_shorter_schedule_runs_more_often() -> None:
    assert priced(SweepRun(25_000))["sweep: metrics its queries analyze"] == 10_000 * 2 * 730
    assert priced(SweepRun(100, schedule_minutes=15))["sweep: Lambda requests"] == 730 * 4
    assert priced(SweepRun(100, evaluate_account=False))["sweep: account metrics requested"] == 0


def test_10000_sets_hourly_cost_at_most_200_dollars_a_month_almost_all_of_it_the_queries() -> None:
    from ses_guard_cli.estimate import mode_composition

    result = estimate(mode_composition("sweep", 10_000))
    queries = {line.part: line.monthly_usd for line in result.lines}["sweep: metrics its queries analyze"]
    assert queries == pytest.approx(146.00)  # REFERENCE: ~ $146 for the queries
    assert result.monthly_usd <= MONTHLY_BOUND_AT_10000_SETS
    assert result.monthly_usd == pytest.approx(150.40, abs=0.01)
    assert result.assumed_usd == pytest.approx(146.01, abs=0.01)  # the queries' billing unit is assumed


def test_every_sweep_price_has_an_aws_url_and_the_query_unit_is_marked_assumed() -> None:
    for line in sweep_lines(SweepRun(1)):
        price = PRICES[line.price_key]
        assert "https://aws.amazon.com/" in price.source or "https://docs.aws.amazon.com/" in price.source
        assert price.confirmed or price.note.startswith("assumed"), line.price_key
    assert not PRICES["getmetricdata_insights_metric_analyzed"].confirmed
    assert PRICES["getmetricdata_metric"].confirmed and PRICES["getmetricdata_metric"].usd == 0.01 / 1000


def test_a_stack_with_a_sweep_says_what_it_assumed_before_pricing_its_runs(tmp_path: Path) -> None:
    guard = manifest_document(
        account={"action": "notify", "enabled": False},
        configuration_sets={"vip": {"action": "pause"}},
        sweep={"action": "pause", "schedule_minutes": 30},
    )
    stack = write_stack(tmp_path / "sweep", guard)
    c = composition_from_stack(stack, sweep_sets=10_000)
    assert c.sweep == SweepRun(10_000, schedule_minutes=30)
    lines = render(estimate(composition_from_stack(stack))).splitlines()
    assert lines[1].startswith("  assumed: the sweep queries analyze 1 configuration set, as many as the stack names")
    assert lines[2].startswith(f"  assumed: each sweep run lasts {RUN_SECONDS_DEFAULT:g} s in 256 MB (an upper bound")
    assert "  sweep: a run every 30 min (1,460 a month), 2 metrics analyzed a run + the account" in lines


def test_the_command_prices_a_sweep_stack_with_the_sets_and_run_time_given(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "sweep", manifest_document(sweep={"action": "pause"}))
    code, out, err = run_cli(
        "estimate", "--stack", str(stack), "--sweep-sets", "10000", "--sweep-run-seconds", "20", "--no-sources"
    )
    assert (code, err) == (EXIT_OK, "")
    assert "sweep: metrics its queries analyze           14,600,000 x assumed rate $0.00001" in out
    assert "an upper bound" not in out  # a duration given is no assumption
    code, _, err = run_cli("estimate", "--stack", str(stack), "--sweep-run-seconds", "0")
    assert (code, err) == (
        EXIT_INPUT_ERROR,
        "error: --sweep-run-seconds 0: must be above 0 and at most 900 (the Lambda timeout)\n",
    )
    code, _, err = run_cli("estimate", "--stack", str(stack), "--sweep-sets", "10001")
    assert (code, err) == (EXIT_INPUT_ERROR, "error: --sweep-sets 10001: must be from 0 to 10000\n")


def test_a_module_configuration_with_a_sweep_policy_is_priced_and_a_bad_schedule_is_named(tmp_path: Path) -> None:
    path = tmp_path / "guard.tfvars.json"
    path.write_text(json.dumps({"sweep_policy": {"schedule_minutes": 60, "evaluate_account": False}}))
    c = composition_from_module_config(path, sweep_sets=500)
    assert c.sweep == SweepRun(500, evaluate_account=False)
    path.write_text(json.dumps({"sweep_policy": {"schedule_minutes": 2}}))
    code, _, err = run_cli("estimate", "--module-config", str(path))
    assert code == EXIT_INPUT_ERROR and "sweep_policy.schedule_minutes=2: " in err


def test_a_planned_sweep_is_read_from_its_schedules_rate_expression(tmp_path: Path) -> None:
    from ses_guard_cli.estimate import schedule_minutes

    assert [schedule_minutes(e, "p") for e in ("rate(1 hour)", "rate(15 minutes)", "rate(1 day)")] == [60, 15, 1440]
    with pytest.raises(ValueError, match=r"schedule_expression 'cron\(0 \* \* \* \? \*\)': only rate"):
        schedule_minutes("cron(0 * * * ? *)", "p")
