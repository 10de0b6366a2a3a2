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
    ``.boto3_client(service, region="us-east-1")`` - a boto3 client pointed at the server.

``find_provider_mirror() -> Path | None``
    A Terraform filesystem mirror holding the hashicorp/aws provider: ``$TF_PROVIDER_MIRROR`` if set,
    else the first of ``/opt/tf-plugins``, ``~/.terraform.d/plugins``, ``/usr/share/terraform/plugins``,
    ``/usr/local/share/terraform/plugins`` that contains ``registry.terraform.io/hashicorp/aws``.

``write_cli_config(path, mirror=<discovered>) -> Path``
    Writes a Terraform CLI config: with a mirror, hashicorp/aws comes only from it (works offline)
    and every other provider from the registry; without one, plain registry installation.

``terraform_env(endpoint_url, config_dir, *, region="us-east-1", mirror=<discovered>, base=None)``
    A complete environment dict (start from ``base`` or ``os.environ``) for ``terraform`` /
    ``cdktf`` subprocesses aimed at the emulator: ``AWS_ENDPOINT_URL`` (the provider >= 5.x and
    every AWS SDK honour it for all services, so no ``endpoints {}`` block is needed), fake
    credentials ``testing``/``testing``, ``AWS_REGION``/``AWS_DEFAULT_REGION``,
    ``AWS_EC2_METADATA_DISABLED``, ``TF_CLI_CONFIG_FILE`` (written into ``config_dir``),
    ``TF_IN_AUTOMATION``, ``TF_INPUT=0``, ``CHECKPOINT_DISABLE``. Profile/session/credential-file
    variables from the parent environment are removed so a real AWS account can never be reached.
    No ``skip_*`` provider flags are needed: moto serves STS ``GetCallerIdentity`` (account
    123456789012), which the provider uses both to validate credentials and to build ARNs (the
    sesv2 tag calls need the real-looking ARN, so do NOT set ``skip_requesting_account_id``).

Example::

    from tests.e2e.moto_server import moto_server, terraform_env

    def test_deploy(tmp_path):
        with moto_server() as server:
            env = terraform_env(server.endpoint_url, tmp_path)
            subprocess.run(["terraform", "init", "-input=false"], cwd=stack_dir, env=env, check=True)
            subprocess.run(["terraform", "apply", "-auto-approve"], cwd=stack_dir, env=env, check=True)
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
from pathlib import Path
from typing import Any

import boto3

EMULATOR_SCRIPT = Path(__file__).with_name("ses_emulator.py")
CONTROL_PATH = "/_ses_emulator/enforcement-status"  # same as ses_emulator.CONTROL_PATH
FAKE_ACCOUNT_ID = "123456789012"  # moto's default account
MIRROR_CANDIDATES = (
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/share/terraform/plugins"),
    Path("/usr/local/share/terraform/plugins"),
)
_AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
# Parent-environment variables that could route a child process to a real AWS account.
_SCRUBBED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


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

    def boto3_client(self, service: str, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

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
def moto_server(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 30.0,
    log_path: str | os.PathLike[str] | None = None,
    python: str | None = None,
) -> Iterator[MotoServer]:
    server = start_moto_server(host=host, port=port, startup_timeout=startup_timeout, log_path=log_path, python=python)
    try:
        yield server
    finally:
        server.stop()


def find_provider_mirror() -> Path | None:
    configured = os.environ.get("TF_PROVIDER_MIRROR")
    candidates = [Path(configured)] if configured else list(MIRROR_CANDIDATES)
    for candidate in candidates:
        if (candidate / _AWS_PROVIDER).is_dir():
            return candidate
    return None


_UNSET: Any = object()


def write_cli_config(path: str | os.PathLike[str], mirror: Path | None = _UNSET) -> Path:
    if mirror is _UNSET:
        mirror = find_provider_mirror()
    target = Path(path)
    if mirror is None:
        text = "provider_installation {\n  direct {}\n}\n"
    else:
        text = (
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {json.dumps(str(mirror))}\n"
            f'    include = ["{_AWS_PROVIDER}"]\n'
            "  }\n"
            "  direct {\n"
            f'    exclude = ["{_AWS_PROVIDER}"]\n'
            "  }\n"
            "}\n"
        )
    target.write_text(text)
    return target


def terraform_env(
    endpoint_url: str,
    config_dir: str | os.PathLike[str],
    *,
    region: str = "us-east-1",
    mirror: Path | None = _UNSET,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for name in _SCRUBBED:
        env.pop(name, None)
    cli_config = write_cli_config(Path(config_dir) / "terraform.tfrc", mirror)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            # No shared config/credentials files: nothing but the variables above may apply.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }
    )
    return env
