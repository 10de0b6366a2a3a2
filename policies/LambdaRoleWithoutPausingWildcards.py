"""CKV_SESRG_4: Lambda execution roles are not granted SES pausing through wildcards."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sesrg.check import SesrgGraphCheck, Verdict, failed, passed, unknown
from sesrg.graph import Fact, Lit, Opaque, Ref, ResourceGraph, blocks, is_expression, literal_strings
from sesrg.iam import (
    UNKNOWN,
    Document,
    Statement,
    broad_managed_policy,
    document_from_json,
    pausing_wildcards,
    policy_expression,
    statement_from_block,
    trusts_lambda,
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


@dataclass
class _Grants:
    bad: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)

    def add(self, source: str, document: Document) -> None:
        self.bad += [f"{source}: {grant}" for s in document.statements for grant in pausing_wildcards(s)]
        if document.unknown:
            self.doubts.append(f"{source}: {document.unknown}")


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
    """

    check_id = "CKV_SESRG_4"
    check_name = (
        "Ensure IAM roles assumed by Lambda functions are not granted SES pausing actions through wildcards "
        "(ses:*, ses:Put*, ses:Update*, *, NotAction, AmazonSESFullAccess)"
    )
    check_category = "IAM"
    subject_types = (ROLE,)
    evaluated_keys = ("assume_role_policy", "managed_policy_arns", "inline_policy")

    def evaluate(self, graph: ResourceGraph) -> Iterator[tuple[int, Verdict]]:
        per_root: dict[str, _Root] = {}
        for index, root in self.subjects(graph):
            if root not in per_root:
                per_root[root] = _root(graph, root)
            verdict = _decide(graph, index, root, per_root[root])
            if verdict is not None:
                yield index, verdict


def _decide(graph: ResourceGraph, index: int, root: str, context: _Root) -> Verdict | None:
    names = set(literal_strings(graph.facts(index, "name", root)))
    trust = _document(graph, index, "assume_role_policy", root)
    used = graph.identity(index) in context.function_roles or bool(names & context.function_role_names)
    if not used and not trusts_lambda(trust) and trust.unknown is None:
        return None  # not a Lambda role: out of scope
    grants = _grants(graph, index, root, context, names)
    lambda_role = used or trusts_lambda(trust)
    grants.bad.sort()
    grants.doubts.sort()
    if grants.bad and lambda_role:
        return failed("; ".join(grants.bad))
    if grants.bad:
        return unknown(f"{grants.bad[0]}, and whether Lambda assumes this role is unknown ({trust.unknown})")
    if grants.doubts and lambda_role:
        return unknown("; ".join(grants.doubts))
    return passed("no wildcard grants a pausing action") if lambda_role else None


def _grants(graph: ResourceGraph, index: int, root: str, context: _Root, names: set[str]) -> _Grants:
    grants = _Grants()
    _policy_arns(graph, graph.facts(index, "managed_policy_arns", root), root, "managed_policy_arns", grants)
    for path, _ in blocks(graph.vertices[index], "inline_policy"):
        grants.add(f"{path}.policy", _document(graph, index, f"{path}.policy", root))
    for attachment, role_facts in context.attachments:
        attached = _names_role(graph, role_facts, graph.identity(index), names)
        if attached is False:
            continue
        source = graph.address(attachment)
        _, attribute, kind = ATTACHMENTS[graph.resource_type(attachment)]
        found = _Grants()
        if kind == "document":
            found.add(source, _document(graph, attachment, attribute, root))
        else:
            _policy_arns(graph, graph.facts(attachment, attribute, root), root, source, found)
        if attached is True:
            grants.bad += found.bad
            grants.doubts += found.doubts
        elif found.bad:  # the attachment may name this role
            grants.doubts += [f"{b} (attached to a role the pack cannot resolve)" for b in found.bad]
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


def _policy_arns(graph: ResourceGraph, facts: list[Fact], root: str, source: str, grants: _Grants) -> None:
    for arn in literal_strings(facts):
        if grant := broad_managed_policy(arn):
            grants.bad.append(f"{source}: {arn} grants {grant}")
    for fact in facts:
        if isinstance(fact, Ref) and graph.resource_type(fact.index) == POLICY:
            if graph.is_data(fact.index):  # an existing policy, looked up by name or ARN
                for value in literal_strings(
                    graph.facts(fact.index, "name", root) + graph.facts(fact.index, "arn", root)
                ):
                    if grant := broad_managed_policy(value):
                        grants.bad.append(f"{source}: {graph.address(fact.index)} ({value}) grants {grant}")
            else:
                grants.add(f"{source} -> {graph.address(fact.index)}", _document(graph, fact.index, "policy", root))
        elif isinstance(fact, Opaque) and fact.exact:
            managed = _AWS_MANAGED_POLICY.search(fact.text or "")
            if managed is None:
                grants.doubts.append(f"{source}: {fact.reason}")
            elif grant := broad_managed_policy(managed.group("name")):  # arn:${partition}:iam::aws:policy/...
                grants.bad.append(f"{source}: {fact.text} grants {grant}")


def _document(graph: ResourceGraph, index: int, path: str, root: str) -> Document:
    """The policy document at ``path``: decoded JSON, JSON text, a policy document data source, or a file."""
    statements: list[Statement] = []
    doubts: list[str] = []
    for fact in graph.facts(index, path, root):
        part: Document | None = None
        if isinstance(fact, Lit) and fact.exact and isinstance(fact.value, dict | list | str):
            part = document_from_json(_unknown_expressions(fact.value))
        elif isinstance(fact, Ref) and graph.resource_type(fact.index) == DOCUMENT:
            part = _policy_document(graph, fact.index, root)
        elif isinstance(fact, Opaque) and fact.exact:
            folder = graph.folder(fact.index) if fact.index is not None else root
            part = policy_expression(fact.text or "", folder, root) or Document((), fact.reason)
        if part is not None:
            statements += part.statements
            doubts += [part.unknown] if part.unknown else []
    return Document(tuple(statements), doubts[0] if doubts else None)


def _policy_document(graph: ResourceGraph, index: int, root: str, depth: int = 0) -> Document:
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
    for attribute in ("source_policy_documents", "override_policy_documents"):
        for fact in graph.facts(index, attribute, root) if depth < 5 else []:
            if isinstance(fact, Ref) and graph.resource_type(fact.index) == DOCUMENT:
                nested = _policy_document(graph, fact.index, root, depth + 1)
            elif isinstance(fact, Lit) and fact.exact and isinstance(fact.value, str | dict | list):
                nested = document_from_json(fact.value)
            else:
                continue
            statements += nested.statements
            doubts += [nested.unknown] if nested.unknown else []
    return Document(tuple(statements), doubts[0] if doubts else None)


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
