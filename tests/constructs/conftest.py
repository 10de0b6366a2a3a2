"""A fresh, empty stack per test, in the test's own temporary folder (removed by pytest)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_reputation_guard._cdktf import App, TerraformStack


@pytest.fixture
def stack(tmp_path: Path) -> TerraformStack:
    return TerraformStack(App(outdir=str(tmp_path / "cdktf.out")), "test")
