"""Fixtures of the toolchain tests: every example synthesized ONCE under CDK Terrain (cdktn), in the
second environment (.venv-cdktn), next to the session's cdktf synthesis (tests/conftest.py ``synth``)."""

from __future__ import annotations

import pytest

from tests.conftest import SynthOutput
from tests.toolchain.cdktn_env import CdktnSynth, cdktn_environ, require_cdktn_environment, run_in_cdktn


@pytest.fixture(scope="session")
def cdktn_synth(tmp_path_factory: pytest.TempPathFactory) -> CdktnSynth:
    """`main.py` (JSON and HCL of every example) run by .venv-cdktn's Python, as `make synth-cdktn` does."""
    require_cdktn_environment()
    outdir = tmp_path_factory.mktemp("cdktf.out-cdktn")
    result = run_in_cdktn(["main.py", "--quiet"], env=cdktn_environ(CDKTF_OUTDIR=str(outdir)))
    return CdktnSynth(SynthOutput(outdir), result.stdout + result.stderr)
