"""Every price and API quota the estimate uses, in one table, each with its source and the date it was
checked. Prices are list prices for us-east-1 (they vary by Region); a price nobody could confirm on
an AWS page is marked ``confirmed=False`` and the estimate says so next to every figure it touches.

Re-check before relying on a figure: https://aws.amazon.com/cloudwatch/pricing/ and the pages below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PRICE_REGION: Final = "us-east-1"
CHECKED: Final = "2026-11-28"
SWEEP_CHECKED: Final = "2026-12-07"
"""When the prices of sweep mode's run (GetMetricData, Lambda, DynamoDB, EventBridge, Logs) were looked up."""


@dataclass(frozen=True)
class Price:
    """One unit price. ``usd`` is per ``unit`` per month."""

    usd: float
    unit: str
    source: str
    free_units: int = 0
    """Units free every month per account (the AWS Free Tier), 0 for none."""
    confirmed: bool = True
    """False: no AWS page stating this rate was found; ``usd`` is an assumption, shown as such."""
    note: str = ""
    checked: str = CHECKED
    region: str = PRICE_REGION


@dataclass(frozen=True)
class CostLine:
    """One billable quantity of a month (alarms, metrics analyzed, a sweep's requests...), priced from
    ``PRICES``: every part of an estimate, per-set, fleet or sweep, is one of these."""

    part: str
    quantity: float
    price_key: str

    @property
    def monthly_usd(self) -> float:
        return self.quantity * PRICES[self.price_key].usd

    @property
    def confirmed(self) -> bool:
        return PRICES[self.price_key].confirmed


PRICES: Final = {
    "standard_alarm": Price(
        usd=0.10,
        unit="alarm metric",
        free_units=10,
        source="aws.amazon.com/cloudwatch/pricing (Alarms: standard resolution, per alarm metric; free tier: "
        "'10 Alarm metrics (only applicable to Standard resolution alarms that list metrics directly and "
        "don't use a Metrics Insights query)')",
    ),
    "metrics_insights_metric_analyzed": Price(
        usd=0.10,
        unit="metric analyzed by a Metrics Insights alarm",
        source="CloudWatch billing documentation: a Metrics Insights alarm is charged per metric its query "
        "analyzes ('a query whose filter matches ten metrics incurs ten metrics analyzed'); the per-metric "
        "rate was not found on an AWS page",
        confirmed=False,
        note="assumed equal to the standard alarm-metric rate; no free tier applies",
    ),
    "dashboard": Price(
        usd=3.00,
        unit="dashboard",
        free_units=3,
        source="aws.amazon.com/cloudwatch/pricing (Dashboards: $3 per dashboard per month; free tier: "
        "3 dashboards of up to 50 metrics)",
    ),
    "kms_key": Price(
        usd=1.00,
        unit="customer managed KMS key",
        source="aws.amazon.com/kms/pricing (each KMS key costs $1/month, prorated hourly)",
        note="key rotation adds $1/month per rotated backing key from the second year; requests "
        "($0.03 per 10,000 beyond 20,000 free) are negligible at idle",
    ),
    "lambda_idle": Price(
        usd=0.0,
        unit="function at idle",
        source="aws.amazon.com/lambda/pricing (charged per request and per GB-second of duration; reserved "
        "concurrency is free): a function that no alarm invokes costs nothing",
    ),
    "sns_sqs_logs_idle": Price(
        usd=0.0,
        unit="topic, queue or log group at idle",
        source="aws.amazon.com/sns/pricing, /sqs/pricing, /cloudwatch/pricing (charged per request, delivery "
        "or GB ingested and stored; nothing without traffic)",
    ),
    # --- a sweep run (estimate_sweep): every price looked up on SWEEP_CHECKED; the confirmed ones on an AWS page
    "getmetricdata_metric": Price(
        usd=0.01 / 1000,
        unit="metric requested with GetMetricData",
        source="https://aws.amazon.com/cloudwatch/pricing/ (API requests: GetMetricData $0.01 per 1,000 metrics "
        "requested; not in the free tier), as docs REFERENCE 'Metrics Insights queries' quotes it",
        checked=SWEEP_CHECKED,
    ),
    "getmetricdata_insights_metric_analyzed": Price(
        usd=0.01 / 1000,
        unit="metric a Metrics Insights GetMetricData query analyzes",
        source="https://aws.amazon.com/cloudwatch/pricing/ (GetMetricData $0.01 per 1,000 metrics requested); the "
        "unit for a Metrics Insights query is the CloudWatch billing documentation's for Metrics Insights alarms "
        "('a query whose filter matches ten metrics incurs ten metrics analyzed')",
        confirmed=False,
        note="assumed: a query is billed per metric it analyzes (one per set publishing the rate), not per series it "
        "returns (500 at most); no AWS page states the unit for a GetMetricData query",
        checked=SWEEP_CHECKED,
    ),
    "lambda_request": Price(
        usd=0.20 / 1_000_000,
        unit="Lambda request",
        free_units=1_000_000,
        source="https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html ('$0.20 per 1 "
        "million requests'; free tier 1 million requests a month); https://aws.amazon.com/lambda/pricing/",
        checked=SWEEP_CHECKED,
    ),
    "lambda_gb_second": Price(
        usd=0.0000166667,
        unit="Lambda GB-second (x86)",
        free_units=400_000,
        source="https://docs.aws.amazon.com/whitepapers/latest/how-aws-pricing-works/lambda.html ('$0.00001667 for "
        "every GB-second'; free tier 400,000 GB-seconds a month); https://aws.amazon.com/lambda/pricing/ (x86, first "
        "6 billion GB-seconds)",
        checked=SWEEP_CHECKED,
    ),
    "dynamodb_write_request_unit": Price(
        usd=0.625 / 1_000_000,
        unit="DynamoDB on-demand write request unit",
        source="https://aws.amazon.com/dynamodb/pricing/on-demand/ (the page found here did not show the figure; "
        "$0.625 per million is airbyte.com's quote of us-east-1 after AWS's November 2024 price cut)",
        confirmed=False,
        note="assumed from a third party; the pre-cut $1.25 per million would change the month by under a cent",
        checked=SWEEP_CHECKED,
    ),
    "dynamodb_read_request_unit": Price(
        usd=0.125 / 1_000_000,
        unit="DynamoDB on-demand read request unit",
        source="https://aws.amazon.com/dynamodb/pricing/on-demand/ (the page found here did not show the figure; "
        "$0.125 per million is airbyte.com's quote of us-east-1 after AWS's November 2024 price cut)",
        confirmed=False,
        note="assumed from a third party; the pre-cut $0.25 per million would change the month by under a cent",
        checked=SWEEP_CHECKED,
    ),
    "eventbridge_scheduled_invocation": Price(
        usd=1.00 / 1_000_000,
        unit="scheduled invocation",
        source="https://aws.amazon.com/eventbridge/pricing/ (AWS management events are free; the page found here "
        "does not price a scheduled rule's events); $1.00 per million is EventBridge Scheduler's rate after its 14 "
        "million free invocations (AWS Price List, usage type ScheduledInvocation)",
        confirmed=False,
        note="assumed: priced as EventBridge Scheduler invocations without the free tier, an upper bound",
        checked=SWEEP_CHECKED,
    ),
    "logs_ingestion_gb": Price(
        usd=0.50,
        unit="GB of CloudWatch Logs ingested (standard class)",
        free_units=5,
        source="https://aws.amazon.com/cloudwatch/pricing/ (Logs: collect, standard log class) as c3x.dev and "
        "others quote it for us-east-1; the AWS page itself was not reached here",
        confirmed=False,
        note="assumed from third parties; storage ($0.03 per GB-month) is left out (the log group's retention decides)",
        checked=SWEEP_CHECKED,
    ),
}


@dataclass(frozen=True)
class ApiQuota:
    """A default request-rate quota per account and Region (all adjustable unless noted)."""

    per_second: float
    source: str
    checked: str = CHECKED


# Terraform makes one call per alarm for each of these (create, refresh, destroy).
API_QUOTAS: Final = {
    "PutMetricAlarm": ApiQuota(3, "AWS General Reference, 'Amazon CloudWatch endpoints and quotas' (3 TPS)"),
    "DescribeAlarms": ApiQuota(9, "AWS General Reference, 'Amazon CloudWatch endpoints and quotas' (9 TPS)"),
    "ListTagsForResource": ApiQuota(10, "AWS General Reference, 'Amazon CloudWatch endpoints and quotas' (10 TPS)"),
    "DeleteAlarms": ApiQuota(3, "AWS General Reference, 'Amazon CloudWatch endpoints and quotas' (3 TPS)"),
}
