"""HCL rendering of a synthesized stack, with the cdktf 0.21 HCL bugs worked around.

``cdktf.Testing.synth_hcl`` renders real HCL but (a) top-level overrides of the ``terraform`` block
come out as ``0 = "required_version"``, (b) every expression stays wrapped as ``"${...}"`` and
(c) nothing is indented. We rewrite the ``terraform`` block, unwrap whole-string interpolations
into plain expressions and let ``terraform fmt`` indent. Every result is checked by
``terraform validate`` in the tests.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass

from ses_reputation_guard._cdktf import TerraformStack, Testing

_TOP_LEVEL_BLOCK = re.compile(r"^(terraform|locals|provider|variable|output|data|resource|module)\b[^\n{]*\{", re.M)


@dataclass(frozen=True)
class HclBlock:
    kind: str
    """``terraform``, ``locals``, ``provider``, ``variable``, ``output``, ``data``, ``resource``, ``module``."""
    text: str


def closing_bracket(text: str, opening: int, pair: str) -> int:
    """Index just past the bracket matching ``text[opening]`` (``pair`` is e.g. ``"[]"``), string-aware."""
    depth = 0
    i = opening
    while i < len(text):
        char = text[i]
        if char == '"':
            i = string_end(text, i)
            continue
        if char == pair[0]:
            depth += 1
        elif char == pair[1]:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced {pair} at offset {opening}")


def string_end(text: str, start: int) -> int:
    """Index just past the closing quote of the string literal opening at ``start``."""
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            return i + 1
        if text.startswith("${", i) or text.startswith("%{", i):
            i = closing_bracket(text, i + 1, "{}")
            continue
        i += 1
    raise ValueError(f"unterminated string literal at offset {start}")


def unwrap_interpolations(hcl: str) -> str:
    """``"${expr}"`` (the whole string one interpolation) becomes ``expr``, recursively."""
    out: list[str] = []
    i = 0
    while i < len(hcl):
        if hcl[i] == "#":  # comment to end of line
            end = hcl.find("\n", i)
            end = len(hcl) if end < 0 else end
            out.append(hcl[i:end])
            i = end
            continue
        if hcl[i] != '"':
            out.append(hcl[i])
            i += 1
            continue
        end = string_end(hcl, i)
        literal = hcl[i:end]
        if literal.startswith('"${') and closing_bracket(hcl, i + 2, "{}") == end - 1:
            inner = literal[3:-2]
            out.append(unwrap_interpolations(inner))
        else:
            out.append(literal)
        i = end
    return "".join(out)


_QUOTED = r'"(?:[^"\\]|\\.)*"'
_IGNORE_CHANGES = re.compile(rf"((?:ignore_changes|depends_on)\s*=\s*\[)((?:\s*{_QUOTED}\s*,?)*\s*)(\])")


def unquote_ignore_changes(hcl: str) -> str:
    """``ignore_changes = ["x", "tags[\\"k\\"]"]`` becomes ``ignore_changes = [x, tags["k"]]`` (quoted
    references are deprecated; an item may itself hold a quoted map key)."""

    def unquote(match: re.Match[str]) -> str:
        items = re.sub(_QUOTED, lambda item: str(json.loads(item.group(0))), match.group(2))
        return match.group(1) + items + match.group(3)

    return _IGNORE_CHANGES.sub(unquote, hcl)


_CONDITION_LIST = re.compile(r"(?m)^(\s*)(precondition|postcondition)\s*=\s*\[")


def blockify_conditions(hcl: str) -> str:
    """``precondition = [{...}]`` (how cdktf renders lifecycle conditions) becomes ``precondition {...}`` blocks."""
    while (match := _CONDITION_LIST.search(hcl)) is not None:
        indent, kind = match.group(1), match.group(2)
        end = closing_bracket(hcl, match.end() - 1, "[]")
        body = hcl[match.end() : end - 1]
        blocks = []
        position = 0
        while (start := body.find("{", position)) >= 0:
            stop = closing_bracket(body, start, "{}")
            blocks.append(f"{indent}{kind} {body[start:stop]}")
            position = stop
        hcl = hcl[: match.start()] + "\n".join(blocks) + hcl[end:]
    return hcl


_PROSE_LINE = re.compile(r'(?m)^(\s*(?:error_message|description|alarm_description)\s*=\s*")(.*)("\s*)$')


def escape_prose_quotes(hcl: str) -> str:
    """Escape ``"`` inside one-line messages and descriptions (outside their ``${...}``): cdktf 0.21
    renders ``'rule "x"'`` as ``"rule "x""``, which is not HCL."""

    def escape(match: re.Match[str]) -> str:
        text, out, depth, i = match.group(2), [], 0, 0
        while i < len(text):
            if text[i] == "\\":
                out.append(text[i : i + 2])
                i += 2
                continue
            if text.startswith("${", i) or text.startswith("%{", i):
                depth += 1
                out.append(text[i : i + 2])
                i += 2
                continue
            char = text[i]
            if depth and char in "{}":
                depth += 1 if char == "{" else -1
            out.append('\\"' if char == '"' and not depth else char)
            i += 1
        return match.group(1) + "".join(out) + match.group(3)

    return _PROSE_LINE.sub(escape, hcl)


def clean_block(text: str) -> str:
    """Every workaround for one rendered block, in the order they must run."""
    return blockify_conditions(unquote_ignore_changes(unwrap_interpolations(text)))


def split_blocks(hcl: str) -> list[HclBlock]:
    """Top-level blocks in order (the renderer starts each at column 0)."""
    blocks: list[HclBlock] = []
    position = 0
    while True:
        match = _TOP_LEVEL_BLOCK.search(hcl, position)
        if match is None:
            return blocks
        end = closing_bracket(hcl, match.end() - 1, "{}")
        blocks.append(HclBlock(kind=match.group(1), text=hcl[match.start() : end]))
        position = end


def terraform_fmt(hcl: str) -> str:
    """Indent with ``terraform fmt`` when Terraform is installed (output is stable either way)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return hcl
    result = subprocess.run(
        [terraform, "fmt", "-no-color", "-"], input=hcl, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ValueError(f"terraform fmt rejected the generated HCL:\n{result.stderr}")
    return result.stdout


def terraform_block(required_version: str, provider_version: str, backend: str = "") -> str:
    return (
        "terraform {\n"
        f'  required_version = "{required_version}"\n'
        "  required_providers {\n"
        "    aws = {\n"
        '      source  = "hashicorp/aws"\n'
        f'      version = "{provider_version}"\n'
        "    }\n"
        "  }\n"
        f"{backend}"
        "}\n"
    )


def _backend_text(block: HclBlock) -> str:
    match = re.search(r'\n\s*(backend\s+"[^"]+"\s*\{)', block.text)
    if match is None:
        return ""
    end = closing_bracket(block.text, match.end() - 1, "{}")
    return "  " + block.text[match.start(1) : end] + "\n"


def synth_blocks(stack: TerraformStack) -> list[HclBlock]:
    """The stack's HCL as cdktf renders it (quotes in prose escaped), block by block."""
    return split_blocks(escape_prose_quotes(Testing.synth_hcl(stack)))


def render_stack_hcl(stack: TerraformStack, required_version: str, provider_version: str) -> str:
    """The whole stack as formatted HCL, with a correct ``terraform`` block."""
    blocks = synth_blocks(stack)
    parts: list[str] = []
    for block in blocks:
        if block.kind == "terraform":
            parts.append(terraform_block(required_version, provider_version, _backend_text(block)))
        else:
            parts.append(clean_block(block.text))
    return terraform_fmt("\n".join(parts) + "\n")
