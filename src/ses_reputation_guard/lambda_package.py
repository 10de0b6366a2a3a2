"""Builds the Lambda deployment zip deterministically: the function package and the model modules it uses.

The zip holds ``ses_guard_lambda`` (lambda_src/) and, of the policy model ``ses_guard_policy``, only
the modules the function imports (followed through the model's own relative imports), so the
function ships nothing it does not use. Same sources, same bytes, on every machine: entries sorted,
fixed timestamps and permissions, stored (not deflated) so zlib versions cannot change the output.
The generated Terraform module commits this zip, and a drift test compares it byte for byte.

Besides Python files the zip holds one data file: ``ses_guard_lambda/data/cloudwatch/2010-08-01/service-2.json``,
the CloudWatch API model trimmed to the operations the function calls (`SHIPPED_CLOUDWATCH_OPERATIONS`),
spoken over the ``query`` protocol. The function loads it through botocore's data path (``AWS_DATA_PATH``),
so DescribeAlarmContributors (2025-09) works with whatever botocore the Lambda runtime includes
(docs/lambda.md, "Fleet delivery and the runtime's SDK"). `cloudwatch_model_text` makes it from a full
model; a test compares the committed file with the one made from the development botocore.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any

PACKAGE_NAME = "ses_guard_lambda"
MODEL_PACKAGE = "ses_guard_policy"
ZIP_NAME = f"{PACKAGE_NAME}.zip"
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)

# The function's CloudWatch calls; the shipped model holds these and no others (a test checks the code).
SHIPPED_CLOUDWATCH_OPERATIONS = ("DescribeAlarmContributors", "DescribeAlarms", "GetMetricData", "ListTagsForResource")
CLOUDWATCH_MODEL_PATH = "data/cloudwatch/2010-08-01/service-2.json"
# The protocol every botocore speaks to CloudWatch: recent models name ``smithy-rpc-v2-cbor`` first (in
# ``protocols``), which older botocore cannot speak; CloudWatch still accepts ``query``.
_SHIPPED_PROTOCOL = "query"
_METADATA_KEYS = (
    "apiVersion",
    "auth",
    "endpointPrefix",
    "serviceAbbreviation",
    "serviceFullName",
    "serviceId",
    "signatureVersion",
    "uid",
    "xmlNamespace",
)

# (package name, folder): the two packages the function is built from.
Sources = tuple[tuple[str, Path], ...]


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"cannot find the {name} package on sys.path")
    return Path(next(iter(spec.submodule_search_locations)))


def lambda_source_dir() -> Path:
    return package_dir(PACKAGE_NAME)


def default_sources() -> Sources:
    return ((PACKAGE_NAME, lambda_source_dir()), (MODEL_PACKAGE, package_dir(MODEL_PACKAGE)))


def source_files(source_dir: Path | None = None) -> list[Path]:
    root = source_dir or lambda_source_dir()
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def data_files(source_dir: Path | None = None) -> list[Path]:
    """The function's data files (the shipped CloudWatch model): every ``.json`` under ``data/``."""
    root = (source_dir or lambda_source_dir()) / "data"
    return sorted(root.rglob("*.json")) if root.is_dir() else []


def cloudwatch_model_text(full: dict[str, Any]) -> str:
    """The shipped CloudWatch model made from a full botocore model (``service-2``): the shipped operations
    and the shapes they reach, no documentation, protocol ``query``; sorted, compact JSON."""
    operations = {name: _undocumented(full["operations"][name]) for name in SHIPPED_CLOUDWATCH_OPERATIONS}
    shapes: dict[str, Any] = {}
    pending = [ref["shape"] for op in operations.values() for ref in _shape_refs(op)]
    while pending:
        name = pending.pop()
        if name not in shapes:
            shapes[name] = _undocumented(full["shapes"][name])
            pending += [ref["shape"] for ref in _shape_refs(shapes[name])]
    metadata = {key: full["metadata"][key] for key in _METADATA_KEYS if key in full["metadata"]}
    metadata["protocol"] = _SHIPPED_PROTOCOL
    model = {"version": full.get("version", "2.0"), "metadata": metadata, "operations": operations, "shapes": shapes}
    return json.dumps(model, sort_keys=True, separators=(",", ":")) + "\n"


def _undocumented(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _undocumented(item) for key, item in value.items() if key != "documentation"}
    if isinstance(value, list):
        return [_undocumented(item) for item in value]
    return value


def _shape_refs(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The shape references of an operation (input, output, errors) or of a shape (members, list, map)."""
    refs = [node[key] for key in ("input", "output", "member", "key", "value") if key in node]
    return refs + list(node.get("errors", [])) + list(node.get("members", {}).values())


def model_modules_used(function_files: list[Path], model_dir: Path) -> list[str]:
    """The model modules (file stems) the function imports, directly or through the model's relative imports."""
    wanted = {"__init__"}
    pending = [name for path in function_files for name in _model_imports(path, relative=False)]
    while pending:
        name = pending.pop()
        if name in wanted or not (model_dir / f"{name}.py").is_file():
            continue
        wanted.add(name)
        pending += _model_imports(model_dir / f"{name}.py", relative=True)
    return sorted(wanted)


def _model_imports(path: Path, *, relative: bool) -> list[str]:
    """Model module names ``path`` imports: ``from ses_guard_policy[.x] import ...`` or, inside the
    model (``relative``), ``from .[x] import ...``."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.ImportFrom):
            continue
        parts = (node.module or "").split(".") if node.module else []
        if relative and node.level == 1:
            inside = parts
        elif not relative and node.level == 0 and parts[:1] == [MODEL_PACKAGE]:
            inside = parts[1:]
        else:
            continue
        names += inside[:1] or [alias.name for alias in node.names]
    return names


def zip_entries(sources: Sources | None = None) -> list[tuple[str, Path]]:
    """(name in the zip, file) for every file the function needs, sorted by name."""
    (function_name, function_dir), (model_name, model_dir) = sources or default_sources()
    function_files = source_files(function_dir)
    function_paths = function_files + data_files(function_dir)
    entries = [(f"{function_name}/{p.relative_to(function_dir).as_posix()}", p) for p in function_paths]
    entries += [
        (f"{model_name}/{stem}.py", model_dir / f"{stem}.py") for stem in model_modules_used(function_files, model_dir)
    ]
    return sorted(entries)


@functools.cache  # one build per process, however many guards and the module use it
def build_zip_bytes(sources: Sources | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, path in zip_entries(sources):
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, so the permissions above are honoured
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
