"""The policy manifest a synthesized stack ships (``assets/<id>/<hash>/policy_manifest.json``).

The operator tool reads what the constructs decided from this one versioned document
(``ses_guard_policy.manifest``), never by reading Terraform expressions back.
"""

from __future__ import annotations

import json
from pathlib import Path

from ses_guard_policy import manifest


class StackManifestError(ValueError):
    """No manifest, several, or an unreadable one; the message says which and how to fix it."""


def manifest_paths(stack_dir: Path) -> list[Path]:
    return sorted((stack_dir / "assets").glob(f"*/*/{manifest.FILE_NAME}"))


def load(stack_dir: Path, name_prefix: str | None = None) -> manifest.Manifest:
    """The manifest of the one guard in ``stack_dir`` (or of the guard ``name_prefix``)."""
    if not (stack_dir / "cdk.tf.json").is_file():
        raise StackManifestError(f"{stack_dir}: no cdk.tf.json (run `make synth` first, or pass the stack's folder)")
    guards = [_read(path) for path in manifest_paths(stack_dir)]
    if name_prefix is not None:
        guards = [guard for guard in guards if guard.name_prefix == name_prefix]
    if len(guards) != 1:
        found = "no guard" if not guards else f"{len(guards)} guards ({', '.join(g.name_prefix for g in guards)})"
        hint = "run `make synth` (or `cdktf synth`) with this version" if not guards else "one guard per stack"
        raise StackManifestError(f"{stack_dir}: {found} with a {manifest.FILE_NAME}: {hint}")
    return guards[0]


def _read(path: Path) -> manifest.Manifest:
    try:
        return manifest.parse_json(path.read_text(), source=str(path))
    except (OSError, manifest.ManifestError) as exc:
        raise StackManifestError(str(exc)) from exc


def stack_region(stack_dir: Path) -> str | None:
    """The Region of the stack's AWS provider (``cdk.tf.json``: the provider without an alias), or None
    when the stack leaves it to the environment, computes it, or has several unaliased ones."""
    try:
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
    except (OSError, ValueError):
        return None
    providers = (config.get("provider") or {}).get("aws") if isinstance(config, dict) else None
    if isinstance(providers, dict):
        providers = [providers]
    regions = {
        p.get("region")
        for p in providers or []
        if isinstance(p, dict) and not p.get("alias") and isinstance(p.get("region"), str)
    }
    region = regions.pop() if len(regions) == 1 else None
    return region if region and "${" not in region else None
