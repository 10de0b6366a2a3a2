"""Builds the Lambda deployment zip deterministically from ``lambda_src/ses_guard_lambda``.

Same sources, same bytes, on every machine: entries sorted, fixed timestamps and permissions,
stored (not deflated) so zlib versions cannot change the output. The generated Terraform module
commits this zip, and a drift test compares it byte for byte.
"""

from __future__ import annotations

import hashlib
import importlib.util
import zipfile
from pathlib import Path

PACKAGE_NAME = "ses_guard_lambda"
ZIP_NAME = f"{PACKAGE_NAME}.zip"
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def lambda_source_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE_NAME)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"cannot find the {PACKAGE_NAME} package (lambda_src/) on sys.path")
    return Path(next(iter(spec.submodule_search_locations)))


def source_files(source_dir: Path | None = None) -> list[Path]:
    root = source_dir or lambda_source_dir()
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def build_zip_bytes(source_dir: Path | None = None) -> bytes:
    import io

    root = source_dir or lambda_source_dir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in source_files(root):
            info = zipfile.ZipInfo(f"{PACKAGE_NAME}/{path.relative_to(root).as_posix()}", date_time=_FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions above are honoured
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def write_zip(destination: Path, source_dir: Path | None = None) -> Path:
    """Write the zip if its content changed (keeps mtimes stable for make) and return its path."""
    data = build_zip_bytes(source_dir)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not destination.exists() or destination.read_bytes() != data:
        destination.write_bytes(data)
    return destination


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
