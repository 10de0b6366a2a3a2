"""Read the reputation alarms of a synthesized stack folder (``cdktf.out/stacks/<stack>``) as a Policy.

The stack ships the guard's policy manifest (``policy_manifest.json``, ``ses_guard_cli.stack_manifest``):
the same document a policy file is, so both become alarms the same way (``backtest_policy``). No
Terraform expression is read back.
"""

from __future__ import annotations

from pathlib import Path

from ses_guard_cli import stack_manifest
from ses_guard_cli.backtest_policy import Policy, PolicyError, policy_from_manifest


def load_stack(stack_dir: Path) -> Policy:
    try:
        guard = stack_manifest.load(stack_dir)
    except stack_manifest.StackManifestError as exc:
        raise PolicyError(f"--stack {exc}") from exc
    return policy_from_manifest(guard, source=str(stack_dir))
