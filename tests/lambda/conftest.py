"""Fixtures for the Lambda tests (helpers live in tests/stubbed_aws.py, a uniquely named module)."""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY

from ses_guard_lambda import handler
from ses_guard_lambda.clients import Clients
from ses_guard_lambda.config import GuardConfig
from ses_guard_lambda.sweep_query import SET_LABEL
from ses_guard_policy import contract, evaluation, manifest
from ses_guard_policy import sweep as sweep_model
from tests.stubbed_aws import (
    CONFIG,
    MANIFEST_DOCUMENT,
    NOW,
    REGION,
    Aws,
    FakeClock,
    FakeContext,
    _aws_environment,
    aws,
    load_event,
)

__all__ = ["_aws_environment", "aws", "sweep"]


# --- sweep mode (tests/lambda/test_sweep*.py) ---------------------------------------------------------
# Helpers reach the tests through the `sweep` fixture (the test folder is not an importable package).

SWEEP_TABLE = "sesguard-sweep-state"
# A sweep of 2 breaching periods among the latest 3 (M of N), hourly, the manifest's default thresholds
# (bounce: warning 0.02, critical 0.05; complaint: warning 0.0005, critical 0.001).
SWEEP_POLICY: dict[str, Any] = {"action": "pause", "period": 3600, "evaluation_periods": 3, "datapoints_to_alarm": 2}


class SweepHarness:
    """Stubbed CloudWatch, SES, SNS and SSM (``aws``) and a moto DynamoDB table for sweep runs."""

    now = NOW
    table = SWEEP_TABLE
    bounce = contract.METRIC_BOUNCE_RATE
    complaint = contract.METRIC_COMPLAINT_RATE

    def __init__(self, aws: Aws, dynamodb: Any) -> None:
        self.aws = aws
        self.dynamodb = dynamodb

    # --- configuration ----------------------------------------------------------------------------
    def config(
        self,
        *,
        sweep: Mapping[str, Any] | None = None,
        account: Mapping[str, Any] | None = None,
        dry_run: bool = False,
        protected: Sequence[str] = (),
        table: str | None = SWEEP_TABLE,
    ) -> GuardConfig:
        document = dict(MANIFEST_DOCUMENT)
        document["sweep"] = {**SWEEP_POLICY, **(sweep or {})}
        if account is not None:
            document["account"] = dict(account)
        return replace(
            CONFIG,
            manifest=manifest.parse(document, source="tests"),
            dry_run=dry_run,
            protected_sets=frozenset(protected),
            sweep_state_table=table,
        )

    def rule(self, config: GuardConfig, threshold: float = 0.05) -> evaluation.AlarmRule:
        assert config.manifest is not None and config.manifest.sweep is not None
        return config.manifest.sweep.evaluation.alarm_rule(threshold)

    # --- datapoints ---------------------------------------------------------------------------------
    def points(self, *values: float | None, end: datetime = NOW) -> dict[datetime, float]:
        """One datapoint a period, newest first: the first in the period holding ``end``."""
        start = evaluation.align(end, 3600)
        return {start - timedelta(hours=i): v for i, v in enumerate(values) if v is not None}

    def insights_query(self, metric: str) -> dict[str, Any]:
        query = sweep_model.queries()[metric]
        return {"Id": sweep_model.QUERY_IDS[metric], "Expression": query, "Period": 3600, "Label": SET_LABEL,
                "ReturnData": True}  # fmt: skip

    def expect_insights(
        self,
        metric: str,
        sets: Mapping[str, Mapping[datetime, float]],
        *,
        token: str | None = None,
        next_token: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        """One page of the Metrics Insights GetMetricData for ``metric``: one result per set (label = name)."""
        results = [
            {
                "Id": sweep_model.QUERY_IDS[metric],
                "Label": (labels or {}).get(name, name),
                "Timestamps": sorted(points, reverse=True),
                "Values": [points[t] for t in sorted(points, reverse=True)],
                "StatusCode": "Complete",
            }
            for name, points in sets.items()
        ]
        response: dict[str, Any] = {"MetricDataResults": results, "Messages": []}
        if next_token:
            response["NextToken"] = next_token
        params: dict[str, Any] = {
            "MetricDataQueries": [self.insights_query(metric)],
            "StartTime": ANY,
            "EndTime": ANY,
            "ScanBy": "TimestampDescending",
        }
        if token:
            params["NextToken"] = token
        self.aws.stubs["cloudwatch"].add_response("get_metric_data", response, params)

    def expect_account_rates(
        self, bounce: Mapping[datetime, float] | None = None, complaint: Mapping[datetime, float] | None = None
    ) -> None:
        results = []
        for metric, points in ((self.bounce, bounce or {}), (self.complaint, complaint or {})):
            stamps = sorted(points, reverse=True)
            results.append({"Id": f"account_{sweep_model.QUERY_IDS[metric]}", "Label": metric, "Timestamps": stamps,
                            "Values": [points[t] for t in stamps], "StatusCode": "Complete"})  # fmt: skip
        self.aws.stubs["cloudwatch"].add_response(
            "get_metric_data",
            {"MetricDataResults": results, "Messages": []},
            {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "ScanBy": "TimestampDescending"},
        )

    def expect_queries(
        self,
        bounce: Mapping[str, Mapping[datetime, float]] | None = None,
        complaint: Mapping[str, Mapping[datetime, float]] | None = None,
        *,
        account: bool = True,
        account_bounce: Mapping[datetime, float] | None = None,
        account_complaint: Mapping[datetime, float] | None = None,
    ) -> None:
        """Both Insights queries (one page each) and, with ``account``, the account's rates."""
        self.expect_insights(self.bounce, bounce or {})
        self.expect_insights(self.complaint, complaint or {})
        if account:
            self.expect_account_rates(account_bounce, account_complaint)

    def expect_set_pause(self, name: str, *, tags: Mapping[str, str] | None = None) -> None:
        """A set in critical breach without its own policy, enabled, not notify-tagged: paused, tagged, reported."""
        self.aws.expect_set_policy(name)
        self.aws.expect_set(name)
        self.aws.expect_set_tags(name, dict(tags or {}))
        self.aws.expect_pause_set(name)
        self.aws.expect_pause_tag(name)
        self.aws.expect_publish()

    # --- the run ------------------------------------------------------------------------------------
    def run(
        self, config: GuardConfig, *, event: Any = None, clock: FakeClock | None = None, context: Any = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = handler.handle(
            event if event is not None else load_event("eventbridge_scheduled_event.json"),
            context or FakeContext(),
            config=config,
            clients=self.clients(),
            clock=(clock or FakeClock()).clock,
        )
        return result

    def clients(self) -> Clients:
        """The stubbed clients with the moto table's DynamoDB client (``Clients.dynamodb``)."""
        return replace(self.aws.clients, dynamodb=self.dynamodb)

    def episodes(self) -> dict[str, str]:
        item = self.dynamodb.get_item(TableName=SWEEP_TABLE, Key={"pk": {"S": "episodes"}}).get("Item") or {}
        return {k: v["S"] for k, v in item.get("episodes", {}).get("M", {}).items()}

    def item(self, key: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.dynamodb.get_item(TableName=SWEEP_TABLE, Key={"pk": {"S": key}}).get("Item")
        return found

    def hold_lock(self, owner: str = "another-run", until: datetime | None = None) -> None:
        lease = int((until or NOW + timedelta(minutes=5)).timestamp())
        item = {"pk": {"S": "lock"}, "owner": {"S": owner}, "lease_until": {"N": str(lease)}}
        self.dynamodb.put_item(TableName=SWEEP_TABLE, Item=item)

    def reports(self) -> list[dict[str, Any]]:
        return [{**p, "Texts": json.loads(p["Message"])} for p in self.aws.published]

    def subjects(self) -> list[str]:
        return [str(p["Subject"]) for p in self.aws.published]


@pytest.fixture
def sweep(aws: Aws) -> Iterator[SweepHarness]:
    """A sweep harness: the stubbed clients plus a moto DynamoDB state table (hash key ``pk``)."""
    from moto import mock_aws  # moto is slow to import: only the sweep tests pay for it

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=SWEEP_TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield SweepHarness(aws, dynamodb)
