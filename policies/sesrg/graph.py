"""checkov's resource graph, read the way Terraform resolves references.

checkov hands graph checks its resource graph: one vertex per block (resource, data, variable, locals,
module, output) with attributes rendered where checkov could evaluate them, and one edge per reference,
labelled with the referencing attribute (``alarm_actions``, ``metric_query.1.metric.dimensions...``).
This module is the one place that reads that graph. It answers "where does this attribute's value come
from?" as a list of facts (:class:`Ref`, :class:`Lit`, :class:`Derived`, :class:`Opaque`), following
locals, module input variables, module outputs and ``each.*`` the way Terraform does, within one root
configuration (a root module and the modules it calls).

Two quirks of checkov 3.3 shape the code:

- ``terraform`` (HCL) copies a called module's blocks once per call and tags each copy with
  ``source_module_object_`` (caller file, module name, for_each key, the caller's own call); a child
  variable has an edge labelled ``default`` to the calling ``module`` block. ``terraform_json`` does not
  link modules at all: a child folder's blocks look like a root of their own and ``module.x.y`` has no
  edge. Both are handled here: module calls are matched by ``source`` path when checkov did not link them.
- Values checkov could not evaluate stay as expression text (``"var.x"``, ``"each.value.name"``,
  ``"${file(\\"p.json\\")}"``); references checkov did not turn into edges (``type.name["k"]``,
  ``module.x.y`` in JSON, ``each.*``) are parsed from that text.

No checkov import: the graph object only needs ``nodes()`` and ``weighted_edge_list()`` (rustworkx,
checkov's default) or ``nodes(data=True)`` and ``edges(data=True)`` (networkx).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

Vertex = dict[str, Any]

MISSING: Any = object()  # an attribute the block does not set

# checkov's terraform_json parser keeps its line markers as map keys: a for_each over a map then yields two
# phantom instances, and every locals block a phantom local of each name.
_PHANTOM = re.compile(r'\["__(start|end)line__"\]$|^__(start|end)line__$')
_INSTANCE_KEY = re.compile(r'\[(?:"(?P<text>[^"]*)"|(?P<number>\d+))\]$')
_CROSS_VARIABLE = "[cross-variable]"
_FOR_EXPRESSION = re.compile(r"[\[{]\s*for\s")
_MAX_DEPTH = 40

_RESOURCE_TYPE = r"[a-z][a-z0-9]*_[a-z0-9_]+"
_NAME = r"[A-Za-z_][\w-]*"
_INDEX = r"(?:\[[^\]]*\])?"
_REFERENCE = re.compile(
    rf"(?<![\w.\"'/-])(?:"
    rf"(?P<each>each\.(?:key|value)(?:\.{_NAME}|\[[^\]]*\])*)"
    rf"|var\.(?P<var>{_NAME})"
    rf"|local\.(?P<local>{_NAME})"
    rf"|module\.(?P<module>{_NAME}){_INDEX}\.(?P<output>{_NAME})"
    rf"|data\.(?P<data>{_RESOURCE_TYPE}\.{_NAME}){_INDEX}"
    rf"|(?P<resource>{_RESOURCE_TYPE}\.{_NAME}){_INDEX}"
    rf")"
)
_PURE_REFERENCE = re.compile(r"^\s*(?:\$\{\s*)?(?P<ref>[a-z][\w.\[\]\"-]*?)\s*\}?\s*$")
_FUNCTION_CALL = re.compile(r"^\s*(?:\$\{)?\s*[a-z][a-z0-9_]*\(", re.DOTALL)
_NOT_RESOURCE_PREFIXES = ("var.", "local.", "module.", "data.", "each.", "path.", "count.", "self.", "terraform.")


# -- facts ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """The value refers to this resource or data block (an attribute of it, or the block itself)."""

    index: int
    exact: bool = True  # False: the block is one ingredient of a larger expression


@dataclass(frozen=True, eq=False)
class Lit:
    """A literal value: checkov rendered it, or it was written as a literal."""

    value: Any
    exact: bool = True  # False: an ingredient of an expression the pack cannot evaluate (not the value itself)
    origin: tuple[int, str] | None = None  # (block, attribute) where it is written: a variable default, a local


@dataclass(frozen=True)
class Derived:
    """``each.key`` / ``each.value...`` of a block whose for_each iterates over resource ``index``."""

    index: int
    expression: str  # "each.key", "each.value", "each.value.configuration_set_name", ...
    direct: bool  # True: for_each = <the resource> itself; False: a for expression or function over it


@dataclass(frozen=True)
class Opaque:
    """A value the pack cannot know (a root variable without default, a function it does not evaluate).

    ``key`` is set when two opaque values with the same key are certainly equal (the same root variable,
    the same expression over the same for_each); ``index``/``text`` locate the unevaluated expression.
    """

    reason: str
    key: tuple[Any, ...] | None = None
    index: int | None = None
    text: str | None = None
    exact: bool = True  # False: an unknown part of a larger value (a list element, a policy's Resource)


Fact = Ref | Lit | Derived | Opaque


def literal_values(facts: Iterable[Fact]) -> list[Any]:
    """The exact literal values among ``facts`` (expression text left unevaluated is not a literal)."""
    return [fact.value for fact in facts if isinstance(fact, Lit) and fact.exact and not _is_expression(fact.value)]


def literal_strings(facts: Iterable[Fact]) -> list[str]:
    """Every literal string among ``facts``, lists flattened."""
    return [value for value in flatten(literal_values(facts)) if isinstance(value, str) and not is_expression(value)]


def flatten(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return [item for element in value for item in flatten(element)]
    return [value]


def is_expression(text: Any) -> bool:
    """True for text checkov left unevaluated: interpolations, references, function calls, for expressions."""
    if not isinstance(text, str):
        return False
    if "${" in text or _FUNCTION_CALL.match(text) or text.lstrip().startswith(("{for ", "[for ", "{ for ", "[ for ")):
        return True
    return any(_is_reference(match) for match in _REFERENCE.finditer(text))


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and is_expression(value)


def _is_reference(match: re.Match[str]) -> bool:
    resource = match.group("resource")
    return resource is None or not resource.startswith(_NOT_RESOURCE_PREFIXES)


def value_at(vertex: Any, path: str) -> Any:
    """The value at a dotted attribute path (``reputation_options.reputation_metrics_enabled``), or MISSING.

    checkov stores nested blocks as dicts (one block) or lists (repeated blocks, ``metric_query.1``) and
    sometimes wraps a single value in a one-element list; both are unwrapped.
    """
    if isinstance(vertex, dict) and path in vertex:
        return vertex[path]
    node = vertex
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            continue
        if isinstance(node, list) and len(node) == 1:
            node = node[0]
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return MISSING
    return node


def blocks(vertex: Vertex, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Nested blocks named ``path`` with the attribute path of each (``statement`` or ``statement.0``)."""
    value = value_at(vertex, path)
    if isinstance(value, dict):
        return [(path, value)]
    if isinstance(value, list):
        return [(f"{path}.{i}", item) for i, item in enumerate(value) if isinstance(item, dict)]
    return []


# -- the graph --------------------------------------------------------------------------------------------
@dataclass
class _Context:
    root: str | None
    facts: list[Fact] = field(default_factory=list)
    seen: set[tuple[int, str]] = field(default_factory=set)
    depth: int = 0


class ResourceGraph:
    """checkov's graph with Terraform's reference rules: module instances, root configurations, facts."""

    def __init__(self, graph: Any) -> None:
        self.vertices: dict[int, Vertex] = {}
        self._out: dict[int, list[tuple[str, int]]] = {}
        if hasattr(graph, "weighted_edge_list"):  # rustworkx: node payloads are (index, attributes)
            nodes: Iterable[tuple[int, Vertex]] = graph.nodes()
            edges: Iterable[tuple[int, int, Any]] = graph.weighted_edge_list()
        else:  # networkx
            nodes = graph.nodes(data=True)
            edges = graph.edges(data=True)
        for index, data in nodes:
            self.vertices[index] = data
        for source, target, data in edges:
            label = str((data or {}).get("label", ""))
            if not label.startswith(_CROSS_VARIABLE):  # shortcuts checkov adds; the pack walks the real path
                self._out.setdefault(source, []).append((label, target))
        self._scope = {i: _scope_of(v) for i, v in self.vertices.items()}
        self._folder = {i: _folder_of(v) for i, v in self.vertices.items()}
        self._by_name: dict[tuple[str, str | None, str, str], list[int]] = {}
        for index, vertex in self.vertices.items():
            name = _base_name(vertex)
            if name and not _PHANTOM.search(str(vertex.get("block_name_", ""))):
                self._by_name.setdefault(self._key(index, str(vertex.get("block_type_")), name), []).append(index)
        self._index_module_calls()
        self._roots: dict[int, frozenset[str]] = {}

    def _index_module_calls(self) -> None:
        """Who calls whom: checkov-linked copies (HCL) by call key, unlinked folders (JSON) by source path."""
        self._children: dict[str, list[int]] = {}  # call key -> the blocks of that module call (HCL)
        for index, scope in self._scope.items():
            if scope is not None:
                self._children.setdefault(_call_key(scope), []).append(index)
        self._hcl_calls: dict[str, list[int]] = {}  # call key -> the module block making it
        self._folder_calls: dict[str, list[int]] = {}  # child folder -> module blocks checkov did not link
        for index, vertex in self.vertices.items():
            if vertex.get("block_type_") != "module":
                continue
            key = self._module_call_key(index)
            if key in self._children:
                self._hcl_calls.setdefault(key, []).append(index)
            elif (folder := self._source_folder(index)) is not None:
                self._folder_calls.setdefault(folder, []).append(index)

    # -- blocks ---------------------------------------------------------------------------------------------
    def resources(self, *types: str) -> Iterator[tuple[int, Vertex]]:
        """Resource and data blocks of the given types (checkov's phantom JSON instances left out)."""
        for index, vertex in self.vertices.items():
            block = vertex.get("block_type_") in ("resource", "data") and self.resource_type(index) in types
            if block and not _PHANTOM.search(str(vertex.get("id_", ""))):
                yield index, vertex

    def resource_type(self, index: int) -> str:
        """``aws_kms_alias`` for a resource and for a data source (checkov calls the latter ``data.aws_kms_alias``)."""
        return str(self.vertices[index].get("resource_type", "")).removeprefix("data.")

    def is_data(self, index: int) -> bool:
        return self.vertices[index].get("block_type_") == "data"

    def address(self, index: int) -> str:
        """Terraform's address: ``module.a.module.b.type.name["key"]`` (module keys left out)."""
        vertex = self.vertices[index]
        prefix = "data." if vertex.get("block_type_") == "data" else ""
        return ".".join([*self._modules(index), prefix + str(vertex.get("id_") or vertex.get("block_name_"))])

    def _modules(self, index: int) -> list[str]:
        """The module path of a block: ``["module.a", "module.b"]`` (empty in the root module)."""
        modules: list[str] = []
        scope = self._scope[index]
        while scope:
            modules.insert(0, f"module.{scope.get('name')}")
            scope = scope.get("nested_tf_module")
        return modules

    def unloaded_modules(self) -> list[tuple[str, str, int]]:
        """Module calls with a remote source (git, a registry, a URL) whose blocks checkov did not load, as
        (address, source, block index): whatever they declare is not in the graph, so no check decides it."""
        loaded = {module for calls in self._hcl_calls.values() for module in calls}
        found: list[tuple[str, str, int]] = []
        for index, vertex in self.vertices.items():
            if vertex.get("block_type_") != "module" or index in loaded:
                continue
            source = vertex.get("source")
            if isinstance(source, list) and source:
                source = source[0]
            if isinstance(source, str) and source and not source.startswith(("./", "../", "/")):
                found.append((".".join([*self._modules(index), f"module.{_base_name(vertex)}"]), source, index))
        return found

    def identity(self, index: int) -> tuple[str, str | None, str]:
        """The same resource block in the same module instance, whatever its for_each key."""
        vertex = self.vertices[index]
        return (self._folder[index], _canonical(self._scope[index]), _INSTANCE_KEY.sub("", str(vertex.get("id_"))))

    def instance_key(self, index: int) -> str | None:
        match = _INSTANCE_KEY.search(str(self.vertices[index].get("id_", "")))
        return None if match is None else (match.group("text") or match.group("number"))

    def folder(self, index: int) -> str:
        return self._folder[index]

    # -- where blocks and values are written ----------------------------------------------------------------
    def file(self, index: int) -> str:
        return os.path.abspath(str(self.vertices[index].get("file_path_", "")))

    def lines(self, index: int) -> tuple[int, int] | None:
        """The block's first and last line, as checkov reports them (HCL and Terraform JSON spell them apart);
        None for blocks checkov keeps no lines of (a ``locals`` entry)."""
        vertex = self.vertices[index]
        start = vertex.get("__start_line__", vertex.get("__startline__"))
        end = vertex.get("__end_line__", vertex.get("__endline__"))
        return (start, end) if isinstance(start, int) and isinstance(end, int) else None

    def locate(self, index: int, needles: Iterable[str] = (), near: str | None = None) -> tuple[str, int]:
        """The file and line of block ``index`` that holds one of ``needles`` (see :func:`find_line`); the
        block's first line when none does. A ``locals`` entry (checkov keeps no lines) is found by its name."""
        path = self.file(index)
        span = self.lines(index)
        if span is None:
            name = re.escape(str(self.vertices[index].get("block_name_", "")))
            entry = re.compile(rf'^\s*"?{name}"?\s*[=:]')
            start = next((i + 1 for i, line in enumerate(_file_lines(path)) if entry.search(line)), 1)
            span = (start, start + 100)
        return path, find_line(path, needles, near, span)

    def origin(
        self, fact: Fact, index: int, path: str, needles: Iterable[str] = (), near: str | None = None
    ) -> tuple[str, int]:
        """Where a fact's value is written: the block and attribute it comes from (a variable's default, a module
        argument, a local, a for_each map's entry) when the pack knows it, else attribute ``path`` of block
        ``index``. The line holds one of ``needles`` (see :meth:`locate`), by default the attribute's name
        (after the line of its parent key or block: ``beta`` for ``default.beta.metrics``)."""
        block, attribute = fact.origin if isinstance(fact, Lit) and fact.origin is not None else (index, path)
        if needles:
            return self.locate(block, needles, near)
        names = [part for part in attribute.split(".") if part and not part.isdigit()] or [attribute]
        if len(names) > 1:
            return self.locate(block, [names[-1]], rf"(^|[^\w-]){re.escape(names[-2])}($|[^\w-])")
        return self.locate(block, [names[-1]], rf'(^|[\s"{{,]){re.escape(names[-1])}"?\s*[=:]')

    # -- root configurations --------------------------------------------------------------------------------
    def roots(self, index: int) -> frozenset[str]:
        """The root configurations (folders Terraform runs in) this block belongs to."""
        if index not in self._roots:
            self._roots[index] = frozenset()  # cycle guard
            scope = self._scope[index]
            if scope is not None:
                while scope.get("nested_tf_module"):
                    scope = scope["nested_tf_module"]
                found = frozenset({os.path.dirname(os.path.abspath(str(scope.get("path"))))})
            else:
                callers = self._callers(index, None)
                found = (
                    frozenset().union(*(self.roots(c) for c in callers))
                    if callers
                    else frozenset({self._folder[index]})
                )
            self._roots[index] = found
        return self._roots[index]

    def _callers(self, index: int, root: str | None) -> list[int]:
        """The module blocks that call the module this block is in (none for a root module)."""
        scope = self._scope[index]
        if scope is not None:
            callers = self._hcl_calls.get(_call_key(scope), [])
        else:
            callers = self._folder_calls.get(self._folder[index], [])
        return [c for c in callers if root is None or root in self.roots(c)]

    def _module_call_key(self, module: int) -> str:
        vertex = self.vertices[module]
        call = {
            "path": vertex.get("file_path_"),
            "name": _base_name(vertex),
            "foreach_idx": self.instance_key(module) if "[" in str(vertex.get("block_name_")) else None,
            "nested_tf_module": self._scope[module],
        }
        return _call_key(call)

    def _source_folder(self, module: int) -> str | None:
        source = self.vertices[module].get("source")
        if isinstance(source, list) and source:
            source = source[0]
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            return None  # registry and git modules are not on disk
        return os.path.normpath(os.path.join(self._folder[module], source))

    def _key(self, index: int, block_type: str, name: str) -> tuple[str, str | None, str, str]:
        return (self._folder[index], _canonical(self._scope[index]), block_type, name)

    def _named(self, index: int, block_type: str, name: str) -> list[int]:
        return self._by_name.get(self._key(index, block_type, name), [])

    def _module_outputs(self, index: int, module_name: str, output: str) -> list[int]:
        """``module.<module_name>.<output>`` seen from block ``index``: the output blocks of that call."""
        found: list[int] = []
        for module in self._named(index, "module", module_name):
            key = self._module_call_key(module)
            if key in self._children:
                children = self._children[key]
            else:
                children = self._by_name.get((str(self._source_folder(module)), None, "output", output), [])
            found += [
                i
                for i in children
                if self.vertices[i].get("block_type_") == "output" and _base_name(self.vertices[i]) == output
            ]
        return found

    # -- facts ----------------------------------------------------------------------------------------------
    def facts(self, index: int, path: str, root: str | None = None) -> list[Fact]:
        """Where the value at ``path`` of block ``index`` comes from, within root configuration ``root``.

        An empty list means the attribute is not set.
        """
        context = _Context(root)
        self._resolve(index, path, context, exact=True)
        return context.facts

    def _resolve(self, index: int, path: str, context: _Context, exact: bool) -> None:
        if (index, path) in context.seen or context.depth > _MAX_DEPTH:
            return
        context.seen.add((index, path))
        context.depth += 1
        try:
            value = value_at(self.vertices[index], path)
            targets = [t for label, t in self._out.get(index, []) if label == path or label.startswith(path + ".")]
            if value is MISSING and not targets:
                return
            if isinstance(value, str) and _alternatives(value) is not None:
                targets = []  # each argument is followed on its own, exactly
                texts = [(value, exact)]
            elif (
                isinstance(value, str)
                and is_expression(value)
                and _PURE_REFERENCE.match(value) is None
                and (rendered := self._render_text(index, value, context.root)) is not None
            ):  # "${var.prefix}-tx" left unevaluated (an unlinked child module): rendered with its inputs
                for target in targets:
                    self._follow(target, context, exact=False)
                context.facts.append(Lit(rendered, exact))
                texts = []
            elif isinstance(value, str) and is_expression(value):
                whole = _PURE_REFERENCE.match(value) is not None
                for target in targets:  # checkov may have copied the target's own text in: then it is the value
                    self._follow(target, context, exact and (whole or self._holds(target, value)))
                texts = [(value, exact)]
            else:
                start = len(context.facts)
                for target in targets:  # checkov rendered the value: the references are where it came from
                    self._follow(target, context, exact)
                if value is not MISSING:
                    self._rendered((index, path), value, targets, context, start, exact)
                texts = [(s, False) for s in _strings(value) if is_expression(s)]  # parts of a container
            outputs = not any(self.vertices[t].get("block_type_") == "output" for t in targets)
            iterator = _dynamic_iterator(path)
            for text, text_exact in texts:
                if iterator and re.search(rf"(?<![\w.]){iterator[1]}\.(key|value)", text):
                    each = re.sub(rf"(?<![\w.]){iterator[1]}\.(key|value)", r"each.\1", text)
                    context.facts.extend(self._each(index, each, context, text_exact, iterator[0]))
                    continue
                self._expression(index, text, context, text_exact, parse_all=not targets, outputs=outputs)
        finally:
            context.depth -= 1

    def _rendered(
        self, written: tuple[int, str], value: Any, targets: list[int], context: _Context, start: int, exact: bool
    ) -> None:
        """A value checkov rendered from the references it followed (``context.facts[start:]``).

        checkov renders an unknown variable as its own name (``"var.x" == "a"`` is false), and in Terraform
        JSON a module input as the child's default, ignoring what the call passes: such a rendering is not
        the value. Otherwise it is, and followed literals that differ from it were ingredients of it. The
        value's origin is where a followed literal equal to it is written, else ``written`` (block, attribute).
        """
        followed = context.facts[start:]
        origin = next(
            (
                f.origin
                for f in followed
                if isinstance(f, Lit) and f.exact and f.origin is not None and f.value == value
            ),
            written,
        )
        unknown = any(isinstance(f, Opaque) and f.exact for f in followed)
        module_input = any(
            self.vertices[t].get("block_type_") == "variable" and self._callers(t, context.root) for t in targets
        )
        # compared only for module inputs: the comparison costs a walk of the whole rendered map
        misrendered = module_input and not any(isinstance(f, Lit) and f.exact and f.value == value for f in followed)
        if misrendered and self._built_from_inputs(value, targets, followed):
            # a value built from module inputs ("${var.prefix}-tx", a policy with ${var.region} in an ARN): the
            # inputs are ingredients; the value is the text rendered with what the call passes, or unknown
            rendered, reason = self._render_inputs(value, targets, context.root)
            context.facts[start:] = [_part(f) for f in followed]
            if reason is None:
                context.facts.insert(start, Lit(rendered, exact, origin if rendered == value else written))
            else:
                context.facts.insert(start, Lit(value, exact=False, origin=written))
                text = value if isinstance(value, str) else None
                context.facts.append(Opaque(reason, None, written[0], text, exact))
            return
        if isinstance(value, dict | list) and value and not misrendered:
            # a map's references are fields of it (a policy's Resource), a list's are its elements (topics)
            if isinstance(value, dict):
                context.facts[start:] = [_part(f) for f in followed]
            context.facts.insert(start, Lit(value, exact, origin))
            return
        if unknown or misrendered or (isinstance(value, dict | list) and followed):  # an unknown map renders as {}
            context.facts.insert(start, Lit(value, exact=False, origin=written))
            return
        context.facts[start:] = [_part(f) if isinstance(f, Lit) and f.value != value else f for f in followed]
        context.facts.insert(start, Lit(value, exact, origin))

    def _built_from_inputs(self, value: Any, targets: list[int], followed: list[Fact]) -> bool:
        """True when ``value`` is text (or a map, a list) built around module inputs, not one input itself:
        no input's rendered default is the whole value, and the inputs are scalars (interpolated)."""
        if not isinstance(value, str | dict | list):
            return False
        if any(value_at(self.vertices[t], "default") == value for t in targets):
            return False  # a whole reference to an input: what the call passes is the value
        return all(_scalar(f.value) for f in followed if isinstance(f, Lit) and f.exact)

    def _render_inputs(self, value: Any, targets: list[int], root: str | None) -> tuple[Any, str | None]:
        """``value`` rendered with the module inputs among ``targets`` (what each call passes), and None; or
        the reason it cannot be. checkov substitutes a linked (HCL) module copy's inputs with what its call
        passes, and an unlinked (Terraform JSON) child's inputs with their defaults: a default that differs
        from what is passed cannot be undone; an input left as text is substituted here."""
        substitutions: dict[str, str] = {}
        for target in targets:
            vertex = self.vertices[target]
            if vertex.get("block_type_") != "variable" or not self._callers(target, root):
                continue
            name = str(vertex.get("block_name_"))
            passed = _Context(root)
            self._variable(target, passed, exact=True)
            values = {str(f.value) for f in passed.facts if isinstance(f, Lit) and f.exact and _scalar(f.value)}
            known = len(values) == 1 and all(isinstance(f, Lit) and f.exact for f in passed.facts)
            default = value_at(vertex, "default")
            if self._scope[target] is not None:  # HCL: checkov rendered the call's value (its copy's default)
                if not known and default is not MISSING and _scalar(default):
                    return value, f"module input {name!r} is not known here, and checkov rendered its default"
            elif default is not MISSING and (not known or str(default).lower() != next(iter(values)).lower()):
                # Terraform JSON: checkov rendered the child's default, not what the call passes
                return value, f"module input {name!r} differs from its default, which checkov rendered"
            if known:
                substitutions[name] = next(iter(values))
        return _substitute_variables(value, substitutions), None

    def _render_text(self, index: int, text: str, root: str | None) -> str | None:
        """An interpolated string (``"${var.prefix}-tx"``) whose variables each have one known value, rendered;
        None when any part stays unknown (the string then stays an unknown expression, with its reason)."""
        substitutions: dict[str, str] = {}
        for match in _VARIABLE_TEXT.finditer(text):
            name = match.group("name") or match.group("bare")
            passed = _Context(root)
            for variable in self._named(index, "variable", name):
                self._variable(variable, passed, exact=True)
            values = {str(f.value) for f in passed.facts if isinstance(f, Lit) and f.exact and _scalar(f.value)}
            if len(values) != 1 or not all(isinstance(f, Lit) and f.exact for f in passed.facts):
                return None
            substitutions[name] = next(iter(values))
        rendered = _substitute_variables(text, substitutions)
        return rendered if substitutions and not is_expression(rendered) else None

    def _holds(self, target: int, text: str) -> bool:
        """True when ``text`` is the (unevaluated) value of the local, output or variable ``target``, or of
        one of the attributes of resource ``target``: checkov substituted the reference with it."""
        vertex = self.vertices[target]
        kind = vertex.get("block_type_")
        key = {"locals": str(vertex.get("block_name_")), "output": "value", "variable": "default"}.get(str(kind))
        if key is not None:
            return bool(value_at(vertex, key) == text)
        return any(value == text for name, value in vertex.items() if not name.endswith("_"))

    def _follow(self, target: int, context: _Context, exact: bool) -> None:
        vertex = self.vertices[target]
        kind = vertex.get("block_type_")
        if kind in ("resource", "data"):
            context.facts.append(Ref(target, exact))
        elif kind == "locals":
            self._resolve(target, str(vertex.get("block_name_")), context, exact)
        elif kind == "variable":
            self._variable(target, context, exact)
        elif kind == "output":
            self._resolve(target, "value", context, exact)

    def _variable(self, index: int, context: _Context, exact: bool) -> None:
        """A module input: what each call passes (or the default); a root variable: its default, or opaque."""
        name = str(self.vertices[index].get("block_name_"))
        has_default = value_at(self.vertices[index], "default") is not MISSING
        callers = self._callers(index, context.root)
        for caller in callers:
            if value_at(self.vertices[caller], name) is not MISSING:
                self._resolve(caller, name, context, exact)
            elif has_default:
                self._resolve(index, "default", context, exact)
        if callers:
            return
        if has_default:
            self._resolve(index, "default", context, exact)
        else:
            reason = f"variable {name!r} has no default: its value comes from outside the configuration"
            key = ("var", self._folder[index], _canonical(self._scope[index]), name)
            context.facts.append(Opaque(reason, key if exact else None, index, f"var.{name}", exact))

    def _expression(
        self, index: int, text: str, context: _Context, exact: bool, *, parse_all: bool, outputs: bool
    ) -> None:
        """Text checkov left unevaluated: follow the references it holds that checkov made no edge for
        (all of them when the attribute has no edge; ``module.x.y`` in Terraform JSON otherwise)."""
        alternatives = _alternatives(text)
        if alternatives is not None:  # try(a, b) / coalesce(a, b): the value is one of the arguments
            for argument in alternatives:
                literal = _literal(argument)
                if literal is not MISSING:
                    context.facts.append(Lit(literal, exact))
                else:
                    self._expression(index, argument, context, exact, parse_all=True, outputs=outputs)
            return
        if parse_all and _EACH.search(_INDEXED_RESOURCE.sub(r"\1", text)):  # each.key inside an index is no value
            context.facts.extend(self._each(index, text, context, exact))
            return
        whole = _PURE_REFERENCE.match(text) is not None
        before = len(context.facts)
        for match in _REFERENCE.finditer(text):
            if not _is_reference(match) or match.group("each"):
                continue
            inner = exact and whole
            if match.group("module") and outputs:
                for output in self._module_outputs(index, match.group("module"), match.group("output")):
                    self._resolve(output, "value", context, inner)
            elif not parse_all:
                continue
            elif match.group("var"):
                for variable in self._named(index, "variable", match.group("var")):
                    self._variable(variable, context, inner)
            elif match.group("local"):
                for local in self._named(index, "locals", match.group("local")):
                    self._resolve(local, match.group("local"), context, inner)
            elif match.group("data") or match.group("resource"):
                kind = "data" if match.group("data") else "resource"
                name = match.group("data") or match.group("resource")
                context.facts.extend(Ref(i, inner) for i in self._named(index, kind, name))
        if not whole and parse_all and (rendered := self._render_text(index, text, context.root)) is not None:
            context.facts[before:] = [_part(f) for f in context.facts[before:]]
            context.facts.append(Lit(rendered, exact))  # "${var.prefix}-tx" with the input the call passes
            return
        if not whole:
            key = ("expression", self._folder[index], _canonical(self._scope[index]), text)
            context.facts.append(Opaque(f"cannot evaluate {text!r}", key if exact else None, index, text, exact))
        elif parse_all and len(context.facts) == before:
            context.facts.append(Opaque(f"{text!r} refers to nothing in this configuration", None, index, text, exact))

    # -- for_each ----------------------------------------------------------------------------------------------
    def _each(self, index: int, text: str, context: _Context, exact: bool, for_each: str = "for_each") -> list[Fact]:
        """The value of an ``each.*`` expression of block ``index``: one fact per for_each element when the
        collection is known, :class:`Derived` when it is a resource, opaque (but comparable) otherwise.
        ``for_each`` is the path of the collection (a dynamic block's is ``dynamic.<label>.for_each``)."""
        raw = value_at(self.vertices[index], for_each)
        if raw is MISSING:
            return [Opaque(f"{text!r} outside a for_each", None, index, text, exact)]
        for_expression = isinstance(raw, str) and _FOR_EXPRESSION.search(raw) is not None
        produced: list[Fact] = []
        unknown: list[Opaque] = []
        collection = _Context(context.root, depth=context.depth + 1)
        self._resolve(index, for_each, collection, exact=True)
        for fact in collection.facts:
            if isinstance(fact, Lit) and isinstance(fact.value, dict | list) and fact.exact:
                origin = fact.origin if isinstance(fact.value, dict) else None  # where each element is written
                produced += [_substitute(text, key, value, exact, origin) for key, value in _elements(fact.value)]
            elif isinstance(fact, Lit) and isinstance(fact.value, dict | list) and for_expression:
                produced += _through_for_expression(text, fact.value)
            elif isinstance(fact, Ref):
                produced.append(Derived(fact.index, _each_expression(text), direct=fact.exact))
            elif isinstance(fact, Opaque) and fact.exact:
                unknown.append(fact)
        if produced:
            return produced
        source = unknown[0] if unknown else Opaque("the pack cannot evaluate this for_each")
        key = ("each", source.key, text) if source.key and exact else None
        return [Opaque(f"for_each is unknown ({source.reason})", key, index, text, exact)]


_ALTERNATIVES = re.compile(r"^\s*(?:\$\{)?\s*(?:try|coalesce)\s*\((?P<arguments>.*)\)\s*\}?\s*$", re.DOTALL)
_INDEXED_RESOURCE = re.compile(rf"((?:data\.)?{_RESOURCE_TYPE}\.{_NAME})\[[^\]]*\]")


def _part(fact: Fact) -> Fact:
    """The same fact as an ingredient of a larger value rather than the value itself."""
    if isinstance(fact, Lit):
        return Lit(fact.value, exact=False, origin=fact.origin)
    if isinstance(fact, Ref):
        return Ref(fact.index, exact=False)
    if isinstance(fact, Opaque):
        return Opaque(fact.reason, None, fact.index, fact.text, exact=False)
    return fact


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and not (isinstance(value, str) and is_expression(value))


def _substitute_variables(value: Any, substitutions: dict[str, str]) -> Any:
    """``${var.x}`` (and checkov's bare ``var.x``) in every string of ``value`` replaced by a known input."""
    if not substitutions:
        return value
    if isinstance(value, dict):
        return {k: _substitute_variables(v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute_variables(v, substitutions) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        found = substitutions.get(match.group("name") or match.group("bare"))
        return match.group(0) if found is None else found

    return _VARIABLE_TEXT.sub(replace, value)


_VARIABLE_TEXT = re.compile(r"\$\{\s*var\.(?P<name>[A-Za-z_][\w-]*)\s*\}|(?<![\w.])var\.(?P<bare>[A-Za-z_][\w-]*)")


def _alternatives(text: str) -> list[str] | None:
    """The arguments of ``try(...)`` / ``coalesce(...)`` when that call is the whole expression."""
    match = _ALTERNATIVES.match(text)
    if match is None:
        return None
    arguments: list[str] = []
    depth, start, quoted = 0, 0, False
    body = match.group("arguments")
    for position, char in enumerate(body):
        if char == '"' and body[position - 1 : position] != "\\":
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
            if depth < 0:
                return None  # the call closes before the end: not the whole expression
        elif not quoted and char == "," and depth == 0:
            arguments.append(body[start:position].strip())
            start = position + 1
    arguments.append(body[start:].strip())
    return [a for a in arguments if a]


def _literal(text: str) -> Any:
    """A literal argument: a quoted string without interpolation, a number, true/false/null; else MISSING."""
    if re.fullmatch(r'"(?:[^"\\$]|\\.)*"', text):
        return text[1:-1].replace('\\"', '"')
    try:
        return json.loads(text) if re.fullmatch(r"-?\d+(\.\d+)?|true|false|null", text) else MISSING
    except ValueError:
        return MISSING


def _dynamic_iterator(path: str) -> tuple[str, str] | None:
    """``dynamic.reputation_options.content.x`` -> (its for_each path, its iterator name)."""
    match = re.match(r"^dynamic\.([\w-]+)\.content\.", path)
    return (f"dynamic.{match.group(1)}.for_each", match.group(1)) if match else None


def _elements(collection: dict[str, Any] | list[Any]) -> list[tuple[Any, Any]]:
    if isinstance(collection, dict):
        return [(k, v) for k, v in collection.items() if not str(k).startswith("__")]
    return [(item, item) for item in collection]


_EACH = re.compile(r"\$\{\s*(each\.(?:key|value)[\w.\-\[\]\"]*)\s*\}|(each\.(?:key|value)[\w.\-\[\]\"]*)")


def _each_expression(text: str) -> str:
    match = _EACH.search(text)
    return (match.group(1) or match.group(2)) if match else text


def _each_value(expression: str, key: Any, value: Any) -> Any:
    parts = re.findall(r"[\w-]+", expression)  # each.value["a"].b -> each, value, a, b
    node = key if parts[1] == "key" else value
    for part in parts[2:]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return MISSING
    return node


def _substitute(text: str, key: Any, value: Any, exact: bool, origin: tuple[int, str] | None = None) -> Fact:
    """``each.*`` in ``text`` for one element; a whole ``each.value.x`` keeps where the element's ``x`` is
    written (``origin``: the map's block and attribute, extended by the key and ``x``)."""
    whole = _EACH.fullmatch(text.strip())
    if whole:
        expression = whole.group(1) or whole.group(2)
        found = _each_value(expression, key, value)
        if found is MISSING:
            return Opaque(f"{text!r} has no value for key {key!r}")
        fields = re.findall(r"[\w-]+", expression)[2:] if expression.startswith("each.value") else []
        written = (origin[0], ".".join([origin[1], str(key), *fields])) if origin is not None else None
        return Lit(found, exact, written)
    parts: list[str] = []
    last = 0
    for match in _EACH.finditer(text):
        found = _each_value(match.group(1) or match.group(2), key, value)
        if found is MISSING or isinstance(found, dict | list):
            return Opaque(f"{text!r} has no text value for key {key!r}")
        parts += [text[last : match.start()], str(found).lower() if isinstance(found, bool) else str(found)]
        last = match.end()
    rendered = "".join([*parts, text[last:]])
    return Lit(rendered, exact) if not is_expression(rendered) else Opaque(f"cannot evaluate {rendered!r}")


def _through_for_expression(text: str, source: dict[str, Any] | list[Any]) -> list[Fact]:
    """for_each = a for expression over a known collection: each.value.<attribute> is looked up in the
    collection's elements (the common ``{ for s in var.sets : s.name => s }`` shape); each.key and bare
    each.value cannot be known without evaluating the for expression."""
    expression = _each_expression(text)
    parts = re.findall(r"[\w-]+", expression)
    if expression != text.strip() or parts[1] != "value" or len(parts) < 3:
        return [Opaque(f"{text!r} iterates over a for expression the pack does not evaluate")]
    facts: list[Fact] = []
    for _, element in _elements(source):
        found = _each_value(expression, None, element)
        facts.append(Lit(found) if found is not MISSING else Opaque(f"an element has no {'.'.join(parts[2:])}"))
    return facts


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if not str(key).startswith("__"):
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def find_line(path: str, needles: Iterable[str], near: str | None = None, span: tuple[int, int] | None = None) -> int:
    """The first line of ``path`` (within ``span``) holding one of ``needles``, case-insensitive: a line that
    also matches the regular expression ``near`` first, then the first needle after a line matching it, then
    any; the span's first line (or 1) when no line holds one."""
    text = _file_lines(path)
    first, last = span or (1, len(text))
    window = range(first, min(last, len(text)) + 1)
    wanted = [n.lower() for n in needles if n]

    def holds(number: int) -> bool:
        return any(n in text[number - 1].lower() for n in wanted)

    if near is not None:
        pattern = re.compile(near, re.IGNORECASE)
        marked = [n for n in window if pattern.search(text[n - 1])]
        found = [n for n in marked if holds(n)] or [m for n in marked[:1] for m in window if m >= n and holds(m)]
        if found:
            return found[0]
    return next((n for n in window if holds(n)), first)


@functools.lru_cache(maxsize=512)
def _file_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def _folder_of(vertex: Vertex) -> str:
    return os.path.dirname(os.path.abspath(str(vertex.get("file_path_", ""))))


def _scope_of(vertex: Vertex) -> dict[str, Any] | None:
    """The module call a block was copied for: checkov 3.3 hands graph checks a ``TFModule`` object (it
    iterates as the dict of its fields), other versions and serialized graphs JSON text or a dict."""
    scope: Any = vertex.get("source_module_object_")
    if isinstance(scope, str) and scope:
        try:
            loaded = json.loads(scope)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None
    if hasattr(scope, "path") and hasattr(scope, "nested_tf_module"):
        return dict(scope)  # checkov's TFModule: path, name, foreach_idx, nested_tf_module (a dict)
    return scope if isinstance(scope, dict) else None


def _canonical(scope: dict[str, Any] | None) -> str | None:
    return None if scope is None else _call_key(scope)


def _call_key(scope: dict[str, Any] | None) -> str:
    if scope is None:
        return ""
    nested = scope.get("nested_tf_module")
    index = scope.get("foreach_idx")
    return json.dumps(
        [
            os.path.abspath(str(scope.get("path"))),
            str(scope.get("name")),
            None if index is None else str(index),
            _call_key(nested) if isinstance(nested, dict) else None,
        ]
    )


def _base_name(vertex: Vertex) -> str:
    """The block's name without instance key: ``aws_sns_topic.t`` for resources, ``g`` for ``g["a"]``."""
    if vertex.get("block_type_") in ("resource", "data"):
        return _INSTANCE_KEY.sub("", str(vertex.get("id_", "")))
    return _INSTANCE_KEY.sub("", str(vertex.get("block_name_", "")))
