"""Every bad prop raises one GuardValidationError naming the value and the rule, at synth time."""

from __future__ import annotations

import pytest

from ses_reputation_guard import (
    AccountPolicy,
    AlarmSettings,
    ConfigurationSetPolicy,
    GuardValidationError,
    ReputationGuard,
    ReputationGuardProps,
    ReputationThresholds,
)
from ses_reputation_guard._cdktf import App, TerraformStack


def problems_of(props: ReputationGuardProps) -> str:
    with pytest.raises(GuardValidationError) as raised:
        props.validate()
    return str(raised.value)


def test_valid_props_pass():
    ReputationGuardProps(
        configuration_sets={
            "marketing": ConfigurationSetPolicy(),
            "tx_1": ConfigurationSetPolicy(action="notify"),
        },
        notification_emails=["a@example.com"],
        notification_phone_numbers=["+15555550100"],
    ).validate()


def test_threshold_given_as_percent_is_rejected_with_a_hint():
    message = problems_of(ReputationGuardProps(default_thresholds=ReputationThresholds(bounce_critical=5)))
    assert "default_thresholds.bounce_critical=5" in message
    assert "ratio strictly between 0 and 1" in message
    assert "did you mean 0.05" in message


@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5, float("nan")])
def test_threshold_outside_zero_and_one_is_rejected(value):
    message = problems_of(
        ReputationGuardProps(
            configuration_sets={
                "m": ConfigurationSetPolicy(
                    thresholds=ReputationThresholds(complaint_warning=value, complaint_critical=0.9)
                )
            }
        )
    )
    assert "configuration_sets['m'].thresholds.complaint_warning" in message


def test_warning_must_be_below_critical():
    message = problems_of(
        ReputationGuardProps(
            account_policy=AccountPolicy(thresholds=ReputationThresholds(bounce_warning=0.04, bounce_critical=0.03))
        )
    )
    assert "warning threshold 0.04 must be below critical threshold 0.03" in message


@pytest.mark.parametrize("name", ["", "has space", "dots.not.allowed", "x" * 65, "ümlaut"])
def test_configuration_set_names_follow_ses_rules(name):
    message = problems_of(ReputationGuardProps(configuration_sets={name: ConfigurationSetPolicy()}))
    assert repr(name) in message
    assert "1-64 characters of letters, digits, '_' and '-'" in message


def test_configuration_set_names_must_be_unique_ignoring_case():
    message = problems_of(
        ReputationGuardProps(
            configuration_sets={"Marketing": ConfigurationSetPolicy(), "marketing": ConfigurationSetPolicy()}
        )
    )
    assert "'marketing': duplicates 'Marketing'" in message


def test_at_most_ten_thousand_configuration_sets():
    sets = {f"set-{i}": ConfigurationSetPolicy() for i in range(10_001)}
    message = problems_of(ReputationGuardProps(configuration_sets=sets))
    assert "10001 entries" in message and "at most 10000" in message


def test_action_must_be_pause_or_notify():
    message = problems_of(
        ReputationGuardProps(configuration_sets={"m": ConfigurationSetPolicy(action="stop")})  # type: ignore[arg-type]
    )
    assert "configuration_sets['m'].action='stop'" in message and "'pause', 'notify'" in message


def test_subscriptions_need_valid_email_addresses_and_e164_numbers():
    message = problems_of(
        ReputationGuardProps(notification_emails=["not-an-email"], notification_phone_numbers=["555-0100"])
    )
    assert "'not-an-email': must be an email address" in message
    assert "'555-0100': must be an E.164 phone number" in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(GuardValidationError) as raised:
        ReputationGuardProps(
            name_prefix="Bad_Prefix",
            default_thresholds=ReputationThresholds(bounce_critical=10),
            configuration_sets={"bad name": ConfigurationSetPolicy()},
            notification_emails=["nope"],
            log_retention_days=42,
            reserved_concurrency=0,
            alarm_settings=AlarmSettings(
                period_seconds=90, evaluation_periods=1, datapoints_to_alarm=3, statistic="p99"
            ),
        ).validate()
    problems = raised.value.problems
    joined = "\n".join(problems)
    for expected in (
        "name_prefix='Bad_Prefix'",
        "bounce_critical=10",
        "'bad name'",
        "'nope'",
        "log_retention_days=42",
        "reserved_concurrency=0",
        "period_seconds=90",
        "datapoints_to_alarm=3",
        "statistic='p99'",
    ):
        assert expected in joined
    assert len(problems) >= 9


def test_construct_validates_before_creating_anything(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "invalid")
    with pytest.raises(GuardValidationError):
        ReputationGuard(stack, "guard", ReputationGuardProps(default_thresholds=ReputationThresholds(bounce_warning=2)))
    [guard] = [child for child in stack.node.children if child.node.id == "guard"]
    assert guard.node.children == []


def test_construct_takes_exactly_one_of_props_or_inputs(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "neither")
    with pytest.raises(TypeError, match="exactly one of props or inputs"):
        ReputationGuard(stack, "guard")
