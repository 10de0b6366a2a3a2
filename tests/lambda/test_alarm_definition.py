"""An alarm is judged by the policy that was deployed, never by its own definition (``alarm_definition``).

Issue "[3 of 7]", deliverable 1: PutMetricAlarm on an existing alarm keeps its tags, so an account alarm
rewritten to ``Statistic=SampleCount, Threshold=0.5`` or ``Threshold=0.0001``, or a fleet query rewritten
to ``SELECT COUNT(...)``, paused healthy targets. Each rewrite is now refused with a notice naming what
differs; nothing reads SES's datapoints or writes to SES.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ses_guard_lambda.alarm_definition import DeployedAlarm, deployed_for, differences, verified
from ses_guard_lambda.deployed_policy import DeployedPolicy
from ses_guard_policy import alarm_names, contract
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    CONFIG,
    FLEET_ALARM,
    FLEET_QUERY,
    FLEET_TAGS,
    MANIFEST,
    PREFIX,
    SET_ALARM,
    SET_ENTRY,
    Aws,
    alarm_description,
    alarm_facts,
    assert_refused,
    load_event,
    make_budget,
    run_handler,
    sns_message,
    tags_for,
    with_sns_message,
)

ACCOUNT_EVENT = "sns_account_bounce_alarm.json"


def name_of(alarm: str) -> alarm_names.AlarmName:
    parsed = alarm_names.parse(alarm, PREFIX)
    assert parsed is not None
    return parsed


def refused_account_rewrite(aws: Aws, drop: tuple[str, ...] = (), **rewrite: Any) -> str:
    """The account alarm as rewritten with PutMetricAlarm (tags kept), notified: the refusal reason."""
    description = {**alarm_description(ACCOUNT_ALARM), **rewrite}
    for key in drop:
        del description[key]
    aws.expect_alarm(ACCOUNT_ALARM, description)
    aws.expect_tags(ACCOUNT_ALARM, tags_for(ACCOUNT_ALARM))
    aws.expect_publish()
    event = load_event(ACCOUNT_EVENT)
    message = sns_message(event)
    for key in ("Threshold", "Statistic", "ComparisonOperator", "Period", "EvaluationPeriods"):
        message["Trigger"].pop(key, None)  # a rewritten alarm's notification names the new values
    summary = run_handler(with_sns_message(event, message), aws)
    aws.assert_all_calls_made()  # no GetAccount, no GetMetricData, no write
    assert summary["paused"] == []
    return str(summary["refused"][0]["reason"])


@pytest.mark.parametrize(
    ("rewrite", "named"),
    [
        ({"Statistic": "SampleCount", "Threshold": 0.5}, ["statistic 'SampleCount'", "threshold 0.5 (deployed 0.05)"]),
        ({"Threshold": 0.0001}, ["threshold 0.0001 (deployed 0.05)"]),
        ({"Period": 60}, ["period 60 (deployed 3600)"]),
        ({"EvaluationPeriods": 3, "DatapointsToAlarm": 1}, ["evaluation periods 3 (deployed 1)"]),
        ({"TreatMissingData": "breaching"}, ["missing data 'breaching' (deployed 'ignore')"]),
        ({"ComparisonOperator": "GreaterThanThreshold"}, ["operator 'GreaterThanThreshold'"]),
    ],
)
def test_an_account_alarm_rewritten_with_put_metric_alarm_is_refused_naming_what_differs(
    aws: Aws, rewrite: dict[str, Any], named: list[str]
) -> None:
    reason = refused_account_rewrite(aws, **rewrite)
    assert reason.startswith("the alarm's definition differs from the account policy: ")
    for part in named:
        assert part in reason


def test_only_the_statistics_the_guard_deploys_are_accepted(aws: Aws) -> None:
    reason = refused_account_rewrite(aws, ("Statistic",), ExtendedStatistic="p99")
    assert "statistic 'p99' (deployed 'Maximum'; the guard deploys no other" in reason


def test_a_fleet_query_rewritten_to_count_is_refused(aws: Aws) -> None:
    description = alarm_description(FLEET_ALARM)
    query = FLEET_QUERY.format(metric=contract.METRIC_BOUNCE_RATE).replace("MAX(", "COUNT(")
    description["Metrics"] = [{"Id": "q1", "Expression": query, "Period": 3600, "ReturnData": True}]
    aws.expect_alarm(FLEET_ALARM, description)
    aws.expect_tags(FLEET_ALARM, FLEET_TAGS)
    aws.expect_publish()
    event = load_event("sns_fleet_contributor.json")
    message = sns_message(event)
    for metric in message["Trigger"]["Metrics"]:
        metric["Expression"] = query  # the rewritten alarm notifies with its new query
    summary = run_handler(with_sns_message(event, message), aws)
    notice = assert_refused(aws, summary, "differs from the fleet policy: statistic 'SampleCount' (deployed 'Maximum'")
    assert "nothing was changed" in notice["Texts"]["email"]


def test_a_per_set_alarm_is_judged_by_the_sets_own_deployed_entry(aws: Aws) -> None:
    entry = {**SET_ENTRY, "complaint_critical": 0.003}  # deployed: 0.003; the alarm says 0.001
    aws.expect_verified(SET_ALARM, set_policy=False)
    aws.expect_set_policy("marketing", entry)
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, "threshold 0.001 (deployed 0.003)")


def test_a_per_set_alarm_without_a_deployed_entry_is_refused(aws: Aws) -> None:
    aws.expect_verified(SET_ALARM, set_policy=False)
    aws.expect_set_policy("marketing")  # ParameterNotFound
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, "the deployed policy holds no configuration set 'marketing''s policy")


def test_a_pause_tag_on_an_alarm_the_policy_deployed_as_notify_is_refused(aws: Aws) -> None:
    aws.expect_verified(SET_ALARM, set_policy=False)
    aws.expect_set_policy("marketing", {**SET_ENTRY, "action": "notify"})
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    assert_refused(aws, summary, "has action 'notify': the alarm's tag ses-reputation-guard:action=pause is not")


def test_without_a_deployed_manifest_nothing_is_paused(aws: Aws) -> None:
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_publish()
    summary = run_handler(load_event(ACCOUNT_EVENT), aws, replace(CONFIG, manifest=None))
    assert_refused(aws, summary, "no deployed policy manifest")


# --- the pure parts ---------------------------------------------------------------------------------------


def test_the_deployed_fleet_alarm_uses_the_fleet_evaluation_and_the_querys_statistic(aws: Aws) -> None:
    policy = DeployedPolicy(MANIFEST, aws.ssm, make_budget())
    deployed = deployed_for(policy, name_of(FLEET_ALARM))
    assert isinstance(deployed, DeployedAlarm)
    assert (deployed.statistic, deployed.rule.threshold, deployed.query) == ("Maximum", 0.05, True)
    assert deployed.rule.treat_missing_data == "ignore"


def test_a_disabled_target_deploys_no_alarm(aws: Aws) -> None:
    guard = replace(MANIFEST, account=replace(MANIFEST.account, enabled=False))  # type: ignore[arg-type]
    reason = deployed_for(DeployedPolicy(guard, aws.ssm, make_budget()), name_of(ACCOUNT_ALARM))
    assert reason == "the account policy is disabled (enabled=false): it deploys no alarms"


def test_the_constructs_alarms_match_their_deployed_definitions(aws: Aws) -> None:
    policy = DeployedPolicy(MANIFEST, aws.ssm, make_budget())
    for alarm in (ACCOUNT_ALARM, FLEET_ALARM):
        deployed = verified(policy, name_of(alarm), alarm_facts(alarm))
        assert isinstance(deployed, DeployedAlarm), deployed
        assert differences(alarm_facts(alarm), deployed) == []
