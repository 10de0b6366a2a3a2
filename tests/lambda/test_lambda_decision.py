"""The pure decision rule: the event's claim, the alarm-name shapes and the alarm's tags."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ses_guard_lambda.config import ConfigError, GuardConfig, is_valid_set_name
from ses_guard_lambda.decision import (
    IGNORE,
    PAUSE_ACCOUNT,
    PAUSE_CONFIGURATION_SET,
    REFUSE,
    Claim,
    Context,
    Target,
    screen,
    verdict,
)
from ses_guard_lambda.events import AlarmEvent, MetricRef, parse_record, split_records
from ses_guard_policy import alarm_names, contract
from tests.stubbed_aws import ACCOUNT, ACCOUNT_TAGS, CONFIG, FLEET_TAGS, PREFIX, REGION, load_event, tags

CTX = Context(account_id=ACCOUNT, region=REGION)


def first(fixture: str) -> AlarmEvent:
    kind, record = split_records(load_event(fixture))[0]
    return parse_record(kind, record)


def renamed(event: AlarmEvent, name: str) -> AlarmEvent:
    return replace(event, alarm_name=name, alarm_arn=event.alarm_arn.rsplit(":", 1)[0] + ":" + name)


def test_account_alarm_with_matching_tags_pauses_the_account() -> None:
    decision = verdict(first("sns_account_bounce_alarm.json"), ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == PAUSE_ACCOUNT
    assert decision.target == Target(None)
    assert decision.metric == contract.METRIC_BOUNCE_RATE


def test_precheck_leaves_a_matching_alarm_to_the_aws_checks() -> None:
    claim = screen(first("sns_account_bounce_alarm.json"), CONFIG, CTX)
    assert isinstance(claim, Claim) and claim.name.scope == contract.SCOPE_ACCOUNT


def test_alarm_from_another_region_is_ignored() -> None:
    decision = verdict(first("sns_account_bounce_alarm.json"), ACCOUNT_TAGS, CONFIG, Context(ACCOUNT, "eu-west-1"))
    assert decision.action == IGNORE
    assert "Region 'us-east-1'" in decision.reason


def test_alarm_mixing_metrics_of_two_sets_is_ignored() -> None:
    mixed = replace(
        first("sns_account_bounce_alarm.json"),
        metrics=(
            MetricRef("AWS/SES", contract.METRIC_BOUNCE_RATE, (("ses:configuration-set", "a"),)),
            MetricRef("AWS/SES", contract.METRIC_BOUNCE_RATE, (("ses:configuration-set", "b"),)),
        ),
    )
    decision = verdict(mixed, ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE and "disagree" in decision.reason


def test_an_account_alarm_name_on_a_metrics_insights_query_is_refused() -> None:
    query = replace(first("sns_fleet_contributor.json"), contributor=None)
    decision = verdict(renamed(query, f"{PREFIX}-account-bounce-critical"), ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == REFUSE and "account-wide metric" in decision.reason


# --- alarm-name shapes (issue 11 point 9: foreign but well-formed) ------------------------------------


@pytest.mark.parametrize(
    ("name", "scope", "configuration_set"),
    [
        (f"{PREFIX}-account-bounce-critical", contract.SCOPE_ACCOUNT, None),
        (f"{PREFIX}-set-marketing-complaint-warning", contract.SCOPE_CONFIGURATION_SET, "marketing"),
        (f"{PREFIX}-set-a-bounce-critical-bounce-critical", contract.SCOPE_CONFIGURATION_SET, "a-bounce-critical"),
        (f"{PREFIX}-fleet-complaint-critical", contract.SCOPE_FLEET, None),
    ],
)
def test_the_three_name_shapes_are_recognised(name: str, scope: str, configuration_set: str | None) -> None:
    parsed = alarm_names.parse(name, PREFIX)
    assert parsed is not None
    assert (parsed.scope, parsed.configuration_set) == (scope, configuration_set)


@pytest.mark.parametrize(
    "name",
    [
        f"{PREFIX}-account-bounce-critical\n",
        f"{PREFIX}-custom-bounce-critical",
        f"{PREFIX}-account-spam-critical",
        f"{PREFIX}-set-bad name-bounce-critical",
        f"{PREFIX}-set-{'x' * 65}-bounce-critical",
        f"{PREFIX}-fleet-bounce-urgent",
    ],
)
def test_names_under_the_prefix_that_are_not_our_shapes_are_ignored(name: str) -> None:
    assert alarm_names.parse(name, PREFIX) is None
    decision = verdict(renamed(first("sns_account_bounce_alarm.json"), name), ACCOUNT_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE
    assert "not one of this guard's alarm-name shapes" in decision.reason


def test_a_warning_alarm_is_ignored_before_any_aws_call() -> None:
    event = renamed(first("sns_account_bounce_alarm.json"), f"{PREFIX}-account-bounce-warning")
    decision = screen(event, CONFIG, CTX)
    assert decision is not None and decision.action == IGNORE and "only critical alarms pause" in decision.reason


def test_the_per_set_alarm_prefix_is_the_start_of_every_alarm_of_that_set() -> None:
    assert alarm_names.set_alarm_prefix(PREFIX, "vip") == f"{PREFIX}-set-vip-"


# --- tags -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alarm_tags", "action", "reason"),
    [
        (tags(contract.SCOPE_CONFIGURATION_SET, "other-set"), REFUSE, "do not all match"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "Marketing"), REFUSE, "do not all match"),
        (tags(contract.SCOPE_ACCOUNT), REFUSE, "disagrees with the alarm name ('configuration-set')"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", tier=contract.TIER_WARNING), REFUSE, "('critical')"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", guard="someone-else"), REFUSE, "not this guard's"),
        ({}, REFUSE, "not this guard's"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", action="delete"), REFUSE, "is not 'pause'"),
        (tags(contract.SCOPE_CONFIGURATION_SET, "marketing", action=contract.ACTION_NOTIFY), IGNORE, "notify only"),
    ],
)
def test_tags_that_disagree_with_the_alarm_do_not_pause(alarm_tags: dict[str, str], action: str, reason: str) -> None:
    decision = verdict(first("sns_set_complaint_alarm.json"), alarm_tags, CONFIG, CTX)
    assert decision.action == action
    assert reason in decision.reason


# --- fleet ------------------------------------------------------------------------------------------


def test_a_fleet_contributor_pauses_exactly_the_contributor_set() -> None:
    decision = verdict(first("sns_fleet_contributor.json"), FLEET_TAGS, CONFIG, CTX)
    assert decision.action == PAUSE_CONFIGURATION_SET
    assert decision.target == Target("newsletter")


def test_the_alarm_level_fleet_notification_pauses_nothing() -> None:
    event = replace(first("sns_fleet_contributor.json"), contributor=None)
    decision = verdict(event, FLEET_TAGS, CONFIG, CTX)
    assert decision.action == IGNORE and "without a 'ses:configuration-set' contributor" in decision.reason


def test_a_fleet_alarm_tagged_with_one_set_is_refused() -> None:
    decision = verdict(
        first("sns_fleet_contributor.json"), {**FLEET_TAGS, contract.TAG_CONFIGURATION_SET: "x"}, CONFIG, CTX
    )
    assert decision.action == REFUSE


def test_a_per_set_alarm_with_a_contributor_of_another_set_is_refused() -> None:
    event = replace(first("sns_set_complaint_alarm.json"), contributor=(("ses:configuration-set", "other"),))
    decision = verdict(event, tags(contract.SCOPE_CONFIGURATION_SET, "marketing"), CONFIG, CTX)
    assert decision.action == REFUSE and "'other'" in decision.reason


# --- names compared exactly; protection ignores case (issue 11 point 6) -----------------------------------


def test_protected_sets_are_matched_whatever_the_case() -> None:
    config = replace(CONFIG, protected_sets=frozenset({"newsletter"}))
    for name in ("newsletter", "NEWSLETTER", "NewsLetter"):
        event = replace(first("sns_fleet_contributor.json"), contributor=(("ses:configuration-set", name),))
        decision = verdict(event, FLEET_TAGS, config, CTX)
        assert decision.action == IGNORE and "PROTECTED_CONFIGURATION_SETS" in decision.reason, name


@pytest.mark.parametrize("name", ["transactional\n", "trans actional", "", "x" * 65, "été"])
def test_set_names_must_match_the_ses_rule_in_full(name: str) -> None:
    assert not is_valid_set_name(name)


def test_a_protected_list_entry_breaking_the_set_name_rule_is_a_configuration_error() -> None:
    environment = {
        contract.ENV_GUARD_NAME_PREFIX: PREFIX,
        contract.ENV_PAUSE_TOPIC_ARN: "a",
        contract.ENV_REPORT_TOPIC_ARN: "b",
        contract.ENV_PROTECTED_CONFIGURATION_SETS: "ok,transactional\n ,x y",
    }
    with pytest.raises(ConfigError, match=r"invalid configuration set name\(s\): 'x y'"):
        GuardConfig.from_env(environment)
