"""Shipped files: generated content goes into the app's own output folder, nowhere else."""

from __future__ import annotations

import os
from pathlib import Path

from ses_reputation_guard._cdktf import App, TerraformStack
from ses_reputation_guard.assets import SOURCES_FOLDER, shipped_file, source_file


def test_source_files_are_content_addressed_inside_the_apps_outdir(stack: TerraformStack) -> None:
    outdir = Path(App.of(stack).outdir)
    first = source_file(stack, "sets.json", b"{}")
    assert first.read_bytes() == b"{}"
    assert first.parent.parent == outdir / SOURCES_FOLDER
    assert source_file(stack, "sets.json", b"{}") == first
    assert source_file(stack, "sets.json", b'{"a": 1}') != first
    assert sorted(path.name for path in first.parent.iterdir()) == ["sets.json"]  # no partial file left


def test_a_shipped_file_is_a_stack_asset_terraform_reads_beside_the_configuration(stack: TerraformStack) -> None:
    asset = shipped_file(stack, "sets_file", "sets.json", b"{}")
    assert asset.path.startswith("assets/") and asset.path.endswith("/sets.json")
    assert Path(asset.path).parts[1].startswith("sets_file")


def relative_outdir_stack(tmp_path: Path, **context: str) -> TerraformStack:
    """A stack of an app whose outdir is given relative to the working directory (like ``cdktf.out``)."""
    outdir = os.path.relpath(tmp_path / "cdktf.out")
    assert not Path(outdir).is_absolute()
    return TerraformStack(App(outdir=outdir, context=context or None), "test")


def test_a_source_file_is_given_by_its_absolute_path_when_the_outdir_is_relative(tmp_path: Path) -> None:
    path = source_file(relative_outdir_stack(tmp_path), "sets.json", b"{}")
    assert path.is_absolute()
    assert path.parent.parent == (tmp_path / "cdktf.out" / SOURCES_FOLDER).absolute()


def test_a_shipped_file_does_not_depend_on_where_a_cdktf_json_is(tmp_path: Path) -> None:
    # cdktf resolves a relative asset path against the folder of the cdktf.json it finds (the one above
    # the working directory, or the app's "cdktfJsonPath" context), and fails without one: here the
    # cdktf.json belongs to another folder, as when an app runs in a project of its own.
    elsewhere = tmp_path / "another-project"
    elsewhere.mkdir()
    (elsewhere / "cdktf.json").write_text("{}")
    stack = relative_outdir_stack(tmp_path, cdktfJsonPath=str(elsewhere / "cdktf.json"))
    asset = shipped_file(stack, "sets_file", "sets.json", b"{}")
    reference_stack = TerraformStack(App(outdir=str(tmp_path / "other.out")), "test")
    reference = shipped_file(reference_stack, "sets_file", "sets.json", b"{}")
    assert asset.path == reference.path  # what Terraform reads: the same wherever the source was
