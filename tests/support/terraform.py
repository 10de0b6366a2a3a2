"""Running Terraform (and the other command-line tools) the one way tests and benchmarks do.

Provider installation
    ``find_provider_mirror()`` finds a filesystem mirror holding hashicorp/aws (``$TF_PROVIDER_MIRROR``,
    else the usual plugin folders); ``write_cli_config(path)`` writes a CLI config that installs
    hashicorp/aws only from it (offline; an unpacked mirror is symlinked, so ``init`` takes ~0.6 s)
    and anything else from the registry, or plain registry installation without a mirror.
Environments (complete dicts: pass them as ``env``, never merge them into ``os.environ``)
    ``terraform_cli_env(config_dir)``: ``os.environ`` (or ``base``) plus that CLI config and
    non-interactive settings. ``terraform_env(endpoint_url, config_dir)``: the same on top of
    ``aws_env.offline_aws_env`` (fake keys, every AWS call to the emulator).
Commands
    ``run_command(cmd, cwd=, env=)`` / ``run_terraform(args, cwd, env)``: run, time into ``RUNS``
    (the e2e tier prints it), strip colours, and raise ``AssertionError`` with the output's tail
    when the exit code is not in ``ok`` (``ok=None`` accepts any).
    ``plan_json(cwd, env, *args)``: ``plan -out`` and the plan as ``show -json`` renders it;
    ``apply(cwd, env, *args, plan_file=None)``: that saved plan exactly, else ``apply -auto-approve``;
    ``destroy(cwd, env, *args)``: ``destroy -auto-approve``; ``state_addresses(cwd, env)``: ``state list``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.aws_env import DEFAULT_REGION, offline_aws_env

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
MIRROR_CANDIDATES = (
    Path("/opt/tf-plugins"),
    Path.home() / ".terraform.d" / "plugins",
    Path("/usr/share/terraform/plugins"),
    Path("/usr/local/share/terraform/plugins"),
)
_NESTED_COMMANDS = frozenset({"state", "workspace", "providers", "metadata"})
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_UNSET: Any = object()


class TerraformMissingError(RuntimeError):
    """Terraform is not on the PATH."""


def require_terraform() -> str:
    """Path of the ``terraform`` executable; raises naming the prerequisite when there is none."""
    found = shutil.which("terraform")
    if found is None:
        raise TerraformMissingError("terraform is not on the PATH: install Terraform >= 1.5 (README prerequisites)")
    return found


def find_provider_mirror() -> Path | None:
    configured = os.environ.get("TF_PROVIDER_MIRROR")
    candidates = [Path(configured)] if configured else list(MIRROR_CANDIDATES)
    for candidate in candidates:
        if (candidate / AWS_PROVIDER).is_dir():
            return candidate
    return None


def write_cli_config(
    path: str | os.PathLike[str], mirror: Path | None = _UNSET, *, plugin_cache_dir: Path | None = None
) -> Path:
    """A Terraform CLI config file; ``plugin_cache_dir`` helps only when providers are downloaded."""
    if mirror is _UNSET:
        mirror = find_provider_mirror()
    if mirror is None:
        text = "provider_installation {\n  direct {}\n}\n"
    else:
        text = (
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {json.dumps(str(mirror))}\n"
            f'    include = ["{AWS_PROVIDER}"]\n'
            "  }\n"
            "  direct {\n"
            f'    exclude = ["{AWS_PROVIDER}"]\n'
            "  }\n"
            "}\n"
        )
    if plugin_cache_dir is not None:
        plugin_cache_dir.mkdir(parents=True, exist_ok=True)
        text += f"plugin_cache_dir = {json.dumps(str(plugin_cache_dir))}\n"
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def terraform_cli_env(
    config_dir: str | os.PathLike[str],
    *,
    base: Mapping[str, str] | None = None,
    mirror: Path | None = _UNSET,
    plugin_cache_dir: Path | None = None,
) -> dict[str, str]:
    """``base`` (``os.environ``) plus a CLI config written into ``config_dir`` and no prompts or checks."""
    env = dict(os.environ if base is None else base)
    config = write_cli_config(Path(config_dir) / "terraform.tfrc", mirror, plugin_cache_dir=plugin_cache_dir)
    env.update(
        {
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",  # no version check or telemetry
        }
    )
    if plugin_cache_dir is not None:
        env["TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE"] = "1"
    return env


def terraform_env(
    endpoint_url: str,
    config_dir: str | os.PathLike[str],
    *,
    region: str = DEFAULT_REGION,
    mirror: Path | None = _UNSET,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment for ``terraform`` / ``cdktf`` aimed at the emulator: offline AWS plus the CLI config."""
    return terraform_cli_env(config_dir, base=offline_aws_env(endpoint_url, region=region, base=base), mirror=mirror)


# --- running commands ---------------------------------------------------------------------------------
@dataclass
class CommandLog:
    """Every command run, with its wall time."""

    entries: list[tuple[str, float]] = field(default_factory=list)

    def add(self, what: str, seconds: float) -> None:
        self.entries.append((what, seconds))

    def report(self) -> str:
        return "\n".join(f"  {seconds:6.1f} s  {what}" for what, seconds in self.entries)


RUNS = CommandLog()


@dataclass(frozen=True)
class CommandResult:
    what: str
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        """stdout and stderr together, without terminal colour codes."""
        return strip_ansi(self.stdout + self.stderr)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def run_command(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    what: str | None = None,
    ok: tuple[int, ...] | None = (0,),
    timeout: float = 900,
    stdin: str | None = None,
) -> CommandResult:
    label = what or " ".join(cmd[:2])
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            list(cmd),
            cwd=cwd,
            env=dict(env),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as timed_out:
        raise AssertionError(f"{label} timed out after {timeout:.0f} s (cwd {cwd})") from timed_out
    result = CommandResult(
        label, completed.returncode, completed.stdout, completed.stderr, time.perf_counter() - started
    )
    RUNS.add(label, result.seconds)
    if ok is not None and result.returncode not in ok:
        tail = "\n".join(result.output.splitlines()[-80:])
        raise AssertionError(f"{label} failed with exit code {result.returncode} (cwd {cwd}):\n{tail}")
    return result


def run_terraform(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    *,
    ok: tuple[int, ...] | None = (0,),
    timeout: float = 900,
    stdin: str | None = None,
) -> CommandResult:
    """``terraform <args>`` without colours (``-no-color`` goes right after the subcommand, e.g.
    ``state rm``: flags after a positional argument are not read as flags)."""
    position = next((i + 1 for i, arg in enumerate(args) if not arg.startswith("-")), len(args))
    if args[position - 1 : position] and args[position - 1] in _NESTED_COMMANDS:
        position += 1
    cmd = ["terraform", *args[:position], "-no-color", *args[position:]]
    what = f"terraform {args[0]} {cwd.name}"
    return run_command(cmd, cwd=cwd, env=env, what=what, ok=ok, timeout=timeout, stdin=stdin)


def plan_json(cwd: Path, env: Mapping[str, str], *args: str, plan_file: str = "plan.tfplan") -> dict[str, Any]:
    """``terraform plan -out=<plan_file> <args>`` and the plan as ``terraform show -json`` renders it."""
    run_terraform(["plan", "-input=false", f"-out={plan_file}", *args], cwd, env)
    shown: dict[str, Any] = json.loads(run_terraform(["show", "-json", plan_file], cwd, env).stdout)
    return shown


def apply(cwd: Path, env: Mapping[str, str], *args: str, plan_file: str | None = None) -> CommandResult:
    """``terraform apply``: the saved ``plan_file`` (exactly what was planned and inspected; a saved plan
    needs no approval), else ``-auto-approve`` with ``args`` (e.g. ``-var``)."""
    if plan_file is not None:
        return run_terraform(["apply", "-input=false", *args, plan_file], cwd, env)
    return run_terraform(["apply", "-auto-approve", "-input=false", *args], cwd, env)


def destroy(cwd: Path, env: Mapping[str, str], *args: str) -> CommandResult:
    """``terraform destroy -auto-approve`` with ``args``."""
    return run_terraform(["destroy", "-auto-approve", "-input=false", *args], cwd, env)


def state_addresses(cwd: Path, env: Mapping[str, str]) -> list[str]:
    """Every resource instance address in the state, data sources included (``terraform state list``);
    empty after a complete destroy."""
    return [line.strip() for line in run_terraform(["state", "list"], cwd, env).stdout.splitlines() if line.strip()]
