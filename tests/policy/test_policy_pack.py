"""The checkov policy pack in policies/ against its fixtures, in HCL and in Terraform JSON.

Fixtures: ``fixtures/<CheckClass>/<pattern>/<kind>/`` where kind is ``pass``, ``fail`` (every pattern has
both) or ``unknown``; each kind folder holds one or more root configurations, with their child modules.
``fixtures/<CheckClass>/expected.yaml`` lists, per pattern and kind, every resource the check decides
there and how (``passed``, ``failed``, ``unknown``); a resource not listed must get no result. Each failed
resource maps to the line to change (``path/in/kind/folder:line`` of the HCL fixture): the statement, the
attribute, or where the offending value is written; the Terraform JSON rendering must name the same file.

checkov runs once per framework for the whole session: over the HCL fixtures, and over a Terraform JSON
rendering of them made at test time (tests/policy/hcl_to_json.py). Unknown results never reach checkov's
report, so outcomes are read from the pack's decision log and cross-checked against the report.
Addresses are compared without module prefixes (Terraform JSON scans show child modules on their own);
checkov's report names data sources without Terraform's ``data.`` prefix.
"""

from __future__ import annotations

import ast
import re
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

from tools.scan import POLICIES, PackResult, checkov_bin, checkov_python, pack_check_ids, run_pack

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
FRAMEWORKS = ("terraform", "terraform_json")
KINDS = ("pass", "fail", "unknown")
OUTCOMES = ("passed", "failed", "unknown")
_MODULE_PREFIX = re.compile(r'^(module\.[\w-]+(\["[^"]*"\]|\[\d+\])?\.)+')

# (check folder, pattern, kind) -> {"passed"|"failed"|"unknown": {address, ...}}
Outcomes = dict[tuple[str, str, str], dict[str, set[str]]]
# (check folder, pattern, kind) -> {failed address: (file relative to the kind folder, line)}
Fixes = dict[tuple[str, str, str], dict[str, tuple[str, int]]]


def load_expected() -> dict[str, dict[str, Any]]:
    return {path.parent.name: yaml.safe_load(path.read_text()) for path in sorted(FIXTURES.glob("*/expected.yaml"))}


EXPECTED = load_expected()
CASES = [
    (framework, folder, pattern, kind)
    for folder, spec in EXPECTED.items()
    for pattern, kinds in spec["patterns"].items()
    for kind in KINDS
    if kind in kinds
    for framework in kinds.get("frameworks", FRAMEWORKS)
]


def expected_outcomes(folder: str, pattern: str, kind: str, framework: str) -> dict[str, set[str]]:
    """The kind's lists, or a framework's own lists where checkov builds a different graph (an
    ``terraform_json:`` entry: checkov does not expand a child module's for_each there)."""
    spec = EXPECTED[folder]["patterns"][pattern][kind]
    spec = spec.get(framework, spec)
    return {o: set(spec.get(o, [])) for o in OUTCOMES}


def address(resource: str) -> str:
    return _MODULE_PREFIX.sub("", resource)


def reported_as(resource: str) -> str:
    """The address as checkov's report writes it: without module prefixes and without ``data.``."""
    return address(resource).removeprefix("data.")


def expected_fixes(folder: str, pattern: str, kind: str) -> dict[str, tuple[str, int]]:
    """The line to change of each failed resource of the HCL fixture (``{address: "file:line"}``)."""
    failed = EXPECTED[folder]["patterns"][pattern][kind].get("failed") or {}
    return {r: (str(w).rsplit(":", 1)[0], int(str(w).rsplit(":", 1)[1])) for r, w in dict(failed).items()}


def fixture_of(relative: Path) -> tuple[str, str, str]:
    folder, pattern, kind = relative.parts[:3]
    return folder, pattern, kind


@pytest.fixture(scope="session")
def json_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The HCL fixtures rendered as Terraform JSON, in a folder of their own."""
    target = tmp_path_factory.mktemp("fixtures-json")
    script = HERE / "hcl_to_json.py"
    try:
        python = checkov_python()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    proc = subprocess.run(
        [python, str(script), str(FIXTURES), str(target)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"HCL -> JSON conversion failed:\n{proc.stderr[-4000:]}"
    return target


@pytest.fixture(scope="session")
def run(json_fixtures: Path) -> PackResult:
    """One checkov process for the whole session: HCL over the fixtures, Terraform JSON over their rendering."""
    try:
        checkov_bin()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    return run_pack([FIXTURES, json_fixtures], FRAMEWORKS)


def framework_of(file: str) -> str:
    return "terraform_json" if file.endswith(".tf.json") else "terraform"


@pytest.fixture(scope="session")
def outcomes(run: PackResult, json_fixtures: Path) -> dict[str, Outcomes]:
    """The pack's decisions on each fixture, for the check that fixture is about, per framework."""
    roots = {"terraform": FIXTURES, "terraform_json": json_fixtures.resolve()}
    collected: dict[str, Outcomes] = {f: defaultdict(lambda: {o: set() for o in OUTCOMES}) for f in FRAMEWORKS}
    for decision in run.decisions:
        framework = framework_of(decision.file)
        folder, pattern, kind = fixture_of(Path(decision.file).relative_to(roots[framework]))
        if EXPECTED.get(folder, {}).get("check") == decision.check_id:
            collected[framework][(folder, pattern, kind)][decision.result].add(address(decision.resource))
    return collected


@pytest.fixture(scope="session")
def fixes(run: PackResult, json_fixtures: Path) -> dict[str, Fixes]:
    """Where each failure of a fixture's own check says to change it, relative to the fixture's kind folder."""
    roots = {"terraform": FIXTURES, "terraform_json": json_fixtures.resolve()}
    collected: dict[str, Fixes] = {f: defaultdict(dict) for f in FRAMEWORKS}
    for decision in run.decisions:
        framework = framework_of(decision.file)
        folder, pattern, kind = fixture_of(Path(decision.file).relative_to(roots[framework]))
        if EXPECTED.get(folder, {}).get("check") == decision.check_id and decision.result == "failed":
            base = roots[framework] / folder / pattern / kind
            where = (Path(decision.fix_file).relative_to(base).as_posix(), decision.fix_line)
            collected[framework][(folder, pattern, kind)][address(decision.resource)] = where
    return collected


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "folder", "pattern", "kind"), CASES)
def test_each_fixture_gets_exactly_the_results_its_expected_file_lists(
    outcomes: dict[str, Outcomes], framework: str, folder: str, pattern: str, kind: str
) -> None:
    assert outcomes[framework][(folder, pattern, kind)] == expected_outcomes(folder, pattern, kind, framework)


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "folder", "pattern", "kind"), [c for c in CASES if c[3] != "pass"])
def test_each_failure_points_at_the_line_its_expected_file_names(
    fixes: dict[str, Fixes], json_fixtures: Path, framework: str, folder: str, pattern: str, kind: str
) -> None:
    found = fixes[framework][(folder, pattern, kind)]
    expected = expected_fixes(folder, pattern, kind)
    if framework == "terraform":
        assert found == expected
        return
    # The JSON rendering has lines of its own: the same file (main.tf -> main.tf.json), on a line that shows
    # what the HCL line shows (a name, the value, the statement).
    json_expected = expected_outcomes(folder, pattern, kind, framework)["failed"]
    assert set(found) == json_expected
    for resource, (file, line) in found.items():
        if resource not in expected:
            continue  # a framework-specific failure (checkov builds another graph for JSON)
        hcl_file, hcl_line = expected[resource]
        assert file == (f"{hcl_file}.json" if hcl_file.endswith(".tf") else hcl_file), resource
        shown = (json_fixtures / folder / pattern / kind / file).read_text().splitlines()[line - 1]
        meant = (FIXTURES / folder / pattern / kind / hcl_file).read_text().splitlines()[hcl_line - 1]
        assert _tokens(shown) & _tokens(meant), (resource, shown, meant)


def _tokens(line: str) -> set[str]:
    return {t for t in re.findall(r"[\w:*?/.-]+", line) if len(t) >= 3}


@pytest.mark.slow
def test_checkov_reports_the_decided_passes_and_failures_and_leaves_unknowns_out(run: PackResult) -> None:
    assert run.parsing_errors == []
    logged = {(d.check_id, d.result, reported_as(d.resource), d.file) for d in run.decisions if d.result != "unknown"}
    reported = {(r["check_id"], r["result"], reported_as(r["resource"]), r["file"]) for r in run.records}
    assert reported == logged
    assert {framework_of(d.file) for d in run.decisions if d.result == "unknown"} == set(FRAMEWORKS)


@pytest.mark.slow
def test_checkov_reports_each_failure_on_the_lines_of_the_block_the_pack_names(run: PackResult) -> None:
    # plain checkov prints the reported block's file and lines: for CKV_SESRG_4 the policy that grants the
    # wildcard, not the role; the line to change is inside that block unless the value is written elsewhere
    reported = {(r["check_id"], reported_as(r["resource"]), r["file"]): tuple(r["lines"]) for r in run.records}
    failed = [d for d in run.decisions if d.result == "failed"]
    assert failed
    for decision in failed:
        assert reported[(decision.check_id, reported_as(decision.resource), decision.file)] == decision.lines
        if decision.fix_file == decision.file and decision.check_id == "CKV_SESRG_4":
            assert decision.lines[0] <= decision.fix_line <= decision.lines[1], decision
    roles = {
        d.resource.split(".")[-1]
        for d in failed
        if d.check_id == "CKV_SESRG_4" and ".aws_iam_role." in f".{d.resource}"
    }
    assert roles <= {"fn_managed", "fn_inline", "known_bad"}  # only where the role itself holds the grant


def test_every_failed_resource_names_the_line_to_change() -> None:
    for folder, spec in EXPECTED.items():
        for pattern, kinds in spec["patterns"].items():
            for kind in KINDS:
                failed = kinds.get(kind, {}).get("failed")
                if failed is None:
                    continue
                assert isinstance(failed, dict), f"{folder}/{pattern}/{kind}: failed must map resource -> file:line"
                for resource, where in failed.items():
                    file, _, line = str(where).rpartition(":")
                    assert line.isdigit() and (FIXTURES / folder / pattern / kind / file).is_file(), (resource, where)
                    assert int(line) <= len((FIXTURES / folder / pattern / kind / file).read_text().splitlines())


def test_every_pattern_has_a_passing_and_a_failing_fixture() -> None:
    for folder, spec in EXPECTED.items():
        assert spec["check"] in pack_check_ids(), folder
        for pattern, kinds in spec["patterns"].items():
            assert {"pass", "fail"} <= set(kinds), f"{folder}/{pattern}"
            assert kinds.get("about"), f"{folder}/{pattern} needs an 'about' line"


def test_expected_files_and_fixture_folders_match_one_to_one() -> None:
    on_disk = {(p.parts[-3], p.parts[-2], p.parts[-1]) for p in FIXTURES.glob("*/*/*") if p.is_dir()}
    listed = {
        (f, p, k) for f, spec in EXPECTED.items() for p, kinds in spec["patterns"].items() for k in KINDS if k in kinds
    }
    assert on_disk == listed


def test_every_listed_resource_is_declared_in_its_fixture() -> None:
    for folder, pattern, kind in {(f, p, k) for _, f, p, k in CASES}:
        source = "\n".join(t.read_text() for t in (FIXTURES / folder / pattern / kind).rglob("*.tf"))
        listed = [expected_outcomes(folder, pattern, kind, f)[o] for f in FRAMEWORKS for o in OUTCOMES]
        for resource in set().union(*listed):
            block = "data" if resource.startswith("data.") else "resource"
            resource_type, name = re.sub(r"\[.*\]$", "", resource).removeprefix("data.").split(".")
            declaration = rf'{block}\s+"{resource_type}"\s+"{name}"'
            assert re.search(declaration, source), f"{folder}/{pattern}/{kind}: {resource}"


def test_no_terraform_json_fixture_is_committed() -> None:
    assert list(FIXTURES.rglob("*.tf.json")) == []


def test_policy_folder_holds_no_json_or_yaml_that_checkov_would_load_as_a_policy() -> None:
    assert [p for p in POLICIES.rglob("*") if p.suffix in (".json", ".yaml", ".yml")] == []


def test_each_check_file_holds_one_check_class_named_after_the_file_and_its_instance() -> None:
    check_files = sorted(p for p in POLICIES.glob("*.py") if p.name != "__init__.py")
    assert len(check_files) == len(pack_check_ids())
    for path in check_files:
        tree = ast.parse(path.read_text())
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef) and not n.name.startswith("_")]
        checks = [c for c in classes if any(isinstance(b, ast.Name) and b.id == "SesrgGraphCheck" for b in c.bases)]
        assert [c.name for c in checks] == [path.stem]
        assert f"check = {path.stem}()" in path.read_text()


def test_helpers_live_in_a_folder_checkov_does_not_load_as_checks() -> None:
    # checkov execs every *.py of a folder that has an __init__.py; the helpers are imported as a namespace
    # package instead, so each is loaded once and the checks share one copy of its classes.
    assert not (POLICIES / "sesrg" / "__init__.py").exists()
    assert sorted(p.name for p in (POLICIES / "sesrg").glob("*.py")) == ["check.py", "graph.py", "iam.py", "metrics.py"]


@pytest.mark.slow
def test_every_failure_names_the_reason_and_the_change_that_fixes_it(run: PackResult) -> None:
    failed = [d for d in run.decisions if d.result == "failed"]
    assert failed
    for decision in failed:
        assert decision.resource and "fix:" in decision.reason, decision


@pytest.mark.slow
def test_a_set_watched_only_by_account_wide_alarms_is_told_what_to_add(run: PackResult) -> None:
    where = "/ConfigurationSetHasReputationAlarms/account_wide_alarms/fail/"
    reasons = [d.reason for d in run.decisions if d.check_id == "CKV_SESRG_3" and where in d.file.replace(".json", "")]
    assert len(reasons) == 2  # HCL and Terraform JSON
    for reason in reasons:
        assert "account-wide reputation alarms exist" in reason
        assert "aws_cloudwatch_metric_alarm.account_bounce" in reason
        assert 'ses:configuration-set = "marketing"' in reason
        assert "Metrics Insights fleet alarm" in reason
