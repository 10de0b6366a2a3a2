"""The examples and main.py use the public API only: no private module of ses_reputation_guard
(``_cdktf`` and the like), and the CDK only through it (the project keeps every CDK import in one place).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = "ses_reputation_guard"
CDK_PACKAGES = {"cdktf", "cdktn", "constructs", "cdktf_cdktf_provider_aws", "cdktn_provider_aws"}
USER_CODE = sorted([ROOT / "main.py", *(ROOT / "examples").rglob("*.py")])


def imported_modules(source: str) -> list[str]:
    """Every module a source imports, dotted, with each name of a ``from`` import as a submodule."""
    modules: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def private_imports(source: str) -> list[str]:
    """The imports of ``ses_reputation_guard`` that name a private module or name (a part starting with ``_``)."""
    return [
        module
        for module in imported_modules(source)
        if module.split(".")[0] == PACKAGE and any(part.startswith("_") for part in module.split(".")[1:])
    ]


def cdk_imports(source: str) -> list[str]:
    return [module for module in imported_modules(source) if module.split(".")[0] in CDK_PACKAGES]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from ses_reputation_guard._cdktf import App", ["ses_reputation_guard._cdktf.App"]),
        ("import ses_reputation_guard._cdktf as cdk", ["ses_reputation_guard._cdktf"]),
        ("from ses_reputation_guard import _cdktf", ["ses_reputation_guard._cdktf"]),
        ("from ses_reputation_guard.guard_stack import _hidden", ["ses_reputation_guard.guard_stack._hidden"]),
        ("from ses_reputation_guard import App, new_app\nfrom examples._x import y", []),
    ],
)
def test_a_private_import_is_found_however_it_is_spelled(source: str, found: list[str]) -> None:
    assert private_imports(source) == found


def test_the_user_code_checked_is_main_py_and_every_example() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in USER_CODE}
    assert {"main.py", "examples/__init__.py", "examples/per_set/stack.py", "examples/chat/stack.py"} <= names


@pytest.mark.parametrize("path", USER_CODE, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_examples_and_main_py_import_no_private_module_of_the_constructs(path: Path) -> None:
    assert private_imports(path.read_text()) == []


@pytest.mark.parametrize("path", USER_CODE, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_examples_and_main_py_reach_the_cdk_only_through_the_constructs(path: Path) -> None:
    assert cdk_imports(path.read_text()) == []
