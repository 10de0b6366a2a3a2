"""``backtest_stack``: ``backtest --stack DIR`` replays the alarms of the policy manifest the stack ships, in
the Region of the stack's provider; ``backtest --plan-json FILE`` the alarms Terraform planned for a module root.

No Terraform expression is read back: the stack's ``policy_manifest.json`` is the same document as a
policy file, and a plan holds resolved values. The stacks here are small folders written by the test, and
the examples ``make synth`` writes; the plans are real plans of the module's example roots.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_guard_cli.backtest_policy import SCOPE_FLEET, PolicyError, policy_from_manifest
from ses_guard_cli.backtest_stack import load_plan, load_stack
from ses_guard_policy import contract, fleet_query, manifest
from tests.cli.support import BOUNCE, COMPLAINT, MODULE_PLAN_REGIONS, manifest_document, write_stack
from tests.conftest import SynthOutput


def test_a_stack_manifest_becomes_its_alarms_with_a_fleet_alarm_excluding_the_explicit_sets(tmp_path: Path) -> None:
    guard = manifest_document(
        "g",
        account={"action": "notify", "warning_alarms": False},
        configuration_sets={"vip": {"action": "notify", "bounce_critical": 0.03, "warning_alarms": False}},
        fleet={"action": "pause", "warning_alarms": False, "exclude_explicit_sets": True},
    )
    policy = load_stack(write_stack(tmp_path / "stack", guard))
    assert (policy.label, policy.source) == ("g", str(tmp_path / "stack"))
    assert [(a.name, a.target, a.pauses) for a in policy.alarms] == [
        ("g-account-bounce-critical", "account", False),
        ("g-account-complaint-critical", "account", False),
        ("g-set-vip-bounce-critical", "configuration-set:vip", False),
        ("g-set-vip-complaint-critical", "configuration-set:vip", False),
        ("g-fleet-bounce-critical", "fleet", True),
        ("g-fleet-complaint-critical", "fleet", True),
    ]
    by_name = {a.name: a for a in policy.alarms}
    assert by_name["g-set-vip-bounce-critical"].rule.threshold == 0.03
    fleet = [a for a in policy.alarms if a.scope == SCOPE_FLEET]
    assert [a.metric for a in fleet] == [BOUNCE, COMPLAINT]
    assert all(a.excluded_sets == {"vip"} for a in fleet)


def test_a_stack_without_a_manifest_is_a_policy_error_naming_the_option_and_saying_to_synthesize_it_again(
    tmp_path: Path,
) -> None:
    stack = write_stack(tmp_path / "old")
    with pytest.raises(PolicyError) as refused:
        load_stack(stack)
    assert str(refused.value) == (
        f"--stack {stack}: no guard with a policy_manifest.json: run `make synth` (or `cdktf synth`) with this version"
    )


def test_a_missing_stack_folder_is_refused_saying_to_run_make_synth(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as refused:
        load_stack(tmp_path / "nope")
    assert str(refused.value) == (
        f"--stack {tmp_path / 'nope'}: no cdk.tf.json (run `make synth` first, or pass the stack's folder)"
    )


def test_a_stack_with_two_guards_is_refused_naming_both_prefixes(tmp_path: Path) -> None:
    stack = write_stack(
        tmp_path / "two",
        manifest_document("mail-eu", account={"action": "pause"}),
        manifest_document("mail-us", account={"action": "pause"}),
    )
    with pytest.raises(PolicyError) as refused:
        load_stack(stack)
    assert str(refused.value) == (
        f"--stack {stack}: 2 guards (mail-eu, mail-us) with a policy_manifest.json: one guard per stack"
    )


def test_a_stack_whose_manifest_breaks_a_rule_is_refused_naming_the_value_and_the_rule(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "bad", manifest_document(account={"action": "stop"}))
    with pytest.raises(PolicyError) as refused:
        load_stack(stack)
    path = stack / "assets" / "a" / "b" / "policy_manifest.json"
    assert str(refused.value) == f"--stack policy {path} [account] action='stop': must be one of 'pause', 'notify'"


def test_the_per_set_example_stack_reads_as_the_set_records_of_its_manifest(synth: SynthOutput) -> None:
    policy = load_stack(synth.stack_dir("per-set"))
    records = synth.configuration_sets("per-set")
    set_alarms = [a for a in policy.alarms if a.scope == contract.SCOPE_CONFIGURATION_SET]
    assert {a.configuration_set for a in set_alarms} == set(records)
    for alarm in set_alarms:
        record = records[alarm.configuration_set or ""]
        assert alarm.rule.threshold == record[f"{alarm.metric_short}_{alarm.tier}"]
        assert alarm.pauses == (alarm.tier == "critical" and record["action"] == "pause")
        assert (alarm.statistic, alarm.rule.treat_missing_data, alarm.rule.comparison) == (
            "Maximum",
            "ignore",
            "GreaterThanOrEqualToThreshold",
        )
    account = [a for a in policy.alarms if a.scope == contract.SCOPE_ACCOUNT]
    assert len(account) == 4
    assert policy.label == synth.manifest("per-set")["name_prefix"]


def test_the_fleet_example_stack_replays_the_alarms_its_terraform_declares(synth: SynthOutput) -> None:
    """Names, thresholds and the fleet query's exclusions of the stack's own alarms (cdk.tf.json) against
    what the backtest derives from the manifest: the two stay one policy."""
    policy = load_stack(synth.stack_dir("fleet"))
    declared = synth.config("fleet")["resource"]["aws_cloudwatch_metric_alarm"].values()
    reputation = [a for a in declared if a["tags"].get(contract.TAG_SCOPE)]
    literal = {a["alarm_name"]: a for a in reputation if "for_each" not in a}
    per_set_templates = {a["alarm_name"] for a in reputation if "for_each" in a}
    replayed_literal = {a.name: a for a in policy.alarms if a.scope != contract.SCOPE_CONFIGURATION_SET}
    assert set(replayed_literal) == set(literal)
    for name, alarm in replayed_literal.items():
        assert alarm.rule.threshold == literal[name]["threshold"], name
        assert alarm.action == literal[name]["tags"][contract.TAG_ACTION], name
    templates = {
        a.name.replace(f"-set-{a.configuration_set}-", "-set-${each.key}-")
        for a in policy.alarms
        if a.scope == contract.SCOPE_CONFIGURATION_SET
    }
    assert templates == per_set_templates
    for name, alarm in replayed_literal.items():
        if alarm.scope == SCOPE_FLEET:
            query = fleet_query.parse(literal[name]["metric_query"][0]["expression"])
            assert query is not None and query.metric == alarm.metric
            assert set(query.excluded_sets) == alarm.excluded_sets == set(synth.configuration_sets("fleet"))


# --- the Region of a stack --------------------------------------------------------------------------------
def test_a_stack_policy_carries_the_region_of_the_stacks_aws_provider(tmp_path: Path, synth: SynthOutput) -> None:
    guard = manifest_document(account={"action": "pause"})
    assert load_stack(write_stack(tmp_path / "eu", guard, region="eu-west-1")).region == "eu-west-1"
    assert load_stack(write_stack(tmp_path / "none", guard)).region is None  # left to the environment
    assert load_stack(synth.stack_dir("multi-region-eu-west-1")).region == "eu-west-1"
    assert load_stack(synth.stack_dir("per-set")).region == "us-east-1"


def test_a_region_the_stack_computes_is_no_region(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "s", manifest_document(account={"action": "pause"}))
    (stack / "cdk.tf.json").write_text(json.dumps({"provider": {"aws": [{"region": "${var.region}"}]}}))
    assert load_stack(stack).region is None


# --- a Terraform plan (terraform show -json) of a root calling the module ------------------------------
def _module_example_manifest(name: str) -> dict[str, Any]:
    """The policy examples/<name>/main.tf gives the module, written as a manifest by hand (module defaults
    applied: warning alarms on, the default thresholds)."""
    if name == "terraform_module":
        return manifest_document(
            "ses-guard-tf",
            account={"action": "pause"},
            configuration_sets={
                "marketing": {
                    "action": "pause",
                    "bounce_warning": 0.015,
                    "bounce_critical": 0.03,
                    "complaint_warning": 0.0004,
                },
                "transactional": {"action": "notify"},
                "newsletters": {"action": "pause", "managed": False, "complaint_critical": 0.0006},
            },
        )
    return manifest_document(
        "ses-guard-fleet",
        account={"action": "notify"},
        configuration_sets={
            "transactional": {"action": "notify"},
            "vip": {"action": "pause", "bounce_warning": 0.01, "bounce_critical": 0.02},
        },
        fleet={"action": "pause"},
    )


@pytest.mark.slow
@pytest.mark.parametrize("example", sorted(MODULE_PLAN_REGIONS))
def test_a_module_roots_plan_replays_exactly_the_alarms_its_policy_describes_in_the_planned_region(
    example: str, module_plans: dict[str, Path]
) -> None:
    """The alarms Terraform planned, read back, are the alarms a manifest of the same policy gives: names,
    targets, thresholds, M of N, period, statistic, missing data, actions and the fleet's exclusions."""
    planned = load_plan(module_plans[example])
    expected = policy_from_manifest(manifest.parse(_module_example_manifest(example), source="main.tf"), source="-")
    assert planned.alarms == expected.alarms
    assert (planned.label, planned.region) == (expected.label, MODULE_PLAN_REGIONS[example])
    assert planned.source == f"--plan-json {module_plans[example]} (module.ses_guard, guard {planned.label})"


def _plan_with(alarm_values: dict[str, Any]) -> dict[str, Any]:
    tags = {contract.TAG_GUARD: "g", contract.TAG_SCOPE: "fleet", contract.TAG_TIER: "critical"}
    resource = {
        "address": "module.g.aws_cloudwatch_metric_alarm.a",
        "mode": "managed",
        "type": "aws_cloudwatch_metric_alarm",
        "values": {"alarm_name": "g-fleet-bounce-critical", "tags": {**tags, contract.TAG_ACTION: "pause"}}
        | alarm_values,
    }
    return {"planned_values": {"root_module": {"child_modules": [{"address": "module.g", "resources": [resource]}]}}}


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"metric_query": [{"id": "q", "expression": 'SELECT AVG(CPUUtilization) FROM SCHEMA("AWS/EC2")'}]},
            "module.g.aws_cloudwatch_metric_alarm.a: a fleet alarm without the fleet's Metrics Insights query",
        ),
        ({}, "module.g.aws_cloudwatch_metric_alarm.a.metric_query is known only after apply"),
        (
            {"tags": {contract.TAG_GUARD: "g", contract.TAG_SCOPE: "galaxy"}},
            "module.g.aws_cloudwatch_metric_alarm.a: tags scope='galaxy', tier=None, action=None: must be one of",
        ),
    ],
    ids=["not-the-fleet-query", "unknown-at-plan-time", "bad-tags"],
)
def test_a_planned_alarm_that_cannot_be_replayed_is_refused_naming_its_address(
    tmp_path: Path, values: dict[str, Any], problem: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan_with(values)))
    with pytest.raises(PolicyError) as refused:
        load_plan(path)
    assert str(refused.value).startswith(f"--plan-json {path}: {problem}")
