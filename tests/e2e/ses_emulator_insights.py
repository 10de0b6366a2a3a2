"""CloudWatch Metrics Insights for the SES emulator: the query subset ses-reputation-guard sends.

moto 5.2.5 does not evaluate a ``MetricDataQueries[].Expression`` that holds a Metrics Insights query:
it sums every datapoint of the account in each period, whatever the query says. This module parses and
evaluates the subset below over moto's stored datapoints, following these AWS pages:

* CloudWatch User Guide, "Query components and syntax in CloudWatch Metrics Insights"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html)::

    SELECT FUNC("metric" | metric) FROM "ns" | SCHEMA("ns"[, "dim", ...])
      [WHERE "dim" = 'v' | "dim" != 'v' [AND ...]] [GROUP BY "dim"[, ...]]
      [ORDER BY FUNC() [DESC | ASC]] [LIMIT n]

  FUNC is AVG, COUNT, MAX, MIN or SUM. Keywords are case-insensitive, identifiers case-sensitive.
  ``SCHEMA(ns, dims...)`` matches only metrics with exactly those dimensions, ``SCHEMA(ns)`` only
  metrics without dimensions, ``FROM ns`` any. The page's WHERE section lists only ``=``, ``!=`` and
  ``AND``: ``LIKE``, ``OR``, ``IN``, ... are refused. Without ORDER BY, groups come "in alphabetical
  ascending order"; a GROUP BY key a metric lacks puts it in the group ``Other``; ORDER BY defaults
  to ASC; LIMIT is at most 500.
* User Guide, "Metrics Insights: SQL inference"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-inference.html):
  observations are rolled up into period buckets (start inclusive, end exclusive, timestamp = bucket
  start); with GROUP BY "each time series is labelled after the value" of the group key; ORDER BY
  FUNC() aggregates "across all the matched data points of each individual time series across the
  queried time window".
* User Guide, "Metrics Insights quotas"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html):
  a query processes the first 10,000 matching metrics and returns at most 500 series (with ORDER BY,
  the top 500); one Metrics Insights query per GetMetricData; periods under a minute are aggregated
  at one minute. No page documents a message for a truncated result, so none is added.
* CloudWatch API Reference, GetMetricData
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html).

Emulator choices where AWS is silent (docs/emulator.md): a metric counts towards the 10,000 only when
it has a datapoint in the queried range, and "first" means first stored; several GROUP BY values are
joined with a space in the label; a condition on a dimension the metric lacks does not match; a query
matching nothing returns one empty series under its Label (or Id).

Speed: datapoints are indexed by (namespace, metric name) and series, with each datapoint reduced to
(epoch seconds, sum, count, min, max) once; the index follows ``CloudWatchBackend.metric_data`` by its
length, so every writer (PutMetricData, moto's reset) is picked up without patching it. The same index
keeps each series' moto datapoint objects too: ``stored_datums`` is how ses_emulator.py's MetricStat
path finds one series without scanning every stored datapoint.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.models import MetricAggregatedDatum, MetricDatum

SYNTAX_PAGE = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html"
)
QUOTAS_PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html"
FUNCTIONS = ("AVG", "COUNT", "MAX", "MIN", "SUM")
MAX_METRICS_PROCESSED = 10_000
MAX_SERIES_RETURNED = 500
MIN_PERIOD_SECONDS = 60  # "output is aggregated at one-minute granularity" (quotas page)
OTHER_GROUP = "Other"
_EPOCH = datetime(1970, 1, 1)  # moto keeps naive UTC datetimes

Point = tuple[float, float, float, float, float]  # epoch seconds, sum, count, min, max
Accumulator = list[float]  # [sum, count, min, max]


def is_insights_expression(expression: Any) -> bool:
    return isinstance(expression, str) and expression.lstrip()[:6].upper() == "SELECT"


def refuse(message: str) -> ValidationError:
    return ValidationError(f"Metrics Insights query not supported by the SES emulator: {message}")


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""\s*(?:(?P<ident>"(?:[^"\\]|\\.)*")|(?P<value>'(?:[^'\\]|\\.)*')|(?P<op>!=|=|\(|\)|,)"""
    r"""|(?P<word>[A-Za-z0-9_]+)|(?P<other>\S))""",
    re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str  # ident (double-quoted), value (single-quoted), op, word, other
    text: str

    def is_keyword(self, *keywords: str) -> bool:
        return self.kind == "word" and self.text.upper() in keywords


def tokenize(sql: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind is None:
            continue
        text = match.group(kind)
        if kind in ("ident", "value"):
            text = re.sub(r"\\(.)", r"\1", text[1:-1])
        tokens.append(Token(kind, text))
    return tokens


@dataclass(frozen=True)
class Condition:
    key: str
    operator: str  # "=" or "!="
    value: str

    def matches(self, dimensions: Mapping[str, str]) -> bool:
        found = dimensions.get(self.key)
        if found is None:
            return False  # SQL-like: a missing label satisfies no comparison (AWS does not say)
        return (found == self.value) == (self.operator == "=")


@dataclass(frozen=True)
class InsightsQuery:
    function: str
    metric: str
    namespace: str
    schema: frozenset[str] | None  # None: FROM "ns" (any dimensions)
    conditions: tuple[Condition, ...] = ()
    group_by: tuple[str, ...] = ()
    order_by: str | None = None
    descending: bool = False
    limit: int | None = None

    def selects(self, dimensions: Mapping[str, str]) -> bool:
        if self.schema is not None and frozenset(dimensions) != self.schema:
            return False
        return all(condition.matches(dimensions) for condition in self.conditions)


class _Parser:
    def __init__(self, sql: str):
        self.tokens = tokenize(sql)
        self.position = 0

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            raise refuse(f"the query ends where {what} was expected")
        self.position += 1
        return token

    def keyword(self, *keywords: str) -> bool:
        token = self.peek()
        if token is not None and token.is_keyword(*keywords):
            self.position += 1
            return True
        return False

    def expect_keyword(self, keyword: str) -> None:
        if not self.keyword(keyword):
            raise refuse(f"expected {keyword} {self.near()}")

    def expect_op(self, op: str) -> None:
        token = self.take(f"'{op}'")
        if token.kind != "op" or token.text != op:
            raise refuse(f"expected '{op}' but found {token.text!r}{_quoting_hint(token)}")

    def name(self, what: str) -> str:
        token = self.take(what)
        if token.kind == "ident" or (token.kind == "word" and not _is_clause_keyword(token)):
            return token.text
        raise refuse(f"expected {what} but found {token.text!r}{_quoting_hint(token)}")

    def near(self) -> str:
        rest = " ".join(token.text for token in self.tokens[self.position : self.position + 4])
        return f"near {rest!r}" if rest else "at the end of the query"


def _quoting_hint(token: Token) -> str:
    if token.kind in ("other", "word"):
        return " (names with characters other than letters, digits and '_' must be double-quoted)"
    return ""


def _is_clause_keyword(token: Token) -> bool:
    return token.is_keyword("SELECT", "FROM", "WHERE", "GROUP", "ORDER", "BY", "LIMIT", "AND", "OR", "SCHEMA")


def parse(sql: str) -> InsightsQuery:
    """The query ``sql`` is, or a ValidationError naming the first unsupported part."""
    parser = _Parser(sql)
    parser.expect_keyword("SELECT")
    function = _function(parser)
    parser.expect_op("(")
    metric = parser.name("a metric name")
    parser.expect_op(")")
    parser.expect_keyword("FROM")
    namespace, schema = _source(parser)
    conditions = _where(parser) if parser.keyword("WHERE") else ()
    group_by = _group_by(parser) if parser.keyword("GROUP") else ()
    order_by, descending = _order_by(parser) if parser.keyword("ORDER") else (None, False)
    limit = _limit(parser) if parser.keyword("LIMIT") else None
    token = parser.peek()
    if token is not None:
        raise refuse(f"unsupported syntax {parser.near()}{_quoting_hint(token) if token.kind == 'other' else ''}")
    return InsightsQuery(function, metric, namespace, schema, conditions, group_by, order_by, descending, limit)


def _function(parser: _Parser) -> str:
    token = parser.take("a function")
    if not token.is_keyword(*FUNCTIONS):
        raise refuse(f"function {token.text!r} (supported: {', '.join(FUNCTIONS)})")
    return token.text.upper()


def _source(parser: _Parser) -> tuple[str, frozenset[str] | None]:
    token = parser.peek()
    following = parser.tokens[parser.position + 1] if parser.position + 1 < len(parser.tokens) else None
    if token is None or not token.is_keyword("SCHEMA") or following is None or following.text != "(":
        return parser.name("a namespace"), None
    parser.position += 2
    arguments = [parser.name("a namespace")]
    while parser.peek() is not None and parser.peek() == Token("op", ","):
        parser.position += 1
        arguments.append(parser.name("a dimension name"))
    parser.expect_op(")")
    return arguments[0], frozenset(arguments[1:])


def _where(parser: _Parser) -> tuple[Condition, ...]:
    conditions = [_condition(parser)]
    while parser.keyword("AND"):
        conditions.append(_condition(parser))
    token = parser.peek()
    if token is not None and token.is_keyword("OR"):
        raise refuse(f"OR in WHERE (the AWS syntax page lists only =, != and AND; see {SYNTAX_PAGE})")
    return tuple(conditions)


def _condition(parser: _Parser) -> Condition:
    key = parser.name("a dimension name")
    operator = parser.take("an operator")
    if operator.kind != "op" or operator.text not in ("=", "!="):
        raise refuse(f"operator {operator.text!r} in WHERE (the AWS syntax page lists only =, != and AND)")
    value = parser.take("a label value")
    if value.kind != "value":
        raise refuse(f"label value {value.text!r}: label values must be in single quotes")
    return Condition(key, operator.text, value.text)


def _group_by(parser: _Parser) -> tuple[str, ...]:
    parser.expect_keyword("BY")
    keys = [parser.name("a dimension name")]
    while parser.peek() == Token("op", ","):
        parser.position += 1
        keys.append(parser.name("a dimension name"))
    return tuple(keys)


def _order_by(parser: _Parser) -> tuple[str, bool]:
    parser.expect_keyword("BY")
    function = _function(parser)
    parser.expect_op("(")
    parser.expect_op(")")
    descending = parser.keyword("DESC")
    if not descending:
        parser.keyword("ASC")
    return function, descending


def _limit(parser: _Parser) -> int:
    token = parser.take("a number")
    if token.kind != "word" or not token.text.isdigit() or not 1 <= int(token.text) <= MAX_SERIES_RETURNED:
        raise refuse(f"LIMIT {token.text!r}: must be a whole number from 1 to {MAX_SERIES_RETURNED}")
    return int(token.text)


# --------------------------------------------------------------------------------------------------
# Index of the stored datapoints
# --------------------------------------------------------------------------------------------------
DimensionKey = tuple[tuple[str, str], ...]  # a series' dimensions as sorted (name, value) pairs
SeriesKey = tuple[str, str, DimensionKey]  # namespace, metric name, dimensions: one CloudWatch metric


def dimension_key(dimensions: Iterable[Any]) -> DimensionKey:
    """A stored datapoint's dimensions (moto ``Dimension`` objects) as the index keys them."""
    return tuple(sorted((d.name, d.value) for d in dimensions))


@dataclass
class Series:
    """One metric (namespace + name + exact dimensions) and its observations, oldest stored first.

    ``points`` are the reduced observations Metrics Insights evaluates; ``datums`` are moto's own
    datapoint objects of the series, in storage order, which the MetricStat path hands to moto's code.
    """

    dimensions: dict[str, str]
    points: list[Point] = field(default_factory=list)
    datums: list[Any] = field(default_factory=list)


@dataclass
class MetricIndex:
    source: list[Any]  # the backend's metric_data list this index follows
    indexed: int = 0
    by_metric: dict[tuple[str, str], dict[DimensionKey, Series]] = field(default_factory=dict)

    def add(self, datums: Iterable[Any]) -> None:
        for datum in datums:
            key = dimension_key(datum.dimensions)
            series_of_metric = self.by_metric.setdefault((datum.namespace, datum.name), {})
            series = series_of_metric.get(key)
            if series is None:
                series = series_of_metric[key] = Series(dict(key))
            series.datums.append(datum)
            point = _point(datum)
            if point is not None:
                series.points.append(point)


def _epoch(moment: datetime) -> float:
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None) - (moment.utcoffset() or timedelta(0))
    return (moment - _EPOCH).total_seconds()


def _point(datum: Any) -> Point | None:
    moment = _epoch(datum.timestamp)
    if isinstance(datum, MetricDatum):
        return moment, datum.value, 1.0, datum.value, datum.value
    if isinstance(datum, MetricAggregatedDatum):
        return moment, datum.sum, datum.sample_count, datum.min, datum.max
    return None


_INDEX_ATTRIBUTE = "_ses_emulator_metric_index"
_INDEX_LOCK = threading.Lock()


def _synced_index(backend: Any) -> MetricIndex:
    """The backend's index, brought up to date with datapoints stored since the last call (hold _INDEX_LOCK)."""
    index: MetricIndex | None = getattr(backend, _INDEX_ATTRIBUTE, None)
    data = backend.metric_data
    if index is None or index.source is not data or index.indexed > len(data):
        index = MetricIndex(source=data)
        setattr(backend, _INDEX_ATTRIBUTE, index)
    end = len(data)
    index.add(data[index.indexed : end])
    index.indexed = end
    return index


def metric_index(backend: Any) -> MetricIndex:
    """The backend's index, brought up to date with datapoints stored since the last call."""
    with _INDEX_LOCK:
        return _synced_index(backend)


def stored_datums(backend: Any, keys: Iterable[SeriesKey]) -> dict[SeriesKey, list[Any]]:
    """moto's stored datapoint objects of each series, in storage order: one snapshot for all ``keys``.

    The lookup behind the MetricStat path (ses_emulator.install_exact_metric_series): a series is
    namespace + metric name + exactly these dimensions, so ``()`` is the series without dimensions.
    The copies are taken together under the lock, so every query of a request sees the same stored
    datapoints, as with the single ``get_all_metrics()`` read per request this replaces.
    """
    found: dict[SeriesKey, list[Any]] = {}
    with _INDEX_LOCK:
        index = _synced_index(backend)
        for key in keys:
            if key not in found:
                series = index.by_metric.get((key[0], key[1]), {}).get(key[2])
                found[key] = list(series.datums) if series is not None else []
    return found


def _candidate_series(backend: Any, query: InsightsQuery) -> Iterator[Series]:
    """Series of the queried namespace and metric, stored ones first, then moto's computed AWS metrics."""
    yield from metric_index(backend).by_metric.get((query.namespace, query.metric), {}).values()
    computed = MetricIndex(source=[])
    computed.add(d for d in backend.aws_metric_data if (d.namespace, d.name) == (query.namespace, query.metric))
    yield from computed.by_metric.get((query.namespace, query.metric), {}).values()


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    start: float  # epoch seconds, inclusive
    end: float  # exclusive
    period: int

    @property
    def first_bucket(self) -> float:
        return self.start - self.start % self.period  # buckets aligned on the epoch, as CloudWatch's


@dataclass
class Group:
    key: tuple[str, ...]
    buckets: dict[int, Accumulator] = field(default_factory=dict)

    def total(self) -> Accumulator:
        accumulators = iter(self.buckets.values())
        total = list(next(accumulators))
        for accumulator in accumulators:
            _merge(total, accumulator)
        return total


@dataclass(frozen=True)
class QueryResult:
    """Grouped series (at most 500) and whether the 10,000-metric quota cut the matched metrics."""

    query: InsightsQuery
    window: Window
    groups: tuple[Group, ...]
    truncated: bool


def _merge(total: Accumulator, other: Sequence[float]) -> None:
    total[0] += other[0]
    total[1] += other[1]
    total[2] = min(total[2], other[2])
    total[3] = max(total[3], other[3])


def value_of(function: str, accumulator: Accumulator) -> float:
    if function == "AVG":
        return accumulator[0] / accumulator[1] if accumulator[1] else 0.0
    return {"SUM": accumulator[0], "COUNT": accumulator[1], "MIN": accumulator[2], "MAX": accumulator[3]}[function]


def evaluate(backend: Any, sql: str, start: datetime, end: datetime, period: int) -> QueryResult:
    """Run ``sql`` over the backend's datapoints in [start, end) with ``period``-second buckets."""
    query = parse(sql)
    window = Window(_epoch(start), _epoch(end), max(int(period), MIN_PERIOD_SECONDS))
    groups: dict[tuple[str, ...], Group] = {}
    processed, truncated = 0, False
    for series in _candidate_series(backend, query):
        if not query.selects(series.dimensions):
            continue
        buckets = _bucketed(series.points, window)
        if not buckets:
            continue  # no observation in the range: not a metric the query finds
        if processed == MAX_METRICS_PROCESSED:
            truncated = True
            break
        processed += 1
        key = tuple(series.dimensions.get(k, OTHER_GROUP) for k in query.group_by)
        group = groups.get(key)
        if group is None:
            groups[key] = Group(key, buckets)
        else:
            for bucket, accumulator in buckets.items():
                _merge(group.buckets.setdefault(bucket, [0.0, 0.0, accumulator[2], accumulator[3]]), accumulator)
    return QueryResult(query, window, _ordered(query, list(groups.values())), truncated)


def _bucketed(points: Iterable[Point], window: Window) -> dict[int, Accumulator]:
    """One series' observations in the window, accumulated per period bucket (the hot loop: kept flat)."""
    start, end, first, period = window.start, window.end, window.first_bucket, window.period
    buckets: dict[int, Accumulator] = {}
    for moment, total, count, low, high in points:
        if moment < start or moment >= end:
            continue
        bucket = int((moment - first) // period)
        accumulator = buckets.get(bucket)
        if accumulator is None:
            buckets[bucket] = [total, count, low, high]
            continue
        accumulator[0] += total
        accumulator[1] += count
        accumulator[2] = min(accumulator[2], low)
        accumulator[3] = max(accumulator[3], high)
    return buckets


def _ordered(query: InsightsQuery, groups: list[Group]) -> tuple[Group, ...]:
    """ORDER BY over the whole window (ties by group values), else alphabetical; then the caps."""
    groups.sort(key=lambda group: group.key)
    if query.order_by is not None:
        function = query.order_by
        groups.sort(key=lambda group: value_of(function, group.total()), reverse=query.descending)
    return tuple(groups[: min(MAX_SERIES_RETURNED, query.limit or MAX_SERIES_RETURNED)])


def group_label(group: Group) -> str:
    """The label of a grouped series: its GROUP BY value(s), joined by a space when several."""
    return " ".join(group.key)


# Dynamic labels ("Use dynamic labels", CloudWatch User Guide: "${PROP('Dim.dimension_name')}: The value of
# the specified dimension"; "${LABEL}": the default label). Only these two are expanded here.
_DIMENSION_PROPERTY = re.compile(r"\$\{PROP\('Dim\.(?P<key>[^']+)'\)\}")


def expand_label(label: str | None, default: str, query: InsightsQuery, group: Group) -> str:
    """A requested label with its dynamic parts filled in for ``group``; the default label without one."""
    if not label:
        return default
    values = dict(zip(query.group_by, group.key, strict=False))
    expanded = _DIMENSION_PROPERTY.sub(lambda match: values.get(match.group("key"), ""), label)
    return expanded.replace("${LABEL}", default)


def bucket_start(window: Window, bucket: int) -> datetime:
    return _EPOCH + timedelta(seconds=window.first_bucket + bucket * window.period)


def metric_data_results(result: QueryResult, query_id: str, label: str | None, scan_by: str) -> list[dict[str, Any]]:
    """moto-shaped MetricDataResult dicts: one per group, newest first unless TimestampAscending."""
    newest_first = scan_by != "TimestampAscending"
    results = []
    for group in result.groups:
        default = group_label(group) if result.query.group_by else query_id
        buckets = sorted(group.buckets, reverse=newest_first)
        results.append(
            {
                "id": query_id,
                "label": expand_label(label, default, result.query, group),
                "values": [value_of(result.query.function, group.buckets[b]) for b in buckets],
                "timestamps": [bucket_start(result.window, b) for b in buckets],
                "status_code": "Complete",
            }
        )
    if not results:  # nothing matched: one empty series under the query's name
        results.append(
            {"id": query_id, "label": label or query_id, "values": [], "timestamps": [], "status_code": "Complete"}
        )
    return results
