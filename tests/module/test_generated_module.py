"""The plain Terraform module: generated from the constructs, committed, laid out and documented like a
hand-written module, usable from plain Terraform. (Bad inputs: test_rules_both_sides.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ses_guard_policy import rules
from tests.conftest import ROOT
from tests.module.conftest import MODULE_DIR
from tests.support.terraform import plan_json

RESOURCE_FILES = {
    "aws_kms_key": {"main.tf"},
    "aws_kms_alias": {"main.tf"},
    "aws_sns_topic": {"notifications.tf"},
    "aws_sns_topic_policy": {"notifications.tf"},
    "aws_sesv2_configuration_set": {"configuration_sets.tf"},
    "aws_cloudwatch_metric_alarm": {"alarms.tf"},
    "aws_lambda_function": {"function.tf"},
    # each invoke permission beside what invokes: alarms, the fleet's EventBridge rule, the sweep's schedule
    "aws_lambda_permission": {"function.tf", "alarms.tf", "sweep.tf"},
    "aws_sqs_queue": {"function.tf"},
    "aws_cloudwatch_log_group": {"function.tf"},
    "aws_iam_role": {"iam.tf"},
    # the hub's grant (guard-hub) beside the members' entries it lists
    "aws_iam_role_policy": {"iam.tf", "hub.tf"},
    "aws_ssm_parameter": {"policy.tf", "hub.tf"},
    "aws_cloudwatch_event_rule": {"alarms.tf", "sweep.tf"},
    "aws_cloudwatch_event_target": {"alarms.tf", "sweep.tf"},
    "aws_dynamodb_table": {"sweep.tf"},
}
_BLOCK_START = re.compile(r"^(resource|data|locals|variable|output)\b[^\n]*\{", re.M)


def _tf_files(generated_module: dict[str, bytes]) -> dict[str, str]:
    return {name: content.decode() for name, content in generated_module.items() if name.endswith(".tf")}


def test_committed_module_matches_what_the_constructs_generate(generated_module):
    committed = {
        path.relative_to(MODULE_DIR).as_posix(): path.read_bytes()
        for path in MODULE_DIR.rglob("*")
        if path.is_file() and ".terraform" not in path.parts and not path.name.startswith(".terraform")
    }
    assert sorted(committed) == sorted(generated_module), "run `make module` and commit the result"
    stale = [name for name, content in generated_module.items() if committed[name] != content]
    assert stale == [], f"out of date (run `make module`): {stale}"


def test_module_follows_terraform_module_layout(generated_module):
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} <= set(generated_module)
    assert "lambda/ses_guard_lambda.zip" in generated_module


def test_resources_are_split_by_concern(generated_module):
    found = {}
    for name, text in _tf_files(generated_module).items():
        for resource_type in re.findall(r'^resource "([a-z0-9_]+)"', text, re.M):
            found.setdefault(resource_type, set()).add(name)
    for resource_type, expected in RESOURCE_FILES.items():
        assert found.get(resource_type) == expected, (resource_type, found.get(resource_type))
    assert not re.search(r"^resource ", generated_module["variables.tf"].decode(), re.M)


def test_every_block_stands_apart_under_a_section_comment(generated_module):
    for name, text in _tf_files(generated_module).items():
        lines = text.splitlines()
        for match in _BLOCK_START.finditer(text):
            line = text.count("\n", 0, match.start())
            assert lines[line - 1] == "" or lines[line - 1].startswith("#"), f"{name}:{line + 1} is not set apart"
        if name not in ("variables.tf", "outputs.tf", "versions.tf"):
            assert text.count("# ---") >= 2, f"{name} has no section comment"


def test_count_and_for_each_come_first_in_their_block(generated_module):
    for name, text in _tf_files(generated_module).items():
        for block in re.findall(r'^resource "[^"]+" "[^"]+" \{\n(.*?)^\}', text, re.M | re.S):
            meta = re.findall(r"^  (count|for_each) =", block, re.M)
            if meta:
                assert block.startswith(f"  {meta[0]} ="), (name, block[:200])


def test_no_line_of_the_resources_is_needlessly_long(generated_module):
    """Expressions are broken at their brackets; only strings, comparisons and for-clauses (which
    hold no bracket to break at) may run past 120 characters."""
    for name, text in _tf_files(generated_module).items():
        for line in text.splitlines() if name != "variables.tf" else ():  # validation conditions run long
            if len(line) > 120:
                assert re.search(r'"|&&|\|\||==|!=|<|>|\bfor\b', line), f"{name}: {line[:140]}"


def test_module_has_no_provider_or_backend_block(generated_module):
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        text = generated_module[name].decode()
        assert not re.search(r'^provider\s+"', text, re.M), name
        assert "backend " not in text, name


def test_module_admits_provider_5_100_and_6(generated_module):
    versions = generated_module["versions.tf"].decode()
    assert 'version = ">= 5.100, < 7.0"' in versions
    assert 'source  = "hashicorp/aws"' in versions


def test_every_variable_has_a_description_a_type_and_a_default(generated_module):
    text = generated_module["variables.tf"].decode()
    blocks = re.findall(r'^variable "([^"]+)" \{(.*?)^\}', text, re.M | re.S)
    assert len(blocks) >= 10
    for name, body in blocks:
        for attribute in ("description", "type", "default"):
            assert re.search(rf"^\s+{attribute}\s+=", body, re.M), f"{name} lacks {attribute}"
    assert 'variable "dry_run"' in text and re.search(r'variable "dry_run" \{.*?default\s+= false', text, re.S)


def test_validation_blocks_are_rendered_from_the_rules_table(generated_module):
    text = generated_module["variables.tf"].decode()
    for rule in (rules.CONFIGURATION_SET_NAME, rules.NAME_PREFIX, rules.EMAIL, rules.E164_PHONE_NUMBER):
        assert f"can(regex({json.dumps(rule.pattern)}" in text, rule.name
        assert rule.rule in text, rule.name
    for sentence in (rules.RATIO_RULE, rules.UNIQUE_SET_NAMES_RULE, rules.MAX_CONFIGURATION_SETS_RULE):
        assert sentence in text


def test_the_generator_writes_no_pattern_or_limit_of_its_own():
    sources = "\n".join(path.read_text() for path in (ROOT / "src" / "ses_guard_modulegen").glob("*.py"))
    for rule in rules.PATTERN_RULES:
        assert rule.pattern not in sources and json.dumps(rule.pattern)[1:-1] not in sources, rule.name
    for limit in (rules.MAX_CONFIGURATION_SETS, rules.ALARM_PERIOD_SECONDS_MAX, rules.TAG_KEY_MAX_LENGTH):
        assert not re.search(rf"\b{limit}\b", sources), limit


def test_every_output_has_a_description_and_a_stated_type(generated_module):
    text = generated_module["outputs.tf"].decode()
    assert len(re.findall(r'^# [a-z()]+\noutput "', text, re.M)) == text.count('output "')
    blocks = re.findall(r'^output "([^"]+)" \{(.*?)^\}', text, re.M | re.S)
    names = {name for name, _ in blocks}
    assert {
        "notification_topic_arn",
        "function_arn",
        "account_alarm_arns",
        "configuration_set_alarm_arns",
        "configuration_set_names",
    } <= names
    for name, body in blocks:
        assert re.search(r"^\s+description\s+=", body, re.M), name


def test_module_readme_has_terraform_docs_tables_between_markers(generated_module):
    readme = generated_module["README.md"].decode()
    start, end = readme.index("<!-- BEGIN_TF_DOCS -->"), readme.index("<!-- END_TF_DOCS -->")
    tables = readme[start:end]
    for heading in ("## Requirements", "## Providers", "## Resources", "## Inputs", "## Outputs"):
        assert heading in tables
    variables = re.findall(r'^variable "([^"]+)"', generated_module["variables.tf"].decode(), re.M)
    outputs = re.findall(r'^output "([^"]+)"', generated_module["outputs.tf"].decode(), re.M)
    for name in variables + outputs:
        assert f"| `{name}` |" in tables
    for text in _tf_files(generated_module).values():
        for kind, resource_type, name in re.findall(r'^(resource|data) "([a-z0-9_]+)" "([a-z0-9_]+)"', text, re.M):
            assert f"[{resource_type}.{name}](" in tables, (kind, resource_type, name)
    for name in ("notifications.tf", "alarms.tf", "iam.tf"):
        assert f"| `{name}` |" in readme[:start]


def test_module_package_is_the_deterministic_lambda_zip(generated_module):
    from ses_reputation_guard.lambda_package import build_zip_bytes

    assert generated_module["lambda/ses_guard_lambda.zip"] == build_zip_bytes()
    assert build_zip_bytes() == build_zip_bytes()


# --- plan with the consumer example, against the local AWS emulator ---------------------------------


@pytest.mark.slow
def test_consumer_example_plans_the_expected_resources(consumer_workspace: Path, emulator_env: dict[str, str]):
    shown = plan_json(consumer_workspace, emulator_env)
    planned = {change["address"] for change in shown["resource_changes"] if change["change"]["actions"] == ["create"]}
    module = "module.ses_guard"
    expected = {
        f'{module}.aws_sesv2_configuration_set.guard_configuration_sets["marketing"]',
        f'{module}.aws_sesv2_configuration_set.guard_configuration_sets["transactional"]',
        f'{module}.aws_cloudwatch_metric_alarm.guard_set_bounce_critical["newsletters"]',
        f'{module}.aws_cloudwatch_metric_alarm.guard_set_complaint_warning["transactional"]',
        f"{module}.aws_cloudwatch_metric_alarm.guard_account_bounce_critical[0]",
        f"{module}.aws_iam_role_policy.guard_function_account_pause[0]",
        f"{module}.aws_iam_role_policy.guard_function_set_pause[0]",
        f"{module}.aws_lambda_function.guard_function",
        f"{module}.aws_sns_topic.guard_pause_topic",
        f"{module}.aws_kms_key.guard_key",
    }
    assert expected <= planned, sorted(expected - planned)
    # newsletters is an existing set: alarmed, never created
    assert f'{module}.aws_sesv2_configuration_set.guard_configuration_sets["newsletters"]' not in planned
    by_address = {c["address"]: c["change"]["after"] for c in shown["resource_changes"]}
    marketing = by_address[f'{module}.aws_cloudwatch_metric_alarm.guard_set_bounce_critical["marketing"]']
    assert marketing["threshold"] == 0.03
    assert marketing["dimensions"] == {"ses:configuration-set": "marketing"}
    assert marketing["alarm_name"] == "ses-guard-tf-set-marketing-bounce-critical"
    transactional = by_address[f'{module}.aws_cloudwatch_metric_alarm.guard_set_bounce_critical["transactional"]']
    assert transactional["threshold"] == 0.04
    assert transactional["tags"]["ses-reputation-guard:action"] == "notify"
