"""checkov over every synthesized stack (JSON and HCL) and the generated module: zero failures,
with the one .checkov.yaml whose every suppression states its reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, SynthOutput
from tools.scan import MODULE_DIRS, pack_check_ids, run_checkov

SKIP_LINE = re.compile(r"^\s*-\s*(?P<id>CKV2?_[A-Z0-9_]+)\s*(?P<rest>.*)$")


def suppressions() -> list[tuple[str, str]]:
    lines = (ROOT / ".checkov.yaml").read_text().splitlines()
    start = lines.index("skip-check:")
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith(" "):
            break
        match = SKIP_LINE.match(line)
        if match:
            found.append((match["id"], match["rest"]))
    return found


def test_every_checkov_suppression_has_an_id_and_a_written_reason() -> None:
    entries = suppressions()
    assert entries, "expected the skip-check list in .checkov.yaml"
    for check_id, rest in entries:
        assert re.match(r"#\s*reason:\s*\S.{20,}", rest), f"{check_id} has no '# reason: ...' of substance"


@pytest.mark.slow
def test_checkov_reports_zero_failed_checks_on_every_stack_and_both_modules(synth: SynthOutput, tmp_path: Path) -> None:
    stacks = [synth.stack_dir(name) for name in synth.stacks()]
    result = run_checkov([*stacks, *MODULE_DIRS], tmp_path)
    assert result.failed == []
    assert result.parsing_errors == []
    assert result.passed > 500  # both frameworks really ran over every target
    assert {d.check_id for d in result.decisions} == set(pack_check_ids())  # and our pack decided something
    assert (tmp_path / "checkov.sarif").stat().st_size > 0
