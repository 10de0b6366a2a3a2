"""The plain Terraform module: generated from the constructs, committed, documented, usable."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_terraform

MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
CONSUMER_DIR = ROOT / "examples" / "terraform_module"


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


def test_validation_blocks_mirror_the_construct_rules(generated_module):
    text = generated_module["variables.tf"].decode()
    assert text.count("validation {") >= 12
    assert "^[A-Za-z0-9_-]{1,64}$" in text
    assert "10000" in text


def test_every_output_has_a_description(generated_module):
    text = generated_module["outputs.tf"].decode()
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


def test_module_readme_has_the_inputs_and_outputs_table(generated_module):
    readme = generated_module["README.md"].decode()
    variables = re.findall(r'^variable "([^"]+)"', generated_module["variables.tf"].decode(), re.M)
    outputs = re.findall(r'^output "([^"]+)"', generated_module["outputs.tf"].decode(), re.M)
    assert "## Inputs" in readme and "## Outputs" in readme
    for name in variables + outputs:
        assert f"| `{name}` |" in readme


def test_module_package_is_the_deterministic_lambda_zip(generated_module):
    from ses_reputation_guard.lambda_package import build_zip_bytes

    assert generated_module["lambda/ses_guard_lambda.zip"] == build_zip_bytes()
    assert build_zip_bytes() == build_zip_bytes()


# --- plan with the consumer example, against the local AWS emulator ---------------------------------


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    from tests.e2e.moto_server import moto_server

    with moto_server() as server:
        yield server.endpoint_url


@pytest.fixture(scope="module")
def consumer_workspace(tmp_path_factory: pytest.TempPathFactory, emulator: str, terraform_cli_config):
    """The consumer example and the module, copied with their relative layout, initialized once."""
    from tests.e2e.moto_server import terraform_env

    workspace = tmp_path_factory.mktemp("consumer")
    shutil.copytree(MODULE_DIR, workspace / "modules" / MODULE_DIR.name)
    shutil.copytree(CONSUMER_DIR, workspace / "examples" / "terraform_module")
    env = {**terraform_env(emulator, tmp_path_factory.mktemp("tf-env")), **terraform_cli_config}
    directory = workspace / "examples" / "terraform_module"
    run_terraform(["init", "-input=false"], directory, env)
    return directory, env


@pytest.mark.slow
def test_consumer_example_plans_the_expected_resources(consumer_workspace):
    directory, env = consumer_workspace
    run_terraform(["plan", "-input=false", "-out=plan.tfplan"], directory, env)
    shown = json.loads(run_terraform(["show", "-json", "plan.tfplan"], directory, env).stdout)
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


def _plan_with(directory: Path, env: dict[str, str], replacement: str, original: str) -> str:
    main_tf = directory / "main.tf"
    text = main_tf.read_text()
    assert original in text
    main_tf.write_text(text.replace(original, replacement))
    try:
        result = run_terraform(["plan", "-input=false"], directory, env, check=False)
    finally:
        main_tf.write_text(text)
    assert result.returncode != 0, "plan should have failed"
    return " ".join((result.stdout + result.stderr).split())


@pytest.mark.slow
def test_threshold_of_five_fails_at_plan_with_the_modules_message(consumer_workspace):
    directory, env = consumer_workspace
    output = _plan_with(directory, env, "bounce_critical   = 5", "bounce_critical   = 0.03")
    assert "ratios strictly between 0 and 1 (0.05 = 5 %, not 5)" in output
    assert '"marketing"' in output


@pytest.mark.slow
def test_invalid_set_name_fails_at_plan_with_the_modules_message(consumer_workspace):
    directory, env = consumer_workspace
    output = _plan_with(directory, env, '"news letters" = {', "newsletters = {")
    assert "configuration set names are 1-64 characters of letters, digits, '_' and '-'" in output
    assert "news letters" in output


@pytest.mark.slow
def test_warning_above_the_default_critical_fails_at_plan_with_the_modules_message(consumer_workspace):
    directory, env = consumer_workspace
    output = _plan_with(directory, env, 'action = "notify", bounce_warning = 0.045', 'action = "notify"')
    assert "configuration set transactional: bounce warning threshold 0.045 must be below its critical" in output
