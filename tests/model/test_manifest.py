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


# --- AWS's levels (issue [4 of 7], item 1) ----------------------------------------------------------------
PAUSE_LEVEL_HINT = "at or above AWS's pause level 0.005 (0.5 %); did you mean 0.0008 (0.08 %)?"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"default_thresholds": {**DEFAULTS, "complaint_critical": 0.08}}, "policy test:"),
        ({"account": {"action": "pause", "complaint_critical": 0.08}}, "policy test [account]:"),
        (
            {"configuration_sets": {"vip": {"action": "pause", "complaint_critical": 0.08}}},
            "policy test [configuration_sets.vip]:",
        ),
        ({"fleet": {"action": "pause", "complaint_critical": 0.08}}, "policy test [fleet]:"),
    ],
    ids=["defaults", "account", "set", "fleet"],
)
def test_a_threshold_at_or_above_aws_pause_level_is_refused_even_when_acknowledged(
    changes: dict[str, Any], where: str
) -> None:
    for acknowledged in (False, True):
        with pytest.raises(manifest.ManifestError) as refused:
            manifest.parse(document(**changes, **{manifest.REVIEW_LEVEL_KEY: acknowledged}), source="test")
        assert str(refused.value).startswith(f"{where} complaint_critical=0.08: {PAUSE_LEVEL_HINT} ")


def test_a_policy_file_above_aws_review_level_is_read_only_where_it_acknowledges_it() -> None:
    hand = {"label": "late", "default_thresholds": DEFAULTS, "configuration_sets": {"vip": {"action": "pause",
            "bounce_critical": 0.06}}}  # fmt: skip
    with pytest.raises(manifest.ManifestError) as refused:
        manifest.parse(hand, source="p.toml")
    assert str(refused.value).startswith(
        "policy p.toml [configuration_sets.vip]: bounce_critical=0.06: at or above AWS's review level 0.05 (5 %); "
        "did you mean 0.0006 (0.06 %)? thresholds must be below AWS's review level"
    )
    assert "unless allow_thresholds_at_or_above_aws_review_level is true" in str(refused.value)
    guard = manifest.parse({**hand, manifest.REVIEW_LEVEL_KEY: True}, source="p.toml")
    assert guard.review_level_acknowledged and guard.configuration_sets["vip"].thresholds.bounce_critical == 0.06


def test_a_manifest_is_held_to_aws_review_level_when_it_carries_the_key_and_its_writer_checked_it_otherwise() -> None:
    vip = {"vip": {"action": "pause", "bounce_critical": 0.06}}
    with pytest.raises(manifest.ManifestError, match=r"\[configuration_sets\.vip\]: bounce_critical=0\.06: .*review"):
        manifest.parse(document(configuration_sets=vip, **{manifest.REVIEW_LEVEL_KEY: False}), source="test")
    # declared by its format, without the key: what the constructs wrote before the key (checked at synth)
    guard = manifest.parse(document(configuration_sets=vip), source="test")
    assert not guard.review_level_acknowledged and guard.configuration_sets["vip"].thresholds.bounce_critical == 0.06


def test_the_acknowledgement_is_written_back_only_when_given() -> None:
    acknowledged = manifest.parse(document(**{manifest.REVIEW_LEVEL_KEY: True}), source="test")
    assert json.loads(acknowledged.to_json())[manifest.REVIEW_LEVEL_KEY] is True
    assert json.loads(acknowledged.to_json(with_sets=False))[manifest.REVIEW_LEVEL_KEY] is True
    assert manifest.parse(json.loads(acknowledged.to_json()), source="again") == acknowledged
    assert manifest.REVIEW_LEVEL_KEY not in json.loads(manifest.parse(document(), source="test").to_json())
    with pytest.raises(manifest.ManifestError, match=f"{manifest.REVIEW_LEVEL_KEY}='yes': must be true or false"):
        manifest.parse(document(**{manifest.REVIEW_LEVEL_KEY: "yes"}), source="test")


def test_a_set_entry_read_on_its_own_is_held_to_aws_pause_level_and_to_the_review_level_when_told() -> None:
    defaults = manifest.Thresholds(**DEFAULTS)
    entry = manifest.parse_set_entry({"action": "pause", "bounce_critical": 0.06}, "vip", defaults, source="ssm")
    assert entry.thresholds.bounce_critical == 0.06  # its document was checked whole at synth or plan
    with pytest.raises(manifest.ManifestError, match=r"bounce_critical=0\.5: at or above AWS's pause level 0\.1"):
        manifest.parse_set_entry({"action": "pause", "bounce_critical": 0.5}, "vip", defaults, source="ssm")
    with pytest.raises(manifest.ManifestError, match="review level"):
        manifest.parse_set_entry(
            {"action": "pause", "bounce_critical": 0.06}, "vip", defaults, source="ssm", review_level_acknowledged=False
        )
