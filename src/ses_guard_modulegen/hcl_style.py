"""Hand-written HCL style for rendered blocks: meta-arguments first, nested blocks apart, short lines.

cdktf renders every block with its attributes in alphabetical order, ``count`` / ``for_each`` and
``lifecycle`` last, lists one item per line and objects on one (sometimes 1,000-character) line.
``tidy_block`` rewrites a block the way people write Terraform: ``count`` / ``for_each`` first, the
resource's name first among its attributes, ``tags`` last, nested blocks separated by blank lines,
``depends_on`` / ``lifecycle`` at the end; an expression stays on one line when it fits
``LINE_WIDTH`` and is otherwise broken at its brackets, one list item or object attribute per line.
Only layout changes: the same tokens in the same order, so Terraform reads the same configuration
(``tools/snapshot.py`` compares the parsed module before and after).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ses_guard_modulegen.hcl import closing_bracket, string_end

LINE_WIDTH = 120
# Call arguments this short stay before a broken last argument: merge(var.tags, {
_SHORT_GROUP = 48
# List items at least this long on average go one per line when the list has to be broken.
_LONG_ITEM = 24
_META_FIRST = ("count", "for_each", "provider")
_IDENTITY_FIRST = ("name", "alarm_name", "function_name", "configuration_set_name", "sid", "effect")
_TAIL = ("depends_on", "lifecycle")
_PAIRS = {"[": "]", "{": "}", "(": ")"}
_IDENTIFIER_KEY = re.compile(r'^"([A-Za-z_][A-Za-z0-9_]*)"\s*=')
_KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if"})
_ITEM_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)")


@dataclass(frozen=True)
class _Group:
    """A bracketed part of an expression: its items (already flattened) and whether it is a ``for``."""

    opening: str
    items: tuple[str, ...]
    is_for: bool

    @property
    def closing(self) -> str:
        return _PAIRS[self.opening]

    @property
    def breakable(self) -> bool:
        """Worth one item per line: a ``for``, an object of several attributes, a list of long items.
        (A list of short scalars such as ``[1, 3, 5, ...]`` stays on one line, as people write it.)"""
        if self.opening == "(" or not self.items:
            return False
        if self.is_for or (self.opening == "{" and len(self.items) > 1):
            return True
        return sum(len(item) for item in self.items) / len(self.items) >= _LONG_ITEM or any(
            bracket in item for item in self.items for bracket in "[{("
        )

    def flat(self) -> str:
        if self.opening == "(":
            return "(" + ", ".join(self.items) + ")"
        if not self.items:
            return self.opening + self.closing
        inner = self.items[0] if self.is_for else ", ".join(self.items)
        padding = " " if self.opening == "{" else ""
        return f"{self.opening}{padding}{inner}{padding}{self.closing}"


# --- expressions ---------------------------------------------------------------------------------------
def _parts(expression: str) -> list[str | _Group]:
    """The expression as text runs (whitespace collapsed, strings verbatim) and bracket groups."""
    parts: list[str | _Group] = []
    text: list[str] = []
    i = 0
    while i < len(expression):
        char = expression[i]
        if char == '"':
            end = string_end(expression, i)
            text.append(expression[i:end])
            i = end
        elif char == "[" and _is_index(text, parts):
            end = closing_bracket(expression, i, "[]")
            text.append("[" + flatten(expression[i + 1 : end - 1]) + "]")
            i = end
        elif char in _PAIRS:
            end = closing_bracket(expression, i, char + _PAIRS[char])
            parts += ["".join(text)] if text else []
            text = []
            parts.append(_group(char, expression[i + 1 : end - 1]))
            i = end
        elif char.isspace():
            # One space stands for any run of whitespace, except at the very start.
            if (text and not text[-1].endswith(" ")) or (not text and parts):
                text.append(" ")
            i += 1
        else:
            text.append(char)
            i += 1
    if text:
        parts.append("".join(text))
    return parts


def _is_index(text: list[str], parts: list[str | _Group]) -> bool:
    """True when a ``[`` follows a name, a call or another index directly: ``s[k]``, ``f(x)[0]``."""
    if text:
        return bool(re.search(r"[A-Za-z0-9_\])]$", text[-1]))
    return bool(parts) and isinstance(parts[-1], _Group) and parts[-1].opening == "("


def _top_level(text: str, start: int = 0) -> Iterator[int]:
    """Positions in ``text`` (from ``start``) outside string literals and bracket groups."""
    i = start
    while i < len(text):
        if text[i] == '"':
            i = string_end(text, i)
        elif text[i] in _PAIRS:
            i = closing_bracket(text, i, text[i] + _PAIRS[text[i]])
        else:
            yield i
            i += 1


def _split_items(content: str, *, on_newlines: bool) -> list[str]:
    """Top-level items of a bracket's content, split at commas (and newlines in lists and objects)."""
    separators = ",\n" if on_newlines else ","
    cuts = [i for i in _top_level(content) if content[i] in separators]
    items = [content[begin + 1 : end] for begin, end in zip([-1, *cuts], [*cuts, len(content)], strict=True)]
    return [flatten(item) for item in items if item.strip()]


def _group(opening: str, content: str) -> _Group:
    if opening != "(" and content.strip().startswith("for "):
        return _Group(opening, (flatten(content),), is_for=True)
    items = _split_items(content, on_newlines=opening != "(")
    if opening == "{":
        items = [_unquote_key(item) for item in items]
    return _Group(opening, tuple(items), is_for=False)


def _unquote_key(item: str) -> str:
    """``"Version" = x`` becomes ``Version = x`` (an identifier key is a literal string key in HCL)."""
    match = _IDENTIFIER_KEY.match(item)
    if match is None or match.group(1) in _KEYWORDS:
        return item
    return match.group(1) + item[match.end(1) + 1 :]


def flatten(expression: str) -> str:
    """The expression on one line, in canonical spacing."""
    return "".join(part if isinstance(part, str) else part.flat() for part in _parts(expression)).strip()


def render_expression(expression: str, indent: int, column: int | None = None) -> str:
    """``expression`` (flattened) on one line if it fits, else broken at its brackets.

    ``indent`` is the indentation of the line the expression is on, ``column`` where it starts
    (default: ``indent``). The longest bracket group is broken first (one item per line, indented two
    more), then the next, while that shortens the widest line, until every line fits.
    """
    start = indent if column is None else column
    if start + len(expression) <= LINE_WIDTH:
        return expression
    parts = _parts(expression)
    breakable = [i for i, part in enumerate(parts) if isinstance(part, _Group) and part.breakable]
    breakable.sort(key=lambda i: -len(str(_flat(parts[i]))))
    broken: set[int] = set()
    rendered = _render_parts(parts, broken, indent, start)
    for candidate in breakable:
        if _widest_line(rendered, start) <= LINE_WIDTH:
            break
        attempt = _render_parts(parts, broken | {candidate}, indent, start)
        if _widest_line(attempt, start) < _widest_line(rendered, start):  # keep a break only if it helps
            broken.add(candidate)
            rendered = attempt
    return rendered


def _flat(part: str | _Group) -> str:
    return part if isinstance(part, str) else part.flat()


def _render_parts(parts: list[str | _Group], broken: set[int], indent: int, start: int) -> str:
    rendered = ""
    for index, part in enumerate(parts):
        if isinstance(part, str):
            rendered += part
        elif part.opening == "(":
            rendered += _render_arguments(part, indent, _column_after(rendered, start, indent))
        elif index not in broken:
            rendered += part.flat()
        elif part.is_for:
            rendered += f"{part.opening}\n{render_expression(part.items[0], indent + 2)}\n{part.closing}"
        else:
            separator = "," if part.opening == "[" else ""
            lines = [render_expression(item, indent + 2) + separator for item in part.items]
            rendered += part.opening + "\n" + "\n".join(lines) + "\n" + part.closing
    return rendered


def _widest_line(text: str, start: int) -> int:
    lines = text.split("\n")
    return max([start + len(lines[0]), *(len(line) for line in lines[1:])])


def _render_arguments(call: _Group, indent: int, column: int) -> str:
    """A call's arguments: on one line, breaking inside them where needed (``merge(var.tags, {``,
    ``jsonencode({``); one argument per line only for three or more long arguments."""
    short_leading = all(len(item) <= _SHORT_GROUP and "(" not in item for item in call.items[:-1])
    if column + len(call.flat()) <= LINE_WIDTH or short_leading or len(call.items) < 3:
        inner = ""
        for position, item in enumerate(call.items):
            separator = ", " if position else ""
            inner += separator + render_expression(item, indent, _column_after(inner + separator, column + 1, indent))
        return f"({inner})"
    lines = [render_expression(item, indent + 2) + "," for item in call.items]
    return "(\n" + "\n".join(lines) + "\n)"


def _column_after(text: str, start: int, indent: int) -> int:
    """Column just after ``text`` when it starts at ``start`` (its later lines start at ``indent``)."""
    if "\n" not in text:
        return start + len(text)
    return indent + len(text.rsplit("\n", 1)[1])


# --- blocks ------------------------------------------------------------------------------------------
def body_items(body: str) -> list[str]:
    """Top-level items of a block body (attributes and nested blocks), comments kept with the next item."""
    items: list[str] = []
    pending: list[str] = []
    i = 0
    while i < len(body):
        if body[i].isspace():
            i += 1
            continue
        if body[i] == "#":
            end = body.find("\n", i)
            end = len(body) if end < 0 else end
            pending.append(body[i:end])
            i = end
            continue
        end = _item_end(body, i)
        items.append("\n".join([*pending, body[i:end].strip()]))
        pending = []
        i = end
    return items


def _item_end(body: str, start: int) -> int:
    """End of the attribute or nested block starting at ``start``: the first newline outside brackets."""
    return next((i for i in _top_level(body, start) if body[i] == "\n"), len(body))


def item_name(item: str) -> str:
    code = "\n".join(line for line in item.splitlines() if not line.lstrip().startswith("#"))
    match = _ITEM_NAME.match(code.strip())
    return match.group(1) if match else ""


def _is_nested_block(item: str) -> bool:
    code = [line for line in item.splitlines() if not line.lstrip().startswith("#")]
    return bool(code) and re.match(r'^[A-Za-z_][A-Za-z0-9_-]*(\s+"[^"]*")*\s*\{', code[0].strip()) is not None


def _tidy_item(item: str, indent: int) -> str:
    lines = item.splitlines()
    comments = [line.strip() for line in lines if line.lstrip().startswith("#")]
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#")).strip()
    if _is_nested_block(item):
        text = tidy_block(code, indent)
    else:
        name, _, expression = code.partition("=")
        text = f"{name.strip()} = {render_expression(flatten(expression), indent + len(name.strip()) + 3)}"
    return "\n".join([*comments, text])


def tidy_block(block: str, indent: int = 0) -> str:
    """The block (``header { body }``) rearranged and re-wrapped; ``terraform fmt`` indents it after."""
    lines = block.strip().splitlines()
    leading: list[str] = []  # comments above the header stay there; those in the body stay with their item
    while lines and lines[0].lstrip().startswith("#"):
        leading.append(lines.pop(0).strip())
    block = "\n".join(lines)
    opening = block.index("{")
    header = "\n".join([*leading, " ".join(block[:opening].split())])
    items = body_items(block[opening + 1 : block.rindex("}")])
    meta = [item for item in items if item_name(item) in _META_FIRST]
    tail = sorted((item for item in items if item_name(item) in _TAIL), key=lambda item: _TAIL.index(item_name(item)))
    rest = [item for item in items if item not in meta and item not in tail]
    nested = [item for item in rest if _is_nested_block(item)]
    attributes = [item for item in rest if item not in nested]
    attributes.sort(key=_attribute_rank)
    groups = [meta, attributes, *([item] for item in nested), *([item] for item in tail)]
    body = "\n\n".join("\n".join(_tidy_item(item, indent + 2) for item in group) for group in groups if group)
    return f"{header} {{\n{body}\n}}" if body else f"{header} {{}}"


def _attribute_rank(item: str) -> tuple[int, int]:
    name = item_name(item)
    if name in _IDENTITY_FIRST:
        return 0, _IDENTITY_FIRST.index(name)
    return (2 if name == "tags" else 1), 0
