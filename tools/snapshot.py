"""Normalized snapshots of what the project generates, to prove a refactoring changed nothing.

    python tools/snapshot.py            # compare cdktf.out and the module with tests/snapshots/
    python tools/snapshot.py --update   # rewrite tests/snapshots/ (review the diff before committing)

One JSON file per example stack: every resource, data source, local, output, provider and backend
by address, with its attribute values; the policy manifest the stack ships as an asset. One for the
module: resources, data sources and locals merged over all ``*.tf`` files (so splitting files is no
change), and the interface (variables with type, default and validation; outputs).

Normalized away, on purpose: asset hash folders (``assets/<name>/<hash>/``), source line markers,
and the function zip's bytes (its content changes whenever the Lambda's code does; the module test
compares the zip byte for byte with a fresh build instead).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DIR = ROOT / "tests" / "snapshots"
MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
CHECKOV_PYTHON = ROOT / ".venv-checkov" / "bin" / "python"

_ASSET_HASH = re.compile(r"(assets/[A-Za-z0-9_]+)/[0-9A-F]{32}/")
_LINE_MARKERS = ("__start_line__", "__end_line__", "//")

# python-hcl2 (in checkov's venv: it pins versions the project venv must not share) turns HCL into
# the same block/attribute tree for every file; run there, print JSON.
_PARSE_HCL = """
import json, sys, hcl2
merged = {}
for path in sorted(sys.argv[1:]):
    with open(path) as handle:
        for kind, blocks in hcl2.load(handle).items():
            merged.setdefault(kind, []).extend(blocks)
print(json.dumps(merged))
"""


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in sorted(value.items()) if key not in _LINE_MARKERS}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, str):
        return _ASSET_HASH.sub(r"\1/<hash>/", value)
    return value


def _by_address(blocks: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"aws_sns_topic": {"guard_x": {...}}}`` -> ``{"aws_sns_topic.guard_x": {...}}``."""
    return {f"{prefix}{kind}.{name}": _clean(body) for kind, named in blocks.items() for name, body in named.items()}


def normalize_stack(stack_dir: Path) -> dict[str, Any]:
    config = json.loads((stack_dir / "cdk.tf.json").read_text())
    snapshot: dict[str, Any] = {
        "resources": _by_address(config.get("resource", {})),
        "data": _by_address(config.get("data", {}), "data."),
        "locals": _clean(config.get("locals", {})),
        "outputs": _clean(config.get("output", {})),
        "variables": _clean(config.get("variable", {})),
        "providers": _clean(config.get("provider", {})),
        "terraform": _clean(config.get("terraform", {})),
    }
    manifests = sorted((stack_dir / "assets").glob("*/*/policy_manifest.json"))
    snapshot["policy_manifest_asset"] = [json.loads(path.read_text()) for path in manifests]
    return snapshot


def _merge_hcl_blocks(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for block in blocks:
        for kind, named in block.items():
            merged.setdefault(kind, {}).update(named)
    return merged


def normalize_module(module_dir: Path = MODULE_DIR) -> dict[str, Any]:
    files = [str(path) for path in sorted(module_dir.glob("*.tf"))]
    result = subprocess.run(
        [str(CHECKOV_PYTHON), "-c", _PARSE_HCL, *files], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"parsing the module's HCL failed (`make tools` installs .venv-checkov):\n{result.stderr}")
    parsed = json.loads(result.stdout)
    local_values: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        local_values.update(block)
    variables: dict[str, Any] = {}
    for block in parsed.get("variable", []):
        variables.update(block)
    outputs: dict[str, Any] = {}
    for block in parsed.get("output", []):
        outputs.update(block)
    return {
        "resources": _by_address(_merge_hcl_blocks(parsed.get("resource", []))),
        "data": _by_address(_merge_hcl_blocks(parsed.get("data", [])), "data."),
        "locals": _clean(local_values),
        "variables": _clean(variables),
        "outputs": _clean(outputs),
        "terraform": _clean(parsed.get("terraform", [])),
    }


def current_snapshots(outdir: Path, module_dir: Path = MODULE_DIR) -> dict[str, dict[str, Any]]:
    """Snapshot name -> normalized content, for every synthesized stack and the module."""
    snapshots = {
        stack_dir.name: normalize_stack(stack_dir)
        for stack_dir in sorted((outdir / "stacks").iterdir())
        if (stack_dir / "cdk.tf.json").exists()
    }
    snapshots["module"] = normalize_module(module_dir)
    return snapshots


def render(snapshot: dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out", help="synthesized stacks (make synth)")
    parser.add_argument("--update", action="store_true", help="rewrite tests/snapshots/")
    args = parser.parse_args(argv)
    snapshots = current_snapshots(args.outdir)
    changed = []
    for name, snapshot in snapshots.items():
        path = SNAPSHOT_DIR / f"{name}.json"
        text = render(snapshot)
        if not path.exists() or path.read_text() != text:
            changed.append(name)
            if args.update:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    verb = "updated" if args.update else "differ"
    print(f"{len(snapshots)} snapshots; {verb}: {', '.join(changed) or 'none'}")
    return 1 if changed and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
