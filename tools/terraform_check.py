"""``terraform fmt -check`` and ``terraform validate`` on the generated module and the Terraform example.

    python tools/terraform_check.py          # what the pre-commit hook runs

Validation needs ``terraform init``; it runs in a temporary copy (the example with the module in the
repository's relative layout), with the AWS provider from the offline filesystem mirror when there is
one (``TF_PROVIDER_MIRROR``, else the usual plugin folders; otherwise the registry), so the working
tree gets no ``.terraform`` folder or lock file. Exit status 1 names every folder that failed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support: the project's one terraform runner

from tests.support.terraform import require_terraform, run_terraform, terraform_cli_env  # noqa: E402

MODULE = Path("modules") / "terraform-aws-ses-reputation-guard"
EXAMPLE = Path("examples") / "terraform_module"


def check(workspace: Path) -> list[str]:
    """Problems found (empty when both folders are formatted and valid)."""
    env = terraform_cli_env(workspace / "terraform-cli")
    problems = []
    for folder in (MODULE, EXAMPLE):
        shutil.copytree(ROOT / folder, workspace / folder, ignore=shutil.ignore_patterns(".terraform*"))
    for folder in (MODULE, EXAMPLE):
        formatted = run_terraform(["fmt", "-check", "-diff", str(folder)], workspace, env, ok=None)
        if formatted.returncode != 0:
            problems.append(f"{folder}: not `terraform fmt` clean:\n{formatted.output}")
        run_terraform(["init", "-input=false", "-backend=false"], workspace / folder, env)
        validated = run_terraform(["validate"], workspace / folder, env, ok=None)
        if validated.returncode != 0 or "Warning" in validated.output:
            problems.append(f"{folder}: `terraform validate`:\n{validated.output}")
    return problems


def main() -> int:
    require_terraform()
    with tempfile.TemporaryDirectory(prefix="ses-guard-terraform-check-") as tmp:
        problems = check(Path(tmp))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"terraform fmt and validate: {MODULE} and {EXAMPLE} are clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
