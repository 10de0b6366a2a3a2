"""Print the pinned requirements of the CDK Terrain environment (.venv-cdktn), one per line.

    pip install $(python3 tools/cdktn/requirements.py)   # what `make venv-cdktn` runs

The pins live once, in pyproject.toml: the project's dependencies without the cdktf packages, plus
the ``cdktn`` extra. The project itself is then installed with ``--no-deps``, so the environment
holds one toolchain only and ``ses_reputation_guard._cdktf`` picks cdktn without being told.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CDKTF_PACKAGES = frozenset({"cdktf", "cdktf-cdktf-provider-aws"})


def requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if match is None:
        raise ValueError(f"{requirement!r} in {PYPROJECT} does not start with a package name")
    return match.group(0).lower().replace("_", "-")


def cdktn_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    project = tomllib.loads(pyproject.read_text())["project"]
    extra = project.get("optional-dependencies", {}).get("cdktn")
    if not extra:
        raise ValueError(f"{pyproject} has no `cdktn` extra under [project.optional-dependencies]")
    base = [r for r in project["dependencies"] if requirement_name(r) not in CDKTF_PACKAGES]
    return [*base, *extra]


def main() -> int:
    print("\n".join(cdktn_requirements()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
