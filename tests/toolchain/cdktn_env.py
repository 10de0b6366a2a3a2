"""Where the CDK Terrain environment lives (``make tools-cdktn``) and how to run things in it.

Shared by tests/toolchain/ and tests/e2e/test_e2e_cdktn.py. The environment is ``.venv-cdktn``
(cdktn + cdktn-provider-aws + the project, no cdktf) and ``tools/cdktn/node_modules`` (cdktn-cli and
the Node 22 it needs). Processes run with Node 22 first on PATH and WITHOUT
``JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION``, so an end-of-life banner would show.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import SynthOutput

ROOT = Path(__file__).resolve().parents[2]
CDKTN_VENV = ROOT / ".venv-cdktn"
CDKTN_PYTHON = CDKTN_VENV / "bin" / "python"
CDKTN_NODE_BIN = ROOT / "tools" / "cdktn" / "node_modules" / ".bin"
CDKTN_CLI = CDKTN_NODE_BIN / "cdktn"
# The same app as cdktf.json's, run in the cdktn environment (the CLI's --app).
CDKTN_APP = f"{CDKTN_PYTHON} main.py --stacks-only"
SILENCE_VARIABLE = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
END_OF_LIFE_BANNER = "end-of-life"


@dataclass(frozen=True)
class CdktnSynth:
    """What tests/toolchain/conftest.py's ``cdktn_synth`` fixture made."""

    output: SynthOutput
    log: str  # stdout + stderr of the synthesizing process


def require_cdktn_environment() -> None:
    """Fail (never skip) when the second environment is missing: `make test` builds it."""
    for path in (CDKTN_PYTHON, CDKTN_CLI, CDKTN_VENV / "bin" / "node"):
        if not path.exists():
            pytest.fail(f"{path.relative_to(ROOT)} missing: run `make tools-cdktn` (docs/toolchains.md)")


def cdktn_environ(base: Mapping[str, str] | None = None, **extra: str) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.pop(SILENCE_VARIABLE, None)
    env.pop("JSII_NODE", None)  # the venv's own Node 22 (see ses_reputation_guard._cdktf)
    env["SES_GUARD_TOOLCHAIN"] = "cdktn"
    env["PATH"] = f"{CDKTN_NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run_in_cdktn(
    args: list[str], *, env: Mapping[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``.venv-cdktn/bin/python <args>`` in the project root; fail with its stderr on a non-zero exit."""
    result = subprocess.run(
        [str(CDKTN_PYTHON), *args],
        cwd=ROOT,
        env=dict(env) if env is not None else cdktn_environ(),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{CDKTN_PYTHON.name} {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}"
        )
    return result
