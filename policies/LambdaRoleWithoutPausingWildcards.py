"""CKV_SESRG_4: Lambda execution roles are not granted SES pausing through wildcards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sesrg.check import SesrgGraphCheck, Verdict, Where, failed, passed, unknown
from sesrg.graph import (
    Fact,
    Lit,
    Opaque,
    Ref,
    ResourceGraph,
    blocks,
    find_line,
    flatten,
    is_expression,
    literal_strings,
)
from sesrg.iam import (
    UNKNOWN,
    Document,
    Statement,
    broad_managed_policy,
    document_from_json,
    may_trust_lambda,
    policy_expression,
    statement_from_block,
    trusts_lambda,
    wildcard_grants,
)

_AWS_MANAGED_POLICY = re.compile(r":iam::aws:policy/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)\}?$")
ROLE = "aws_iam_role"
FUNCTION = "aws_lambda_function"
POLICY = "aws_iam_policy"
DOCUMENT = "aws_iam_policy_document"
# resource type -> (attribute naming the role, attribute holding what it grants, "document" | "arn")
ATTACHMENTS = {
    "aws_iam_role_policy": ("role", "policy", "document"),
    "aws_iam_role_policy_attachment": ("role", "policy_arn", "arn"),
    "aws_iam_policy_attachment": ("roles", "policy_arn", "arn"),
    "aws_iam_role_policy_attachments_exclusive": ("role_name", "policy_arns", "arn"),
}


_ACTION_KEY = r"action"  # the line of a statement that names its actions: Action, actions, NotAction, not_actions


@dataclass(frozen=True)
class _Part:
    """Part of a policy: its statements, the block that holds them (reported) and the block they are written
    in (a local or a variable default the holder reads; the holder itself when written in place)."""

    document: Document
    at: int
    written: int


@dataclass(frozen=True)
class _Grant:
    text: str  # "Allow ses:* (includes ses:PutConfigurationSetSendingOptions)"
    at: int  # the block reported: the policy document, policy, attachment or role that holds the grant
    fix: Where  # the statement's line (in a policy file for file() / templatefile())
    via: str  # how it reaches the role


@dataclass
class _Grants:
    bad: list[_Grant] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)

    def add(self, graph: ResourceGraph, via: str, parts: list[_Part]) -> None:
        for part in parts:
            for statement in part.document.statements:
                for grant in wildcard_grants(statement):
                    if part.document.file is not None:
                        fix = (part.document.file, find_line(part.document.file, grant.needles, _ACTION_KEY))
                    else:
                        fix = graph.locate(part.written, grant.needles, _ACTION_KEY)
                    self.bad.append(_Grant(grant.text, part.at, fix, via))
            if part.document.unknown:
                self.doubts.append(f"{via}: {part.document.unknown}")


@dataclass
class _Root:
    """What the functions and attachments of one root configuration point at."""

    function_roles: set[tuple[str, str | None, str]] = field(default_factory=set)
    function_role_names: set[str] = field(default_factory=set)
    attachments: list[tuple[int, list[Fact]]] = field(default_factory=list)  # attachment, its role facts


class LambdaRoleWithoutPausingWildcards(SesrgGraphCheck):
    """A function that pauses one configuration set needs one exact action on one set's ARN. A wildcard
    that includes a pausing action (``ses:*``, ``ses:Put*``, ``ses:Update*``, ``*``, a NotAction that
    leaves one out, AmazonSESFullAccess) also lets it pause or resume any set or the whole account.

    Roles in scope: trusted by ``lambda.amazonaws.com`` or used as an ``aws_lambda_function``'s role.
    Grants: ``managed_policy_arns``, ``inline_policy``, ``aws_iam_role_policy``,
    ``aws_iam_role_policy_attachment``, ``aws_iam_policy_attachment`` and
    ``aws_iam_role_policy_attachments_exclusive``, naming the role through references (locals, module
    inputs and outputs) or its literal name or ARN; policies as policy documents, ``jsonencode``, JSON text
    or ``file()`` / ``templatefile()`` relative to the module, as Terraform reads them.

    Reported where the fix goes: a failure on the block that holds the granting statement (the
    ``aws_iam_policy_document``, ``aws_iam_policy``, ``aws_iam_role_policy``, the attachment of a broad AWS
    managed policy, or the role itself for its ``managed_policy_arns`` / ``inline_policy``), with the
    statement's line; passes and unknowns on the role.
    """

    check_id = "CKV_SESRG_4"
    check_name = (
        "Ensure no IAM policy grants a Lambda function's role SES pausing actions through wildcards "
        "(ses:*, ses:Put*, ses:Update*, *, NotAction, AmazonSESFullAccess)"
    )
    check_category = "IAM"
    fix_hint = (
        "replace the wildcard with the exact actions the function needs (ses:SendEmail, ses:SendRawEmail; a "
        "pausing action such as ses:PutConfigurationSetSendingOptions only if the function pauses sets), or "
        "detach the broad managed policy"
    )
    subject_types = (ROLE,)
    evaluated_keys = ("assume_role_policy", "managed_policy_arns", "inline_policy", "policy", "policy_arn")

    def __init__(self) -> None:
        super().__init__()
        # a failure is reported on the block that grants the wildcard, which may be any of these
        self.resource_types = [ROLE, POLICY, DOCUMENT, *ATTACHMENTS]

    def evaluate(self, graph: ResourceGraph) -> Iterator[tuple[int, Verdict]]:
        per_root: dict[str, _Root] = {}
        for index, root in self.subjects(graph):
            if root not in per_root:
                per_root[root] = _root(graph, root)
            for verdict in _decide(graph, index, root, per_root[root]):
                yield index, verdict


def _decide(graph: ResourceGraph, index: int, root: str, context: _Root) -> list[Verdict]:
    """The role's verdict; a failure is reported on each block that grants a wildcard (the policy document,
    policy, attachment or the role's own managed_policy_arns / inline_policy), at the statement's line."""
    names = set(literal_strings(graph.facts(index, "name", root)))
    trust = _document(graph, index, "assume_role_policy", root)
    used = graph.identity(index) in context.function_roles or bool(names & context.function_role_names)
    if not used and not trusts_lambda(trust) and not may_trust_lambda(trust):
        return []  # not a Lambda role (only a principal that can be Lambda makes one): out of scope
    grants = _grants(graph, index, root, context, names)
    lambda_role = used or trusts_lambda(trust)
    bad = sorted(grants.bad, key=lambda g: (g.via, g.text, g.at))
    grants.doubts.sort()
    role = graph.address(index)
    if bad and lambda_role:
        return [failed(f"{g.text}, granted to Lambda role {role} {g.via}", at=g.at, fix=g.fix) for g in bad]
    if bad:
        return [
            unknown(f"{bad[0].via}: {bad[0].text}, and whether Lambda assumes this role is unknown ({trust.unknown})")
        ]
    if grants.doubts and lambda_role:
        return [unknown("; ".join(grants.doubts))]
    return [passed("no wildcard grants a pausing action")] if lambda_role else []


def _grants(graph: ResourceGraph, index: int, root: str, context: _Root, names: set[str]) -> _Grants:
    grants = _Grants()
    _policy_arns(graph, index, "managed_policy_arns", root, "through its managed_policy_arns", grants)
    for path, _ in blocks(graph.vertices[index], "inline_policy"):
        grants.add(graph, "through its inline_policy", _parts(graph, index, f"{path}.policy", root))
    for attachment, role_facts in context.attachments:
        attached = _names_role(graph, role_facts, graph.identity(index), names)
        if attached is False:
            continue
        via = f"through {graph.address(attachment)}"
        _, attribute, kind = ATTACHMENTS[graph.resource_type(attachment)]
        found = _Grants()
        if kind == "document":
            found.add(graph, via, _parts(graph, attachment, attribute, root))
        else:
            _policy_arns(graph, attachment, attribute, root, via, found)
        if attached is True:
            grants.bad += found.bad
            grants.doubts += found.doubts
        elif found.bad:  # the attachment may name this role
            grants.doubts += [f"{b.via}: {b.text} (attached to a role the pack cannot resolve)" for b in found.bad]
    return grants


def _names_role(
    graph: ResourceGraph, facts: list[Fact], identity: tuple[str, str | None, str], names: set[str]
) -> bool | None:
    """True: the attachment names this role; False: it names others; None: it cannot be resolved."""
    if any(isinstance(f, Ref) and graph.identity(f.index) == identity for f in facts):
        return True
    if {_role_name(s) for s in literal_strings(facts)} & names:
        return True
    return None if any(isinstance(f, Opaque) and f.exact for f in facts) else False


def _policy_arns(graph: ResourceGraph, holder: int, attribute: str, root: str, via: str, grants: _Grants) -> None:
    """Managed policies attached by ARN through ``attribute`` of block ``holder`` (a role or an attachment):
    a broad AWS managed policy fails at the holder, a customer policy at the statement that grants."""
    facts = graph.facts(holder, attribute, root)
    for fact in facts:
        if not (isinstance(fact, Lit) and fact.exact):
            continue
        for arn in flatten(fact.value):
            if isinstance(arn, str) and not is_expression(arn) and (grant := broad_managed_policy(arn)):
                fix = graph.origin(fact, holder, attribute, [arn.rsplit("/", 1)[-1]])
                text = f"AWS managed policy {arn.rsplit('/', 1)[-1]} ({grant})"
                grants.bad.append(_Grant(text, holder, fix, via))
    for fact in facts:
        if isinstance(fact, Ref) and graph.resource_type(fact.index) == POLICY:
            if graph.is_data(fact.index):  # an existing policy, looked up by name or ARN
                for value in literal_strings(
                    graph.facts(fact.index, "name", root) + graph.facts(fact.index, "arn", root)
                ):
                    if grant := broad_managed_policy(value):
                        fix = graph.locate(holder, [attribute])
                        name = value.rsplit("/", 1)[-1]
                        text = f"{graph.address(fact.index)}: AWS managed policy {name} ({grant})"
                        grants.bad.append(_Grant(text, holder, fix, via))
            else:
                policy = f"{via} -> {graph.address(fact.index)}"
                grants.add(graph, policy, _parts(graph, fact.index, "policy", root))
        elif isinstance(fact, Opaque) and fact.exact:
            managed = _AWS_MANAGED_POLICY.search(fact.text or "")
            if managed is None:
                grants.doubts.append(f"{via}: {fact.reason}")
            elif grant := broad_managed_policy(managed.group("name")):  # arn:${partition}:iam::aws:policy/...
                fix = graph.locate(holder, [managed.group("name")])
                text = f"AWS managed policy {managed.group('name')} ({grant})"
                grants.bad.append(_Grant(text, holder, fix, via))


def _document(graph: ResourceGraph, index: int, path: str, root: str) -> Document:
    """The policy document at ``path`` as one document (trust policies: where it is written does not matter)."""
    parts = _parts(graph, index, path, root)
    doubts = [p.document.unknown for p in parts if p.document.unknown]
    return Document(tuple(s for p in parts for s in p.document.statements), doubts[0] if doubts else None)


def _parts(graph: ResourceGraph, index: int, path: str, root: str) -> list[_Part]:
    """The policy document at ``path``: decoded JSON, JSON text, a policy document data source, or a file;
    each part with the block that holds it."""
    parts: list[_Part] = []
    for fact in graph.facts(index, path, root):
        if isinstance(fact, Lit) and fact.exact and isinstance(fact.value, dict | list | str):
            document = document_from_json(_unknown_expressions(fact.value))
            parts.append(_Part(document, index, fact.origin[0] if fact.origin is not None else index))
        elif isinstance(fact, Ref) and graph.resource_type(fact.index) == DOCUMENT:
            parts += _policy_document(graph, fact.index, root)
        elif isinstance(fact, Opaque) and fact.exact:
            folder = graph.folder(fact.index) if fact.index is not None else root
            document = policy_expression(fact.text or "", folder, root) or Document((), fact.reason)
            parts.append(_Part(document, index, index))
    return parts


def _policy_document(graph: ResourceGraph, index: int, root: str, depth: int = 0) -> list[_Part]:
    """An ``aws_iam_policy_document`` data source, with its source and override documents."""
    statements: list[Statement] = []
    doubts: list[str] = []
    for path, block in blocks(graph.vertices[index], "statement"):
        actions = graph.facts(index, f"{path}.actions", root)
        not_actions = graph.facts(index, f"{path}.not_actions", root)
        if any(isinstance(f, Opaque) for f in actions + not_actions):
            doubts.append(f"the actions of {graph.address(index)} cannot be resolved")
        statements.append(
            statement_from_block(block, literal_strings(actions), literal_strings(not_actions) if not_actions else None)
        )
    parts = [_Part(Document(tuple(statements), doubts[0] if doubts else None), index, index)]
    for attribute in ("source_policy_documents", "override_policy_documents"):
        for fact in graph.facts(index, attribute, root) if depth < 5 else []:
            if isinstance(fact, Ref) and graph.resource_type(fact.index) == DOCUMENT:
                parts += _policy_document(graph, fact.index, root, depth + 1)
            elif isinstance(fact, Lit) and fact.exact and isinstance(fact.value, str | dict | list):
                written = fact.origin[0] if fact.origin is not None else index
                parts.append(_Part(document_from_json(fact.value), index, written))
    return parts


def _root(graph: ResourceGraph, root: str) -> _Root:
    context = _Root()
    for function, _ in graph.resources(FUNCTION):
        if root in graph.roots(function):
            facts = graph.facts(function, "role", root)
            context.function_roles |= {graph.identity(f.index) for f in facts if isinstance(f, Ref)}
            context.function_role_names |= {_role_name(s) for s in literal_strings(facts)}
    for attachment, _ in graph.resources(*ATTACHMENTS):
        if root in graph.roots(attachment) and not graph.is_data(attachment):
            role_attribute = ATTACHMENTS[graph.resource_type(attachment)][0]
            context.attachments.append((attachment, graph.facts(attachment, role_attribute, root)))
    return context


def _unknown_expressions(value: Any) -> Any:
    """A decoded policy whose unevaluated parts (``"var.actions"``) are marked unknown, not taken as text."""
    if isinstance(value, dict):
        return {k: _unknown_expressions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_expressions(v) for v in value]
    return UNKNOWN if isinstance(value, str) and is_expression(value) and not value.lstrip().startswith("{") else value


def _role_name(name_or_arn: str) -> str:
    """``arn:aws:iam::123456789012:role/path/name`` -> ``name``; a bare name stays as it is."""
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


check = LambdaRoleWithoutPausingWildcards()
