"""The policy manifest (ses_guard_policy.manifest): one document, read with the rules, written back the same."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ses_guard_policy import contract, manifest

DEFAULTS = {"bounce_warning": 0.02, "bounce_critical": 0.04, "complaint_warning": 0.0005, "complaint_critical": 0.0008}


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": manifest.FORMAT,
        "version": manifest.VERSION,
        "name_prefix": "sesguard",
        "alarm": {"period": 3600, "statistic": "Maximum", "evaluation_periods": 2, "datapoints_to_alarm": 1},
        "default_thresholds": dict(DEFAULTS),
        "account": {"action": "pause"},
        "configuration_sets": {"vip": {"action": "notify", "bounce_critical": 0.03, "managed": True}},
        "fleet": {"action": "pause", "period": 300, "evaluation_periods": 3, "datapoints_to_alarm": 2},
    }
    base.update(changes)
    return base


def test_a_manifest_reads_every_part_with_defaults_resolved() -> None:
    guard = manifest.parse(document(), source="test")
    assert guard.name_prefix == "sesguard" and guard.alarm.evaluation_periods == 2
    assert guard.account is not None and guard.account.thresholds == manifest.Thresholds(**DEFAULTS)
    vip = guard.configuration_sets["vip"]
    assert (vip.action, vip.managed, vip.thresholds.bounce_critical, vip.thresholds.bounce_warning) == (
        "notify",
        True,
        0.03,
        0.02,
    )
    assert guard.fleet is not None and guard.fleet.evaluation.period == 300
    assert guard.fleet.evaluation.statistic == "Maximum"  # the fleet query's function follows the alarms'


def test_a_manifest_written_back_reads_as_the_same_manifest() -> None:
    guard = manifest.parse(document(), source="test")
    again = manifest.parse(json.loads(guard.to_json()), source="again")
    assert again == guard


def test_the_guard_level_part_leaves_the_sets_to_their_own_parameters() -> None:
    guard = manifest.parse(document(**{manifest.SETS_PATH_KEY: "/sesguard/policy/configuration-sets/"}), source="t")
    level = json.loads(guard.to_json(with_sets=False))
    assert "configuration_sets" not in level
    assert level[manifest.SETS_PATH_KEY] == manifest.configuration_sets_path("sesguard")
    assert len(guard.to_json(with_sets=False)) < 4096  # Lambda's environment limit, with room to spare


def test_a_hand_written_policy_file_needs_neither_format_nor_version() -> None:
    hand = {"label": "deployed", "default_thresholds": DEFAULTS, "account": {"action": "notify"}}
    guard = manifest.parse(hand, source="p.toml")
    assert guard.name_prefix == "deployed" and guard.fleet is None and guard.configuration_sets == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"format": "other"}, "format='other': must be 'ses-reputation-guard/policy'"),
        ({"version": 2}, "version=2: this tool reads version 1"),
        ({"account": {"action": "stop"}}, "[account] action='stop': must be one of 'pause', 'notify'"),
        ({"account": {"action": "pause", "bounce_critical": 5}}, "bounce_critical=5: must be a ratio"),
        (
            {"account": {"action": "pause", "bounce_warning": 0.05}},
            "bounce warning threshold 0.05 must be below critical threshold 0.04",
        ),
        ({"configuration_sets": {"bad name": {"action": "pause"}}}, "name='bad name': configuration set names"),
        ({"alarm": {"statistic": "p99"}}, "statistic='p99': must be one of 'Average', 'Maximum', 'Minimum'"),
        ({"fleet": {"action": "pause", "period": 3600, "evaluation_periods": 4}}, "at most 10800 s"),
        ({"colour": "blue"}, "unknown key 'colour'"),
    ],
)
def test_a_value_that_breaks_a_rule_is_refused_naming_the_value_and_the_rule(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(manifest.ManifestError) as refused:
        manifest.parse(document(**changes), source="test")
    assert message in str(refused.value)


def test_a_set_entry_takes_the_default_thresholds_it_leaves_out() -> None:
    entry = manifest.parse_set_entry(
        {"action": "pause", "complaint_critical": 0.0007}, "vip", manifest.Thresholds(**DEFAULTS), source="ssm"
    )
    assert entry.thresholds.complaint_critical == 0.0007 and entry.thresholds.bounce_critical == 0.04


def test_the_evaluation_settings_become_the_engines_alarm_rule() -> None:
    rule = manifest.Evaluation(period=300, evaluation_periods=3, datapoints_to_alarm=2).alarm_rule(0.05)
    assert (rule.threshold, rule.period_seconds, rule.evaluation_periods, rule.datapoints_to_alarm) == (
        0.05,
        300,
        3,
        2,
    )
    assert rule.treat_missing_data == "ignore" and rule.comparison == "GreaterThanOrEqualToThreshold"


def test_targets_name_their_tiers() -> None:
    target = manifest.Target("pause", manifest.Thresholds(**DEFAULTS), warning_alarms=False)
    assert target.tiers() == (contract.TIER_CRITICAL,)
    assert target.thresholds.of("bounce", "critical") == 0.04
