"""The pack's own scan command (tools/scan.py --pack-only) as the README shows it, and what it says when a
scan found nothing to check.

The README's commands run as written, from a folder outside this repository, with the checkout's path in
place of ``~/ses-reputation-guard`` and a copy of a fixture in place of ``path/to/your/terraform``. A root
that calls a module by a ``git::`` source is built from a local git repository (``git::file://``), so the
"terraform init first" and ``--download-external-modules`` fixes are exercised offline.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools import scan
from tools.scan import Decision, ModuleNote, PackResult, checkov_bin

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
README_FIXTURE = FIXTURES / "LambdaRoleWithoutPausingWildcards" / "attachment_styles" / "fail"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
CHECKOUT = "~/ses-reputation-guard"
USER_DIR = "path/to/your/terraform"

# A module with one failure of each kind the pack reports through a remote module: a Lambda role whose
# role policy grants ses:* (CKV_SESRG_4, reported at the statement, line 20).
GUARD_MODULE = """\
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "pauser" {
  name               = "pauser"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "pauser" {
  role = aws_iam_role.pauser.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ses:*"], Resource = "*" }]
  })
}
"""
GUARD_STATEMENT_LINE = 20
# A local module beside the remote one: a configuration set without reputation metrics (CKV_SESRG_1).
LOCAL_MODULE = """\
resource "aws_sesv2_configuration_set" "local" {
  configuration_set_name = "local"
}
"""


# --- the README ------------------------------------------------------------------------------------------
def policy_scanning_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("\n## Policy scanning\n")
    return text[start : text.index("\n## ", start + 1)]


def fenced_blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section, re.S | re.M)


def readme_command(startswith: str) -> str:
    lines = [line for block in fenced_blocks(policy_scanning_section(), "sh") for line in block.splitlines()]
    [command] = [line for line in lines if line.startswith(startswith)]
    return command


def as_user_would(command: str, user_dir: Path) -> list[str]:
    """The README's command with this checkout as the clone and ``user_dir`` as the user's Terraform."""
    return shlex.split(command.replace(CHECKOUT, str(ROOT)).replace(USER_DIR, str(user_dir)))


def test_the_readme_shows_the_pack_command_with_reasons_first_and_the_plain_checkov_line_second() -> None:
    section = policy_scanning_section()
    clone = readme_command("git clone")
    assert f"--branch v{VERSION} " in clone and clone.endswith(f" {CHECKOUT}")  # the release this README is
    pack = readme_command("python3 ")
    assert pack == f"python3 {CHECKOUT}/tools/scan.py --pack-only {USER_DIR}"
    plain = readme_command("checkov ")
    assert plain == f"checkov -d {USER_DIR} --external-checks-dir {CHECKOUT}/policies"
    assert section.index(pack) < section.index(plain)
    # what a scan that checked nothing means, and the two fixes, verified against checkov 3.3.30 below
    for words in (
        "`3` **nothing was checked**",
        "`terraform init`",
        "`--download-external-modules`",
        "`--allow-empty`",
    ):
        assert words in section, words
    assert "CHECKOV_EXPERIMENTAL_TERRAFORM_MANAGED_MODULES=true" in section
    assert "`--download-external-modules true`" in section


def test_checkov_3_3_30_has_the_flag_the_readme_names() -> None:
    try:
        checkov = checkov_bin()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    usage = subprocess.run([checkov, "--help"], capture_output=True, text=True, check=True, timeout=300).stdout
    assert "--download-external-modules DOWNLOAD_EXTERNAL_MODULES" in usage


@pytest.mark.slow
def test_the_readme_pack_command_runs_outside_the_repository_and_prints_each_line_to_change_and_why(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    user_dir = project / USER_DIR
    shutil.copytree(README_FIXTURE, user_dir)
    command = as_user_would(readme_command("python3 "), Path(USER_DIR))
    command[0] = shutil.which("python3") or sys.executable
    proc = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    [example] = fenced_blocks(policy_scanning_section(), "text")
    shown = [line for line in example.splitlines() if line.lstrip().startswith("FAILED")]
    assert len(shown) == 2
    for line in shown:  # the README's example is this scan's real output
        assert line in proc.stdout.splitlines(), proc.stdout
    assert proc.stdout.startswith(f"{USER_DIR}: 0 passed, 6 failed, 0 unknown, 0 parsing errors in ")


def checkov_failures(output: str, check_id: str) -> list[tuple[str, str]]:
    """(resource, "file:lines") of each FAILED result of ``check_id`` in checkov's CLI output."""
    found = []
    for block in output.split("Check: ")[1:]:
        if block.startswith(f"{check_id}:") and (failed := re.search(r"FAILED for resource: (\S+)", block)):
            found.append((failed.group(1), re.search(r"File: (\S+)", block).group(1)))  # type: ignore[union-attr]
    return found


@pytest.mark.slow
def test_the_readme_plain_checkov_line_reports_ckv_sesrg_4_on_the_statement_not_the_role(tmp_path: Path) -> None:
    user_dir = tmp_path / "project"
    shutil.copytree(README_FIXTURE, user_dir)
    command = as_user_would(readme_command("checkov "), user_dir)
    command[0] = checkov_bin()
    proc = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 1, proc.stderr[-3000:]
    failures = dict(checkov_failures(proc.stdout, "CKV_SESRG_4"))
    assert failures == {
        "aws_iam_role.fn_managed": "/main.tf:21-25",  # managed_policy_arns, on the role itself
        "aws_iam_role.fn_inline": "/main.tf:28-41",  # inline_policy, on the role itself
        "aws_iam_policy_document.ses_everything": "/main.tf:12-18",  # not aws_iam_role.fn_role_policy
        "aws_iam_policy.admin_heredoc": "/main.tf:60-68",  # not aws_iam_role.fn_attached
        "aws_iam_policy_attachment.fn_legacy_ses_full": "/main.tf:81-85",  # not aws_iam_role.fn_legacy
        "aws_iam_role_policy.fn_used_ses": "/main.tf:97-100",  # not aws_iam_role.fn_used
    }


# --- a root that calls the module by git:: -------------------------------------------------------------------
@pytest.fixture(scope="module")
def module_repository(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A git repository holding the guard module, tagged v1; its ``git::file://`` source."""
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is not on the PATH")
    repository = tmp_path_factory.mktemp("module-repository")
    (repository / "modules" / "guard").mkdir(parents=True)
    (repository / "modules" / "guard" / "main.tf").write_text(GUARD_MODULE)
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.com"]
    for args in (["init", "-q", "-b", "main"], ["add", "."], [*identity, "commit", "-q", "-m", "guard"], ["tag", "v1"]):
        subprocess.run([git, *args], cwd=repository, check=True, capture_output=True)
    return f"git::file://{repository}//modules/guard?ref=v1"


def root_calling(source: str, folder: Path, *, local_module: bool = False) -> Path:
    folder.mkdir(parents=True)
    text = f'module "guard" {{\n  source = "{source}"\n}}\n'
    if local_module:
        (folder / "modules" / "sets").mkdir(parents=True)
        (folder / "modules" / "sets" / "main.tf").write_text(LOCAL_MODULE)
        text += '\nmodule "sets" {\n  source = "./modules/sets"\n}\n'
    (folder / "main.tf").write_text(text)
    return folder


@pytest.mark.slow
def test_a_root_calling_the_module_by_git_says_nothing_was_checked_why_and_how_to_fix_it(
    module_repository: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = root_calling(module_repository, tmp_path / "root")
    result = scan.run_pack([root])
    assert result.decisions == []
    assert result.notes == [ModuleNote("module.guard", module_repository, str(root / "main.tf"), 1)]
    # plain checkov runs show the pack's warning on checkov's log
    assert "module.guard" in result.log and "--download-external-modules true" in result.log

    monkeypatch.setattr(scan, "run_pack", lambda targets, **_: result)
    assert scan.scan_pack_only([root], False) == scan.EXIT_NOTHING_CHECKED
    out = capsys.readouterr()
    assert f"{root}: 0 passed, 0 failed, 0 unknown, 0 parsing errors" in out.out
    assert "nothing checked" in out.out
    assert f"module.guard at main.tf:1  source = {module_repository}" in out.out
    assert "`terraform init`" in out.out and "--download-external-modules" in out.out
    assert "exit 3: nothing was checked" in out.err
    assert scan.scan_pack_only([root], False, allow_empty=True) == 0


@pytest.mark.slow
def test_download_external_modules_scans_the_module_behind_a_git_source(
    module_repository: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = root_calling(module_repository, tmp_path / "root")
    assert scan.main(["--pack-only", str(root), "--download-external-modules"]) == scan.EXIT_FAILED
    out = capsys.readouterr().out
    [failure] = [line for line in out.splitlines() if "FAILED" in line]
    assert re.match(
        rf"  FAILED  CKV_SESRG_4 \.external_modules/\S+/modules/guard/main\.tf:{GUARD_STATEMENT_LINE} "
        r"module\.guard\.aws_iam_role_policy\.pauser: Allow ses:\* ",
        failure,
    ), out
    assert "warning" not in out


@pytest.mark.slow
def test_after_terraform_init_the_scan_reads_the_downloaded_modules_and_still_the_local_ones(
    module_repository: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.fail("terraform is not on the PATH (README prerequisites)")
    root = root_calling(module_repository, tmp_path / "root", local_module=True)
    # `terraform get` is the module part of `terraform init` (no provider download: works offline)
    subprocess.run([terraform, "get", "-no-color"], cwd=root, check=True, capture_output=True, timeout=600)
    assert scan.main(["--pack-only", str(root)]) == scan.EXIT_FAILED
    out = capsys.readouterr().out
    failures = sorted(line.split()[1:4] for line in out.splitlines() if line.lstrip().startswith("FAILED"))
    assert failures == [
        ["CKV_SESRG_1", "modules/sets/main.tf:1", "module.sets.aws_sesv2_configuration_set.local:"],
        ["CKV_SESRG_3", "modules/sets/main.tf:1", "module.sets.aws_sesv2_configuration_set.local:"],
        [
            "CKV_SESRG_4",
            f".terraform/modules/guard/modules/guard/main.tf:{GUARD_STATEMENT_LINE}",
            "module.guard.aws_iam_role_policy.pauser:",
        ],
    ], out


# --- the explanations, without checkov -----------------------------------------------------------------------
def pack_result(*, decisions: list[Decision] | None = None, notes: list[ModuleNote] | None = None) -> PackResult:
    return PackResult([], decisions or [], [], 0.1, notes or [])


def test_a_folder_without_terraform_files_says_so(tmp_path: Path) -> None:
    (tmp_path / ".terraform").mkdir()
    (tmp_path / ".terraform" / "main.tf").write_text("")  # checkov skips it too
    assert scan.explain_nothing_checked(tmp_path, pack_result()) == [
        f"  nothing checked: no *.tf or *.tf.json file under {tmp_path} (checkov skips .terraform, node_modules "
        "and hidden folders)"
    ]


def test_a_folder_without_resources_of_interest_says_what_the_pack_checks(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    [line] = scan.explain_nothing_checked(tmp_path, pack_result())
    assert "SES configuration sets, SNS topics and IAM roles used by Lambda" in line


def test_terraform_json_module_calls_name_the_folder_to_scan_instead(tmp_path: Path) -> None:
    # checkov's terraform_json framework never loads modules, downloaded or not
    (tmp_path / "cdk.tf.json").write_text("{}")
    manifest = tmp_path / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(
        '{"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "guard", "Source": "git::https://h/r.git", '
        '"Dir": ".terraform/modules/guard"}]}'
    )
    note = ModuleNote("module.guard", "git::https://h/r.git", str(tmp_path / "cdk.tf.json"), 4)
    lines = scan.explain_nothing_checked(tmp_path, pack_result(notes=[note]))
    assert "    module.guard at cdk.tf.json:4  source = git::https://h/r.git" in lines
    assert lines[-1].endswith(f"after `terraform init`: {tmp_path / '.terraform/modules/guard'}")
    assert not any("--download-external-modules" in line for line in lines)


def test_a_failure_names_the_line_to_change_first_and_the_resource_block_when_the_line_is_elsewhere(
    tmp_path: Path,
) -> None:
    inside = Decision("CKV_SESRG_4", "failed", "aws_iam_policy.p", str(tmp_path / "main.tf"), "why", (3, 9), "", 0)
    assert scan.describe(inside, tmp_path) == "  FAILED  CKV_SESRG_4 main.tf:3 aws_iam_policy.p: why"
    elsewhere = Decision(
        "CKV_SESRG_2", "failed", "aws_sns_topic.t", str(tmp_path / "main.tf"), "why", (6, 9),
        str(tmp_path / "variables.tf"), 2,
    )  # fmt: skip
    assert scan.describe(elsewhere, tmp_path) == (
        "  FAILED  CKV_SESRG_2 variables.tf:2 aws_sns_topic.t (declared at main.tf:6-9): why"
    )
