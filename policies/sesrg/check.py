"""The base class of the pack's checks: checkov registration, verdicts and the decision log.

Each check file defines one subclass and ends with ``check = <Class>()``, as checkov's own Python checks
do; creating the instance adds it to checkov's Terraform graph-check registry, which both the
``terraform`` (``*.tf``) and ``terraform_json`` (``*.tf.json``) frameworks run.

One rule for values the pack cannot resolve, in every check: unknown is not a failure. A resource whose
verdict depends on such a value gets checkov's UNKNOWN result, which checkov leaves out of its report
(neither passed nor failed). Setting ``SESRG_DECISION_LOG`` to a file path makes the pack append one JSON
line per decision (passed, failed and unknown) with the reason, so unknowns can be listed and explained.
"""

from __future__ import annotations

import enum
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from checkov.common.bridgecrew.severities import Severities
from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.runner_filter import RunnerFilter
from sesrg.graph import ResourceGraph, Vertex

GUIDELINE = "https://github.com/ses-reputation-guard/ses-reputation-guard/blob/main/docs/policies.md#"
DECISION_LOG = "SESRG_DECISION_LOG"
_LOG_LOCK = threading.Lock()  # checkov runs graph checks in threads


class Result(enum.IntEnum):
    """Ordered so that the worst verdict over several root configurations wins."""

    PASSED = 0
    UNKNOWN = 1
    FAILED = 2


@dataclass(frozen=True)
class Verdict:
    result: Result
    reason: str


def passed(reason: str) -> Verdict:
    return Verdict(Result.PASSED, reason)


def failed(reason: str) -> Verdict:
    return Verdict(Result.FAILED, reason)


def unknown(reason: str) -> Verdict:
    return Verdict(Result.UNKNOWN, reason)


class SesrgGraphCheck(BaseGraphCheck):
    """A graph check that decides each of its subject resources once per root configuration."""

    check_id: ClassVar[str] = ""
    check_name: ClassVar[str] = ""
    check_category: ClassVar[str] = "GENERAL_SECURITY"
    subject_types: ClassVar[tuple[str, ...]] = ()
    evaluated_keys: ClassVar[tuple[str, ...]] = ()

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
            if index not in verdicts or verdict.result > verdicts[index].result:
                verdicts[index] = verdict
        self._log(graph, verdicts)
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
        lines = [
            json.dumps(
                {
                    "check_id": self.id,
                    "result": verdict.result.name.lower(),
                    "resource": graph.address(index),
                    "file": os.path.abspath(str(graph.vertices[index].get("file_path_"))),
                    "reason": verdict.reason,
                }
            )
            for index, verdict in verdicts.items()
        ]
        with _LOG_LOCK, open(path, "a", encoding="utf-8") as log:
            log.writelines(line + "\n" for line in lines)
