"""policies/sesrg/iam.py: how CKV_SESRG_4 reads policy documents, wildcards and policy files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.sesrg.iam import (
    PAUSING_ACTIONS,
    UNKNOWN,
    Document,
    Statement,
    broad_managed_policy,
    document_from_json,
    hcl_literal,
    matches,
    pausing_wildcards,
    policy_expression,
    render_template,
    trusts_lambda,
)


@pytest.mark.parametrize(
    ("pattern", "granted"),
    [
        ("ses:*", True),
        ("*", True),
        ("ses:Put*", True),
        ("ses:Update*", True),
        ("SES:put*", True),
        ("ses:*Sending*", True),
        ("ses:PutAccountSendingAttribute?", True),
        ("ses:Get*", False),
        ("ses:Send*", False),
        ("ses:PutConfigurationSetSendingOptions", False),  # exact: least privilege, not a wildcard
        ("sns:*", False),
    ],
)
def test_an_allow_is_a_pausing_wildcard_only_when_a_pattern_matches_a_pausing_action(
    pattern: str, granted: bool
) -> None:
    assert bool(pausing_wildcards(Statement("Allow", (pattern,)))) is granted


def test_a_deny_grants_nothing_whatever_its_actions() -> None:
    assert pausing_wildcards(Statement("Deny", ("ses:*",))) == []


def test_not_action_grants_pausing_unless_it_leaves_out_every_pausing_action() -> None:
    assert pausing_wildcards(Statement("Allow", (), not_actions=("iam:*",)))
    assert pausing_wildcards(Statement("Allow", (), not_actions=("ses:Put*", "ses:Update*"))) == []


def test_iam_matching_treats_brackets_literally_and_ignores_case() -> None:
    assert matches("SES:PUT*", PAUSING_ACTIONS[0])
    assert not matches("ses:[P]ut*", "ses:PutAccountSendingAttributes")


def test_documents_are_read_from_json_text_decoded_json_and_escaped_hcl_strings() -> None:
    policy = {"Statement": [{"Effect": "Allow", "Action": "ses:*", "Resource": "*"}]}
    for value in (policy, json.dumps(policy), json.dumps(policy).replace('"', '\\"'), [policy]):
        [statement] = document_from_json(value).statements
        assert statement.actions == ("ses:*",)


def test_text_that_is_not_json_is_an_unknown_document_not_an_empty_one() -> None:
    assert document_from_json("${var.policy}").unknown


def test_lambda_trust_is_an_allow_for_the_lambda_service_principal() -> None:
    trust = {
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]
    }
    assert trusts_lambda(document_from_json(trust))
    assert not trusts_lambda(document_from_json(json.dumps(trust).replace("lambda", "ec2")))


@pytest.mark.parametrize(
    ("arn", "grant"),
    [
        ("arn:aws:iam::aws:policy/AmazonSESFullAccess", "ses:*"),
        ("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "*"),
        ("AmazonSESFullAccess", "ses:*"),
        ("arn:aws:iam::aws:policy/AmazonSESReadOnlyAccess", None),
        ("arn:aws:iam::123456789012:policy/AmazonSESFullAccess", None),  # a customer policy of that name
    ],
)
def test_broad_aws_managed_policies_are_known_by_name(arn: str, grant: str | None) -> None:
    assert broad_managed_policy(arn) == grant


def test_hcl_literals_are_read_as_terraform_and_checkov_write_them() -> None:
    assert hcl_literal('{"Version" = "2012-10-17", Statement = [{Effect = "Allow", Ok = true}]}') == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Ok": True}],
    }
    assert hcl_literal("{Version : \"1\", 'n': [1, 2.5, null]}") == {"Version": "1", "n": [1, 2.5, None]}
    assert hcl_literal("{Resource = aws_kms_key.key.arn, Action = [for a in var.x : a]}") == {
        "Resource": UNKNOWN,
        "Action": UNKNOWN,
    }
    assert hcl_literal("{unterminated = ") is None


def test_templates_substitute_known_variables_and_keep_json_valid_around_unknown_ones() -> None:
    template = '{"Resource": "arn:${partition}:ses:*:*:configuration-set/${name}", "Action": ${actions}}'
    rendered = json.loads(render_template(template, {"name": "marketing"}))
    assert rendered == {"Resource": f"arn:{UNKNOWN}:ses:*:*:configuration-set/marketing", "Action": UNKNOWN}


def test_file_paths_resolve_against_the_module_folder_or_the_root_module(tmp_path: Path) -> None:
    module, root = tmp_path / "modules" / "fn", tmp_path
    module.mkdir(parents=True)
    (module / "pause.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "ses:Put*", "Resource": "*"}]}')
    (root / "read.json").write_text('{"Statement": [{"Effect": "Allow", "Action": "ses:Get*", "Resource": "*"}]}')
    from_module = policy_expression('${file("${path.module}/pause.json")}', str(module), str(root))
    from_json_rendering = policy_expression('file("path.module/pause.json")', str(module), str(root))
    from_root = policy_expression('file("read.json")', str(module), str(root))
    assert from_module == from_json_rendering
    assert isinstance(from_module, Document)
    assert pausing_wildcards(from_module.statements[0])
    assert isinstance(from_root, Document)
    assert from_root.statements[0].actions == ("ses:Get*",)


def test_templatefile_renders_the_variables_given_in_hcl_or_checkov_syntax(tmp_path: Path) -> None:
    (tmp_path / "p.tftpl").write_text('{"Statement": [{"Effect": "Allow", "Action": "${action}", "Resource": "*"}]}')
    for call in (
        'templatefile("p.tftpl", {action = "ses:Update*"})',
        "templatefile(\"p.tftpl\",{'action': 'ses:Update*'})",
    ):
        document = policy_expression(call, str(tmp_path), str(tmp_path))
        assert isinstance(document, Document)
        assert document.statements[0].actions == ("ses:Update*",)


def test_a_missing_policy_file_or_an_unknown_path_is_unknown_and_other_expressions_are_not_files(
    tmp_path: Path,
) -> None:
    missing = policy_expression('file("nowhere.json")', str(tmp_path), str(tmp_path))
    unknown_path = policy_expression('file("${var.folder}/p.json")', str(tmp_path), str(tmp_path))
    assert missing is not None and missing.unknown
    assert unknown_path is not None and unknown_path.unknown
    assert policy_expression("var.policy", str(tmp_path), str(tmp_path)) is None
