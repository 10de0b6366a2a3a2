"""The example stacks synthesize, in both renderings, portable and with the policies they describe.

What each construct produces is tested in tests/constructs/; `terraform validate` of most renderings is
in tests/module/test_terraform_validate.py (the sweep example's is here), the checkov scan in tests/policy/.
"""

from __future__ import annotations

import json

import pytest

from examples.opt_in import ALLOW_CONFIGURATION_SET_DELETION, configuration_set_deletion_allowed
from examples.sweep.stack import NAME_PREFIX, PROTECTED_SET, STACK_NAME, VIP_THRESHOLDS
from ses_guard_policy import contract, manifest
from tests.conftest import SynthOutput, assert_stack_validates

ALL_STACKS = ["account-wide", "multi-region-eu-west-1", "multi-region-us-east-1", "per-set", "sweep"]


def test_every_example_stack_is_synthesized_as_json_and_as_hcl(synth: SynthOutput) -> None:
    assert set(ALL_STACKS) <= set(synth.stacks())
    for stack in synth.stacks():
        assert (synth.stack_dir(stack) / "cdk.tf.json").is_file()
        assert (synth.stack_dir(stack) / "hcl" / "main.tf").is_file()


def test_generated_files_carry_no_machine_paths(synth: SynthOutput) -> None:
    for stack in synth.stacks():
        for path in (synth.stack_dir(stack) / "cdk.tf.json", synth.stack_dir(stack) / "hcl" / "main.tf"):
            text = path.read_text()
            assert str(synth.outdir) not in text
            assert "/tmp/" not in text and "/work/" not in text and "/root/" not in text


def test_stacks_pin_a_provider_range_and_a_relative_local_backend(synth: SynthOutput) -> None:
    for stack in synth.stacks():
        terraform = synth.config(stack)["terraform"]
        assert terraform["required_providers"]["aws"]["version"] == ">= 5.100, < 7.0"
        assert terraform["backend"] == {"local": {"path": f"../../../terraform.{stack}.tfstate"}}


def test_multi_region_example_guards_each_region_with_its_own_sets(synth: SynthOutput) -> None:
    for region, sets in (
        ("us-east-1", {"marketing-us", "transactional-us"}),
        ("eu-west-1", {"marketing-eu", "transactional-eu"}),
    ):
        config = synth.config(f"multi-region-{region}")
        assert config["provider"]["aws"][0]["region"] == region
        assert set(synth.configuration_sets(f"multi-region-{region}")) == sets


def test_per_set_example_ships_each_sets_policy(synth: SynthOutput) -> None:
    sets = synth.configuration_sets("per-set")
    assert sets["marketing"] == {
        "action": "pause",
        "managed": True,
        "warning_alarms": True,
        "bounce_warning": 0.015,
        "bounce_critical": 0.03,
        "complaint_warning": 0.0004,
        "complaint_critical": 0.0007,
    }
    assert sets["transactional"]["action"] == "notify"
    assert sets["partner-digest"]["managed"] is False


def test_examples_protect_their_managed_sets_from_deletion_by_default(synth: SynthOutput) -> None:
    for stack in ALL_STACKS:
        sets = synth.config(stack)["resource"]["aws_sesv2_configuration_set"]["guard_configuration_sets"]
        assert sets["lifecycle"]["prevent_destroy"] is True, stack


def test_deleting_managed_sets_is_an_explicit_opt_in_of_the_environment() -> None:
    assert configuration_set_deletion_allowed({}) is False
    assert configuration_set_deletion_allowed({ALLOW_CONFIGURATION_SET_DELETION: "false"}) is False
    assert configuration_set_deletion_allowed({ALLOW_CONFIGURATION_SET_DELETION: " TRUE "}) is True
    with pytest.raises(ValueError, match="must be 'true' or 'false'"):
        configuration_set_deletion_allowed({ALLOW_CONFIGURATION_SET_DELETION: "yes"})


# --- the sweep example (issue "[5 of 7]") ---------------------------------------------------------------
def test_the_sweep_example_schedules_a_run_protects_transactional_and_judges_vip_by_its_own_alarms(synth):
    config = synth.config(STACK_NAME)
    resources = config["resource"]
    [rule] = resources["aws_cloudwatch_event_rule"].values()
    assert (rule["name"], rule["schedule_expression"]) == (f"{NAME_PREFIX}-sweep", "rate(60 minutes)")
    [table] = resources["aws_dynamodb_table"].values()
    assert table["name"] == f"{NAME_PREFIX}-sweep-state"
    variables = resources["aws_lambda_function"]["guard_function"]["environment"]["variables"]
    assert variables[contract.ENV_PROTECTED_CONFIGURATION_SETS] == PROTECTED_SET
    assert variables[contract.ENV_SWEEP_STATE_TABLE] == f"{NAME_PREFIX}-sweep-state"
    # no fleet alarm and no account alarm: the sweep judges the account in its run, and only notifies
    alarms = [alarm["alarm_name"] for alarm in resources["aws_cloudwatch_metric_alarm"].values()]
    assert not [name for name in alarms if "-fleet-" in name or "-account-" in name], alarms
    assert "guard_function_account_pause" not in resources["aws_iam_role_policy"]
    # vip has its own, stricter policy and alarms; transactional is created by the application, not here
    records = synth.configuration_sets(STACK_NAME)
    assert list(records) == ["vip"]
    assert records["vip"]["bounce_critical"] == VIP_THRESHOLDS.bounce_critical


def test_the_sweep_example_ships_a_manifest_whose_sweep_section_the_model_reads(synth):
    shipped = synth.manifest(STACK_NAME)
    parsed = manifest.parse(shipped, source="examples/sweep")
    assert parsed.sweep is not None
    assert (parsed.sweep.action, parsed.sweep.evaluate_account, parsed.sweep.schedule_minutes) == ("pause", True, 60)
    assert (parsed.account.action, parsed.account.enabled) == ("notify", False)
    variables = synth.config(STACK_NAME)["resource"]["aws_lambda_function"]["guard_function"]["environment"]
    assert json.loads(variables["variables"][contract.ENV_POLICY_MANIFEST])["sweep"] == shipped["sweep"]


@pytest.mark.slow
@pytest.mark.parametrize("rendering", ["json", "hcl"])
def test_the_sweep_example_passes_terraform_validate(synth, terraform_cli_config, rendering):
    assert_stack_validates(synth.stack_dir(STACK_NAME), terraform_cli_config, rendering)
