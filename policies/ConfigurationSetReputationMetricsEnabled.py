"""CKV_SESRG_1: every SES configuration set exports reputation metrics."""

from __future__ import annotations

from collections.abc import Iterator

from sesrg.check import SesrgGraphCheck, Verdict, failed, passed, unknown
from sesrg.graph import MISSING, Derived, Lit, Opaque, Ref, ResourceGraph, value_at

V1 = "aws_ses_configuration_set"
V2 = "aws_sesv2_configuration_set"
V2_BLOCK = "reputation_options"
FLAG = "reputation_metrics_enabled"


class ConfigurationSetReputationMetricsEnabled(SesrgGraphCheck):
    """Per-set ``Reputation.*`` metrics are off by default: without them per-set alarms never fire.

    v1 ``reputation_metrics_enabled`` defaults to false; a v2 set without ``reputation_options`` (or with the
    block but without the flag) exports none. Values come through locals, module inputs, module outputs
    and ``each.value...`` of a known for_each; a value the pack cannot resolve is unknown, not a failure.
    """

    check_id = "CKV_SESRG_1"
    check_name = "Ensure every SES configuration set exports reputation metrics (reputation_metrics_enabled = true)"
    check_category = "LOGGING"
    fix_hint = (
        "turn reputation metrics on: reputation_metrics_enabled = true (aws_ses_configuration_set), or a "
        "reputation_options { reputation_metrics_enabled = true } block (aws_sesv2_configuration_set)"
    )
    subject_types = (V1, V2)
    evaluated_keys = (FLAG, f"{V2_BLOCK}/{FLAG}")

    def evaluate(self, graph: ResourceGraph) -> Iterator[tuple[int, Verdict]]:
        for index, root in self.subjects(graph):
            yield index, self._decide(graph, index, root)

    def _decide(self, graph: ResourceGraph, index: int, root: str) -> Verdict:
        vertex = graph.vertices[index]
        if graph.resource_type(index) == V1:
            return _flag(graph, index, FLAG, root, f"{FLAG} is not set (the provider's default is false)")
        dynamic = value_at(vertex, f"dynamic.{V2_BLOCK}")
        if dynamic is not MISSING:  # checkov renders the content as if the block were always there
            blocks = graph.facts(index, f"dynamic.{V2_BLOCK}.for_each", root)
            counts = [
                len(f.value) for f in blocks if isinstance(f, Lit) and f.exact and isinstance(f.value, list | dict)
            ]
            if not counts or len(counts) != len(blocks):
                return unknown(f"whether the dynamic {V2_BLOCK} block exists depends on an unknown for_each")
            if not all(counts):
                empty = next(f for f in blocks if isinstance(f, Lit) and not f.value)
                fix = graph.origin(empty, index, f"dynamic.{V2_BLOCK}.for_each")
                return failed(f"the dynamic {V2_BLOCK} block iterates over an empty collection: no block", fix=fix)
            path = f"dynamic.{V2_BLOCK}.content.{FLAG}"
        elif value_at(vertex, V2_BLOCK) is MISSING:
            return failed(f"no {V2_BLOCK} block: SES exports no reputation metrics for this set")
        else:
            path = f"{V2_BLOCK}.{FLAG}"
        return _flag(graph, index, path, root, f"{V2_BLOCK} without {FLAG} (AWS's default is off)")


def _flag(graph: ResourceGraph, index: int, path: str, root: str, when_missing: str) -> Verdict:
    """true everywhere passes; a false anywhere (any for_each instance) fails; anything else is unknown.
    A failure's line is where the false is written (the set, a variable's default, a module argument)."""
    facts = graph.facts(index, path, root)
    if not facts:
        block = path.split(".", maxsplit=1)[0] if "." in path else ""
        return failed(when_missing, fix=graph.locate(index, [block]) if block else None)
    values = [_boolean(f.value) for f in facts if isinstance(f, Lit) and f.exact]
    if False in values:
        false = next(f for f in facts if isinstance(f, Lit) and f.exact and _boolean(f.value) is False)
        key = graph.instance_key(index)
        return failed(
            f"{FLAG} is false" + (f" for for_each key {key!r}" if key else ""), fix=graph.origin(false, index, path)
        )
    unresolved = [f for f in facts if isinstance(f, Opaque | Derived) and getattr(f, "exact", True)]
    if values and None not in values and not unresolved:
        return passed(f"{FLAG} is true")
    reasons = [f.reason for f in unresolved if isinstance(f, Opaque)] or ["its value is not a literal boolean"]
    if any(isinstance(f, Ref) for f in facts) and not values:
        reasons = ["it refers to another resource's attribute"]
    return unknown(f"{FLAG} cannot be resolved: {reasons[0]}")


def _boolean(value: object) -> bool | None:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


check = ConfigurationSetReputationMetricsEnabled()
