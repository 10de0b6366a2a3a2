"""The policy model package: import-free (the standard library and its own modules only), so the
constructs, the function, the tool and the policy pack can all import it at no cost."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

import ses_guard_policy

MODEL_DIR = pathlib.Path(ses_guard_policy.__file__).resolve().parent
MODULES = sorted(path.stem for path in MODEL_DIR.glob("*.py") if path.stem != "__init__")


def modules_imported_by(module: str) -> set[str]:
    """Modules that importing ``module`` loads, in a new interpreter without site-packages."""
    code = (
        "import sys, json\nbefore = set(sys.modules)\n"
        f"import {module}\nprint(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(MODEL_DIR.parent), "PATH": "/usr/bin:/bin"},
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("module", MODULES)
def test_each_model_module_imports_nothing_outside_the_standard_library_and_the_model(module: str) -> None:
    imported = modules_imported_by(f"ses_guard_policy.{module}")
    foreign = {m for m in imported if m.split(".")[0] not in sys.stdlib_module_names | {"ses_guard_policy"}}
    assert foreign == set()


@pytest.mark.parametrize("module", MODULES)
def test_each_model_module_imports_its_siblings_relatively(module: str) -> None:
    """Relative imports only, so the generated copy in the policy pack works under another package name."""
    text = (MODEL_DIR / f"{module}.py").read_text()
    assert "import ses_guard_policy" not in text and "from ses_guard_policy" not in text


@pytest.mark.parametrize(
    ("package", "tests"),
    [
        ("lambda_src/ses_guard_lambda", "tests/lambda"),
        ("src/ses_guard_cli", "tests/cli"),
        ("src/ses_guard_modulegen", "tests/modulegen"),
        ("src/ses_guard_policy", "tests/model"),
    ],
)
def test_every_module_of_the_function_the_tool_the_generator_and_the_model_has_its_own_test_file(
    package: str, tests: str
) -> None:
    root = MODEL_DIR.parents[1]
    modules = {path.stem for path in (root / package).glob("*.py") if path.stem not in ("__init__", "__main__")}
    tested = {path.stem.removeprefix("test_") for path in (root / tests).glob("test_*.py")}
    assert sorted(modules - tested) == []
