"""estimate_compare: per-set, fleet and sweep side by side, and the README table that must stay its output."""

from __future__ import annotations

from pathlib import Path

from ses_guard_cli.estimate import render_comparison
from ses_guard_cli.estimate_compare import breach_to_pause_seconds, mode_rows, render_modes
from ses_guard_cli.exit_codes import EXIT_OK
from tests.cli.support import run_cli

README = Path(__file__).resolve().parents[2] / "README.md"
SIZES = [10, 1_000, 10_000]


def test_each_size_has_a_row_per_mode_with_alarms_price_times_and_breach_to_pause() -> None:
    table = render_modes(SIZES).splitlines()
    assert len([line for line in table if line.startswith("| 1")]) == 9
    assert "| 10,000 | sweep | 2 + 0 | 4.40 | 146.01 | 150.40 | 1 s | 0 s | - | 2 h 1 min |" in table
    assert "| 10,000 | fleet | 6 + 4 | 4.60 | 4,000.00 | 4,004.60 | 3 s | 1 s | 43.4 s / 4.3 s | 1 h 1 min |" in table
    assert (
        "| 1,000 | per-set | 4,006 + 0 | 404.60 | 0.00 | 404.60 | 22 min | 7 min | 790 s / 121.5 s | 1 h 1 min |"
        in table
    )


def test_worst_case_breach_to_pause_is_m_periods_plus_a_minute_or_plus_the_schedule_and_the_run() -> None:
    assert breach_to_pause_seconds("per-set") == breach_to_pause_seconds("fleet") == 3600 + 60
    assert breach_to_pause_seconds("sweep") == 3600 + 3600 + 60


def test_the_sweep_is_the_cheapest_mode_at_1000_sets_and_beyond() -> None:
    for sets in (1_000, 10_000):
        by_mode = {row.mode: row.estimate.monthly_usd for row in mode_rows([sets])}
        assert by_mode["sweep"] < min(by_mode["per-set"], by_mode["fleet"]) / 20


def test_the_compare_command_prints_the_terraform_table_then_the_mode_table() -> None:
    code, out, err = run_cli("estimate", "--compare", "10,1000,10000", "--no-sources")
    assert (code, err) == (EXIT_OK, "")
    assert out == render_comparison(SIZES) + "\n\n" + render_modes(SIZES) + "\n"


def test_the_readme_section_per_set_fleet_or_sweep_is_the_commands_output() -> None:
    readme = README.read_text()
    section = readme.split("## Per-set, fleet or sweep?", 1)[1].split("\n## ", 1)[0]
    assert render_modes(SIZES) in section
