"""Graph-aware checks of the ses-reputation-guard policy pack: CKV_SESRG_2, CKV_SESRG_3, CKV_SESRG_4.

checkov's YAML engine cannot express "this set has BOTH a bounce and a complaint alarm whose dimension
names it", "a topic is an alarm action AND uses alias/aws/sns", or "a role trusted by Lambda gets ses:*
through any of five attachment styles" without false results on the connected resources, so these
three checks are Python graph checks. checkov imports every ``*.py`` of an ``--external-checks-dir``
(the folder needs an ``__init__.py``); importing this module appends the checks to checkov's Terraform
graph-check registry, which both the ``terraform`` (``*.tf``) and ``terraform_json`` (``*.tf.json``)
frameworks run. The checks read checkov's resource graph (vertices = blocks with rendered attributes,
edges = references, labelled with the referencing attribute), so they see the same thing on HCL and
on Terraform JSON. See docs/policies.md for what each check matches and how.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from checkov.common.bridgecrew.severities import Severities
from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.common.graph.checks_infra.base_check import BaseGraphCheck
from checkov.runner_filter import RunnerFilter

GUIDELINE = "https://github.com/ses-reputation-guard/ses-reputation-guard/blob/main/docs/policies.md#"

Vertex = dict[str, Any]
VertexResults = tuple[list[Vertex], list[Vertex], list[Vertex]]

# checkov's terraform_json parser stores line markers as map keys, so a `for_each` over a local map in
# Terraform JSON yields two phantom instances keyed "__startline__" and "__endline__". Skip them.
_PHANTOM_INSTANCE = re.compile(r'\["__(start|end)line__"\]$')
_AWS_MANAGED_SNS_KEY = re.compile(r"(^|:)alias/aws/sns$")
_ACTION_ATTRIBUTES = ("alarm_actions", "ok_actions", "insufficient_data_actions")
SES_FULL_ACCESS = "AmazonSESFullAccess"


class _Graph:
    """The few graph operations the checks need, for rustworkx (checkov's default) and networkx."""

    def __init__(self, graph: Any) -> None:
        self.vertices: dict[int, Vertex] = {}
        self.out_edges: dict[int, list[tuple[str, int]]] = {}
        self.in_edges: dict[int, list[tuple[str, int]]] = {}
        if hasattr(graph, "weighted_edge_list"):  # rustworkx: node payloads are (index, attributes)
            nodes: Iterable[tuple[int, Vertex]] = graph.nodes()
            edges: Iterable[tuple[int, int, dict[str, Any]]] = graph.weighted_edge_list()
        else:  # networkx
            nodes = graph.nodes(data=True)
            edges = graph.edges(data=True)
        for index, data in nodes:
            self.vertices[index] = data
        for source, target, data in edges:
            label = str((data or {}).get("label", ""))
            self.out_edges.setdefault(source, []).append((label, target))
            self.in_edges.setdefault(target, []).append((label, source))

    def of_type(self, *types: str) -> Iterator[tuple[int, Vertex]]:
        for index, vertex in self.vertices.items():
            if vertex.get("resource_type") in types and vertex.get("block_type_") in ("resource", "data"):
                if _PHANTOM_INSTANCE.search(str(vertex.get("id_", ""))):
                    continue
                yield index, vertex

    def targets(self, index: int, label_prefix: str, *types: str) -> Iterator[tuple[int, Vertex]]:
        for label, target in self.out_edges.get(index, []):
            if _label_matches(label, label_prefix) and self.vertices[target].get("resource_type") in types:
                yield target, self.vertices[target]

    def collections(self, index: int) -> set[int]:
        """What a resource's for_each iterates over (variable, local or resource vertices)."""
        return {target for label, target in self.out_edges.get(index, []) if _label_matches(label, "for_each")}

    def sources(self, index: int, label_prefix: str, *types: str) -> Iterator[tuple[int, Vertex]]:
        for label, source in self.in_edges.get(index, []):
            if _label_matches(label, label_prefix) and self.vertices[source].get("resource_type") in types:
                yield source, self.vertices[source]


def _label_matches(label: str, prefix: str) -> bool:
    return label == prefix or label.startswith(prefix + ".")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        flat: list[Any] = []
        for item in value:
            flat.extend(_as_list(item))
        return flat
    return [value]


class _SesrgGraphCheck(BaseGraphCheck):
    check_id = ""
    check_name = ""
    subject_types: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.id = self.check_id
        self.name = self.check_name
        self.category = "GENERAL_SECURITY"
        self.resource_types = list(self.subject_types)
        self.guideline = GUIDELINE + self.check_id.lower()
        self.severity = Severities["HIGH"]
        self.frameworks = ["Terraform"]
        self.check_path = __file__

    def run(self, graph_connector: Any) -> VertexResults:
        return self.evaluate(_Graph(graph_connector))

    def evaluate(self, graph: _Graph) -> VertexResults:
        raise NotImplementedError

    def get_evaluated_keys(self) -> list[str]:
        return list(self.keys)


class SnsAlarmTopicNotAwsManagedKey(_SesrgGraphCheck):
    """CKV_SESRG_2: an SNS topic used as a CloudWatch alarm action must not use alias/aws/sns."""

    check_id = "CKV_SESRG_2"
    check_name = (
        "Ensure SNS topics used as CloudWatch alarm actions are not encrypted with the AWS managed key "
        "alias/aws/sns (CloudWatch cannot publish to them)"
    )
    subject_types = ("aws_sns_topic",)
    keys = ("kms_master_key_id",)

    def evaluate(self, graph: _Graph) -> VertexResults:
        alarm_topics: set[int] = set()
        for alarm_index, _ in graph.of_type("aws_cloudwatch_metric_alarm"):
            for attribute in _ACTION_ATTRIBUTES:
                alarm_topics.update(i for i, _ in graph.targets(alarm_index, attribute, "aws_sns_topic"))
        passed: list[Vertex] = []
        failed: list[Vertex] = []
        for index, topic in graph.of_type("aws_sns_topic"):
            if index in alarm_topics and self._uses_aws_managed_key(graph, index, topic):
                failed.append(topic)
            else:
                passed.append(topic)
        return passed, failed, []

    @staticmethod
    def _uses_aws_managed_key(graph: _Graph, index: int, topic: Vertex) -> bool:
        key = topic.get("kms_master_key_id")
        if isinstance(key, str) and _AWS_MANAGED_SNS_KEY.search(key.strip()):
            return True
        # kms_master_key_id = data.aws_kms_alias.x.arn / .id, where the data source looks up alias/aws/sns
        for _, alias in graph.targets(index, "kms_master_key_id", "data.aws_kms_alias", "aws_kms_alias"):
            name = alias.get("name")
            if isinstance(name, str) and _AWS_MANAGED_SNS_KEY.search(name.strip()):
                return True
        return False


class ConfigurationSetHasReputationAlarms(_SesrgGraphCheck):
    """CKV_SESRG_3: every configuration set has a bounce-rate and a complaint-rate alarm."""

    check_id = "CKV_SESRG_3"
    check_name = (
        "Ensure every SES configuration set is watched by a Reputation.BounceRate and a "
        "Reputation.ComplaintRate CloudWatch alarm (dimension ses:configuration-set)"
    )
    subject_types = ("aws_ses_configuration_set", "aws_sesv2_configuration_set")
    keys = ("name", "configuration_set_name")
    NAME_ATTRIBUTE: ClassVar[dict[str, str]] = {
        "aws_ses_configuration_set": "name",
        "aws_sesv2_configuration_set": "configuration_set_name",
    }
    METRICS: ClassVar[dict[str, str]] = {
        "Reputation.BounceRate": "bounce",
        "Reputation.ComplaintRate": "complaint",
    }
    DIMENSION = "ses:configuration-set"

    def evaluate(self, graph: _Graph) -> VertexResults:
        alarms = [
            (index, alarm)
            for index, alarm in graph.of_type("aws_cloudwatch_metric_alarm")
            if alarm.get("namespace") == "AWS/SES" and alarm.get("metric_name") in self.METRICS
        ]
        passed: list[Vertex] = []
        failed: list[Vertex] = []
        for index, cset in graph.of_type(*self.subject_types):
            watched = {
                self.METRICS[alarm["metric_name"]]
                for alarm_index, alarm in alarms
                if self._watches(graph, alarm_index, alarm, index, cset)
            }
            (passed if watched == {"bounce", "complaint"} else failed).append(cset)
        return passed, failed, []

    def _dimension(self, alarm: Vertex) -> Any:
        dimensions = alarm.get("dimensions")
        if isinstance(dimensions, list) and dimensions:
            dimensions = dimensions[0]
        if isinstance(dimensions, dict) and self.DIMENSION in dimensions:
            return dimensions[self.DIMENSION]
        return alarm.get(f"dimensions.{self.DIMENSION}")

    def _watches(self, graph: _Graph, alarm_index: int, alarm: Vertex, set_index: int, cset: Vertex) -> bool:
        dimension = self._dimension(alarm)
        if dimension is None:
            return False
        # 1. the dimension references the set (aws_ses_configuration_set.x.name, ...): a graph edge
        if any(
            i == set_index for i, _ in graph.targets(alarm_index, f"dimensions.{self.DIMENSION}", *self.subject_types)
        ):
            return True
        name_attribute = self.NAME_ATTRIBUTE[cset["resource_type"]]
        name = cset.get(name_attribute)
        if not isinstance(name, str) or not isinstance(dimension, str):
            return False
        # 2. for_each over a collection checkov cannot expand (a variable without default, a resource):
        #    both resources iterate over the same thing, and the set's name and the alarm's dimension are
        #    the same expression (typically each.key); or the alarm iterates over the set resource itself.
        if name.startswith("each.") or dimension.startswith("each."):
            set_collections = graph.collections(set_index)
            alarm_collections = graph.collections(alarm_index)
            if set_collections & alarm_collections and name == dimension:
                return True
            if set_index in alarm_collections:
                return dimension == f"each.value.{name_attribute}" or (dimension == name == "each.key")
            return False
        # 3. literal names (also what checkov renders for for_each over a local/known map: each.key becomes
        #    the key, one vertex per instance), matched within the same folder (= Terraform module/stack)
        same_folder = os.path.dirname(str(alarm.get("file_path_"))) == os.path.dirname(str(cset.get("file_path_")))
        return same_folder and name == dimension


class LambdaRoleWithoutSesFullAccess(_SesrgGraphCheck):
    """CKV_SESRG_4: no policy attached to a Lambda execution role grants ses:* / * or AmazonSESFullAccess."""

    check_id = "CKV_SESRG_4"
    check_name = (
        "Ensure IAM roles assumed by Lambda functions are not granted ses:* or * "
        "(inline, attached or AmazonSESFullAccess)"
    )
    subject_types = ("aws_iam_role",)
    keys = ("managed_policy_arns", "inline_policy", "assume_role_policy")
    DOCUMENT = "data.aws_iam_policy_document"

    def evaluate(self, graph: _Graph) -> VertexResults:
        lambda_roles: set[int] = set()
        for function_index, _ in graph.of_type("aws_lambda_function"):
            lambda_roles.update(i for i, _ in graph.targets(function_index, "role", "aws_iam_role"))
        passed: list[Vertex] = []
        failed: list[Vertex] = []
        for index, role in graph.of_type("aws_iam_role"):
            if index not in lambda_roles and not self._trusts_lambda(graph, index, role):
                continue
            (failed if self._grants_ses_all(graph, index, role) else passed).append(role)
        return passed, failed, []

    # -- policy documents -------------------------------------------------------------------------------
    def _documents(self, graph: _Graph, index: int, vertex: Vertex, attribute: str) -> Iterator[Any]:
        """Policy documents in `attribute` of `vertex`: rendered JSON or an aws_iam_policy_document."""
        value = vertex.get(attribute)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        if isinstance(value, dict | list):
            yield value
        for _, document in graph.targets(index, attribute, self.DOCUMENT):
            yield {"__document__": document}

    @staticmethod
    def _statements(document: Any) -> Iterator[dict[str, Any]]:
        if isinstance(document, dict) and "__document__" in document:  # aws_iam_policy_document data source
            for statement in _as_list(document["__document__"].get("statement")):
                if isinstance(statement, dict):
                    yield {
                        "Effect": statement.get("effect", "Allow"),
                        "Action": statement.get("actions"),
                        "Principal": [
                            {p.get("type"): p.get("identifiers")}
                            for p in _as_list(statement.get("principals"))
                            if isinstance(p, dict)
                        ],
                    }
            return
        for policy in _as_list(document):
            if isinstance(policy, dict):
                yield from (s for s in _as_list(policy.get("Statement")) if isinstance(s, dict))

    def _grants(self, graph: _Graph, index: int, vertex: Vertex, attribute: str) -> bool:
        for document in self._documents(graph, index, vertex, attribute):
            for statement in self._statements(document):
                if str(statement.get("Effect", "Allow")).lower() != "allow":
                    continue
                if any(str(a).strip().lower() in ("*", "ses:*") for a in _as_list(statement.get("Action"))):
                    return True
        return False

    def _trusts_lambda(self, graph: _Graph, index: int, role: Vertex) -> bool:
        for document in self._documents(graph, index, role, "assume_role_policy"):
            for statement in self._statements(document):
                for principal in _as_list(statement.get("Principal")):
                    services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
                    if "lambda.amazonaws.com" in services:
                        return True
        return False

    # -- attachments ------------------------------------------------------------------------------------
    def _policy_arn_is_bad(self, graph: _Graph, index: int, vertex: Vertex, attribute: str) -> bool:
        if any(isinstance(a, str) and a.endswith("/" + SES_FULL_ACCESS) for a in _as_list(vertex.get(attribute))):
            return True
        if any(
            str(p.get("name")) == SES_FULL_ACCESS for _, p in graph.targets(index, attribute, "data.aws_iam_policy")
        ):
            return True
        return any(self._grants(graph, i, p, "policy") for i, p in graph.targets(index, attribute, "aws_iam_policy"))

    def _grants_ses_all(self, graph: _Graph, index: int, role: Vertex) -> bool:
        if self._policy_arn_is_bad(graph, index, role, "managed_policy_arns"):
            return True
        if self._grants(graph, index, role, "inline_policy.policy"):
            return True
        for inline in _as_list(role.get("inline_policy")):
            if isinstance(inline, dict) and self._grants(graph, index, inline, "policy"):
                return True
        for i, attached in graph.sources(index, "role", "aws_iam_role_policy"):
            if self._grants(graph, i, attached, "policy"):
                return True
        for i, attached in graph.sources(index, "role", "aws_iam_role_policy_attachment"):
            if self._policy_arn_is_bad(graph, i, attached, "policy_arn"):
                return True
        for i, attached in graph.sources(index, "roles", "aws_iam_policy_attachment"):
            if self._policy_arn_is_bad(graph, i, attached, "policy_arn"):
                return True
        return False


def _register() -> None:
    """Add the checks to checkov's Terraform graph registry once (checkov may import this file twice)."""
    registry = get_graph_checks_registry("terraform")
    for check_class in (
        SnsAlarmTopicNotAwsManagedKey,
        ConfigurationSetHasReputationAlarms,
        LambdaRoleWithoutSesFullAccess,
    ):
        if any(existing.id == check_class.check_id for existing in registry.checks):
            continue
        RunnerFilter.notify_external_check(check_class.check_id)
        registry.checks.append(check_class())


_register()
