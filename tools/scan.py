"""Scan every synthesized stack (JSON and HCL) and the generated module with checkov, or run only the
ses-reputation-guard policy pack over any checked-out Terraform.

    python tools/scan.py [--outdir cdktf.out] [--report-dir reports]
    python tools/scan.py --pack-only DIR [DIR ...] [--show-passed]

The first form uses the one `.checkov.yaml` (suppressions with reasons, our policy pack in policies/)
and exits non-zero when any check fails. The second runs only CKV_SESRG_* over HCL and Terraform JSON,
ignores any checkov configuration, and prints every failed and unknown decision with its reason (see
docs/policies.md); it exits non-zero when a check fails. checkov lives in its own venv (.venv-checkov,
see Makefile); override with CHECKOV_BIN.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
POLICIES = ROOT / "policies"
PACK_FRAMEWORKS = ("terraform", "terraform_json")
DECISION_LOG = "SESRG_DECISION_LOG"  # read by policies/sesrg/check.py


@dataclass(frozen=True)
class Decision:
    """One verdict of the pack, from its decision log: unknowns appear only here, not in checkov's report."""

    check_id: str
    result: str  # passed | failed | unknown
    resource: str
    file: str
    reason: str


@dataclass(frozen=True)
class ScanResult:
    passed: int
    failed: list[str]
    skipped: list[str]
    parsing_errors: list[str]
    seconds: float
    decisions: tuple[Decision, ...] = ()  # the policy pack's, unknowns included (its decision log)


def checkov_bin() -> str:
    candidates = [
        os.environ.get("CHECKOV_BIN", ""),
        str(ROOT / ".venv-checkov" / "bin" / "checkov"),
        shutil.which("checkov") or "",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    raise FileNotFoundError("checkov not found: run `make tools` (creates .venv-checkov) or set CHECKOV_BIN")


def checkov_python() -> str:
    """The interpreter of checkov's environment (it has python-hcl2), read from the checkov script."""
    first_line = Path(checkov_bin()).read_text(errors="replace").split("\n", 1)[0]
    if first_line.startswith("#!") and Path(first_line[2:].strip()).exists():
        return first_line[2:].strip()
    return sys.executable


def pack_check_ids() -> list[str]:
    """The IDs of the policy pack, as its check files declare them."""
    found = (re.search(r'check_id = "(CKV_SESRG_\d+)"', p.read_text()) for p in sorted(POLICIES.glob("*.py")))
    return sorted({m.group(1) for m in found if m}, key=lambda i: int(i.rsplit("_", 1)[1]))


@dataclass(frozen=True)
class PackResult:
    records: list[dict[str, str]]  # checkov's report: check_id, result, resource, file (absolute path)
    decisions: list[Decision]
    parsing_errors: list[str]
    seconds: float


def run_pack(targets: Sequence[Path], frameworks: Sequence[str] = PACK_FRAMEWORKS) -> PackResult:
    """Only the policy pack over ``targets`` in one checkov process, outside any checkov configuration."""
    with tempfile.TemporaryDirectory(prefix="sesrg-pack-") as scratch:
        log = Path(scratch) / "decisions.jsonl"
        command = [checkov_bin(), "--framework", *frameworks, "--external-checks-dir", str(POLICIES)]
        command += ["--check", ",".join(pack_check_ids()), "--compact", "-o", "json"]
        command += ["--skip-download"]  # no call to the Prisma Cloud guidelines API (fails offline, slows every run)
        for target in targets:
            command += ["-d", str(target.resolve())]
        started = time.perf_counter()
        # cwd outside any repository: no .checkov.yaml applies (ours skips the pack's own fixtures).
        proc = subprocess.run(
            command,
            cwd=scratch,
            env={**os.environ, DECISION_LOG: str(log)},
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        seconds = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"checkov failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        lines = log.read_text().splitlines() if log.exists() else []
    records: list[dict[str, str]] = []
    parsing_errors: list[str] = []
    for report in _json_documents(proc.stdout):
        results = report.get("results", {})
        parsing_errors += results.get("parsing_errors", [])
        for key in ("passed_checks", "failed_checks"):
            records += [
                {
                    "check_id": r["check_id"],
                    "result": key.split("_")[0],
                    "resource": r["resource"],
                    "file": r["file_abs_path"],
                }
                for r in results.get(key, [])
            ]
    decisions = [Decision(**json.loads(line)) for line in lines]
    return PackResult(records, decisions, parsing_errors, seconds)


def _json_documents(text: str) -> list[dict[str, Any]]:
    """checkov prints one JSON document per scanned directory (each a report or a list of reports)."""
    decoder = json.JSONDecoder()
    documents: list[dict[str, Any]] = []
    position = 0
    while (start := _next_document(text, position)) >= 0:
        document, position = decoder.raw_decode(text, start)
        documents += document if isinstance(document, list) else [document]
    return documents


def _next_document(text: str, position: int) -> int:
    starts = [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]
    return min(starts) if starts else -1


def scan_targets(outdir: Path) -> list[Path]:
    stacks = sorted(p for p in (outdir / "stacks").iterdir() if p.is_dir())
    return [*stacks, MODULE_DIR]


def run_checkov(targets: list[Path], report_dir: Path) -> ScanResult:
    """One checkov run over every target; JSON and SARIF reports land in ``report_dir``."""
    report_dir.mkdir(parents=True, exist_ok=True)
    decision_log = report_dir / "sesrg-decisions.jsonl"
    for stale in ("results_json.json", "results_sarif.sarif", "checkov.json", "checkov.sarif", decision_log.name):
        (report_dir / stale).unlink(missing_ok=True)
    command = [
        checkov_bin(),
        "--config-file",
        str(ROOT / ".checkov.yaml"),
        "-o",
        "json",
        "-o",
        "sarif",
        "--output-file-path",
        str(report_dir),
    ]
    for target in targets:
        command += ["-d", str(target)]
    started = time.perf_counter()
    env = {**os.environ, DECISION_LOG: str(decision_log)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    json_report = report_dir / "results_json.json"
    if not json_report.exists():
        raise RuntimeError(f"checkov wrote no report (exit {result.returncode}):\n{result.stderr[-4000:]}")
    # Stable names for CI (the GitHub workflow uploads reports/checkov.sarif).
    json_report = json_report.replace(report_dir / "checkov.json")
    (report_dir / "results_sarif.sarif").replace(report_dir / "checkov.sarif")
    reports = json.loads(json_report.read_text())
    if isinstance(reports, dict):
        reports = [reports]
    passed = 0
    failed: list[str] = []
    skipped: list[str] = []
    parsing_errors: list[str] = []
    for report in reports:
        summary = report.get("summary", {})
        passed += int(summary.get("passed", 0))
        results = report.get("results", {})
        failed += [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in results.get("failed_checks", [])]
        skipped += [f"{c['check_id']} {c['resource']}" for c in results.get("skipped_checks", [])]
        parsing_errors += results.get("parsing_errors", [])
        if summary.get("parsing_errors") and not results.get("parsing_errors"):
            parsing_errors.append(f"{summary['parsing_errors']} file(s) in {report.get('check_type')}")
    lines = decision_log.read_text().splitlines() if decision_log.exists() else []
    decisions = tuple(Decision(**json.loads(line)) for line in lines)
    return ScanResult(passed, failed, skipped, parsing_errors, seconds, decisions)


def scan_pack_only(targets: list[Path], show_passed: bool) -> int:
    failures = 0
    for target in targets:
        if not target.is_dir():
            print(f"not a directory: {target}", file=sys.stderr)
            return 2
        result = run_pack([target])
        counts = {r: sum(d.result == r for d in result.decisions) for r in ("passed", "failed", "unknown")}
        print(
            f"{target}: {counts['passed']} passed, {counts['failed']} failed, {counts['unknown']} unknown, "
            f"{len(result.parsing_errors)} parsing errors in {result.seconds:.1f} s"
        )
        shown = ("passed", "failed", "unknown") if show_passed else ("failed", "unknown")
        for decision in sorted(result.decisions, key=lambda d: (d.result, d.check_id, d.file, d.resource)):
            if decision.result in shown:
                where = os.path.relpath(decision.file, target.resolve())
                outcome = decision.result.upper()
                print(f"  {outcome:7} {decision.check_id} {decision.resource} ({where}): {decision.reason}")
        for error in result.parsing_errors:
            print(f"  PARSING ERROR {error}")
        failures += counts["failed"]
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports")
    parser.add_argument("--pack-only", type=Path, nargs="+", metavar="DIR", help="run only the policy pack on DIRs")
    parser.add_argument("--show-passed", action="store_true", help="with --pack-only: list passed decisions too")
    args = parser.parse_args(argv)
    if args.pack_only:
        return scan_pack_only(args.pack_only, args.show_passed)
    targets = scan_targets(args.outdir)
    result = run_checkov(targets, args.report_dir)
    for target in targets:
        print(f"scanned {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    print(
        f"checkov: {result.passed} passed, {len(result.failed)} failed, {len(result.parsing_errors)} parsing errors "
        f"in {result.seconds:.1f} s; SARIF in {args.report_dir}/checkov.sarif"
    )
    for line in result.failed + [f"parsing error: {e}" for e in result.parsing_errors]:
        print(f"  FAILED {line}")
    unknown = [d for d in result.decisions if d.result == "unknown"]
    print(f"policy pack: {len(result.decisions)} decisions, {len(unknown)} unknown (reasons in sesrg-decisions.jsonl)")
    for decision in unknown:
        print(f"  UNKNOWN {decision.check_id} {decision.resource}: {decision.reason}")
    return 1 if result.failed or result.parsing_errors else 0


if __name__ == "__main__":
    sys.exit(main())
