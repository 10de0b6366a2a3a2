"""Regenerate each fixture's main.tf.json (Terraform JSON, cdktf style) from its main.tf.

Needs python-hcl2 (checkov's venv has it): .venv-checkov/bin/python tests/policy/hcl_fixtures_to_json.py
Blocks that appear once become objects (as cdktf writes them), repeated blocks become lists,
expressions become "${...}" interpolations and heredocs become plain strings.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2  # type: ignore[import-not-found]

FIXTURES = Path(__file__).parent / "fixtures"
LABELLED = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1}


def clean_body(body: dict[str, Any]) -> dict[str, Any]:
    """A block body as parsed by checkov's python-hcl2 (every attribute value wrapped in a list)."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key.startswith("__"):
            continue
        if isinstance(value, list) and len(value) == 1:
            inner = value[0]
            out[key] = clean_body(inner) if isinstance(inner, dict) else clean_value(inner)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out[key] = [clean_body(v) for v in value]  # repeated blocks
        else:
            out[key] = clean_value(value)
    return out


def clean_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: clean_value(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{jsonencode\((.*)\)\}", value, flags=re.DOTALL)
        if match:  # python-hcl2 renders the argument as a Python literal; HCL accepts JSON object syntax
            return "${jsonencode(" + json.dumps(ast.literal_eval(match.group(1))) + ")}"
    return value


def convert(tf: Path) -> dict[str, Any]:
    parsed = hcl2.loads(tf.read_text())
    out: dict[str, Any] = {}
    for kind, entries in parsed.items():
        section = out.setdefault(kind, {})
        for entry in entries:
            if kind in LABELLED and LABELLED[kind] == 2:
                for type_name, named in entry.items():
                    for name, body in named.items():
                        section.setdefault(type_name, {})[name] = clean_body(body)
            else:
                for name, body in entry.items():
                    if name.startswith("__"):
                        continue
                    if kind == "locals":
                        section[name] = clean_value(body[0] if isinstance(body, list) and len(body) == 1 else body)
                        continue
                    section[name] = clean_body(body)
                    if kind == "variable" and isinstance(section[name].get("type"), str):
                        section[name]["type"] = section[name]["type"].removeprefix("${").removesuffix("}")
    return out


def main() -> int:
    for tf in sorted(FIXTURES.glob("*/*/main.tf")):
        tf.with_suffix(".tf.json").write_text(json.dumps(convert(tf), indent=2) + "\n")
        print(f"wrote {tf.with_suffix('.tf.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
