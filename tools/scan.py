"""Scan every synthesized stack (JSON and HCL) and the generated module with checkov.

    python tools/scan.py [--outdir cdktf.out] [--report-dir reports]

Uses the one `.checkov.yaml` (suppressions with reasons, our policy pack in policies/). Exits
non-zero when any check fails. checkov lives in its own venv (.venv-checkov, see Makefile);
override with CHECKOV_BIN.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"


@dataclass(frozen=True)
class ScanResult:
    passed: int
    failed: list[str]
    skipped: list[str]
    parsing_errors: list[str]
    seconds: float


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


def scan_targets(outdir: Path) -> list[Path]:
    stacks = sorted(p for p in (outdir / "stacks").iterdir() if p.is_dir())
    return [*stacks, MODULE_DIR]


def run_checkov(targets: list[Path], report_dir: Path) -> ScanResult:
    """One checkov run over every target; JSON and SARIF reports land in ``report_dir``."""
    report_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("results_json.json", "results_sarif.sarif", "checkov.json", "checkov.sarif"):
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
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
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
    return ScanResult(passed, failed, skipped, parsing_errors, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports")
    args = parser.parse_args(argv)
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
    return 1 if result.failed or result.parsing_errors else 0


if __name__ == "__main__":
    sys.exit(main())
