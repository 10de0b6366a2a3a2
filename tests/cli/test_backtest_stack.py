"""``backtest_stack``: ``backtest --stack DIR`` replays the alarms of the policy manifest the stack ships.

No Terraform expression is read back: the stack's ``policy_manifest.json`` is the same document as a
policy file. The stacks here are small folders written by the test, and the examples ``make synth`` writes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_guard_cli.backtest_policy import SCOPE_FLEET, PolicyError
from ses_guard_cli.backtest_stack import load_stack
from ses_guard_policy import contract, fleet_query
from tests.cli.support import BOUNCE, COMPLAINT, manifest_document, write_stack
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
