"""CKV_SESRG_3: every SES configuration set is watched by a bounce-rate and a complaint-rate alarm."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sesrg.check import SesrgGraphCheck, Verdict, failed, passed, unknown
from sesrg.graph import (
    MISSING,
    Derived,
    Fact,
    Lit,
    Opaque,
    Ref,
    ResourceGraph,
    blocks,
    is_expression,
    literal_strings,
    value_at,
)
from sesrg.metrics import DIMENSION, NAMESPACE, REPUTATION_METRICS, parse_insights_query

ALARM = "aws_cloudwatch_metric_alarm"
NAME_ATTRIBUTE = {"aws_ses_configuration_set": "name", "aws_sesv2_configuration_set": "configuration_set_name"}
METRICS = tuple(REPUTATION_METRICS.values())  # bounce, complaint


# Whether an alarm watches a configuration set: surely not, perhaps (a value known only at plan time), surely.
Match = enum.Enum("Match", "NO MAYBE YES")


@dataclass(frozen=True)
class _Derivation:
    identity: tuple[str, str | None, str]
    resource_type: str
    fact: Derived

    @property
    def expression(self) -> str:
        return self.fact.expression

    @property
    def direct(self) -> bool:
        return self.fact.direct


@dataclass(frozen=True)
class _Watch:
    """One metric an alarm watches and which set it names: ``every`` set (a per-set Metrics Insights query),
    a set resource (``ref``/``derived``), a literal ``name``, an opaque but comparable ``key``, or ``maybe``."""

    alarm: str
    metric: str | None  # None: the metric itself cannot be resolved
    every: bool = False
    ref: tuple[str, str | None, str] | None = None
    derived: _Derivation | None = None
    name: str | None = None
    key: tuple[Any, ...] | None = None
    maybe: str | None = None
    about: str | None = None  # what the pack knows of an opaque dimension


@dataclass(frozen=True)
class _Set:
    index: int
    identity: tuple[str, str | None, str]
    names: frozenset[str]
    keys: frozenset[tuple[Any, ...]]
    unknown_name: bool  # part of the name cannot be resolved (and is not comparable)
    named_by_each_key: bool  # name = each.key of its own for_each


class ConfigurationSetHasReputationAlarms(SesrgGraphCheck):
    """An alarm per set is what lets you (or ses-reputation-guard's function) pause the offending set
    before SES pauses the whole account. Alarms are matched to sets within one root configuration: by a
    reference to the set (directly, through locals, module inputs or outputs, or a for_each over the set
    resource or a for expression built from it), by equal literal names, by the same unresolved value
    (the same variable and for_each), or -- for a Metrics Insights query grouped by
    ``ses:configuration-set`` -- as watching every set of the configuration.
    """

    check_id = "CKV_SESRG_3"
    check_name = (
        "Ensure every SES configuration set is watched by a Reputation.BounceRate and a "
        "Reputation.ComplaintRate CloudWatch alarm (dimension ses:configuration-set)"
    )
    check_category = "LOGGING"
    subject_types = tuple(NAME_ATTRIBUTE)
    evaluated_keys = ("name", "configuration_set_name")

    def evaluate(self, graph: ResourceGraph) -> Iterator[tuple[int, Verdict]]:
        per_root: dict[str, _Watches] = {}
        for index, root in self.subjects(graph):
            if root not in per_root:
                alarms = [alarm for alarm, _ in graph.resources(ALARM)]
                per_root[root] = _Watches([w for alarm in alarms for w in _watches(graph, alarm, root)])
                per_root[root].account_wide = sorted(
                    {graph.address(a) for a in alarms if _account_wide(graph, a, root)}
                )
            cset = _set(graph, index, root)
            watches = per_root[root]
            yield index, _decide(cset, watches.candidates(cset), watches.account_wide)


class _Watches:
    """The watches of one root configuration, indexed so that a set is compared only with those that can
    watch it (thousands of sets and alarms stay linear)."""

    def __init__(self, watches: list[_Watch]) -> None:
        self.broad: list[_Watch] = []  # every set, or unknown which
        self.by_identity: dict[tuple[str, str | None, str], list[_Watch]] = {}
        self.by_name: dict[str, list[_Watch]] = {}
        self.by_key: dict[tuple[Any, ...], list[_Watch]] = {}
        self.some_name: dict[str | None, _Watch] = {}  # per metric: an opaque set may have any literal name
        self.some_key: dict[str | None, _Watch] = {}  # per metric: an opaque dimension may name any set
        self.account_wide: list[str] = []  # reputation alarms without the set dimension (they watch no set)
        for watch in watches:
            if watch.ref is not None:
                self.by_identity.setdefault(watch.ref, []).append(watch)
            elif watch.derived is not None:
                self.by_identity.setdefault(watch.derived.identity, []).append(watch)
            elif watch.name is not None:
                self.by_name.setdefault(watch.name, []).append(watch)
                self.some_name.setdefault(watch.metric, watch)
            elif watch.key is not None:
                self.by_key.setdefault(watch.key, []).append(watch)
                self.some_key.setdefault(watch.metric, watch)
            else:
                self.broad.append(watch)

    def candidates(self, cset: _Set) -> list[_Watch]:
        found = [*self.broad, *self.by_identity.get(cset.identity, []), *self.some_key.values()]
        found += [w for name in cset.names for w in self.by_name.get(name, [])]
        found += [w for key in cset.keys for w in self.by_key.get(key, [])]
        if cset.unknown_name or cset.keys:
            found += self.some_name.values()
        return found


def _decide(cset: _Set, watches: list[_Watch], account_wide: list[str] | None = None) -> Verdict:
    missing: list[str] = []
    doubts: list[str] = []
    found: list[str] = []
    for metric in METRICS:
        outcomes = [(w, _match(w, cset)) for w in watches if w.metric in (metric, None)]
        sure = [w.alarm for w, m in outcomes if m is Match.YES and w.metric == metric]
        maybe = [w for w, m in outcomes if m is not Match.NO and w.alarm not in sure]
        if sure:
            found.append(f"{metric}: {sure[0]}")
        elif maybe:
            reason = maybe[0].maybe or maybe[0].about or "the set's name cannot be resolved"
            doubts.append(f"{maybe[0].alarm} may watch its {metric} rate ({reason})")
        else:
            missing.append(f"Reputation.{metric.capitalize()}Rate")
    if missing:
        return failed(_missing_reason(cset, missing, account_wide or []))
    if doubts:
        return unknown("; ".join(doubts))
    return passed("; ".join(found))


def _missing_reason(cset: _Set, missing: list[str], account_wide: list[str]) -> str:
    """What is missing, why it matters with the alarms there are, and the smallest change that fixes it."""
    name = f'"{sorted(cset.names)[0]}"' if cset.names else "<this set's name>"
    fix = (
        f"fix: add an alarm per missing metric on namespace {NAMESPACE} with dimension {DIMENSION} = {name}, "
        f'or one Metrics Insights fleet alarm per metric (FROM SCHEMA("{NAMESPACE}", "{DIMENSION}") '
        f'GROUP BY "{DIMENSION}") that watches every set'
    )
    if account_wide:
        shown = ", ".join(account_wide[:3]) + (f" and {len(account_wide) - 3} more" if len(account_wide) > 3 else "")
        return (
            f"no alarm watches {' or '.join(missing)} of this set: account-wide reputation alarms exist "
            f"({shown}) but have no {DIMENSION} dimension, so they cannot tell which set to pause before SES "
            f"pauses the account; {fix}"
        )
    return f"no alarm watches {' or '.join(missing)} of this set; {fix}"


def _account_wide(graph: ResourceGraph, alarm: int, root: str) -> bool:
    """An alarm on an SES reputation metric without the set dimension: it watches the account, no set."""
    if root not in graph.roots(alarm):
        return False
    namespaces = literal_strings(graph.facts(alarm, "namespace", root))
    metric_names = literal_strings(graph.facts(alarm, "metric_name", root))
    if NAMESPACE not in namespaces or not set(metric_names) & set(REPUTATION_METRICS):
        return False
    return not graph.facts(alarm, f"dimensions.{DIMENSION}", root)


def _match(watch: _Watch, cset: _Set) -> Match:
    if watch.maybe is not None:
        return Match.MAYBE
    if watch.every:
        return Match.YES
    if watch.ref is not None:
        return Match.YES if watch.ref == cset.identity else Match.NO
    if watch.derived is not None:
        return _match_derived(watch.derived, cset)
    if (watch.name is not None and watch.name in cset.names) or (watch.key is not None and watch.key in cset.keys):
        return Match.YES
    opaque_set = cset.unknown_name or bool(cset.keys)
    return Match.MAYBE if opaque_set or watch.key is not None else Match.NO


def _match_derived(derived: _Derivation, cset: _Set) -> Match:
    if derived.identity != cset.identity:
        return Match.NO
    name_attribute = NAME_ATTRIBUTE[derived.resource_type]
    if derived.expression == f"each.value.{name_attribute}":
        return Match.YES
    if derived.expression == "each.key":  # the set's own for_each key: its name only if it is named by it
        return Match.YES if cset.named_by_each_key or not derived.direct else Match.NO
    # a for expression over the set maps it to something: its names, as the dimension needs
    return Match.YES if derived.expression == "each.value" and not derived.direct else Match.NO


def _set(graph: ResourceGraph, index: int, root: str) -> _Set:
    vertex = graph.vertices[index]
    attribute = NAME_ATTRIBUTE[graph.resource_type(index)]
    facts = graph.facts(index, attribute, root)
    keys = {f.key for f in facts if isinstance(f, Opaque) and f.exact and f.key is not None}
    keys |= {_derived_key(graph, f) for f in facts if isinstance(f, Derived)}
    raw = value_at(vertex, attribute)
    key = graph.instance_key(index)
    return _Set(
        index=index,
        identity=graph.identity(index),
        names=frozenset(literal_strings(facts)),
        keys=frozenset(keys),
        unknown_name=not facts or any(isinstance(f, Opaque) and f.exact and f.key is None for f in facts),
        named_by_each_key=raw == "each.key" or (key is not None and key in literal_strings(facts)),
    )


def _watches(graph: ResourceGraph, alarm: int, root: str) -> list[_Watch]:
    """The reputation metrics an alarm watches: its own metric, its metric_query metrics and queries."""
    if root not in graph.roots(alarm):
        return []
    vertex = graph.vertices[alarm]
    name = graph.address(alarm)
    watches = _metric(graph, alarm, root, name, "")
    for path, query in blocks(vertex, "metric_query"):
        if isinstance(query.get("metric"), dict | list):
            watches += _metric(graph, alarm, root, name, f"{path}.metric.")
        if value_at(query, "expression") is not MISSING:
            watches += _insights(graph.facts(alarm, f"{path}.expression", root), name)
    return watches


def _metric(graph: ResourceGraph, alarm: int, root: str, name: str, prefix: str) -> list[_Watch]:
    namespace = graph.facts(alarm, f"{prefix}namespace", root)
    metric_name = graph.facts(alarm, f"{prefix}metric_name", root)
    if not namespace or not metric_name:
        return []
    namespaces, metric_names = literal_strings(namespace), literal_strings(metric_name)
    if (namespaces and NAMESPACE not in namespaces) or (
        metric_names and not set(metric_names) & set(REPUTATION_METRICS)
    ):
        return []
    dimension = graph.facts(alarm, f"{prefix}dimensions.{DIMENSION}", root)
    if not dimension:
        return []  # an account-wide alarm: it watches no set
    metrics: list[str | None] = [REPUTATION_METRICS[m] for m in metric_names if m in REPUTATION_METRICS] or [None]
    sets: list[Fact] = [
        f for f in dimension if isinstance(f, Ref) and f.exact and graph.resource_type(f.index) in NAME_ATTRIBUTE
    ]
    relevant = sets or [f for f in dimension if _relevant(f)]  # a reference to a set is the set's name
    return [_watch(graph, name, metric, fact) for metric in metrics for fact in relevant]


def _relevant(fact: Fact) -> bool:
    if isinstance(fact, Lit):
        return fact.exact and isinstance(fact.value, str) and not is_expression(fact.value)
    return not isinstance(fact, Ref | Opaque) or fact.exact


def _watch(graph: ResourceGraph, alarm: str, metric: str | None, fact: Fact) -> _Watch:
    if isinstance(fact, Ref):
        return _Watch(alarm, metric, ref=graph.identity(fact.index))
    if isinstance(fact, Derived):
        if graph.resource_type(fact.index) in NAME_ATTRIBUTE:
            resource_type = graph.resource_type(fact.index)
            return _Watch(alarm, metric, derived=_Derivation(graph.identity(fact.index), resource_type, fact))
        return _Watch(alarm, metric, key=_derived_key(graph, fact))
    if isinstance(fact, Lit) and isinstance(fact.value, str):
        return _Watch(alarm, metric, name=fact.value)
    if isinstance(fact, Opaque) and fact.key is not None:
        return _Watch(alarm, metric, key=fact.key, about=fact.reason)
    reason = fact.reason if isinstance(fact, Opaque) else f"dimension {fact!r}"
    return _Watch(alarm, metric, maybe=reason)


def _insights(facts: list[Fact], alarm: str) -> list[_Watch]:
    watches: list[_Watch] = []
    for sql in literal_strings(facts):
        query = parse_insights_query(sql)
        if query is None:
            continue
        if query.unknown_filter:
            watches.append(_Watch(alarm, query.metric, maybe=f"the query filters sets: {query.unknown_filter}"))
        elif query.set_name is not None:
            watches.append(_Watch(alarm, query.metric, name=query.set_name))
        elif query.per_set:
            watches.append(_Watch(alarm, query.metric, every=True))
    if any(isinstance(f, Opaque) and f.exact for f in facts):
        watches.append(_Watch(alarm, None, maybe="its metric_query expression cannot be resolved"))
    return watches


def _derived_key(graph: ResourceGraph, fact: Derived) -> tuple[Any, ...]:
    return ("derived", graph.identity(fact.index), fact.expression)


check = ConfigurationSetHasReputationAlarms()
