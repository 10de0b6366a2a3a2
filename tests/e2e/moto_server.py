"""Start moto_server WITH the SES extension for end-to-end tests, and build env for terraform/cdktf.

API
---
``moto_server(*, host="127.0.0.1", port=0, startup_timeout=30.0, log_path=None, python=None)``
    Context manager. Starts ``tests/e2e/ses_emulator.py`` (moto's server plus the patches in
    ses_emulator.py) in a SUBPROCESS bound to ``host`` (loopback by default) and yields a
    :class:`MotoServer`; stops it on exit. ``port=0`` lets the OS pick a free port (no race between
    choosing and binding). A subprocess, not a thread, so that ``mock_aws()`` used elsewhere in the
    same pytest process (which resets moto's global state on enter/exit) cannot wipe the server.
    The server's combined stdout/stderr goes to ``log_path`` (a temp file by default; see
    ``MotoServer.log_path``) - read it when a deploy fails.

``start_moto_server(...) -> MotoServer``
    Same, without the context manager: call ``.stop()`` yourself (e.g. in a session fixture).

``MotoServer``
    ``.endpoint_url`` (``http://127.0.0.1:PORT``), ``.host``, ``.port``, ``.process``,
    ``.log_path``, ``.log_text()``, ``.stop()``,
    ``.reset()`` - wipe all emulated AWS state (moto's ``POST /moto-api/reset``),
    ``.set_enforcement_status(status, *, account_id=..., region=..., sending_enabled=None,
    reject_account_sending_changes=False)`` - the HTTP form of
    ``ses_emulator.set_enforcement_status`` (HEALTHY / PROBATION / SHUTDOWN),
    ``.set_alarm_contributors(alarm_name, contributors, *, account_id=..., region=...)`` - the HTTP
    form of ``ses_emulator.set_alarm_contributors`` (what DescribeAlarmContributors reports for an
    alarm; ``None`` goes back to computing it from the stored datapoints),
    ``.boto3_client(service, region="us-east-1")`` - a boto3 client pointed at the server.

``terraform_env``, ``FAKE_ACCOUNT_ID``
    Re-exported from ``tests/support/terraform.py`` and ``tests/support/aws_env.py`` (the one
    terraform runner and the one offline AWS environment): ``terraform_env(endpoint_url, config_dir,
    *, region="us-east-1", mirror=<discovered>, base=None)`` is a complete environment for
    ``terraform`` / ``cdktf`` aimed at the emulator (fake keys, ``AWS_ENDPOINT_URL``, a CLI config
    with the offline provider mirror, nothing that could reach a real account). No ``skip_*``
    provider flags are needed: moto serves STS ``GetCallerIdentity`` (account 123456789012), which
    the provider uses both to validate credentials and to build ARNs (the sesv2 tag calls need the
    real-looking ARN, so do NOT set ``skip_requesting_account_id``).

Example::

    from tests.e2e.moto_server import moto_server, terraform_env
    from tests.support.terraform import run_terraform

    def test_deploy(tmp_path):
        with moto_server() as server:
            env = terraform_env(server.endpoint_url, tmp_path)
            run_terraform(["init", "-input=false"], stack_dir, env)
            run_terraform(["apply", "-auto-approve", "-input=false"], stack_dir, env)
            sesv2 = server.boto3_client("sesv2")
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support.aws_env import FAKE_ACCOUNT_ID, emulator_client
from tests.support.terraform import terraform_env

EMULATOR_SCRIPT = Path(__file__).with_name("ses_emulator.py")
CONTROL_PATH = "/_ses_emulator/enforcement-status"  # same as ses_emulator.CONTROL_PATH
CONTRIBUTORS_CONTROL_PATH = "/_ses_emulator/alarm-contributors"  # ses_emulator.CONTRIBUTORS_CONTROL_PATH
__all__ = [
    "FAKE_ACCOUNT_ID",
    "MotoServer",
    "moto_server",
    "start_moto_server",
    "terraform_env",
]


@dataclass
class MotoServer:
    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _log_file: Any = field(repr=False, default=None)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _post(self, path: str, payload: dict[str, Any] | None = None) -> None:
        data = json.dumps(payload or {}).encode()
        request = urllib.request.Request(
            self.endpoint_url + path, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def reset(self) -> None:
        """Wipe every emulated resource and the account sending state."""
        self._post("/moto-api/reset")

    def set_enforcement_status(
        self,
        status: str,
        *,
        account_id: str = FAKE_ACCOUNT_ID,
        region: str = "us-east-1",
        sending_enabled: bool | None = None,
        reject_account_sending_changes: bool = False,
    ) -> None:
        payload: dict[str, Any] = {
            "status": status,
            "account_id": account_id,
            "region": region,
            "reject_account_sending_changes": reject_account_sending_changes,
        }
        if sending_enabled is not None:
            payload["sending_enabled"] = sending_enabled
        self._post(CONTROL_PATH, payload)

    def set_alarm_contributors(
        self,
        alarm_name: str,
        contributors: list[dict[str, Any]] | None,
        *,
        account_id: str = FAKE_ACCOUNT_ID,
        region: str = "us-east-1",
    ) -> None:
        """HTTP form of ``ses_emulator.set_alarm_contributors``; datetimes are sent as ISO 8601."""
        payload = {"alarm_name": alarm_name, "contributors": contributors, "account_id": account_id, "region": region}
        self._post(CONTRIBUTORS_CONTROL_PATH, json.loads(json.dumps(payload, default=_iso)))

    def boto3_client(self, service: str, region: str = "us-east-1", *, account_id: str | None = None) -> Any:
        """A client of this server; ``account_id``: in that account (moto's ``x-moto-account-id``)."""
        return emulator_client(service, self.endpoint_url, region, account_id=account_id)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {value!r}")


def start_moto_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 30.0,
    log_path: str | os.PathLike[str] | None = None,
    python: str | None = None,
) -> MotoServer:
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="ses-emulator-", suffix=".log")
        os.close(fd)
        log_path = name
    log = Path(log_path)
    log_file = log.open("wb")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [python or sys.executable, str(EMULATOR_SCRIPT), "--host", host, "--port", str(port)],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    server = MotoServer(host=host, port=0, process=process, log_path=log, _log_file=log_file)
    marker = "ses_emulator listening on http://"
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(marker):
                server.port = int(line.rsplit(":", 1)[1])
                return server
        if process.poll() is not None:
            break
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"ses_emulator did not start (exit code {process.poll()}):\n{log.read_text()}")


@contextmanager
def moto_server(**options: Any) -> Iterator[MotoServer]:
    """``start_moto_server(**options)``, stopped on exit."""
    server = start_moto_server(**options)
    try:
        yield server
    finally:
        server.stop()
