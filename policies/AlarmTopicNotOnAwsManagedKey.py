"""CKV_SESRG_2: SNS topics that CloudWatch alarms notify are not encrypted with ``alias/aws/sns``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from sesrg.check import SesrgGraphCheck, Verdict, Where, failed, passed, unknown
from sesrg.graph import Lit, Opaque, Ref, ResourceGraph, literal_strings

TOPIC = "aws_sns_topic"
ALARM = "aws_cloudwatch_metric_alarm"
ACTIONS = ("alarm_actions", "ok_actions", "insufficient_data_actions")
KEY = "kms_master_key_id"
AWS_MANAGED_KEY = "alias/aws/sns"
_AWS_MANAGED_KEY = re.compile(r"(^|:)alias/aws/sns$")
_TOPIC_ARN = re.compile(r"^arn:[\w-]+:sns:[\w-]*:\d*:(?P<name>[\w-]+(\.fifo)?)$")


@dataclass
class _AlarmTopics:
    """What the alarms of one root configuration notify."""

    topics: dict[tuple[str, str | None, str], str] = field(default_factory=dict)  # identity -> alarm
    names: dict[str, str] = field(default_factory=dict)  # topic name from a literal ARN -> alarm
    unresolved: list[str] = field(default_factory=list)  # alarms whose actions cannot be resolved


class AlarmTopicNotOnAwsManagedKey(SesrgGraphCheck):
    """CloudWatch cannot use the AWS managed SNS key, so it silently drops alarm notifications to such a
    topic: the reputation alarm fires and nothing pauses sending. CKV_AWS_26 does not catch this.

    A topic is an alarm topic when an alarm of the same root configuration names it in an action, directly
    or through locals, module inputs and outputs, or by a literal ARN ending in the topic's name.
    """

    check_id = "CKV_SESRG_2"
    check_name = (
        "Ensure SNS topics used as CloudWatch alarm actions are not encrypted with the AWS managed key "
        "alias/aws/sns (CloudWatch cannot publish to them)"
    )
    check_category = "LOGGING"
    fix_hint = (
        "set the topic's kms_master_key_id to a customer managed KMS key whose key policy lets "
        "cloudwatch.amazonaws.com call kms:Decrypt and kms:GenerateDataKey*"
    )
    subject_types = (TOPIC,)
    evaluated_keys = ("kms_master_key_id",)

    def evaluate(self, graph: ResourceGraph) -> Iterator[tuple[int, Verdict]]:
        per_root: dict[str, _AlarmTopics] = {}
        for index, root in self.subjects(graph):
            if root not in per_root:
                per_root[root] = _alarm_topics(graph, root)
            yield index, self._decide(graph, index, root, per_root[root])

    def _decide(self, graph: ResourceGraph, index: int, root: str, alarms: _AlarmTopics) -> Verdict:
        names = literal_strings(graph.facts(index, "name", root))
        alarm = alarms.topics.get(graph.identity(index)) or next(
            (alarms.names[n] for n in names if n in alarms.names), None
        )
        key, key_reason, written = _key(graph, index, root)
        if key == "aws-managed" and alarm:
            return failed(f"{alarm} notifies this topic, which is encrypted with {key_reason}", fix=written)
        if key == "unknown" and (alarm or alarms.unresolved):
            return unknown(f"the topic's key cannot be resolved: {key_reason}")
        if key == "aws-managed" and alarms.unresolved:
            return unknown(f"encrypted with {key_reason}, and {alarms.unresolved[0]}")
        if alarm:
            return passed(f"{alarm} notifies this topic; key: {key_reason}")
        return passed("no alarm of this configuration notifies this topic")


def _alarm_topics(graph: ResourceGraph, root: str) -> _AlarmTopics:
    found = _AlarmTopics()
    for alarm, _ in graph.resources(ALARM):
        if root not in graph.roots(alarm):
            continue
        name = graph.address(alarm)
        for attribute in ACTIONS:
            facts = graph.facts(alarm, attribute, root)
            for fact in facts:
                if isinstance(fact, Ref) and graph.resource_type(fact.index) == TOPIC:
                    found.topics.setdefault(graph.identity(fact.index), name)
                elif isinstance(fact, Opaque) and fact.exact:
                    found.unresolved.append(f"the {attribute} of {name} cannot be resolved ({fact.reason})")
            for arn in literal_strings(facts):
                if match := _TOPIC_ARN.match(arn):
                    found.names.setdefault(match.group("name"), name)
    return found


def _key(graph: ResourceGraph, index: int, root: str) -> tuple[str, str, Where | None]:
    """("aws-managed" | "customer" | "none" | "unknown", description, where the key is written) for the
    topic's kms_master_key_id (the topic's own line, a variable's default, a module argument)."""
    facts = graph.facts(index, KEY, root)
    if not facts:
        return "none", "not encrypted", None
    for fact in facts:
        if isinstance(fact, Lit) and fact.exact and isinstance(fact.value, str) and _is_aws_managed(fact.value):
            return "aws-managed", fact.value, graph.origin(fact, index, KEY)
        if isinstance(fact, Ref) and fact.exact:
            looked_up = {"aws_kms_alias": "name", "aws_kms_key": "key_id"}.get(graph.resource_type(fact.index))
            if graph.is_data(fact.index) and looked_up:
                lookup = graph.facts(fact.index, looked_up, root)
                source = graph.address(fact.index)
                if any(_is_aws_managed(value) for value in literal_strings(lookup)):
                    where = graph.origin(fact, index, KEY)
                    return "aws-managed", f"{source} ({', '.join(literal_strings(lookup))})", where
                if not literal_strings(lookup):
                    return "unknown", f"{source} looks up a key the pack cannot resolve", None
    opaque = [f for f in facts if isinstance(f, Opaque) and f.exact and _may_be_aws_managed(f.text)]
    if opaque:
        return "unknown", opaque[0].reason, None
    return "customer", "a customer managed key", None


def _may_be_aws_managed(template: str | None) -> bool:
    """Whether an unevaluated key can end in alias/aws/sns: ``alias/app-${var.env}-alerts`` cannot."""
    if template is None or "${" not in template:
        return True
    tail = re.split(r"\$\{[^}]*\}", template)[-1]
    return not tail or AWS_MANAGED_KEY.endswith(tail) or tail.endswith(AWS_MANAGED_KEY)


def _is_aws_managed(key: str) -> bool:
    return _AWS_MANAGED_KEY.search(key.strip()) is not None


check = AlarmTopicNotOnAwsManagedKey()
