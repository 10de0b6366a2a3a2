"""Files a stack ships beside its configuration (``assets/<name>/<hash>/<file>`` in the stack folder).

cdktf copies an asset from a path on disk at synth. Generated content (the policy manifest, the
function zip) is written first to a content-addressed folder inside the app's own output directory,
so it goes wherever the output goes and is removed with it; nothing is written anywhere else.

The asset is given that file's **absolute** path. cdktf resolves a relative asset path against the
folder of the nearest ``cdktf.json`` above the working directory, and fails without one: an app run
from any folder (no ``cdktf.json``, or one belonging to another project) must not depend on that.
The source path never reaches the configuration: a stack references the asset as
``assets/<id>/<content hash>/<file>`` (relative to the stack folder; the hash is of the content
only), so the synthesized output is the same on every machine and in every working directory.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ses_reputation_guard._cdktf import App, AssetType, Construct, TerraformAsset

SOURCES_FOLDER = ".ses-reputation-guard"
"""Inside the app's outdir; not a stack folder, so neither cdktf nor Terraform reads it."""


def source_file(scope: Construct, file_name: str, data: bytes) -> Path:
    """``<outdir>/.ses-reputation-guard/<sha256 prefix>/<file_name>`` holding ``data``, as an absolute path.

    A relative outdir (the default ``cdktf.out``) is taken from the working directory and normalized
    as the CDK's Node process does (``path.resolve``: lexically, symbolic links kept).
    """
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = Path(os.path.abspath(App.of(scope).outdir)) / SOURCES_FOLDER / digest / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{file_name}.partial")
        partial.write_bytes(data)
        partial.replace(path)
    return path


def shipped_file(scope: Construct, construct_id: str, file_name: str, data: bytes) -> TerraformAsset:
    """An asset holding ``data``; Terraform reads it as ``${path.module}/<asset.path>``."""
    return TerraformAsset(scope, construct_id, path=str(source_file(scope, file_name, data)), type=AssetType.FILE)
