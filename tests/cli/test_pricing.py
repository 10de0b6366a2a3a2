"""``pricing``: the one table of prices and API quotas the estimate uses, each with its source and date."""

from __future__ import annotations

from datetime import date

from ses_guard_cli.pricing import API_QUOTAS, CHECKED, PRICE_REGION, PRICES, SWEEP_CHECKED

UNCONFIRMED = [
    "metrics_insights_metric_analyzed",
    "getmetricdata_insights_metric_analyzed",
    "dynamodb_write_request_unit",
    "dynamodb_read_request_unit",
    "eventbridge_scheduled_invocation",
    "logs_ingestion_gb",
]


def test_every_price_names_its_source_date_and_region_and_the_unconfirmed_ones_are_listed() -> None:
    for key, price in PRICES.items():
        assert price.source and price.checked and price.region == "us-east-1", key
        assert price.usd >= 0 and price.free_units >= 0 and price.unit, key
    assert [k for k, p in PRICES.items() if not p.confirmed] == UNCONFIRMED
    assert PRICE_REGION == "us-east-1"


def test_an_unconfirmed_price_says_what_was_assumed() -> None:
    for key, price in PRICES.items():
        if not price.confirmed:
            assert "assumed" in price.note, key


def test_the_quotas_cover_every_call_terraform_makes_per_alarm_each_with_its_source() -> None:
    assert set(API_QUOTAS) == {"PutMetricAlarm", "DescribeAlarms", "ListTagsForResource", "DeleteAlarms"}
    for operation, quota in API_QUOTAS.items():
        assert quota.per_second > 0 and "quotas" in quota.source and quota.checked == CHECKED, operation


def test_the_figures_were_checked_on_a_real_date() -> None:
    checked = {price.checked for price in PRICES.values()} | {quota.checked for quota in API_QUOTAS.values()}
    assert checked == {CHECKED, SWEEP_CHECKED}
    assert date.fromisoformat(CHECKED) and date.fromisoformat(SWEEP_CHECKED)


def test_the_list_prices_are_the_ones_the_docs_quote() -> None:
    """docs/fleet.md quotes these in words (its table is checked in test_estimate.py)."""
    assert (PRICES["standard_alarm"].usd, PRICES["standard_alarm"].free_units) == (0.10, 10)
    assert (PRICES["dashboard"].usd, PRICES["dashboard"].free_units) == (3.00, 3)
    assert PRICES["kms_key"].usd == 1.00
    assert PRICES["lambda_idle"].usd == PRICES["sns_sqs_logs_idle"].usd == 0.0
