"""Files a stack ships beside its configuration (``assets/<name>/<hash>/<file>`` in the stack folder).

cdktf copies an asset from a path on disk at synth. Generated content (the set map, the function
zip) is written first to a content-addressed folder inside the app's own output directory, so it
goes wherever the output goes and is removed with it; nothing is written anywhere else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ses_reputation_guard._cdktf import App, AssetType, Construct, TerraformAsset

SOURCES_FOLDER = ".ses-reputation-guard"
"""Inside the app's outdir; not a stack folder, so neither cdktf nor Terraform reads it."""


def source_file(scope: Construct, file_name: str, data: bytes) -> Path:
    """``<outdir>/.ses-reputation-guard/<sha256 prefix>/<file_name>`` holding ``data``."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = Path(App.of(scope).outdir) / SOURCES_FOLDER / digest / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{file_name}.partial")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def shipped_file(scope: Construct, construct_id: str, file_name: str, data: bytes) -> TerraformAsset:
    """An asset holding ``data``; Terraform reads it as ``${path.module}/<asset.path>``."""
    return TerraformAsset(scope, construct_id, path=str(source_file(scope, file_name, data)), type=AssetType.FILE)
