"""The evidence a pause rests on (``ses_datapoints``): SES's own ``AWS/SES`` datapoints (GetMetricData)
over the alarm's evaluation range and, for a fleet contributor, CloudWatch's list of contributors in
ALARM (DescribeAlarmContributors)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from botocore.stub import ANY

from ses_guard_lambda.clients import Clients
from ses_guard_lambda.events import MetricRef
from ses_guard_lambda.ses_datapoints import ContributorCheck, Evidence, contributor_status, measure
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    EVENT_TIME,
    FLEET_ALARM,
    FLEET_TAGS,
    NOW,
    SET_ALARM,
    Aws,
    FakeClock,
    alarm_facts,
    assert_refused,
    evidence_query,
    load_event,
    make_budget,
    run_handler,
    sns_message,
    with_sns_message,
)

MARKETING_COMPLAINTS = MetricRef(
    contract.SES_NAMESPACE, contract.METRIC_COMPLAINT_RATE, ((contract.DIMENSION_CONFIGURATION_SET, "marketing"),)
)
ACCOUNT_BOUNCES = MetricRef(contract.SES_NAMESPACE, contract.METRIC_BOUNCE_RATE)


# --- SES's datapoints (issue 11, point 1) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "breaching", "sign"), [("GreaterThanOrEqualToThreshold", 2, ">="), ("GreaterThanThreshold", 1, ">")]
)
def test_measure_counts_the_datapoints_that_breach_with_the_alarms_operator(
    aws: Aws, operator: str, breaching: int, sign: str
) -> None:
    facts = replace(alarm_facts(SET_ALARM, evaluation_periods=3, datapoints_to_alarm=2), operator=operator)
    aws.expect_datapoints(SET_ALARM, [0.002, 0.001, 0.0005], "marketing")
    evidence = measure(aws.cloudwatch, make_budget(), facts, MARKETING_COMPLAINTS, (EVENT_TIME, NOW), None)
    aws.assert_all_calls_made()
    assert (evidence.breaching, evidence.needed, evidence.holds) == (breaching, 2, breaching >= 2)
    assert evidence.values == (0.002, 0.001, 0.0005)
    assert (evidence.latest, evidence.highest) == (0.002, 0.002)
    assert evidence.summary == (
        f"{breaching} of 3 Maximum datapoint(s) of AWS/SES Reputation.ComplaintRate "
        f"ses:configuration-set=marketing over 300 s {sign} 0.001 since 2026-11-28 01:14 UTC (needed 2)"
    )


def test_measure_reads_every_page_and_orders_the_datapoints_newest_first(aws: Aws) -> None:
    facts = alarm_facts(ACCOUNT_ALARM, evaluation_periods=2, datapoints_to_alarm=1)
    request = {
        "MetricDataQueries": evidence_query(ACCOUNT_ALARM, None),
        "StartTime": ANY,
        "EndTime": NOW,
        "ScanBy": "TimestampDescending",
    }
    older, newer = NOW - timedelta(minutes=10), NOW - timedelta(minutes=5)
    first = {"Id": "evidence", "Timestamps": [older], "Values": [0.01], "StatusCode": "PartialData"}
    second = {"Id": "evidence", "Timestamps": [newer], "Values": [0.09], "StatusCode": "Complete"}
    stub = aws.stubs["cloudwatch"]
    stub.add_response("get_metric_data", {"MetricDataResults": [first], "NextToken": "page-2"}, request)
    stub.add_response("get_metric_data", {"MetricDataResults": [second]}, {**request, "NextToken": "page-2"})
    evidence = measure(aws.cloudwatch, make_budget(), facts, ACCOUNT_BOUNCES, (EVENT_TIME, NOW), None)
    aws.assert_all_calls_made()
    assert evidence.values == (0.09, 0.01)
    assert (evidence.breaching, evidence.needed, evidence.holds) == (1, 1, True)
    assert evidence.summary == (  # the range: two periods plus one of slack before the alarm's change
        "1 of 2 Maximum datapoint(s) of AWS/SES Reputation.BounceRate (account-wide) over 300 s >= 0.05 "
        "since 2026-11-28 01:19 UTC (needed 1)"
    )


def test_evidence_without_datapoints_has_no_latest_or_highest_value() -> None:
    empty = Evidence(holds=False, breaching=0, needed=1, values=(), summary="0 of 0")
    assert (empty.latest, empty.highest) == (None, None)
    some = Evidence(holds=True, breaching=1, needed=1, values=(0.01, 0.09), summary="1 of 2")
    assert (some.latest, some.highest) == (0.01, 0.09)


@pytest.mark.parametrize(("values", "pauses"), [([0.002, 0.0001, 0.003], True), ([0.002, 0.0001, 0.0001], False)])
def test_evidence_uses_the_alarms_statistic_period_and_m_of_n_over_its_evaluation_range(
    aws: Aws, values: list[float], pauses: bool
) -> None:
    alarm: dict[str, Any] = {"statistic": "Average", "period": 600, "evaluation_periods": 3, "datapoints_to_alarm": 2}
    aws.expect_verified(SET_ALARM, **alarm)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, values, "marketing", stat="Average", period=600)
    if pauses:
        aws.expect_pause_set("marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert bool(summary["paused"]) is pauses
    (query,) = aws.calls_to("GetMetricData")
    assert query["EndTime"] == NOW
    # The evaluation range plus one period, back from the alarm's transition (a minute before now).
    assert query["StartTime"] == EVENT_TIME - timedelta(seconds=(3 + 1) * 600)


def test_a_delayed_invocation_still_looks_at_the_datapoints_the_alarm_saw(aws: Aws) -> None:
    """Lambda retries or a throttled burst may run the record hours later: the range starts from
    the alarm's transition, not from now."""
    later = NOW + timedelta(hours=3)
    aws.expect_set_pause(SET_ALARM, "marketing", value=0.0061)
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, clock=FakeClock(later))
    aws.assert_all_calls_made()
    assert summary["paused"]
    (query,) = aws.calls_to("GetMetricData")
    assert (query["StartTime"], query["EndTime"]) == (EVENT_TIME - timedelta(seconds=600), later)


def test_fleet_evidence_is_a_plain_metric_query_for_the_contributor_set(aws: Aws) -> None:
    aws.expect_fleet_pause("newsletter")
    run_handler(load_event("sns_fleet_contributor.json"), aws)
    (query,) = aws.calls_to("GetMetricData")
    stat = query["MetricDataQueries"][0]["MetricStat"]
    assert stat["Metric"]["Dimensions"] == [{"Name": "ses:configuration-set", "Value": "newsletter"}]
    assert (stat["Stat"], stat["Period"]) == ("Maximum", 300)  # MAX() of the query, its period


# --- only datapoints after the last resume count (issue 11, point 5) --------------------------------------


def test_datapoints_from_before_the_last_resume_are_not_evidence(aws: Aws) -> None:
    resumed = NOW - timedelta(minutes=2)  # only the newest period (NOW - 5 min .. NOW) ends after it
    aws.expect_verified(SET_ALARM, evaluation_periods=2, since=NOW - timedelta(minutes=1))
    aws.expect_set("marketing", fresh_start=resumed)
    aws.expect_datapoints(SET_ALARM, [0.0001, 0.009], "marketing")  # the breach is the older, pre-resume one
    aws.expect_publish()
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["StateChangeTime"] = (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    summary = run_handler(with_sns_message(event, message), aws)
    assert_refused(aws, summary, "0 of 1 Maximum datapoint(s)")


# --- fleet contributors in ALARM ---------------------------------------------------------------------------


def test_contributor_status_reads_the_pages_until_it_finds_the_set(aws: Aws) -> None:
    since = EVENT_TIME + timedelta(seconds=30)
    aws.expect_contributor_page(FLEET_ALARM, ["tenant-1", "tenant-2"], next_token="t1")
    aws.expect_contributor_page(FLEET_ALARM, ["newsletter"], token="t1", next_token="t2", since=since)
    check = contributor_status(aws.cloudwatch, make_budget(), FLEET_ALARM, "newsletter")
    aws.assert_all_calls_made()  # found on the second page: the third ("t2") is never asked for
    assert check == ContributorCheck(True, since, "contributor in ALARM (DescribeAlarmContributors)")


def test_a_set_on_no_page_is_not_in_alarm(aws: Aws) -> None:
    aws.expect_contributor_page(FLEET_ALARM, ["tenant-1"], next_token="t1")
    aws.expect_contributor_page(FLEET_ALARM, ["Newsletter"], token="t1")  # names compared exactly
    check = contributor_status(aws.cloudwatch, make_budget(), FLEET_ALARM, "newsletter")
    aws.assert_all_calls_made()
    assert check == ContributorCheck(
        False, None, "contributor newsletter is not in ALARM now (DescribeAlarmContributors)"
    )


def test_a_contributor_not_in_alarm_now_is_refused(aws: Aws) -> None:
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_set_policy("newsletter")
    aws.expect_set_tags("newsletter")
    aws.expect_contributors(FLEET_ALARM, ["marketing", "vip"])
    aws.expect_publish()
    summary = run_handler(load_event("sns_fleet_contributor.json"), aws)
    aws.assert_all_calls_made()
    assert summary["paused"] == [] and "contributor newsletter is not in ALARM now" in summary["refused"][0]["reason"]


class _WithoutContributorsApi:
    """A CloudWatch client as an older boto3 (e.g. the Lambda runtime's) offers it."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name == "describe_alarm_contributors":
            raise AttributeError(name)
        return getattr(self._client, name)


def test_without_describe_alarm_contributors_in_the_sdk_ses_datapoints_alone_decide(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_set_policy("newsletter")
    aws.expect_set_tags("newsletter")
    aws.expect_set("newsletter")
    aws.expect_datapoints(FLEET_ALARM, [0.14], "newsletter")
    aws.expect_pause_set("newsletter")
    aws.expect_publish()
    clients = Clients(sesv2=aws.sesv2, sns=aws.sns, cloudwatch=_WithoutContributorsApi(aws.cloudwatch), ssm=aws.ssm)
    summary = run_handler(load_event("sns_fleet_contributor.json"), aws, clients=clients)
    aws.assert_all_calls_made()
    assert summary["paused"][0]["target"] == "configuration-set:newsletter"
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"decision"' in x]
    assert line["notes"][0].startswith("DescribeAlarmContributors is not in botocore")


def test_when_describe_alarm_contributors_fails_ses_datapoints_alone_decide(aws: Aws) -> None:
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_set_policy("newsletter")
    aws.expect_set_tags("newsletter")
    aws.stubs["cloudwatch"].add_client_error("describe_alarm_contributors", "AccessDenied", "not allowed", 403)
    aws.expect_set("newsletter")
    aws.expect_datapoints(FLEET_ALARM, [0.01], "newsletter")  # below 0.05: refused on the datapoints
    aws.expect_publish()
    summary = run_handler(load_event("sns_fleet_contributor.json"), aws)
    aws.assert_all_calls_made()
    assert "do not confirm" in summary["refused"][0]["reason"]
    assert "DescribeAlarmContributors failed (AccessDenied)" in aws.reports()[0]["Texts"]["email"]
