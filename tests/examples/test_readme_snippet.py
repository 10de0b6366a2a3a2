"""The README's own-app snippet ("Using it from Python (cdktf)") runs as written, outside this repository.

The snippet is read from README.md by its marker, so the README and this test cannot drift apart. It
is run once, as ``app.py`` in an empty temporary folder (no ``cdktf.json`` there or above it, no file
of this repository), with this environment's Python (``.venv/bin/python`` under ``make test``) and
the working directory set to that folder: what a user does with the package installed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import ses_reputation_guard
from tests.conftest import ROOT

README = ROOT / "README.md"
MARKER = "<!-- readme-snippet: own-app"
STACK = "ses-guard"  # the stack the snippet creates
# Variables that would send the output elsewhere, change the stack or find the repository's sources.
UNSET = ("CDKTF_OUTDIR", "CDKTF_CONTEXT_JSON", "SES_GUARD_BACKEND", "PYTHONPATH")
ASSET_REFERENCE = re.compile(r"\$\{path\.module\}/(assets/[^\"\\}]+)")


def readme_snippet(text: str) -> str:
    """The ```python block on the line after the one marker line."""
    lines = text.splitlines()
    [start] = [i for i, line in enumerate(lines) if line.startswith(MARKER)]
    if lines[start + 1 : start + 2] != ["```python"]:
        raise ValueError(f"README.md line {start + 1}: the marker must be followed by a ```python block")
    end = lines.index("```", start + 2)
    return "\n".join(lines[start + 2 : end]) + "\n"


@dataclass(frozen=True)
class Run:
    folder: Path
    result: subprocess.CompletedProcess[str]

    @property
    def stack_dir(self) -> Path:
        return self.folder / "cdktf.out" / "stacks" / STACK

    def config(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.stack_dir / "cdk.tf.json").read_text())
        return loaded


@pytest.fixture(scope="module")
def snippet() -> str:
    return readme_snippet(README.read_text())


@pytest.fixture(scope="module")
def run(snippet: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The one synth of this file: the snippet as ``app.py``, run in its own empty folder."""
    folder = tmp_path_factory.mktemp("own-app").resolve()
    assert list(folder.iterdir()) == []
    assert not any((parent / "cdktf.json").exists() for parent in (folder, *folder.parents))
    assert ROOT not in (folder, *folder.parents)
    (folder / "app.py").write_text(snippet)
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    return Run(folder, result)


def test_the_snippet_is_found_by_its_marker() -> None:
    text = f"intro\n{MARKER} (note) -->\n```python\nx = 1\n```\n\n```python\ny = 2\n```\n"
    assert readme_snippet(text) == "x = 1\n"
    with pytest.raises(ValueError, match="followed by a ```python block"):
        readme_snippet(f"{MARKER} -->\n\n```python\nx = 1\n```\n")


def test_the_snippet_imports_public_names_of_the_package_only(snippet: str) -> None:
    imports = [node for node in ast.walk(ast.parse(snippet)) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert imports, "the snippet shows its imports"
    for node in imports:
        assert isinstance(node, ast.ImportFrom) and node.module == "ses_reputation_guard", ast.unparse(node)
        assert {alias.name for alias in node.names} <= set(ses_reputation_guard.__all__), ast.unparse(node)
    assert "new_app" in {alias.name for node in imports for alias in node.names}  # where `app` comes from


def test_the_snippet_synthesizes_in_an_empty_folder_without_cdktf_json(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stderr[-4000:]
    assert (run.stack_dir / "cdk.tf.json").is_file()
    assert sorted(path.name for path in run.folder.iterdir()) == ["app.py", "cdktf.out"]  # nothing elsewhere


def test_the_synthesized_stack_holds_the_guard(run: Run) -> None:
    resources = run.config()["resource"]
    assert resources["aws_sns_topic"]["guard_notifications_topic"]["name"] == "ses-guard-notifications"
    assert "guard_function" in resources["aws_lambda_function"]
    assert "guard_configuration_sets" in resources["aws_sesv2_configuration_set"]
    alarms = resources["aws_cloudwatch_metric_alarm"]
    assert {"guard_set_bounce_critical", "guard_account_bounce_critical"} <= set(alarms)


def test_the_stacks_assets_are_shipped_beside_it_and_referenced_relative_to_it(run: Run) -> None:
    referenced = set(ASSET_REFERENCE.findall((run.stack_dir / "cdk.tf.json").read_text()))
    assert {Path(path).name for path in referenced} == {"policy_manifest.json", "ses_guard_lambda.zip"}
    for path in referenced:
        assert (run.stack_dir / path).is_file(), path


def test_the_output_names_no_path_of_the_machine(run: Run) -> None:
    """The asset sources are absolute paths, but only content-addressed copies reach the output."""
    for path in (run.folder / "cdktf.out").rglob("*.json"):
        text = path.read_text()
        assert str(run.folder) not in text and "/tmp/" not in text and str(ROOT) not in text, path
