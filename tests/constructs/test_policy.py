"""Reputation policies: thresholds, account and per-set policies, and the normalized set record."""

from __future__ import annotations

import pytest

from ses_guard_policy import rules
from ses_reputation_guard.policy import (
    AccountPolicy,
    ConfigurationSetPolicy,
    ReputationThresholds,
    normalized_set_record,
    validate_configuration_sets,
)
from ses_reputation_guard.validation import Problems


def set_problems(sets) -> list[str]:
    problems = Problems()
    validate_configuration_sets(sets, problems)
    return problems.items


def test_default_thresholds_act_before_aws_review_levels():
    defaults = ReputationThresholds()
    assert defaults.bounce_warning < defaults.bounce_critical < 0.05
    assert defaults.complaint_warning < defaults.complaint_critical < 0.001


def test_thresholds_report_every_bad_ratio_and_order():
    problems = Problems()
    ReputationThresholds(bounce_warning=0.05, bounce_critical=0.04, complaint_critical=5).collect_problems(
        "t", problems
    )
    assert problems.items == [
        f"t.complaint_critical=5: {rules.RATIO_RULE} (did you mean 0.05 for 5 %?)",
        "t bounce: warning threshold 0.05 must be below critical threshold 0.04",
    ]


def test_account_policy_checks_its_action_and_its_own_thresholds():
    problems = Problems()
    AccountPolicy(action="stop", thresholds=ReputationThresholds(bounce_warning=2)).collect_problems(problems)  # type: ignore[arg-type]
    assert problems.items[0] == "account_policy.action='stop': must be one of 'pause', 'notify'"
    assert problems.items[1].startswith("account_policy.thresholds.bounce_warning=2")


@pytest.mark.parametrize("name", ["", "has space", "dots.not.allowed", "x" * 65, "ümlaut", "trailing\n"])
def test_configuration_set_names_follow_ses_rules(name):
    assert set_problems({name: ConfigurationSetPolicy()}) == [
        f"configuration_sets key {name!r}={name!r}: {rules.CONFIGURATION_SET_NAME.rule}"
    ]


def test_configuration_set_names_must_be_unique_ignoring_case():
    found = set_problems({"Marketing": ConfigurationSetPolicy(), "marketing": ConfigurationSetPolicy()})
    assert found == [f"configuration_sets key 'marketing': duplicates 'Marketing' ({rules.UNIQUE_SET_NAMES_RULE})"]


def test_at_most_the_ses_quota_of_configuration_sets():
    sets = {f"set-{i}": ConfigurationSetPolicy() for i in range(rules.MAX_CONFIGURATION_SETS + 1)}
    assert set_problems(sets) == [f"configuration_sets has 10001 entries, {rules.MAX_CONFIGURATION_SETS_RULE}"]


def test_each_set_checks_its_action_policy_type_and_thresholds():
    found = set_problems(
        {
            "a": ConfigurationSetPolicy(action="stop"),  # type: ignore[arg-type]
            "b": "pause",
            "c": ConfigurationSetPolicy(thresholds=ReputationThresholds(complaint_warning=0)),
        }
    )
    assert found[0] == "configuration_sets['a'].action='stop': must be one of 'pause', 'notify'"
    assert found[1] == "configuration_sets['b']='pause': must be a ConfigurationSetPolicy"
    assert found[2].startswith("configuration_sets['c'].thresholds.complaint_warning=0")


def test_normalized_record_applies_the_default_thresholds_to_a_set_without_its_own():
    defaults = ReputationThresholds(bounce_critical=0.03)
    assert normalized_set_record(ConfigurationSetPolicy(action="notify", managed=False), defaults) == {
        "action": "notify",
        "managed": False,
        "warning_alarms": True,
        "bounce_warning": 0.02,
        "bounce_critical": 0.03,
        "complaint_warning": 0.0005,
        "complaint_critical": 0.0008,
    }
    own = ReputationThresholds(bounce_warning=0.01)
    assert normalized_set_record(ConfigurationSetPolicy(thresholds=own), defaults)["bounce_warning"] == 0.01


# --- AWS's levels (issue [4 of 7], item 1) ------------------------------------------------------------
def level_problems(thresholds: ReputationThresholds, acknowledged: bool = False) -> list[str]:
    problems = Problems()
    thresholds.collect_level_problems("t", problems, acknowledged)
    return problems.items


def test_thresholds_written_in_percent_below_one_are_refused_at_aws_pause_level_naming_the_ratio():
    # the example: 0.05 % and 0.08 % written as 0.05 and 0.08, read as 5 % and 8 %
    found = level_problems(ReputationThresholds(complaint_warning=0.05, complaint_critical=0.08))
    assert found == [
        f"t.complaint_warning=0.05: {rules.AWS_PAUSE_LEVEL.explain('complaint_warning', 0.05)}",
        f"t.complaint_critical=0.08: {rules.AWS_PAUSE_LEVEL.explain('complaint_critical', 0.08)}",
    ]
    assert "did you mean 0.0008 (0.08 %)?" in found[1]
    assert level_problems(ReputationThresholds(bounce_critical=0.5), acknowledged=True) == [
        f"t.bounce_critical=0.5: {rules.AWS_PAUSE_LEVEL.explain('bounce_critical', 0.5)}"
    ]


def test_thresholds_at_aws_review_level_need_the_acknowledgement():
    at_review = ReputationThresholds(bounce_critical=0.05, complaint_critical=0.001)
    assert level_problems(at_review) == [
        f"t.bounce_critical=0.05: {rules.AWS_REVIEW_LEVEL.explain('bounce_critical', 0.05)}",
        f"t.complaint_critical=0.001: {rules.AWS_REVIEW_LEVEL.explain('complaint_critical', 0.001)}",
    ]
    assert level_problems(at_review, acknowledged=True) == []
    assert level_problems(ReputationThresholds()) == []  # the defaults act before AWS's review


def test_a_value_that_is_no_ratio_is_refused_once_by_the_ratio_rule_only():
    assert level_problems(ReputationThresholds(bounce_critical=5)) == []
