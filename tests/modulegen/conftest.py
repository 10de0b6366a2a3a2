"""The guard the module is rendered from, built once per session (no synth: about a second after jsii)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def module_guard(tmp_path_factory: pytest.TempPathFactory):
    from ses_guard_modulegen.generator import build_module_stack
    from ses_reputation_guard._cdktf import App

    _, guard = build_module_stack(App(outdir=str(tmp_path_factory.mktemp("module-stack"))))
    return guard
