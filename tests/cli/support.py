"""What the operator tool's tests share: policy documents, hourly series, stack folders, one command run.

A policy file and a stack's policy manifest are the same document (``ses_guard_policy.manifest``);
``document`` writes the smallest one a test needs, ``write_stack`` a stack folder that ships one or
more manifests the way ``make synth`` does (``assets/<id>/<hash>/policy_manifest.json``).
"""

from __future__ import annotations

import io
import json
import os
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from ses_guard_cli import cli
from ses_guard_policy import contract, manifest
from ses_guard_policy.evaluation import PeriodSeries
from tests.stubbed_aws import REGION

__all__ = [
    "BOUNCE",
    "COMPLAINT",
    "DEFAULTS",
    "MODULE_PLAN_REGIONS",
    "REGION",
    "START",
    "create_member_role",
    "document",
    "manifest_document",
    "png_size",
    "run_cli",
    "series",
    "write_policy",
    "write_stack",
]

BOUNCE: Final = contract.METRIC_BOUNCE_RATE
COMPLAINT: Final = contract.METRIC_COMPLAINT_RATE
DEFAULTS: Final = {
    "bounce_warning": 0.02,
    "bounce_critical": 0.04,
    "complaint_warning": 0.0005,
    "complaint_critical": 0.0008,
}
START: Final = datetime(2026, 6, 1, tzinfo=UTC)
MODULE_PLAN_REGIONS: Final = {"terraform_module": "us-east-1", "terraform_module_fleet": "eu-west-1"}
"""The module's two example roots the ``module_plans`` fixture plans, and the Region each is planned in
(the fleet root away from the default, so that a Region read from the plan cannot be a default)."""
ASSET_FOLDERS: Final = ("a/b", "c/d", "e/f")
"""Where ``write_stack`` puts the first, second and third manifest (``assets/<id>/<hash>``)."""


def document(**tables: Any) -> dict[str, Any]:
    """A policy file labelled ``test`` with the guard's default thresholds and ``tables``."""
    return {"label": "test", "default_thresholds": dict(DEFAULTS), **tables}


def manifest_document(name_prefix: str = "g", **tables: Any) -> dict[str, Any]:
    """A manifest as a stack ships it: format, version and name prefix, the defaults and ``tables``."""
    return {
        "format": manifest.FORMAT,
        "version": manifest.VERSION,
        "name_prefix": name_prefix,
        "default_thresholds": dict(DEFAULTS),
        **tables,
    }


def series(*values: float | None, start: datetime = START) -> PeriodSeries:
    """Hourly values from ``start`` (None: no datapoint in that hour)."""
    return PeriodSeries(start, 3600, tuple(values))


def write_policy(directory: Path, name: str = "policy.json", **tables: Any) -> Path:
    """``document(**tables)`` as a JSON policy file in ``directory``."""
    path = directory / name
    path.write_text(json.dumps(document(**tables)))
    return path


def write_stack(directory: Path, *manifests: dict[str, Any] | str, region: str | None = None) -> Path:
    """A synthesized stack folder: ``cdk.tf.json`` (``{}``, or with ``region`` an AWS provider in that Region,
    as cdktf writes it) and each manifest (a document, or raw text) as ``assets/<id>/<hash>/policy_manifest.json``."""
    assert len(manifests) <= len(ASSET_FOLDERS), "one asset folder per manifest"
    directory.mkdir(parents=True, exist_ok=True)
    config = {"provider": {"aws": [{"region": region}]}} if region else {}
    (directory / "cdk.tf.json").write_text(json.dumps(config))
    for folder, content in zip(ASSET_FOLDERS, manifests, strict=False):
        path = directory / "assets" / folder / manifest.FILE_NAME
        path.parent.mkdir(parents=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return directory


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (which must be a PNG's)."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def run_cli(*argv: str, typed: str = "", **factories: Any) -> tuple[int, str, str]:
    """``ses-guard argv`` in-process: exit code, standard output, standard error. ``typed`` is standard
    input; ``factories`` are ``cli.main``'s client factories."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdin=io.StringIO(typed), stdout=out, stderr=err, **factories)
    return code, out.getvalue(), err.getvalue()


def create_member_role(boto3: Any, account: str, prefix: str = "ses-guard") -> str:
    """Under moto: the member role ``<prefix>-member`` in ``account`` (the emulator's AssumeRole refuses a
    role that does not exist, as AWS does; ``MOTO_ACCOUNT_ID`` makes the IAM call act in that account).
    Its ARN."""
    previous = os.environ.get("MOTO_ACCOUNT_ID")
    os.environ["MOTO_ACCOUNT_ID"] = account
    try:
        iam = boto3.client("iam", region_name=REGION)
        return str(iam.create_role(RoleName=f"{prefix}-member", AssumeRolePolicyDocument="{}")["Role"]["Arn"])
    finally:
        if previous is None:
            del os.environ["MOTO_ACCOUNT_ID"]
        else:
            os.environ["MOTO_ACCOUNT_ID"] = previous
