"""The pure decision rule and the report text."""

from __future__ import annotations

from dataclasses import replace

from ses_guard_lambda import contract, report
from ses_guard_lambda.decision import (
    IGNORE,
    PAUSE_ACCOUNT,
    PAUSE_CONFIGURATION_SET,
    Context,
    Decision,
    Target,
    decide,
    precheck,
)
from ses_guard_lambda.events import AlarmEvent, MetricRef, parse_record, split_records
from tests.stubbed_aws import ACCOUNT, CONFIG, REGION, load_event

CTX = Context(account_id=ACCOUNT, region=REGION)
ACCOUNT_TAGS = {
    contract.TAG_GUARD: CONFIG.name_prefix,
    contract.TAG_SCOPE: contract.SCOPE_ACCOUNT,
    contract.TAG_TIER: contract.TIER_CRITICAL,
    contract.TAG_ACTION: contract.ACTION_PAUSE,
}


def account_alarm() -> AlarmEvent:
    kind, record = split_records(load_event("sns_account_bounce_alarm.json"))[0]
    return parse_record(kind, record)


def test_account_alarm_with_matching_tags_pauses_the_account() -> None:
    alarm = account_alarm()
    decision = decide(alarm, ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == PAUSE_ACCOUNT
    assert decision.target == Target(None)
    assert decision.metric == contract.METRIC_BOUNCE_RATE


def test_precheck_leaves_a_matching_alarm_to_the_tag_check() -> None:
    assert precheck(account_alarm(), CONFIG, CTX) is None


def test_alarm_from_another_region_is_ignored() -> None:
    decision = decide(account_alarm(), ACCOUNT_TAGS, CONFIG, Context(ACCOUNT, "eu-west-1"))
    assert decision.action == IGNORE
    assert "Region 'us-east-1'" in decision.reason


def test_alarm_mixing_metrics_of_two_sets_is_ignored() -> None:
    alarm = account_alarm()
    mixed = replace(
        alarm,
        metrics=(
            MetricRef("AWS/SES", contract.METRIC_BOUNCE_RATE, (("ses:configuration-set", "a"),)),
            MetricRef("AWS/SES", contract.METRIC_BOUNCE_RATE, (("ses:configuration-set", "b"),)),
        ),
    )
    decision = decide(mixed, ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE and "disagree" in decision.reason


def test_account_scope_refuses_a_metrics_insights_query() -> None:
    kind, record = split_records(load_event("sns_metrics_insights_contributor.json"))[0]
    alarm = replace(parse_record(kind, record), contributor=None)
    decision = decide(alarm, ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE and "Metrics Insights" in decision.reason


def test_subject_is_ascii_and_at_most_100_characters() -> None:
    alarm = replace(account_alarm(), alarm_name="é" * 200)
    long_set = "s" * 64
    decision = Decision(PAUSE_CONFIGURATION_SET, "r", Target(long_set), contract.METRIC_BOUNCE_RATE)
    subject = report.subject(decision, alarm, "ap-southeast-2", dry_run=True)
    assert len(subject) <= 100
    assert subject.isascii() and "\n" not in subject
    assert subject.startswith("SES WOULD PAUSE set ssss")
