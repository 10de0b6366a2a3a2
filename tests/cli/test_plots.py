"""``plots``: what each target's PNG shows (pure, no matplotlib), the PNG itself, and matplotlib kept out
of the command's start and out of the function's packages."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import ses_guard_lambda
from ses_guard_cli import plots
from ses_guard_cli.backtest_history import SeriesKey
from ses_guard_cli.backtest_policy import WhatIf, apply_what_if, policy_from_document
from ses_guard_cli.backtest_replay import PolicyOutcome, needed_series, run_policy
from ses_guard_policy import contract
from tests.cli.support import BOUNCE, START, document, png_size, series


def _three_sets_and_a_candidate() -> list[PolicyOutcome]:
    sets = {name: {"action": "pause"} for name in ("a", "b", "c")}
    policy = policy_from_document(document(account={"action": "notify"}, configuration_sets=sets), source="p")
    candidate = apply_what_if(policy, WhatIf(thresholds={"bounce_critical": 0.03}))
    calm, spike = series(0.0, 0.0), series(0.0, 0.05)
    history = {key: calm for key in needed_series([policy], [])} | {SeriesKey(BOUNCE, "c", "Maximum", 3600): spike}
    return [run_policy(policy, history, []), run_policy(candidate, history, [])]


def test_plots_show_changed_candidate_thresholds_pause_markers_and_cap_the_targets() -> None:
    drawn, left_out = plots.target_plots(_three_sets_and_a_candidate(), limit=2)
    assert ([p.target for p in drawn], left_out) == (["account", "configuration-set:c"], 2)
    bounce = drawn[1].panels[0]
    assert [(line.label, line.value) for line in bounce.lines] == [
        ("AWS review level", 0.05),
        ("test warning", 0.02),
        ("test critical", 0.04),
        ("what-if critical", 0.03),
    ]
    assert [(m.label, m.at.hour) for m in bounce.pauses] == [("test: paused", 1), ("what-if: paused", 1)]
    assert bounce.alarm_spans == ((START + timedelta(hours=1), START + timedelta(hours=2)),)
    assert drawn[1].file_name == "backtest-configuration-set-c.png"


def test_render_writes_one_png_per_target_at_the_declared_size(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    drawn, _ = plots.target_plots(_three_sets_and_a_candidate(), limit=2)
    written = plots.render(drawn, tmp_path / "out")
    assert [p.name for p in written] == ["backtest-account.png", "backtest-configuration-set-c.png"]
    expected = (int(plots.SIZE_INCHES[0] * plots.DPI), int(plots.SIZE_INCHES[1] * plots.DPI))
    assert all(png_size(path) == expected for path in written)


def test_cli_startup_imports_neither_matplotlib_nor_the_plots_of_a_run() -> None:
    code = "import sys, ses_guard_cli.cli; assert 'matplotlib' not in sys.modules, 'matplotlib imported at CLI start'"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("package", [contract, ses_guard_lambda], ids=["ses_guard_policy", "ses_guard_lambda"])
def test_the_function_and_its_model_never_import_the_plotting_code(package: object) -> None:
    folder = Path(str(getattr(package, "__file__", ""))).parent
    sources = list(folder.rglob("*.py"))
    offenders = [p.name for p in sources if "matplotlib" in p.read_text() or "ses_guard_cli" in p.read_text()]
    assert sources and offenders == []
