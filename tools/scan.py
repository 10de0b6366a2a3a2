"""Run the ses-reputation-guard policy pack over any Terraform, or scan this project's own output.

    python3 <checkout>/tools/scan.py --pack-only DIR [DIR ...] [--show-passed]
                                     [--download-external-modules] [--allow-empty]
    python3 tools/scan.py [--outdir cdktf.out] [--report-dir reports]          (make scan)

--pack-only runs only CKV_SESRG_* over HCL and Terraform JSON, outside any checkov configuration, and
prints, for every failed and unknown decision, the file and line to change, the resource and the reason
(docs/policies.md). It needs only the standard library and checkov (CHECKOV_BIN, else the checkout's
.venv-checkov, else `checkov` on PATH), so it runs from anywhere with any Python >= 3.11. Module calls
whose remote source (git::, a registry) was not downloaded are named: after `terraform init` in DIR the
scan reads .terraform/modules; --download-external-modules lets checkov download them instead.
Exit status: 0 all passed, 1 a check failed, 2 bad arguments, 3 nothing was checked in a DIR (no
configuration set, alarm topic or Lambda role found: the reason is printed; --allow-empty accepts it).

The second form scans every synthesized stack (JSON and HCL) and the generated modules (the guard's and
hub mode's member role) with every checkov check and the one `.checkov.yaml` (suppressions with
reasons, the pack in policies/); it exits non-zero when any check fails.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
MEMBER_MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard-member"
MODULE_DIRS = (MODULE_DIR, MEMBER_MODULE_DIR)
"""Every generated module: ``make scan`` checks each with the stacks."""
POLICIES = ROOT / "policies"
PACK_FRAMEWORKS = ("terraform", "terraform_json")
DECISION_LOG = "SESRG_DECISION_LOG"  # read by policies/sesrg/check.py
# checkov 3.3.30 reads the modules `terraform init` downloaded (.terraform/modules) only with this set.
TF_MANAGED_MODULES = "CHECKOV_EXPERIMENTAL_TERRAFORM_MANAGED_MODULES"
EXIT_FAILED, EXIT_USAGE, EXIT_NOTHING_CHECKED = 1, 2, 3
# Folders checkov does not scan (CKV_IGNORED_DIRECTORIES, hidden folders, its module download folder).
_SKIPPED_FOLDERS = frozenset({"node_modules", ".terraform", ".serverless", ".external_modules"})


@dataclass(frozen=True)
class Decision:
    """One verdict of the pack, from its decision log: unknowns appear only here, not in checkov's report.

    ``resource``/``file``/``lines`` are the block reported (as checkov reports it); ``fix_file``/``fix_line``
    the line to change: the statement, the attribute, or where the offending value is written."""

    check_id: str
    result: str  # passed | failed | unknown
    resource: str
    file: str
    reason: str
    lines: tuple[int, ...] = ()
    fix_file: str = ""
    fix_line: int = 0


@dataclass(frozen=True)
class ModuleNote:
    """A module call whose remote source checkov did not load: nothing it declares was checked."""

    module: str
    source: str
    file: str
    line: int


def read_decision_log(lines: Sequence[str]) -> tuple[list[Decision], list[ModuleNote]]:
    decisions: list[Decision] = []
    notes: list[ModuleNote] = []
    for line in lines:
        record = json.loads(line)
        if record.get("note") == "module_not_loaded":
            note = ModuleNote(record["module"], record["source"], record["file"], int(record["line"]))
            if note not in notes:  # each check notes the same call
                notes.append(note)
        elif "check_id" in record:
            fields = {k: v for k, v in record.items() if k in Decision.__dataclass_fields__}
            decisions.append(Decision(**{**fields, "lines": tuple(record.get("lines", ()))}))
    return decisions, notes


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
    records: list[dict[str, Any]]  # checkov's report: check_id, result, resource, file (absolute), lines
    decisions: list[Decision]
    parsing_errors: list[str]
    seconds: float
    notes: list[ModuleNote] = field(default_factory=list)
    log: str = ""  # the tail of checkov's own log (stderr): its warnings and the pack's


def run_pack(
    targets: Sequence[Path], frameworks: Sequence[str] = PACK_FRAMEWORKS, *, download_external_modules: bool = False
) -> PackResult:
    """Only the policy pack over ``targets`` in one checkov process, outside any checkov configuration.

    Modules that `terraform init` downloaded are read when a target has .terraform/modules/modules.json;
    ``download_external_modules`` lets checkov download remote module sources itself (into
    <target>/.external_modules, checkov's default)."""
    with tempfile.TemporaryDirectory(prefix="sesrg-pack-") as scratch:
        log = Path(scratch) / "decisions.jsonl"
        command = [checkov_bin(), "--framework", *frameworks, "--external-checks-dir", str(POLICIES)]
        command += ["--check", ",".join(pack_check_ids()), "--compact", "-o", "json"]
        command += ["--skip-download"]  # no call to the Prisma Cloud guidelines API (fails offline, slows every run)
        if download_external_modules:
            command += ["--download-external-modules", "true"]
        for target in targets:
            command += ["-d", str(target.resolve())]
        env = {**os.environ, DECISION_LOG: str(log)}
        if any((target / ".terraform" / "modules" / "modules.json").is_file() for target in targets):
            env[TF_MANAGED_MODULES] = "true"
        started = time.perf_counter()
        # cwd outside any repository: no .checkov.yaml applies (ours skips the pack's own fixtures).
        proc = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True, timeout=1800, check=False)
        seconds = time.perf_counter() - started
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"checkov failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        lines = log.read_text().splitlines() if log.exists() else []
    records: list[dict[str, Any]] = []
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
                    "lines": tuple(r.get("file_line_range") or ()),
                }
                for r in results.get(key, [])
            ]
    decisions, notes = read_decision_log(lines)
    return PackResult(records, decisions, parsing_errors, seconds, notes, proc.stderr[-20000:])


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
    return [*stacks, *MODULE_DIRS]


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
    return ScanResult(passed, failed, skipped, parsing_errors, seconds, tuple(read_decision_log(lines)[0]))


def terraform_files(target: Path) -> list[Path]:
    """The *.tf and *.tf.json files checkov scans under ``target`` (it skips .terraform, node_modules and
    hidden folders)."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(target):
        subfolders[:] = [d for d in subfolders if d not in _SKIPPED_FOLDERS and not d.startswith(".")]
        found += [Path(folder) / f for f in files if f.endswith((".tf", ".tf.json"))]
    return sorted(found)


def _shown(path: str, target: Path) -> str:
    """A path relative to the scanned folder when it is inside it."""
    relative = os.path.relpath(path, target.resolve())
    return path if relative.startswith("..") else relative


def describe(decision: Decision, target: Path) -> str:
    """``  FAILED  CKV_SESRG_4 main.tf:15 data.aws_iam_policy_document.x: reason``: the line to change first,
    then the resource checkov reports (with its own lines when the line to change is elsewhere); a failure's
    ``fix:`` (the smallest change that fixes it) follows on a line of its own."""
    file = decision.fix_file or decision.file
    line = decision.fix_line or (decision.lines or (0,))[0]
    resource = decision.resource
    inside = file == decision.file and (len(decision.lines) < 2 or decision.lines[0] <= line <= decision.lines[1])
    if not inside and len(decision.lines) == 2:
        resource += f" (declared at {_shown(decision.file, target)}:{decision.lines[0]}-{decision.lines[1]})"
    reason, _, fix = decision.reason.partition("; fix: ")
    shown = f"  {decision.result.upper():7} {decision.check_id} {_shown(file, target)}:{line} {resource}: {reason}"
    return f"{shown}\n          fix: {fix}" if fix else shown  # the smallest change, on a line of its own


def explain_nothing_checked(target: Path, result: PackResult) -> list[str]:
    """Why a scan of ``target`` decided nothing, and what to do about it."""
    if not terraform_files(target):
        return [
            f"  nothing checked: no *.tf or *.tf.json file under {target} (checkov skips .terraform, node_modules "
            "and hidden folders)"
        ]
    if result.notes:
        return [
            "  nothing checked: no configuration set, alarm topic or Lambda role was found;",
            *explain_notes(target, result.notes),
        ]
    if result.parsing_errors:
        return ["  nothing checked: checkov could not parse the files listed above"]
    return [
        "  nothing checked: the pack checks SES configuration sets, SNS topics and IAM roles used by Lambda, and "
        f"{target} declares none (resources in modules it calls are included when the modules are on disk)"
    ]


def explain_notes(target: Path, notes: Sequence[ModuleNote]) -> list[str]:
    """The module calls that were not loaded, and how to get them scanned."""
    lines = ["  these module calls use remote sources that were not downloaded, so what they declare was not checked:"]
    lines += [f"    {n.module} at {_shown(n.file, target)}:{n.line}  source = {n.source}" for n in notes]
    if any(not n.file.endswith(".json") for n in notes):
        lines += [
            f"  fix: run `terraform init` (or `terraform get`) in {target} first (the scan then reads "
            ".terraform/modules),",
            "       or add --download-external-modules: checkov downloads them (into .external_modules there).",
        ]
    if any(n.file.endswith(".json") for n in notes):
        downloaded = _downloaded_modules(target)
        lines.append(
            "  checkov does not load the modules of Terraform JSON (*.tf.json, cdktf output): scan each module's "
            "source folder itself"
            + (
                ", e.g. after `terraform init`: " + ", ".join(str(target / d) for d in downloaded)
                if downloaded
                else " (after `terraform init` it is under .terraform/modules)"
            )
        )
    return lines


def _downloaded_modules(target: Path) -> list[str]:
    """The folders `terraform init` downloaded remote modules into (from .terraform/modules/modules.json)."""
    manifest = target / ".terraform" / "modules" / "modules.json"
    try:
        modules = json.loads(manifest.read_text()).get("Modules", [])
    except (OSError, ValueError):
        return []
    return [m["Dir"] for m in modules if m.get("Key") and not str(m.get("Source", "")).startswith(("./", "../"))]


def scan_pack_only(
    targets: list[Path], show_passed: bool, *, download_external_modules: bool = False, allow_empty: bool = False
) -> int:
    failures = 0
    empty: list[Path] = []
    for target in targets:
        if not target.is_dir():
            print(f"not a directory: {target}", file=sys.stderr)
            return EXIT_USAGE
        result = run_pack([target], download_external_modules=download_external_modules)
        counts = {r: sum(d.result == r for d in result.decisions) for r in ("passed", "failed", "unknown")}
        print(
            f"{target}: {counts['passed']} passed, {counts['failed']} failed, {counts['unknown']} unknown, "
            f"{len(result.parsing_errors)} parsing errors in {result.seconds:.1f} s"
        )
        shown = ("passed", "failed", "unknown") if show_passed else ("failed", "unknown")
        order = {"failed": 0, "unknown": 1, "passed": 2}
        for decision in sorted(
            result.decisions, key=lambda d: (order[d.result], d.check_id, d.fix_file, d.fix_line, d.resource)
        ):
            if decision.result in shown:
                print(describe(decision, target))
        for error in result.parsing_errors:
            print(f"  PARSING ERROR {error}")
        if not result.decisions:
            empty.append(target)
            for line in explain_nothing_checked(target, result):
                print(line)
        elif result.notes:
            print("  warning: the results above are partial;")
            for line in explain_notes(target, result.notes):
                print(line)
        failures += counts["failed"]
    if failures:
        return EXIT_FAILED
    if empty and not allow_empty:
        print(
            f"exit {EXIT_NOTHING_CHECKED}: nothing was checked in {', '.join(map(str, empty))} "
            "(pass --allow-empty to accept that)",
            file=sys.stderr,
        )
        return EXIT_NOTHING_CHECKED
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports")
    parser.add_argument("--pack-only", type=Path, nargs="+", metavar="DIR", help="run only the policy pack on DIRs")
    parser.add_argument("--show-passed", action="store_true", help="with --pack-only: list passed decisions too")
    parser.add_argument(
        "--download-external-modules",
        action="store_true",
        help="with --pack-only: let checkov download module calls' remote sources (git::, registry) first",
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help=f"with --pack-only: exit 0 instead of {EXIT_NOTHING_CHECKED} when a DIR holds nothing the pack checks",
    )
    args = parser.parse_args(argv)
    if args.pack_only:
        return scan_pack_only(
            args.pack_only,
            args.show_passed,
            download_external_modules=args.download_external_modules,
            allow_empty=args.allow_empty,
        )
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
