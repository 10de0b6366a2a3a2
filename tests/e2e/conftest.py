"""Fixtures of the deploy tier (``@pytest.mark.e2e``, tests/e2e/test_e2e_*.py).

One emulator per test session (moto_server + the emulator extension in tests/e2e/ses_emulator.py), started
through tests/e2e/moto_server.py and stopped at the end; each deploy test wipes it first
(``fresh_emulator``), so tests do not share AWS state (e.g. the account-level pause in us-east-1).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.deploy_helpers import CDKTF, LOCAL_STATE_DELETION_OPT_IN, RUNS, Deployer
from tests.e2e.moto_server import MotoServer, start_moto_server
from tests.support.terraform import require_terraform


def _require_tools() -> None:
    require_terraform()  # raises, naming the prerequisite
    if not CDKTF.exists():
        pytest.fail(f"{CDKTF} missing: run `make tools` (npm ci)")


@pytest.fixture(scope="session")
def e2e_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def e2e_server(e2e_workdir: Path) -> Iterator[MotoServer]:
    """The emulator for the whole tier; its log is e2e_workdir/emulator.log."""
    _require_tools()
    server = start_moto_server(log_path=e2e_workdir / "emulator.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def deployer(e2e_server: MotoServer, e2e_workdir: Path) -> Iterator[Deployer]:
    started = time.perf_counter()
    yield Deployer(e2e_server, e2e_workdir)
    if RUNS.entries:
        print(f"\ne2e commands ({time.perf_counter() - started:.0f} s in all):\n{RUNS.report()}")


@pytest.fixture(scope="session")
def local_synth(deployer: Deployer, e2e_workdir: Path) -> Path:
    """`cdktf synth` of every example stack with the local backend, ONCE, into a temp output dir
    (never the developer's cdktf.out); deploys then use --skip-synth."""
    outdir = e2e_workdir / "cdktf.out-local"
    # The deploy tests end with a destroy, which deletes the managed sets: opted into for these stacks.
    deployer.synth(outdir, deployer.env(**LOCAL_STATE_DELETION_OPT_IN))
    return outdir


@pytest.fixture
def fresh_emulator(e2e_server: MotoServer) -> MotoServer:
    e2e_server.reset()
    return e2e_server
