"""IAM policy documents as CKV_SESRG_4 reads them: statements, pausing wildcards, policy files.

Plain Python (no checkov, no graph): documents come in as JSON text, decoded JSON (what checkov renders
``jsonencode(...)`` to), ``aws_iam_policy_document`` statement blocks, or ``file()`` / ``templatefile()``
calls that checkov leaves unevaluated and this module reads from disk the way Terraform would.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

# The SES operations that pause (and resume) sending: Service Authorization Reference, SES v1 and v2.
PAUSING_ACTIONS = (
    "ses:PutConfigurationSetSendingOptions",
    "ses:UpdateConfigurationSetSendingEnabled",
    "ses:PutAccountSendingAttributes",
    "ses:UpdateAccountSendingEnabled",
    "ses:UpdateReputationEntityCustomerManagedStatus",
)
# AWS managed policies that grant the pausing actions through a wildcard, and how.
BROAD_MANAGED_POLICIES = {
    "AmazonSESFullAccess": "ses:*",
    "AdministratorAccess": "*",
    "PowerUserAccess": "NotAction iam:*, organizations:*, account:*",
}
UNKNOWN = "__sesrg_unknown__"  # stands for a part of a document the pack cannot read
_MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    services: tuple[str, ...] = ()  # Principal.Service


@dataclass(frozen=True)
class Document:
    """A policy document's statements; ``unknown`` says why part of it could not be read (or None)."""

    statements: tuple[Statement, ...]
    unknown: str | None = None
    file: str | None = None  # the policy file a file() / templatefile() call reads, where a fix goes


@dataclass(frozen=True)
class WildcardGrant:
    """One way an Allow statement grants a pausing action: ``pattern`` (an action pattern) or NotAction."""

    text: str  # "Allow ses:* (includes ses:PutConfigurationSetSendingOptions)"
    pattern: str | None  # the action pattern as written; None for a NotAction

    @property
    def needles(self) -> tuple[str, ...]:
        """What the statement's line holds: the quoted pattern (plain or escaped JSON), or the NotAction key."""
        if self.pattern is None:
            return ("notaction", "not_actions")
        return (f'"{self.pattern}"', f'\\"{self.pattern}\\"', f"'{self.pattern}'")


def document_from_json(value: Any) -> Document:
    """A policy given as JSON text or as decoded JSON (a dict, or a list of policies)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            try:  # HCL strings keep their escapes in checkov's rendering: {\"Version\": ...}
                value = json.loads(value.replace('\\"', '"'))
            except ValueError:
                return Document((), f"policy text is not JSON: {value[:60]!r}")
    statements: list[Statement] = []
    for policy in _as_list(value):
        if not isinstance(policy, dict):
            continue
        for raw in _as_list(policy.get("Statement")):
            if isinstance(raw, dict):
                statements.append(
                    Statement(
                        effect=str(raw.get("Effect", "Allow")),
                        actions=_strings(raw.get("Action")),
                        not_actions=_strings(raw["NotAction"]) if "NotAction" in raw else None,
                        services=_services(raw.get("Principal")),
                    )
                )
    return Document(tuple(statements), _unknown_part(statements))


def statement_from_block(block: dict[str, Any], actions: list[str], not_actions: list[str] | None) -> Statement:
    """One ``statement`` block of an ``aws_iam_policy_document`` (actions resolved by the caller)."""
    services: list[str] = []
    for principal in _as_list(block.get("principals")):
        if not isinstance(principal, dict):
            continue
        kind = str(_first(principal.get("type")))
        identifiers = [UNKNOWN if is_text_expression(i) else i for i in _strings(principal.get("identifiers"))]
        if kind == "Service" or is_text_expression(kind):
            services += identifiers
        elif kind in ("*", "AWS"):
            services += [i for i in identifiers if i == "*" or UNKNOWN in i]
    return Statement(str(_first(block.get("effect")) or "Allow"), tuple(actions), _tuple(not_actions), tuple(services))


def pausing_wildcards(statement: Statement) -> list[str]:
    """How an Allow statement grants a pausing action through a wildcard or NotAction (empty: it does not).

    An exact pausing action is least privilege (ses-reputation-guard's own function needs one); a pattern
    such as ``ses:Put*``, ``ses:*`` or ``*``, or a NotAction that leaves a pausing action out, is not.
    """
    return [grant.text for grant in wildcard_grants(statement)]


def wildcard_grants(statement: Statement) -> list[WildcardGrant]:
    """:func:`pausing_wildcards` with the pattern each grant is written as (to find its line)."""
    if statement.effect.lower() != "allow":
        return []
    found: list[WildcardGrant] = []
    for pattern in statement.actions:
        if UNKNOWN in pattern or not ("*" in pattern or "?" in pattern):
            continue
        granted = [action for action in PAUSING_ACTIONS if matches(pattern, action)]
        if granted:
            found.append(WildcardGrant(f"Allow {pattern} (includes {granted[0]})", pattern))
    if statement.not_actions is not None and not any(UNKNOWN in p for p in statement.not_actions):
        allowed = [a for a in PAUSING_ACTIONS if not any(matches(p, a) for p in statement.not_actions)]
        if allowed:
            found.append(WildcardGrant(f"NotAction {list(statement.not_actions)} (allows {allowed[0]})", None))
    return found


def matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` any run of characters, ``?`` one character."""
    escaped = pattern.lower().replace("[", "[[]")
    return fnmatchcase(action.lower(), escaped)


LAMBDA_SERVICE = "lambda.amazonaws.com"


def trusts_lambda(document: Document) -> bool:
    """An Allow statement names Lambda's service principal, or a wildcard principal that includes it."""
    return any(
        s.effect.lower() == "allow" and any(UNKNOWN not in p and matches(p, LAMBDA_SERVICE) for p in s.services)
        for s in document.statements
    )


def may_trust_lambda(document: Document) -> bool:
    """Part of the trust policy is unknown where it could make Lambda a principal: the document could not be
    read, or a statement's effect or principal is unknown. Unknown actions or conditions of a statement whose
    principals are known and are not Lambda (an OIDC provider, an account) do not make a Lambda role."""
    if document.unknown is None:
        return False
    if not document.statements:
        return True
    return any(UNKNOWN in s.effect or any(UNKNOWN in p for p in s.services) for s in document.statements)


def broad_managed_policy(arn_or_name: str) -> str | None:
    """``arn:aws:iam::aws:policy/AmazonSESFullAccess`` (or the bare name) -> what it grants, else None."""
    name = arn_or_name.rsplit("/", 1)[-1]
    if arn_or_name.startswith("arn:") and ":iam::aws:policy/" not in arn_or_name:
        return None  # a customer managed policy of the same name
    return BROAD_MANAGED_POLICIES.get(name)


# -- jsonencode(), file() and templatefile() ---------------------------------------------------------------
_FILE_CALL = re.compile(
    r"^\s*(?:\$\{)?\s*(?P<function>file|templatefile)\(\s*\"(?P<path>(?:[^\"\\\\]|\\\\.)*)\"\s*(?P<rest>.*)$", re.DOTALL
)
_JSONENCODE_CALL = re.compile(r"^\s*(?:\$\{)?\s*jsonencode\((?P<argument>.*)\)\s*\}?\s*$", re.DOTALL)
# "${path.module}" in HCL; checkov's Terraform JSON rendering drops the braces: "path.module/..."
_PATH_REFERENCE = re.compile(r"\$\{\s*path\.(module|root|cwd)\s*\}|^path\.(module|root|cwd)(?=/)")


def policy_expression(expression: str, module_dir: str, root_dir: str) -> Document | None:
    """The document a ``jsonencode({...})``, ``file("...")`` or ``templatefile("...", {...})`` expression
    stands for, or None when the expression is none of these. ``path.module`` is the folder of the block's
    module; a relative path without it is relative to the root module (Terraform's working directory)."""
    encoded = _JSONENCODE_CALL.match(expression)
    if encoded is not None:
        value = hcl_literal(encoded.group("argument"))
        return (
            Document((), "jsonencode() of an expression the pack cannot read")
            if value is None
            else document_from_json(_mark_unknown(value))
        )
    call = _FILE_CALL.match(expression)
    if call is None:
        return None
    path = _PATH_REFERENCE.sub(
        lambda m: module_dir if "module" in (m.group(1), m.group(2)) else root_dir, call.group("path")
    )
    if "${" in path:
        return Document((), f"the policy file path {call.group('path')!r} depends on values the pack cannot know")
    path = os.path.normpath(os.path.join(root_dir, path))
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(_MAX_FILE_BYTES)
    except OSError as error:
        return Document((), f"cannot read policy file {path}: {error.strerror}")
    if call.group("function") == "templatefile":
        text = render_template(text, _template_variables(call.group("rest")))
    document = document_from_json(text)
    if not document.statements and document.unknown is None:
        return Document((), f"policy file {path} holds no statement", path)
    return Document(document.statements, document.unknown, path)


def _template_variables(arguments: str) -> dict[str, Any] | None:
    """The variables map after a templatefile's path: ``, {name = value})`` (None when it is unknown)."""
    parser = _LiteralParser(arguments)
    try:
        parser.space()
        value = parser.value() if parser.text[parser.i] == "{" else None
    except (IndexError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def render_template(text: str, variables: dict[str, Any] | None) -> str:
    """A Terraform template with known variables substituted and anything else replaced by UNKNOWN, kept
    valid JSON where the template is JSON (inside a string the placeholder is bare, outside it is quoted).
    Directives (``%{ for }``, ``%{ if }``) are dropped, keeping their bodies once."""
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(text):
        if text.startswith(("${", "%{"), i):
            end = _closing_brace(text, i + 1)
            if text[i] == "$":
                out.append(_interpolate(text[i + 2 : end].strip(), variables or {}, in_string))
            i = end + 1
            continue
        char = text[i]
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            in_string = not in_string
        out.append(char)
        i += 1
    return "".join(out)


def _interpolate(expression: str, variables: dict[str, Any], in_string: bool) -> str:
    value = variables.get(expression, UNKNOWN) if re.fullmatch(r"[A-Za-z_]\w*", expression) else UNKNOWN
    if isinstance(value, str):
        return json.dumps(value)[1:-1] if in_string else json.dumps(value)
    return json.dumps(UNKNOWN)[1:-1] if in_string else json.dumps(value)


def _closing_brace(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(text) - 1


def hcl_literal(text: str) -> Any:
    """An HCL literal as Terraform or checkov writes it (``{Version = "x"}``, ``{"a" : [1, true]}``,
    ``{'a': b}``): objects, lists, strings, numbers, booleans. Any other expression inside it (a reference,
    a function call) becomes UNKNOWN; None when the text is no literal at all."""
    parser = _LiteralParser(text)
    try:
        value = parser.value()
        parser.space()
        return value if parser.at_end() else None
    except (IndexError, ValueError):
        return None


class _LiteralParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def at_end(self) -> bool:
        return self.i >= len(self.text)

    def space(self) -> None:
        while not self.at_end() and (self.text[self.i].isspace() or self.text[self.i] == ","):
            self.i += 1

    def value(self) -> Any:
        self.space()
        char = self.text[self.i]
        if re.match(r"[\[{]\s*for\s", self.text[self.i :]):
            return self.expression()
        if char == "{":
            return self.collection("}", keyed=True)
        if char == "[":
            return self.collection("]", keyed=False)
        if char in "\"'":
            return self.string()
        word = re.match(r"-?\d+(\.\d+)?|true\b|false\b|null\b|True\b|False\b|None\b", self.text[self.i :])
        if word and not re.match(r"[\w.(\[]", self.text[self.i + word.end() : self.i + word.end() + 1]):
            self.i += word.end()
            constants = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
            return constants[word.group(0)] if word.group(0) in constants else json.loads(word.group(0))
        return self.expression()

    def collection(self, closing: str, *, keyed: bool) -> Any:
        self.i += 1
        items: list[Any] = []
        entries: dict[str, Any] = {}
        while True:
            self.space()
            if self.text[self.i] == closing:
                self.i += 1
                return entries if keyed else items
            if keyed:
                key = self.key()
                self.space()
                if self.text[self.i] not in "=:":
                    raise ValueError("object key without = or :")
                self.i += 1
                entries[key] = self.value()
            else:
                items.append(self.value())

    def key(self) -> str:
        if self.text[self.i] in "\"'":
            return str(self.string())
        match = re.match(r"[A-Za-z_][\w-]*", self.text[self.i :])
        if match is None:
            self.expression()
            return UNKNOWN
        self.i += match.end()
        return match.group(0)

    def string(self) -> str:
        quote = self.text[self.i]
        out: list[str] = []
        self.i += 1
        while self.text[self.i] != quote:
            if self.text[self.i] == "\\":
                self.i += 1
                out.append({"n": "\n", "t": "\t"}.get(self.text[self.i], self.text[self.i]))
            else:
                out.append(self.text[self.i])
            self.i += 1
        self.i += 1
        return "".join(out)

    def expression(self) -> str:
        """Skip an expression up to the next top-level separator; its value is unknown."""
        depth = 0
        while not self.at_end():
            char = self.text[self.i]
            if char in "\"'":
                self.string()
                continue
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.i += 1
        return UNKNOWN


# -- helpers ---------------------------------------------------------------------------------------------------
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [item for element in value for item in _as_list(element)] if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in _as_list(value))


def is_text_expression(text: str) -> bool:
    """Text checkov left unevaluated (an interpolation or a reference), not a literal."""
    return "${" in text or text.startswith(("var.", "local.", "module.", "data.", "each."))


def _mark_unknown(value: Any) -> Any:
    """A decoded ``jsonencode`` argument whose unevaluated strings (``"var.service:*"``) are marked unknown."""
    if isinstance(value, dict):
        return {k: _mark_unknown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_unknown(v) for v in value]
    return UNKNOWN if isinstance(value, str) and is_text_expression(value) else value


def _tuple(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _services(principal: Any) -> tuple[str, ...]:
    """The principals that could be a service: ``Service`` entries, ``"*"`` (anyone) and ``AWS = "*"``;
    an unknown principal stays UNKNOWN."""
    services: list[str] = []
    for item in _as_list(principal):
        if isinstance(item, dict):
            services += _strings(item.get("Service"))
            services += [p for p in _strings(item.get("AWS")) if p == "*" or UNKNOWN in p]
        elif isinstance(item, str) and (item == "*" or UNKNOWN in item):
            services.append(item)
    return tuple(dict.fromkeys(services))


def _unknown_part(statements: Iterable[Statement]) -> str | None:
    for statement in statements:
        parts: Iterator[str] = iter((*statement.actions, *(statement.not_actions or ()), statement.effect))
        if any(UNKNOWN in part for part in parts):
            return "a statement's actions or effect depend on values the pack cannot know"
        if any(UNKNOWN in service for service in statement.services):
            return "a statement's principal depends on values the pack cannot know"
    return None
