"""Render a tree of HCL fixtures as Terraform JSON (``*.tf`` -> ``*.tf.json``, other files copied).

    <checkov's python> tests/policy/hcl_to_json.py SOURCE_DIR TARGET_DIR

The policy tests run it into a temporary folder so every fixture is also decided in Terraform JSON,
without committing a second copy. It needs python-hcl2, which lives in checkov's virtual environment
(the tests find that interpreter through ``tools.scan.checkov_python``).

Output follows Terraform's JSON syntax (and cdktf's habits): a block that appears once is an object,
repeated blocks are a list, expressions are ``"${...}"`` templates. python-hcl2 renders the object and
list literals inside an expression as Python literals (``{'set': 'x'}``, ``True``); they are turned
back into HCL here, and a fixture using syntax this script cannot render is an error, not a silent skip.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from hcl2.api import loads as parse_hcl  # type: ignore[import-not-found, unused-ignore]  # checkov's venv only

LABELS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1}
_WHOLE_EXPRESSION = re.compile(r"^\$\{(?P<inner>.*)\}$", re.DOTALL)
_PYTHON_CONSTANT = re.compile(r"(True|False|None)\b")
_HCL_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\n": "\n", "\\t": "\t"}


def convert_tree(source: Path, target: Path) -> list[Path]:
    written: list[Path] = []
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.endswith(".tf.json") or "__pycache__" in path.parts:
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".tf":
            out = out.with_suffix(".tf.json")
            out.write_text(json.dumps(convert(path.read_text()), indent=2) + "\n")
        else:
            shutil.copyfile(path, out)
        written.append(out)
    return written


def convert(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind, entries in parse_hcl(text).items():
        section = out.setdefault(kind, {})
        for entry in entries:
            if LABELS.get(kind) == 2:
                for type_name, named in entry.items():
                    for name, body in named.items():
                        section.setdefault(type_name, {})[name] = body_value(body)
                continue
            for name, body in entry.items():
                if name.startswith("__"):
                    continue
                if kind == "locals":
                    section[name] = value(body[0] if isinstance(body, list) and len(body) == 1 else body)
                    continue
                section[name] = body_value(body)
                if kind == "variable" and isinstance(section[name].get("type"), str):
                    section[name]["type"] = _WHOLE_EXPRESSION.sub(r"\g<inner>", section[name]["type"])
    return out


def body_value(body: dict[str, Any]) -> dict[str, Any]:
    """A block body: python-hcl2 wraps every attribute in a list and gives repeated blocks as a list."""
    out: dict[str, Any] = {}
    for key, item in body.items():
        if key.startswith("__"):
            continue
        if isinstance(item, dict):  # the body of a labelled nested block (dynamic "label" { ... })
            out[key] = body_value(item)
        elif isinstance(item, list) and len(item) == 1:
            out[key] = body_value(item[0]) if isinstance(item[0], dict) else value(item[0])
        elif isinstance(item, list) and item and all(isinstance(v, dict) for v in item):
            out[key] = [body_value(v) for v in item]
        else:
            out[key] = value(item)
    return out


def value(item: Any) -> Any:
    if isinstance(item, dict):
        return {k: value(v) for k, v in item.items() if not k.startswith("__")}
    if isinstance(item, list):
        return [value(v) for v in item]
    if isinstance(item, str):
        whole = _WHOLE_EXPRESSION.match(item)
        if whole and _balanced(whole.group("inner")):
            return "${" + expression(whole.group("inner")) + "}"
        if "${" not in item:
            return re.sub(r"\\[\"\\nt]", lambda m: _HCL_ESCAPES[m.group(0)], item)
    return item


def expression(text: str) -> str:
    """An HCL expression as python-hcl2 printed it, with its Python literals turned back into HCL."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            end = _string_end(text, i, '"')
            out.append(text[i : end + 1])
            i = end + 1
        elif char == "'":
            end = _string_end(text, i, "'")
            literal = ast.literal_eval(text[i : end + 1])
            i = end + 1
            if _previous(out) in "{," and text[i:].lstrip().startswith(":"):  # a key of a Python dict
                out.append(literal if re.fullmatch(r"[A-Za-z_][\w-]*", literal) else json.dumps(literal))
                i = text.index(":", i) + 1
                out.append(" =")
            else:
                out.append(_hcl(literal))
        elif (match := _PYTHON_CONSTANT.match(text, i)) and not re.match(r"[\w.]", text[i - 1 : i] or " "):
            out.append({"True": "true", "False": "false", "None": "null"}[match.group(1)])
            i += len(match.group(1))
        else:
            out.append(char)
            i += 1
    rendered = "".join(out)
    if "'" in re.sub(r'"(?:[^"\\]|\\.)*"', "", rendered):
        raise ValueError(f"cannot render this expression as HCL: {text!r}")
    return rendered


def _hcl(literal: Any) -> str:
    if isinstance(literal, str):
        whole = _WHOLE_EXPRESSION.match(literal)
        return expression(whole.group("inner")) if whole and _balanced(whole.group("inner")) else json.dumps(literal)
    raise ValueError(f"unexpected Python literal in an expression: {literal!r}")


def _string_end(text: str, start: int, quote: str) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    raise ValueError(f"unterminated string in {text!r}")


def _previous(parts: list[str]) -> str:
    joined = "".join(parts).rstrip()
    return joined[-1:] or "{"


def _balanced(inner: str) -> bool:
    """``${a}-${b}`` is a template, not one expression: its inner text closes a brace before the end."""
    depth = 0
    for char in inner:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in convert_tree(Path(argv[0]), Path(argv[1])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
