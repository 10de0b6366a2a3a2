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
