"""``python -m ses_guard_modulegen``: regenerates the module into --out, and says what it wrote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ses_guard_modulegen import __main__ as cli


@pytest.fixture
def written_to(monkeypatch) -> list[Path]:
    destinations: list[Path] = []

    def write_module(destination: Path) -> list[Path]:
        destinations.append(destination)
        return [destination / "main.tf", destination / "README.md"]

    monkeypatch.setattr(cli, "write_module", write_module)
    return destinations


def test_the_module_is_written_to_the_out_folder_with_a_summary(tmp_path, written_to, capsys):
    assert cli.main(["--out", str(tmp_path)]) == 0
    assert written_to == [tmp_path]
    assert re.fullmatch(rf"module: {re.escape(str(tmp_path))}/ \(2 files\) in \d+\.\d s\n", capsys.readouterr().out)


def test_without_out_the_committed_module_folder_is_rewritten(written_to):
    cli.main([])
    assert written_to == [Path("modules") / "terraform-aws-ses-reputation-guard"]


def test_an_unknown_option_is_a_usage_error(written_to, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--output", "x"])
    assert exited.value.code == 2
    assert "unrecognized arguments: --output x" in capsys.readouterr().err
    assert written_to == []
