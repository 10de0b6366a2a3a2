"""``terraform fmt -check`` and ``terraform validate`` on the generated modules and the Terraform examples.

    python tools/terraform_check.py          # what the pre-commit hook runs

The generated modules are the guard's and hub mode's member role; the examples are the plain consumer
and the organization (the hub guard and two member accounts, a provider alias each). Validation needs
``terraform init``; it runs in a temporary copy (the examples with the modules in the repository's
relative layout), with the AWS provider from the offline filesystem mirror when there is
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
MEMBER_MODULE = Path("modules") / "terraform-aws-ses-reputation-guard-member"
EXAMPLE = Path("examples") / "terraform_module"
ORGANIZATION_EXAMPLE = Path("examples") / "terraform_module_organization"
FOLDERS = (MODULE, MEMBER_MODULE, EXAMPLE, ORGANIZATION_EXAMPLE)


def check(workspace: Path) -> list[str]:
    """Problems found (empty when every folder is formatted and valid)."""
    env = terraform_cli_env(workspace / "terraform-cli")
    problems = []
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, workspace / folder, ignore=shutil.ignore_patterns(".terraform*"))
    for folder in FOLDERS:
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
        print(f"terraform fmt and validate: {', '.join(map(str, FOLDERS))} are clean")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
