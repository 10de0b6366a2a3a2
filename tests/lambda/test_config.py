"""The function's configuration (``config``): its environment (docs/lambda.md, "Environment") and the
guard-level policy manifest (``POLICY_MANIFEST``)."""

from __future__ import annotations

import json
import re

import pytest

from ses_guard_lambda import handler
from ses_guard_lambda.config import (
    ConfigError,
    GuardConfig,
    is_valid_set_name,
    parse_bool,
    parse_log_level,
    parse_manifest,
    parse_set_list,
)
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT_ALARM,
    CONFIG,
    MANIFEST,
    MANIFEST_DOCUMENT,
    PREFIX,
    REPORT_TOPIC,
    Aws,
    FakeContext,
    load_event,
)

REQUIRED = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}


# --- the entry point reads the environment ---------------------------------------------------------


def test_lambda_handler_reads_its_configuration_from_the_environment(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(contract.ENV_GUARD_NAME_PREFIX, PREFIX)
    monkeypatch.setenv(contract.ENV_PAUSE_TOPIC_ARN, CONFIG.pause_topic_arn)
    monkeypatch.setenv(contract.ENV_REPORT_TOPIC_ARN, REPORT_TOPIC)
    monkeypatch.setenv(contract.ENV_DRY_RUN, "true")
    monkeypatch.setenv(contract.ENV_POLICY_MANIFEST, MANIFEST.to_json(with_sets=False))
    monkeypatch.setattr(handler, "get_clients", lambda: aws.clients)
    aws.expect_verified(ACCOUNT_ALARM)
    aws.expect_account()
    aws.expect_datapoints(ACCOUNT_ALARM, [0.09])
    aws.expect_publish()
    summary = handler.lambda_handler(load_event("sns_account_bounce_alarm.json"), FakeContext())
    aws.assert_all_calls_made()
    assert summary["dry_run"] is True


# --- the environment -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "missing environment variable(s): GUARD_NAME_PREFIX, PAUSE_TOPIC_ARN, REPORT_TOPIC_ARN"),
        ({"DRY_RUN": "maybe"}, "DRY_RUN must be true or false, got 'maybe'"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD': must be one of"),
        ({"PROTECTED_CONFIGURATION_SETS": "ok,bad name"}, "invalid configuration set name(s): 'bad name'"),
        ({"ACCEPTED_SOURCES": "sns,webhook"}, "ACCEPTED_SOURCES holds unknown source(s) ['webhook']"),
        ({"GUARD_NAME_PREFIX": "Bad_Prefix"}, "GUARD_NAME_PREFIX='Bad_Prefix': must be 2-32 characters"),
    ],
)
def test_bad_environment_is_a_clear_error(env: dict[str, str], message: str) -> None:
    base = {} if not env else {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    with pytest.raises(ConfigError) as caught:
        GuardConfig.from_env({**base, **env})
    assert message in str(caught.value)


def test_only_the_three_names_are_required_and_everything_else_has_a_default() -> None:
    config = GuardConfig.from_env({**REQUIRED, "GUARD_NAME_PREFIX": f"  {PREFIX} ", "REPORT_TOPIC_ARN": " b\n"})
    assert config == GuardConfig(name_prefix=PREFIX, pause_topic_arn="a", report_topic_arn="b")
    assert (config.dry_run, config.log_level, config.protected_sets) == (False, "INFO", frozenset())
    assert config.accepted_sources == {"sns"} and config.manifest is None


def test_blank_required_values_count_as_missing() -> None:
    with pytest.raises(ConfigError, match=r"missing environment variable\(s\): PAUSE_TOPIC_ARN$"):
        GuardConfig.from_env({**REQUIRED, "PAUSE_TOPIC_ARN": "  "})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("1", True),
        (" YES ", True),
        ("On", True),
        ("false", False),
        ("0", False),
        ("off", False),
        ("no", False),
        ("", False),
    ],
)
def test_flags_accept_the_usual_spellings_of_true_and_false(value: str, expected: bool) -> None:
    assert parse_bool(contract.ENV_DRY_RUN, value) is expected


@pytest.mark.parametrize(("value", "expected"), [(" debug ", "DEBUG"), ("warning", "WARNING"), ("", "INFO")])
def test_the_log_level_is_read_in_any_case_and_defaults_to_info(value: str, expected: str) -> None:
    assert parse_log_level(value) == expected


def test_accepted_sources_always_include_sns() -> None:
    base = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    assert GuardConfig.from_env(base).accepted_sources == {"sns"}
    enabled = GuardConfig.from_env({**base, "ACCEPTED_SOURCES": " EventBridge , alarm-action"})
    assert enabled.accepted_sources == {"sns", "eventbridge", "alarm-action"}


# --- protected configuration sets ------------------------------------------------------------------


def test_the_protected_list_is_split_on_commas_and_trimmed() -> None:
    assert parse_set_list("X", " transactional, vip,,transactional ,") == frozenset({"transactional", "vip"})
    assert parse_set_list("X", "") == frozenset()


@pytest.mark.parametrize("name", ["transactional\n", "trans actional", "", "x" * 65, "été"])
def test_set_names_must_match_the_ses_rule_in_full(name: str) -> None:
    assert not is_valid_set_name(name)


@pytest.mark.parametrize("name", ["transactional", "a", "Set_1-b", "x" * 64])
def test_set_names_within_the_ses_rule_are_valid(name: str) -> None:
    assert is_valid_set_name(name)


def test_a_protected_list_entry_breaking_the_set_name_rule_is_a_configuration_error() -> None:
    environment = {
        contract.ENV_GUARD_NAME_PREFIX: PREFIX,
        contract.ENV_PAUSE_TOPIC_ARN: "a",
        contract.ENV_REPORT_TOPIC_ARN: "b",
        contract.ENV_PROTECTED_CONFIGURATION_SETS: "ok,transactional\n ,x y",
    }
    with pytest.raises(ConfigError, match=r"invalid configuration set name\(s\): 'x y'"):
        GuardConfig.from_env(environment)


def test_protection_ignores_case_but_nothing_else() -> None:
    config = GuardConfig.from_env({**REQUIRED, contract.ENV_PROTECTED_CONFIGURATION_SETS: "Newsletter"})
    assert config.protected_sets == {"Newsletter"}
    assert config.is_protected("newsletter") and config.is_protected("NEWSLETTER")
    assert not config.is_protected("newsletter2") and not config.is_protected("news letter")


# --- the guard-level manifest -------------------------------------------------------------------------


def test_the_guard_level_manifest_is_read_from_the_environment() -> None:
    base = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    assert GuardConfig.from_env(base).manifest is None
    config = GuardConfig.from_env({**base, "POLICY_MANIFEST": json.dumps(MANIFEST_DOCUMENT)})
    assert config.manifest == MANIFEST
    assert config.manifest is not None and config.manifest.fleet is not None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid JSON"),
        (json.dumps({**MANIFEST_DOCUMENT, "version": 2}), "version=2: this tool reads version 1"),
        (json.dumps({**MANIFEST_DOCUMENT, "account": {"action": "delete"}}), "action='delete': must be one of"),
        (json.dumps({**MANIFEST_DOCUMENT, "alarm": {"statistic": "p99"}}), "statistic='p99': must be one of"),
    ],
)
def test_a_broken_manifest_is_a_clear_error(document: str, message: str) -> None:
    base = {"GUARD_NAME_PREFIX": PREFIX, "PAUSE_TOPIC_ARN": "a", "REPORT_TOPIC_ARN": "b"}
    with pytest.raises(ConfigError, match=re.escape(message)):
        GuardConfig.from_env({**base, "POLICY_MANIFEST": document})


def test_the_manifest_is_parsed_once_per_execution_environment() -> None:
    text = json.dumps(MANIFEST_DOCUMENT)
    first = parse_manifest(text)
    assert first is not None and first == MANIFEST
    assert parse_manifest(text) is first  # cached: warm invocations do not parse it again
    assert parse_manifest("") is None and parse_manifest("  \n") is None
