"""Shipped files: generated content goes into the app's own output folder, nowhere else."""

from __future__ import annotations

from pathlib import Path

from ses_reputation_guard._cdktf import App
from ses_reputation_guard.assets import SOURCES_FOLDER, shipped_file, source_file


def test_source_files_are_content_addressed_inside_the_apps_outdir(stack):
    outdir = Path(App.of(stack).outdir)
    first = source_file(stack, "sets.json", b"{}")
    assert first.read_bytes() == b"{}"
    assert first.parent.parent == outdir / SOURCES_FOLDER
    assert source_file(stack, "sets.json", b"{}") == first
    assert source_file(stack, "sets.json", b'{"a": 1}') != first
    assert sorted(path.name for path in first.parent.iterdir()) == ["sets.json"]  # no partial file left


def test_a_shipped_file_is_a_stack_asset_terraform_reads_beside_the_configuration(stack):
    asset = shipped_file(stack, "sets_file", "sets.json", b"{}")
    assert asset.path.startswith("assets/") and asset.path.endswith("/sets.json")
    assert Path(asset.path).parts[1].startswith("sets_file")
