"""Builds the Lambda deployment zip deterministically from ``lambda_src/ses_guard_lambda``.

Same sources, same bytes, on every machine: entries sorted, fixed timestamps and permissions,
stored (not deflated) so zlib versions cannot change the output. The generated Terraform module
commits this zip, and a drift test compares it byte for byte.
"""

from __future__ import annotations

import functools
import importlib.util
import io
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


@functools.cache  # one build per process, however many guards and the module use it
def build_zip_bytes(source_dir: Path | None = None) -> bytes:
    root = source_dir or lambda_source_dir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in source_files(root):
            info = zipfile.ZipInfo(f"{PACKAGE_NAME}/{path.relative_to(root).as_posix()}", date_time=_FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions above are honoured
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
