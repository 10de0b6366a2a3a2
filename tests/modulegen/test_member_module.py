"""The member module (issue "[6 of 7]", item 1): generated from MemberRole, committed, deterministic, valid
Terraform, documented like the main module."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ses_guard_modulegen import member_module
from tests.conftest import ROOT
from tests.support.terraform import run_terraform, terraform_cli_env

MODULE_DIR = ROOT / "modules" / member_module.MODULE_DIR_NAME


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return member_module.render_module()


def test_generation_is_deterministic_and_the_committed_module_is_what_it_generates(rendered):
    again = member_module.render_module()
    assert again == rendered
    committed = {path.name: path.read_bytes() for path in MODULE_DIR.iterdir() if path.is_file()}
    assert committed == rendered, "run `python -m ses_guard_modulegen.member_module` and review the diff"


def test_the_module_follows_the_terraform_module_layout_without_provider_or_backend(rendered):
    assert set(rendered) == {*member_module.TF_FILES, "README.md"}
    text = "".join(content.decode() for name, content in rendered.items() if name.endswith(".tf"))
    assert not re.search(r'^(provider|backend)\b|^\s+backend "', text, re.M)
    assert re.findall(r'^resource "(\w+)"', rendered["main.tf"].decode(), re.M) == []
    assert set(re.findall(r'^resource "(\w+)"', rendered["iam.tf"].decode(), re.M)) == {
        "aws_iam_role",
        "aws_iam_role_policy",
    }


def test_every_variable_has_a_description_and_a_type_and_only_the_hub_role_is_required(rendered):
    for variable in member_module.variables():
        assert variable.description and variable.type
        assert variable.required == (variable.name == "hub_function_role_arn")
    text = rendered["variables.tf"].decode()
    assert text.count("description = ") == text.count('variable "') == len(member_module.variables())


def test_the_readme_table_lists_every_variable_and_output(rendered):
    readme = rendered["README.md"].decode()
    inputs = readme.split("## Inputs", 1)[1].split("## Outputs", 1)[0]
    outputs = readme.split("## Outputs", 1)[1]
    declared = re.findall(r'^variable "(\w+)"', rendered["variables.tf"].decode(), re.M)
    assert re.findall(r"^\| `(\w+)` \|", inputs, re.M) == declared
    assert re.findall(r"^\| `(\w+)` \|", outputs, re.M) == re.findall(
        r'^output "(\w+)"', rendered["outputs.tf"].decode(), re.M
    )
    assert "| `hub_function_role_arn` |" in inputs and "| n/a | yes |" in inputs
    assert "providers = { aws = aws.member_marketing }" in readme


def test_the_module_passes_terraform_validate_and_fmt(rendered, tmp_path):
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on the PATH")
    env = terraform_cli_env(tmp_path / "cli")
    module = tmp_path / "module"
    module.mkdir()
    for name, content in rendered.items():
        (module / name).write_bytes(content)
    run_terraform(["init", "-input=false", "-backend=false"], module, env)
    validated = run_terraform(["validate"], module, env)
    assert "Success! The configuration is valid" in validated.stdout and "Warning" not in validated.output
    formatted = run_terraform(["fmt", "-check", "-diff", "."], module, env, ok=None)
    assert formatted.returncode == 0, formatted.output


def test_variable_validations_use_the_same_rule_sentences_as_the_construct(rendered):
    from ses_guard_policy import rules

    text = rendered["variables.tf"].decode()
    for rule in (rules.HUB_FUNCTION_ROLE_ARN, rules.OPERATOR_ROLE_ARN, rules.ORGANIZATION_ID, rules.REGION_NAME):
        assert rule.sentence.replace('"', '\\"') in text
        assert rule.pattern.replace("\\", "\\\\") in text


def test_module_entry_point_writes_into_the_given_folder(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(member_module, "render_module", lambda: {"main.tf": b"# x\n", "README.md": b"r\n"})
    (tmp_path / "stale.tf").write_text("old")
    assert member_module.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md", "main.tf"]
