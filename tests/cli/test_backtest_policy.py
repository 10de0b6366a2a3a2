"""``backtest_policy``: a policy file (or manifest) becomes the alarms the backtest replays; what-if changes.

A policy file is read by the model's manifest parser, so every refusal names where, the value and the
rule it broke, in one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ses_guard_cli.backtest_policy import (
    SCOPE_FLEET,
    PolicyError,
    WhatIf,
    apply_what_if,
    load_policy_file,
    policy_from_document,
    policy_from_manifest,
)
from ses_guard_policy import contract, manifest
from tests.cli.support import DEFAULTS, document, manifest_document


def test_a_toml_policy_file_expands_to_four_alarms_per_target_with_inherited_and_own_thresholds(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'label = "prod"\n[default_thresholds]\n'
        + "".join(f"{k} = {v}\n" for k, v in DEFAULTS.items())
        + '[account]\naction = "notify"\n[configuration_sets.marketing]\naction = "pause"\nbounce_critical = 0.03\n'
    )
    policy = load_policy_file(path)
    by_name = {a.name: a for a in policy.alarms}
    assert (policy.label, policy.source) == ("prod", str(path))
    assert len(policy.alarms) == 8
    assert by_name["prod-set-marketing-bounce-critical"].rule.threshold == 0.03
    assert by_name["prod-set-marketing-bounce-critical"].pauses
    assert by_name["prod-set-marketing-complaint-warning"].rule.threshold == 0.0005
    assert not by_name["prod-set-marketing-bounce-warning"].pauses  # warning alarms only notify
    assert not by_name["prod-account-bounce-critical"].pauses  # account action notify
    assert {a.rule.treat_missing_data for a in policy.alarms} == {"ignore"}
    assert {a.statistic for a in policy.alarms} == {"Maximum"}


def test_a_json_policy_file_reads_like_toml_and_its_fleet_excludes_the_sets_with_their_own_policy(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.json"
    sets = {"vip": {"action": "pause", "bounce_critical": 0.02, "bounce_warning": 0.01}}
    path.write_text(json.dumps(document(configuration_sets=sets, fleet={"action": "pause", "warning_alarms": False})))
    policy = load_policy_file(path)
    fleet = [a for a in policy.alarms if a.scope == SCOPE_FLEET]
    assert [a.name for a in fleet] == ["test-fleet-bounce-critical", "test-fleet-complaint-critical"]
    assert all(a.excluded_sets == {"vip"} for a in fleet)
    assert all(a.target == "fleet" and a.configuration_set is None for a in fleet)
    assert policy.has_fleet() and policy.explicit_sets() == ["vip"]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            {"acount": {"action": "pause"}},
            "policy p.toml: unknown key 'acount'; allowed: format, version, name_prefix, label, region, alarm, "
            "default_thresholds, account, configuration_sets, fleet, sweep, hub, configuration_sets_path, "
            "allow_thresholds_at_or_above_aws_review_level",
        ),
        ({"account": {"action": "stop"}}, "policy p.toml [account] action='stop': must be one of 'pause', 'notify'"),
        (
            {"account": {"action": "pause", "bounce_critical": 5}},
            "policy p.toml [account]: bounce_critical=5: must be a ratio strictly between 0 and 1 (0.05 = 5 %), "
            "not a percentage",
        ),
        (
            {"account": {"action": "pause", "bounce_warning": 0.05}},
            "policy p.toml [account]: bounce warning threshold 0.05 must be below critical threshold 0.04",
        ),
        (
            {"account": {"action": "pause", "enabled": "yes"}},
            "policy p.toml [account]: enabled='yes': must be true or false",
        ),
        ({"account": "pause"}, "policy p.toml [account]: must be a table (TOML) / object (JSON), got 'pause'"),
        (
            {"configuration_sets": {"bad name": {"action": "pause"}}},
            "policy p.toml [configuration_sets.bad name] name='bad name': configuration set names are 1-64 "
            "characters of letters, digits, '_' and '-' (SES rule)",
        ),
        (
            {"account": {"action": "pause"}, "alarm": {"datapoints_to_alarm": 3}},
            "policy p.toml [alarm]: datapoints_to_alarm=3: must not exceed evaluation_periods=1",
        ),
        (
            {"account": {"action": "pause"}, "alarm": {"statistic": "p99"}},
            "policy p.toml [alarm] statistic='p99': must be one of 'Average', 'Maximum', 'Minimum'",
        ),
        (
            {"account": {"action": "pause"}, "alarm": {"treat_missing_data": "skip"}},
            "policy p.toml [alarm]: treat_missing_data='skip': must be one of missing, ignore, breaching, notBreaching",
        ),
        (
            {"fleet": {"action": "pause", "period": 7200, "evaluation_periods": 2}},
            "policy p.toml [fleet]: period=7200 x evaluation_periods=2: must be a multiple of 60 seconds (Metrics "
            "Insights alarms are standard resolution) and, times evaluation_periods, at most 10800 s (CloudWatch "
            "evaluates only the latest 3 hours)",
        ),
        (
            {"account": {"action": "pause"}, "version": 2},
            "policy p.toml: version=2: this tool reads version 1; upgrade ses-guard",
        ),
        (
            {"account": {"action": "pause"}, "format": "terraform"},
            "policy p.toml: format='terraform': must be 'ses-reputation-guard/policy'",
        ),
        (
            {},
            "policy p.toml: no [account], [configuration_sets.<name>] or [fleet] table: nothing to replay",
        ),
    ],
    ids=[
        "unknown-key",
        "action",
        "ratio",
        "warning-below-critical",
        "flag",
        "not-a-table",
        "set-name",
        "datapoints",
        "statistic",
        "missing-data",
        "fleet-window",
        "version",
        "format",
        "no-target",
    ],
)
def test_a_policy_file_that_breaks_a_rule_is_refused_naming_the_value_and_the_rule(
    tables: dict[str, Any], message: str
) -> None:
    with pytest.raises(PolicyError) as refused:
        policy_from_document(document(**tables), source="p.toml")
    assert str(refused.value) == message


def test_a_policy_file_with_thresholds_written_in_percent_is_refused_naming_aws_pause_level_and_the_ratio(
    tmp_path: Path,
) -> None:
    # issue [4 of 7], item 1: 0.05 and 0.08 meant as 0.05 % and 0.08 %, read as 5 % and 8 %
    path = tmp_path / "policy.toml"
    percent = {**DEFAULTS, "complaint_warning": 0.05, "complaint_critical": 0.08}
    path.write_text(
        'label = "prod"\n[default_thresholds]\n'
        + "".join(f"{k} = {v}\n" for k, v in percent.items())
        + '[account]\naction = "pause"\n'
    )
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert str(refused.value).startswith(
        f"policy {path}: complaint_warning=0.05: at or above AWS's pause level 0.005 (0.5 %); did you mean 0.0005 "
        "(0.05 %)? thresholds must be below AWS's pause level (bounce 0.1 = 10 %, complaint 0.005 = 0.5 %)"
    )
    assert "\n" not in str(refused.value)


def test_a_policy_file_above_aws_review_level_replays_only_when_it_says_it_means_it(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    tables = '[account]\naction = "pause"\nbounce_critical = 0.06\n'
    defaults = "[default_thresholds]\n" + "".join(f"{k} = {v}\n" for k, v in DEFAULTS.items())
    path.write_text('label = "late"\n' + defaults + tables)
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert "[account]: bounce_critical=0.06: at or above AWS's review level 0.05 (5 %); did you mean 0.0006" in str(
        refused.value
    )
    path.write_text('label = "late"\nallow_thresholds_at_or_above_aws_review_level = true\n' + defaults + tables)
    by_name = {a.name: a for a in load_policy_file(path).alarms}
    assert by_name["late-account-bounce-critical"].rule.threshold == 0.06


def test_a_policy_file_without_every_default_threshold_is_refused_naming_the_missing_one() -> None:
    incomplete = {k: v for k, v in DEFAULTS.items() if k != "complaint_critical"}
    with pytest.raises(PolicyError) as refused:
        policy_from_document({"default_thresholds": incomplete, "account": {"action": "pause"}}, source="p")
    assert str(refused.value) == "policy p: complaint_critical is missing (every threshold needs a value; ratios 0-1)"


def test_a_policy_file_named_other_than_toml_or_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("label: x\n")
    with pytest.raises(PolicyError, match=r"^--policy .*policy\.yaml: the file name must end in \.toml or \.json$"):
        load_policy_file(path)


def test_a_policy_file_that_is_not_valid_toml_is_refused_naming_the_file_and_the_syntax_error(
    tmp_path: Path,
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("label = \n")
    with pytest.raises(PolicyError, match=rf"^--policy {path}: not valid TOML: "):
        load_policy_file(path)


def test_a_policy_file_that_cannot_be_read_is_refused_saying_why(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(PolicyError) as refused:
        load_policy_file(path)
    assert str(refused.value) == f"--policy {path}: cannot read it (No such file or directory)"


def test_a_manifest_gives_the_same_alarms_as_the_policy_file_written_with_its_values() -> None:
    tables = {
        "account": {"action": "pause", "warning_alarms": False},
        "configuration_sets": {"m": {"action": "notify", "bounce_critical": 0.03}},
        "fleet": {"action": "pause", "period": 300, "evaluation_periods": 3, "datapoints_to_alarm": 2},
    }
    guard = manifest.parse(manifest_document("test", **tables), source="stack")
    from_manifest = policy_from_manifest(guard, source="stack")
    from_file = policy_from_document(document(**tables), source="stack")
    assert from_manifest.alarms == from_file.alarms
    fleet = {a.rule for a in from_manifest.alarms if a.scope == SCOPE_FLEET}
    assert {(r.period_seconds, r.evaluation_periods, r.datapoints_to_alarm) for r in fleet} == {(300, 3, 2)}
    account = [a.name for a in from_manifest.alarms if a.scope == contract.SCOPE_ACCOUNT]
    assert account == ["test-account-bounce-critical", "test-account-complaint-critical"]


def test_a_disabled_target_has_no_alarms_to_replay() -> None:
    policy = policy_from_document(
        document(account={"action": "pause", "enabled": False}, configuration_sets={"m": {"action": "pause"}}),
        source="p",
    )
    assert {a.target for a in policy.alarms} == {"configuration-set:m"}


def test_what_if_changes_every_matching_alarm_and_a_result_that_breaks_a_rule_is_refused() -> None:
    policy = policy_from_document(document(account={"action": "pause"}), source="p")
    what_if = WhatIf(thresholds={"bounce_critical": 0.03}, evaluation_periods=3, datapoints_to_alarm=2)
    candidate = apply_what_if(policy, what_if)
    changed = {a.name: a.rule for a in candidate.alarms}
    assert changed["test-account-bounce-critical"].threshold == 0.03
    assert changed["test-account-bounce-warning"].threshold == 0.02
    assert {(r.evaluation_periods, r.datapoints_to_alarm) for r in changed.values()} == {(3, 2)}
    assert (candidate.label, candidate.source) == (
        "what-if",
        "test with bounce critical 0.03, evaluation periods 3, datapoints to alarm 2",
    )
    with pytest.raises(PolicyError) as refused:
        apply_what_if(policy, WhatIf(datapoints_to_alarm=4))
    assert str(refused.value) == (
        "what-if on alarm test-account-bounce-warning: datapoints_to_alarm=4: must not exceed evaluation_periods=1"
    )


@pytest.mark.parametrize(
    ("what_if", "message"),
    [
        (
            WhatIf(thresholds={"bounce_critical": 5}),
            "--bounce-critical=5: must be a ratio strictly between 0 and 1 (0.05 = 5 %), not a percentage",
        ),
        (
            WhatIf(thresholds={"bounce": 0.1}),
            "what-if threshold 'bounce': must be one of bounce_warning, bounce_critical, complaint_warning, "
            "complaint_critical",
        ),
    ],
    ids=["percentage", "unknown-threshold"],
)
def test_a_what_if_threshold_that_breaks_a_rule_is_refused_naming_the_value_and_the_rule(
    what_if: WhatIf, message: str
) -> None:
    policy = policy_from_document(document(account={"action": "pause"}), source="p")
    with pytest.raises(PolicyError) as refused:
        apply_what_if(policy, what_if)
    assert str(refused.value) == message
