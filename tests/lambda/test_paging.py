"""The one NextToken loop (``paging.pages``): every page of a paged AWS call, then stop."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ses_guard_lambda.paging import pages
from tests.stubbed_aws import FLEET_ALARM, Aws, make_budget


class Pager:
    """A paged call answering ``responses`` in turn; ``requests`` records the parameters of each call."""

    def __init__(self, *responses: Mapping[str, Any]) -> None:
        self.responses = list(responses)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, **params: Any) -> Mapping[str, Any]:
        self.requests.append(params)
        return self.responses[len(self.requests) - 1]


def test_pages_follows_next_token_across_three_pages_and_stops(aws: Aws) -> None:
    aws.expect_contributor_page(FLEET_ALARM, ["a", "b"], next_token="t1")
    aws.expect_contributor_page(FLEET_ALARM, ["c"], token="t1", next_token="t2")
    aws.expect_contributor_page(FLEET_ALARM, ["d"], token="t2")
    responses = list(pages(aws.cloudwatch.describe_alarm_contributors, AlarmName=FLEET_ALARM))
    aws.assert_all_calls_made()
    names = [[c["ContributorAttributes"]["ses:configuration-set"] for c in r["AlarmContributors"]] for r in responses]
    assert names == [["a", "b"], ["c"], ["d"]]
    assert aws.calls_to("DescribeAlarmContributors") == [
        {"AlarmName": FLEET_ALARM},
        {"AlarmName": FLEET_ALARM, "NextToken": "t1"},
        {"AlarmName": FLEET_ALARM, "NextToken": "t2"},
    ]


def test_a_single_page_is_one_call() -> None:
    call = Pager({"Items": [1]})
    assert list(pages(call, Name="x")) == [{"Items": [1]}]
    assert call.requests == [{"Name": "x"}]


def test_an_empty_next_token_ends_the_paging() -> None:
    call = Pager({"Items": [1], "NextToken": "t1"}, {"Items": [2], "NextToken": ""}, {"Items": [3]})
    assert [r["Items"] for r in pages(call)] == [[1], [2]]
    assert call.requests == [{}, {"NextToken": "t1"}]


def test_the_next_page_is_asked_for_only_when_the_caller_wants_it() -> None:
    call = Pager({"Items": [1], "NextToken": "t1"}, {"Items": [2]})
    iterator = pages(call, Name="x")
    assert next(iterator) == {"Items": [1], "NextToken": "t1"}
    assert call.requests == [{"Name": "x"}]  # a caller that found what it looked for stops here
    assert next(iterator) == {"Items": [2]}
    assert call.requests == [{"Name": "x"}, {"Name": "x", "NextToken": "t1"}]


def test_each_request_keeps_the_callers_parameters_and_only_the_latest_token() -> None:
    call = Pager({"NextToken": "t1"}, {"NextToken": "t2"}, {})
    params = {"AlarmName": "a", "MaxRecords": 10}
    assert len(list(pages(call, **params))) == 3
    assert call.requests == [
        {"AlarmName": "a", "MaxRecords": 10},
        {"AlarmName": "a", "MaxRecords": 10, "NextToken": "t1"},
        {"AlarmName": "a", "MaxRecords": 10, "NextToken": "t2"},
    ]
    assert params == {"AlarmName": "a", "MaxRecords": 10}


def test_pages_through_the_budget_retries_a_throttled_page(aws: Aws) -> None:
    budget = make_budget()
    aws.expect_contributor_page(FLEET_ALARM, ["a"], next_token="t1")
    aws.throttle("cloudwatch", "describe_alarm_contributors")
    aws.expect_contributor_page(FLEET_ALARM, ["b"], token="t1")
    call = partial(budget.call, aws.cloudwatch.describe_alarm_contributors)
    responses = list(pages(call, AlarmName=FLEET_ALARM))
    aws.assert_all_calls_made()
    assert len(responses) == 2 and budget.retries == 1
    assert aws.calls_to("DescribeAlarmContributors")[1:] == [{"AlarmName": FLEET_ALARM, "NextToken": "t1"}] * 2
