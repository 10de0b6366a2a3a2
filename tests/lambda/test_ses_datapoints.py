"""The evidence a pause rests on (``ses_datapoints``): SES's own ``AWS/SES`` datapoints (GetMetricData)
over the alarm's evaluation range and, for a fleet contributor, CloudWatch's list of contributors in
ALARM (DescribeAlarmContributors)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ses_guard_lambda.clients import Clients
from ses_guard_lambda.events import MetricRef
from ses_guard_lambda.handler import RecordProcessingError
from ses_guard_lambda.ses_datapoints import (
    MAX_CONTRIBUTORS,
    MAX_REPLAY_PERIODS,
    Contributor,
    ContributorCheck,
    ContributorsUnavailableError,
    Evidence,
    contributor_status,
    list_contributors,
    measure,
)
from ses_guard_policy import contract, evaluation, manifest
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    CONFIG,
    EVENT_TIME,
    FLEET_ALARM,
    FLEET_TAGS,
    MANIFEST_DOCUMENT,
    NOW,
    SET_ALARM,
    Aws,
    FakeClock,
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
SECOND = timedelta(seconds=1)


# --- SES's datapoints, judged by the deployed alarm (issue "[3 of 7]", deliverable 2) ---------------------

HOUR = timedelta(hours=1)
# The transition at 01:34 falls in the period that starts at 01:00; the range reaches 3 periods before it.
TRANSITION_PERIOD = datetime(2026, 11, 28, 1, tzinfo=UTC)


def complaint_rule(**settings: Any) -> evaluation.AlarmRule:
    return evaluation.AlarmRule(threshold=0.001, treat_missing_data=evaluation.IGNORE, **settings)


@pytest.mark.parametrize(
    ("comparison", "holds"), [("GreaterThanOrEqualToThreshold", True), ("GreaterThanThreshold", False)]
)
def test_measure_compares_each_datapoint_with_the_deployed_operator(aws: Aws, comparison: str, holds: bool) -> None:
    rule = complaint_rule(comparison=comparison)
    aws.expect_datapoints(SET_ALARM, [0.001], "marketing")
    evidence = measure(aws.cloudwatch, make_budget(), rule, "Maximum", MARKETING_COMPLAINTS, (EVENT_TIME, NOW), None)
    aws.assert_all_calls_made()
    assert evidence.holds is holds
    assert (evidence.values, evidence.latest, evidence.highest) == ((0.001,), 0.001, 0.001)
    sign = ">=" if holds else ">"
    state = "ALARM" if holds else "OK"
    assert evidence.summary == (
        "Maximum of AWS/SES Reputation.ComplaintRate ses:configuration-set=marketing judged by the deployed alarm "
        f"({sign} 0.001 for 1 of 1 periods of 3600 s, missing data ignore): {state} at the claimed transition "
        f"(2026-11-28 01:34 UTC), {state} now; 1 datapoint(s) since 2026-11-27 22:00 UTC"
    )


def test_m_breaches_must_be_among_the_latest_n_periods_not_anywhere_in_the_window(aws: Aws) -> None:
    """Issue "[3 of 7]": a 3-of-3 alarm paused on breach, ok, breach, breach. CloudWatch would not."""
    rule = complaint_rule(evaluation_periods=3, datapoints_to_alarm=3)
    aws.expect_datapoints(SET_ALARM, [0.002, 0.002, 0.0001, 0.002], "marketing")  # newest first
    evidence = measure(aws.cloudwatch, make_budget(), rule, "Maximum", MARKETING_COMPLAINTS, (EVENT_TIME, NOW), None)
    assert (evidence.holds, evidence.at_transition, evidence.now) == (False, "OK", "OK")


def test_newer_healthy_datapoints_beat_an_old_breach(aws: Aws) -> None:
    """Issue "[3 of 7]": a 72-hour-old notification paused a set whose newer datapoints were healthy."""
    later = NOW + timedelta(hours=72)
    values = [0.0002] * 71 + [0.004]  # newest first: the breach is 72 hours old, every hour since is healthy
    aws.expect_datapoints(SET_ALARM, values, "marketing", end=later)
    rule = complaint_rule()
    evidence = measure(aws.cloudwatch, make_budget(), rule, "Maximum", MARKETING_COMPLAINTS, (EVENT_TIME, later), None)
    assert (evidence.holds, evidence.at_transition, evidence.now) == (False, "ALARM", "OK")
    assert "ALARM at the claimed transition (2026-11-28 01:34 UTC), OK now" in evidence.summary


def test_a_breach_still_in_the_latest_periods_holds_at_the_transition_and_now(aws: Aws) -> None:
    rule = complaint_rule(evaluation_periods=3, datapoints_to_alarm=2)
    aws.expect_datapoints(SET_ALARM, [0.002, 0.0001, 0.003], "marketing")
    evidence = measure(aws.cloudwatch, make_budget(), rule, "Maximum", MARKETING_COMPLAINTS, (EVENT_TIME, NOW), None)
    assert (evidence.holds, evidence.at_transition, evidence.now) == (True, "ALARM", "ALARM")


def test_measure_reads_every_page_aligned_to_the_period_grid_and_orders_the_datapoints_newest_first(aws: Aws) -> None:
    rule = evaluation.AlarmRule(threshold=0.05, evaluation_periods=2, treat_missing_data=evaluation.IGNORE)
    request = {
        "MetricDataQueries": evidence_query(ACCOUNT_ALARM, None),
        "StartTime": TRANSITION_PERIOD - 4 * HOUR,  # the evaluation range (N + 2) before the transition's period
        "EndTime": NOW,
        "ScanBy": "TimestampDescending",
    }
    older, newer = TRANSITION_PERIOD - 2 * HOUR, TRANSITION_PERIOD - HOUR
    first = {"Id": "evidence", "Timestamps": [older], "Values": [0.01], "StatusCode": "PartialData"}
    second = {"Id": "evidence", "Timestamps": [newer], "Values": [0.09], "StatusCode": "Complete"}
    stub = aws.stubs["cloudwatch"]
    stub.add_response("get_metric_data", {"MetricDataResults": [first], "NextToken": "page-2"}, request)
    stub.add_response("get_metric_data", {"MetricDataResults": [second]}, {**request, "NextToken": "page-2"})
    evidence = measure(aws.cloudwatch, make_budget(), rule, "Maximum", ACCOUNT_BOUNCES, (EVENT_TIME, NOW), None)
    aws.assert_all_calls_made()
    assert evidence.values == (0.09, 0.01)
    assert evidence.holds


def test_an_event_older_than_the_replay_limit_is_not_judged(aws: Aws) -> None:
    rule = complaint_rule()
    ancient = EVENT_TIME - timedelta(hours=MAX_REPLAY_PERIODS)
    evidence = measure(aws.cloudwatch, make_budget(), rule, "Maximum", MARKETING_COMPLAINTS, (ancient, NOW), None)
    aws.assert_all_calls_made()  # no GetMetricData at all
    assert not evidence.holds and f"over {MAX_REPLAY_PERIODS} periods old" in evidence.summary


def test_evidence_without_datapoints_has_no_latest_or_highest_value() -> None:
    empty = Evidence(holds=False, at_transition="OK", now="OK", values=(), summary="none")
    assert (empty.latest, empty.highest) == (None, None)
    some = Evidence(holds=True, at_transition="ALARM", now="ALARM", values=(0.01, 0.09), summary="two")
    assert (some.latest, some.highest) == (0.01, 0.09)


def test_the_handler_judges_evidence_by_the_deployed_policy_not_by_the_alarm(aws: Aws) -> None:
    """The deployed policy says Average over 600 s, 2 of 3: the evidence query uses it."""
    document = {**MANIFEST_DOCUMENT}
    document["alarm"] = {"period": 600, "statistic": "Average", "evaluation_periods": 3, "datapoints_to_alarm": 2}
    config = replace(CONFIG, manifest=manifest.parse(document, source="tests"))
    alarm: dict[str, Any] = {"statistic": "Average", "period": 600, "evaluation_periods": 3, "datapoints_to_alarm": 2}
    aws.expect_verified(SET_ALARM, **alarm)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.002, 0.0001, 0.003], "marketing", stat="Average", period=600)
    aws.expect_pause_set("marketing")
    aws.expect_pause_tag("marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, config)
    aws.assert_all_calls_made()
    assert summary["paused"]
    (query,) = aws.calls_to("GetMetricData")
    assert (query["StartTime"], query["EndTime"]) == (datetime(2026, 11, 28, 1, 30, tzinfo=UTC) - 5 * 600 * SECOND, NOW)


def test_a_delayed_invocation_replays_from_the_transition_to_now(aws: Aws) -> None:
    """Lambda retries or a throttled burst may run the record hours later: the range starts before the
    alarm's transition and ends now, so what happened since counts too."""
    later = NOW + timedelta(hours=3)
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061, 0.0061, 0.0061, 0.0061], "marketing", end=later)
    aws.expect_pause_set("marketing")
    aws.expect_pause_tag("marketing")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws, clock=FakeClock(later))
    aws.assert_all_calls_made()
    assert summary["paused"]
    (query,) = aws.calls_to("GetMetricData")
    assert (query["StartTime"], query["EndTime"]) == (TRANSITION_PERIOD - 3 * HOUR, later)


def test_fleet_evidence_is_a_plain_metric_query_for_the_contributor_set(aws: Aws) -> None:
    aws.expect_fleet_pause("newsletter")
    run_handler(load_event("sns_fleet_contributor.json"), aws)
    (query,) = aws.calls_to("GetMetricData")
    stat = query["MetricDataQueries"][0]["MetricStat"]
    assert stat["Metric"]["Dimensions"] == [{"Name": "ses:configuration-set", "Value": "newsletter"}]
    assert (stat["Stat"], stat["Period"]) == ("Maximum", 3600)  # MAX() of the deployed query, its period


# --- only datapoints after the last resume count (issue 11, point 5) --------------------------------------


def test_datapoints_from_before_the_last_resume_are_not_evidence(aws: Aws) -> None:
    resumed = NOW - timedelta(minutes=30)  # the breach's period (00:00-01:00) ended before it
    aws.expect_verified(SET_ALARM, since=NOW - timedelta(minutes=1))
    aws.expect_set("marketing", fresh_start=resumed)
    aws.expect_datapoints(SET_ALARM, [0.009], "marketing")  # stamped 00:35, in the period 00:00-01:00
    aws.expect_publish()
    event = load_event("sns_set_complaint_alarm.json")
    message = sns_message(event)
    message["StateChangeTime"] = (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    summary = run_handler(with_sns_message(event, message), aws)
    assert_refused(aws, summary, "OK at the claimed transition")


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
    """A CloudWatch client without DescribeAlarmContributors: what an older runtime botocore would offer had
    the zip not shipped the model."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name == "describe_alarm_contributors":
            raise AttributeError(name)
        return getattr(self._client, name)


def test_a_client_without_describe_alarm_contributors_fails_the_record_with_a_clear_error(aws: Aws) -> None:
    """Issue "[5 of 7]", item 4: the model ships in the zip, so its absence is a broken package: never skipped."""
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_set_policy("newsletter")
    aws.expect_set_tags("newsletter")
    clients = Clients(sesv2=aws.sesv2, sns=aws.sns, cloudwatch=_WithoutContributorsApi(aws.cloudwatch), ssm=aws.ssm)
    with pytest.raises(RecordProcessingError, match="the CloudWatch model shipped in the zip") as caught:
        run_handler(load_event("sns_fleet_contributor.json"), aws, clients=clients)
    aws.assert_all_calls_made()
    assert "ContributorsUnavailableError: DescribeAlarmContributors is not in this CloudWatch client" in str(
        caught.value
    )
    assert aws.published == []


def test_list_contributors_reads_every_page_through_the_budget(aws: Aws) -> None:
    aws.expect_contributor_page(FLEET_ALARM, ["a", "b"], next_token="t1")
    aws.throttle("cloudwatch", "describe_alarm_contributors")
    aws.expect_contributor_page(FLEET_ALARM, ["c"], token="t1", since=EVENT_TIME + timedelta(minutes=5))
    found, capped = list_contributors(aws.cloudwatch, make_budget(), FLEET_ALARM)
    aws.assert_all_calls_made()
    assert [c.configuration_set for c in found] == ["a", "b", "c"] and capped is False
    assert found[2].since == EVENT_TIME + timedelta(minutes=5)
    assert found[0] == Contributor(
        "p000000000000000", (("ses:configuration-set", "a"),), "Threshold Crossed", found[0].since
    )


def test_list_contributors_stops_at_the_100_cloudwatch_reports(aws: Aws) -> None:
    aws.expect_contributor_page(FLEET_ALARM, [f"set{i}" for i in range(60)], next_token="t1")
    aws.expect_contributor_page(FLEET_ALARM, [f"set{i}" for i in range(60, 120)], token="t1", next_token="t2")
    found, capped = list_contributors(aws.cloudwatch, make_budget(), FLEET_ALARM)
    aws.assert_all_calls_made()  # the page after "t2" is never asked for
    assert len(found) == MAX_CONTRIBUTORS == 100 and capped is True
    assert found[-1].configuration_set == "set99"


def test_list_contributors_fails_clearly_when_the_call_fails(aws: Aws) -> None:
    aws.stubs["cloudwatch"].add_client_error("describe_alarm_contributors", "ResourceNotFoundException", "gone", 404)
    with pytest.raises(ContributorsUnavailableError, match=r"failed \(ResourceNotFoundException\)"):
        list_contributors(aws.cloudwatch, make_budget(), FLEET_ALARM)


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


def test_a_72_hour_old_contributor_notification_pauses_nothing_while_another_set_holds_the_fleet_alarm(
    aws: Aws,
) -> None:
    """Issue "[3 of 7]": the fleet alarm, held in ALARM by another set since before the notification,
    let a 72-hour-old contributor notification pause a set whose newer datapoints were healthy."""
    later = NOW + timedelta(hours=72)
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS, since=EVENT_TIME - timedelta(hours=1))
    aws.expect_set_policy("newsletter")
    aws.expect_set_tags("newsletter")
    aws.stubs["cloudwatch"].add_client_error("describe_alarm_contributors", "AccessDenied", "not allowed", 403)
    aws.expect_set("newsletter")
    aws.expect_datapoints(FLEET_ALARM, [0.01] * 72 + [0.14], "newsletter", end=later)  # healthy for 72 h
    aws.expect_publish()
    summary = run_handler(load_event("sns_fleet_contributor.json"), aws, clock=FakeClock(later))
    assert_refused(aws, summary, "ALARM at the claimed transition (2026-11-28 01:34 UTC), OK now")


def test_a_contributors_own_state_time_places_the_event_never_the_fleet_alarms(aws: Aws) -> None:
    """The contributor went to ALARM after the notification (a new episode of its own): a replay."""
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS, since=EVENT_TIME - timedelta(hours=5))
    aws.expect_set_policy("newsletter")
    aws.expect_set_tags("newsletter")
    aws.expect_contributors(FLEET_ALARM, ["newsletter"], since=EVENT_TIME + timedelta(hours=2))
    aws.expect_set("newsletter")
    aws.expect_publish()
    summary = run_handler(load_event("sns_fleet_contributor.json"), aws, clock=FakeClock(NOW + timedelta(hours=3)))
    assert_refused(aws, summary, "is older than the contributor's current state")
