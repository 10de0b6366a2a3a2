"""The base class of the pack's checks: checkov registration, verdicts and the decision log.

Each check file defines one subclass and ends with ``check = <Class>()``, as checkov's own Python checks
do; creating the instance adds it to checkov's Terraform graph-check registry, which both the
``terraform`` (``*.tf``) and ``terraform_json`` (``*.tf.json``) frameworks run.

One rule for values the pack cannot resolve, in every check: unknown is not a failure. A resource whose
verdict depends on such a value gets checkov's UNKNOWN result, which checkov leaves out of its report
(neither passed nor failed). Setting ``SESRG_DECISION_LOG`` to a file path makes the pack append one JSON
line per decision (passed, failed and unknown) with the reason, so unknowns can be listed and explained.

A verdict is reported on the block that must change (``Verdict.at``: CKV_SESRG_4 reports the policy that
grants the wildcard, not the role), and its log line names the file and line to change (``fix_file``,
``fix_line``: the statement, the attribute, or where the offending value is written). Module calls whose
remote source checkov did not load are logged as notes (``"note": "module_not_loaded"``) and warned about
on checkov's log: their resources were not checked.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from checkov.common.bridgecrew.severities import Severities
from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.runner_filter import RunnerFilter
from sesrg.graph import ResourceGraph, Vertex

GUIDELINE = "https://github.com/ses-reputation-guard/ses-reputation-guard/blob/main/docs/policies.md#"
DECISION_LOG = "SESRG_DECISION_LOG"
_LOG_LOCK = threading.Lock()  # checkov runs graph checks in threads
_NOTED: set[tuple[str, str, str]] = set()  # (log, file, module): every check sees the same module calls
_MAX_REASON = 2000


class Result(enum.IntEnum):
    """Ordered so that the worst verdict over several root configurations wins."""

    PASSED = 0
    UNKNOWN = 1
    FAILED = 2


Where = tuple[str, int]  # a file (absolute path) and a line in it


@dataclass(frozen=True)
class Verdict:
    result: Result
    reason: str
    at: int | None = None  # the block reported (where the fix goes); None: the subject resource itself
    fix: Where | None = None  # the line to change; None: the reported block's first line


def passed(reason: str, at: int | None = None) -> Verdict:
    return Verdict(Result.PASSED, reason, at)


def failed(reason: str, at: int | None = None, fix: Where | None = None) -> Verdict:
    return Verdict(Result.FAILED, reason, at, fix)


def unknown(reason: str, at: int | None = None, fix: Where | None = None) -> Verdict:
    return Verdict(Result.UNKNOWN, reason, at, fix)


class SesrgGraphCheck(BaseGraphCheck):
    """A graph check that decides each of its subject resources once per root configuration."""

    check_id: ClassVar[str] = ""
    check_name: ClassVar[str] = ""
    check_category: ClassVar[str] = "GENERAL_SECURITY"
    subject_types: ClassVar[tuple[str, ...]] = ()
    evaluated_keys: ClassVar[tuple[str, ...]] = ()
    # the smallest change that fixes a failure, added to a FAILED reason that does not say it already
    fix_hint: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.id = self.check_id
        self.name = self.check_name
        self.category = self.check_category
        self.resource_types = list(self.subject_types)
        self.guideline = GUIDELINE + self.check_id.lower()
        self.severity = Severities["HIGH"]
        self.frameworks = ["Terraform"]
        self.check_path = __file__
        registry = get_graph_checks_registry("terraform")
        if not any(existing.id == self.id for existing in registry.checks):  # checkov imports the folder per framework
            RunnerFilter.notify_external_check(self.id)
            registry.checks.append(self)

    def run(self, graph_connector: Any) -> tuple[list[Vertex], list[Vertex], list[Vertex]]:
        graph = ResourceGraph(graph_connector)
        verdicts: dict[int, Verdict] = {}
        for index, verdict in self.evaluate(graph):
            reported = index if verdict.at is None else verdict.at
            current = verdicts.get(reported)
            if current is None or verdict.result > current.result:
                verdicts[reported] = verdict
            elif verdict.result == current.result and verdict.reason not in current.reason.split("; "):
                # one policy granting a wildcard to two roles, one set missing alarms in two root configurations
                verdicts[reported] = replace(current, reason=f"{current.reason}; {verdict.reason}"[:_MAX_REASON])
        for index, verdict in verdicts.items():
            if verdict.result == Result.FAILED and self.fix_hint and "fix:" not in verdict.reason:
                verdicts[index] = replace(verdict, reason=f"{verdict.reason}; fix: {self.fix_hint}")
        self._log(graph, verdicts)
        self._note_unloaded_modules(graph)
        results: tuple[list[Vertex], list[Vertex], list[Vertex]] = ([], [], [])
        for index, verdict in verdicts.items():
            results[(Result.PASSED, Result.FAILED, Result.UNKNOWN).index(verdict.result)].append(graph.vertices[index])
        return results

    def subjects(self, graph: ResourceGraph) -> Iterator[tuple[int, str]]:
        """Each subject resource with each root configuration it belongs to."""
        for index, _ in graph.resources(*self.subject_types):
            if not graph.is_data(index):  # a data source reads an existing resource the configuration does not define
                for root in sorted(graph.roots(index)):
                    yield index, root

    def evaluate(self, graph: ResourceGraph) -> Iterator[tuple[int, Verdict]]:
        """A verdict per subject resource and root configuration (the worst one is reported)."""
        raise NotImplementedError

    def get_evaluated_keys(self) -> list[str]:
        return list(self.evaluated_keys)

    def _log(self, graph: ResourceGraph, verdicts: dict[int, Verdict]) -> None:
        path = os.environ.get(DECISION_LOG)
        if not path:
            return
        lines: list[str] = []
        for index, verdict in verdicts.items():
            fix_file, fix_line = verdict.fix or graph.locate(index)
            lines.append(
                json.dumps(
                    {
                        "check_id": self.id,
                        "result": verdict.result.name.lower(),
                        "resource": graph.address(index),
                        "file": graph.file(index),
                        "lines": list(graph.lines(index) or ()),
                        "fix_file": fix_file,
                        "fix_line": fix_line,
                        "reason": verdict.reason,
                    }
                )
            )
        with _LOG_LOCK, open(path, "a", encoding="utf-8") as log:
            log.writelines(line + "\n" for line in lines)

    def _note_unloaded_modules(self, graph: ResourceGraph) -> None:
        """Module calls whose remote source checkov did not load: a note in the decision log, and a warning
        on checkov's log (plain checkov runs), once per call."""
        path = os.environ.get(DECISION_LOG, "")
        for address, source, index in graph.unloaded_modules():
            file, line = graph.locate(index)
            with _LOG_LOCK:
                if (path, file, address) in _NOTED:
                    continue
                _NOTED.add((path, file, address))
                if path:
                    with open(path, "a", encoding="utf-8") as log:
                        note = {"note": "module_not_loaded", "module": address, "source": source}
                        log.write(json.dumps({**note, "file": file, "line": line}) + "\n")
            logging.getLogger(__name__).warning(
                "ses-reputation-guard policy pack: %s (%s, %s:%d) was not loaded, so its resources were not checked. "
                "%s",
                address,
                source,
                file,
                line,
                "checkov's terraform_json framework does not load modules: scan the module's own source."
                if file.endswith(".json")
                else "Run checkov with --download-external-modules true, or run `terraform init` first and set "
                "CHECKOV_EXPERIMENTAL_TERRAFORM_MANAGED_MODULES=true.",
            )
