"""Every example stack and the generated module match the committed normalized snapshots.

A refactoring must not change what users deploy. When a change is intended, run
`make synth && .venv/bin/python tools/snapshot.py --update` and review the diff of tests/snapshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SynthOutput
from tools.snapshot import SNAPSHOT_DIR, normalize_module, normalize_stack, render

SNAPSHOTS = sorted(path.stem for path in SNAPSHOT_DIR.glob("*.json") if path.stem != "module")


def _first_difference(expected: object, actual: object, where: str = "") -> str:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                return f"{where}/{key}: missing now"
            if key not in expected:
                return f"{where}/{key}: new"
            if expected[key] != actual[key]:
                return _first_difference(expected[key], actual[key], f"{where}/{key}")
    return f"{where}: {json.dumps(expected)[:300]} != {json.dumps(actual)[:300]}"


def test_every_synthesized_stack_has_a_snapshot(synth: SynthOutput) -> None:
    assert synth.stacks() == SNAPSHOTS


@pytest.mark.parametrize("stack", SNAPSHOTS)
def test_example_stack_matches_its_snapshot(synth: SynthOutput, stack: str) -> None:
    expected = json.loads((SNAPSHOT_DIR / f"{stack}.json").read_text())
    actual = json.loads(render(normalize_stack(synth.stack_dir(stack))))
    assert actual == expected, _first_difference(expected, actual)


def test_generated_module_matches_its_snapshot(generated_module: dict[str, bytes], tmp_path: Path) -> None:
    for relative, content in generated_module.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(content)
    expected = json.loads((SNAPSHOT_DIR / "module.json").read_text())
    actual = json.loads(render(normalize_module(tmp_path)))
    assert actual == expected, _first_difference(expected, actual)
