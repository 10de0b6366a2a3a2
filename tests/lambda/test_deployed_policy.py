"""The deployed policy as the function reads it (``deployed_policy``): a set's own entry is its SSM
SecureString parameter under the manifest's path, read once per invocation; no parameter means no
policy of its own; an unreadable entry fails the record loudly."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from botocore.exceptions import ClientError

from ses_guard_lambda.budget import error_code
from ses_guard_lambda.deployed_policy import DeployedPolicy, PolicyReadError
from ses_guard_lambda.handler import RecordProcessingError
from ses_guard_policy import manifest
from tests.stubbed_aws import (
    FLEET_ALARM,
    FLEET_TAGS,
    MANIFEST,
    PREFIX,
    Aws,
    load_event,
    make_budget,
    policy_parameter,
    run_handler,
)


def deployed(aws: Aws) -> DeployedPolicy:
    return DeployedPolicy(MANIFEST, aws.ssm, make_budget())


# --- reading a set's entry ----------------------------------------------------------------------------


def test_a_sets_entry_is_read_once_per_invocation(aws: Aws) -> None:
    aws.expect_set_policy("vip", {"action": "notify", "bounce_critical": 0.03})
    policy = deployed(aws)
    first = policy.set_policy("vip")
    assert policy.set_policy("vip") is first
    aws.assert_all_calls_made()
    assert aws.calls_to("GetParameter") == [{"Name": policy_parameter("vip"), "WithDecryption": True}]
    assert first is not None
    assert (first.action, first.enabled, first.warning_alarms, first.managed) == ("notify", True, True, False)
    # The entry's own threshold, the manifest's defaults for the rest.
    assert first.thresholds == replace(MANIFEST.default_thresholds, bounce_critical=0.03)


def test_a_set_without_a_parameter_has_no_policy_of_its_own_and_is_not_asked_for_again(aws: Aws) -> None:
    aws.expect_set_policy("newsletter")
    policy = deployed(aws)
    assert policy.set_policy("newsletter") is None
    assert policy.set_policy("newsletter") is None
    aws.assert_all_calls_made()
    assert len(aws.calls_to("GetParameter")) == 1


def test_each_set_is_read_from_its_own_parameter(aws: Aws) -> None:
    aws.expect_set_policy("vip", {"action": "pause"})
    aws.expect_set_policy("newsletter")
    policy = deployed(aws)
    vip, newsletter = policy.set_policy("vip"), policy.set_policy("newsletter")
    aws.assert_all_calls_made()
    assert vip is not None and vip.action == "pause" and newsletter is None
    assert [c["Name"] for c in aws.calls_to("GetParameter")] == [
        policy_parameter("vip"),
        policy_parameter("newsletter"),
    ]


def test_a_new_invocation_reads_the_entry_again(aws: Aws) -> None:
    aws.expect_set_policy("vip")
    aws.expect_set_policy("vip", {"action": "notify"})
    assert deployed(aws).set_policy("vip") is None
    second = deployed(aws).set_policy("vip")  # the entry was deployed in between
    aws.assert_all_calls_made()
    assert second is not None and second.action == "notify"


def test_the_parameter_path_is_the_manifests_or_else_the_one_of_the_name_prefix(aws: Aws) -> None:
    assert deployed(aws).parameter_name("vip") == f"/{PREFIX}/policy/configuration-sets/vip"
    custom = DeployedPolicy(replace(MANIFEST, configuration_sets_path="/custom/sets/"), aws.ssm, make_budget())
    assert custom.parameter_name("vip") == "/custom/sets/vip"
    default = DeployedPolicy(replace(MANIFEST, configuration_sets_path=None), aws.ssm, make_budget())
    assert default.parameter_name("vip") == manifest.configuration_sets_path(PREFIX) + "vip"


# --- failures -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("not json", "Expecting value"),
        (json.dumps({"action": "delete"}), "action='delete': must be one of"),
        (json.dumps(["pause"]), "must be a table (TOML) / object (JSON)"),
        (json.dumps({"action": "pause", "bounce_critical": 2}), "bounce_critical"),
        (json.dumps({"action": "pause", "paws": True}), "unknown key 'paws'"),
    ],
)
def test_an_entry_that_is_not_a_policy_raises_an_error_naming_the_parameter(aws: Aws, value: str, problem: str) -> None:
    aws.expect_set_policy_text("vip", value)
    with pytest.raises(PolicyReadError) as caught:
        deployed(aws).set_policy("vip")
    message = str(caught.value)
    assert message.startswith(f"parameter {policy_parameter('vip')} is not a policy entry: ")
    assert problem in message
    assert caught.value.__cause__ is None  # the message says it all; no chained traceback


@pytest.mark.parametrize("code", ["AccessDeniedException", "InternalServerError", "ParameterVersionNotFound"])
def test_any_other_error_of_ssm_is_raised_as_it_is(aws: Aws, code: str) -> None:
    aws.expect_set_policy_error("vip", code)
    with pytest.raises(ClientError) as caught:
        deployed(aws).set_policy("vip")
    assert error_code(caught.value) == code


def test_a_throttled_read_is_retried_within_the_invocations_budget(aws: Aws) -> None:
    budget = make_budget()
    aws.throttle("ssm", "get_parameter")
    aws.expect_set_policy("vip", {"action": "notify"})
    own = DeployedPolicy(MANIFEST, aws.ssm, budget).set_policy("vip")
    aws.assert_all_calls_made()
    assert own is not None and own.action == "notify" and budget.retries == 1


def test_an_unreadable_policy_entry_fails_the_record_loudly(aws: Aws) -> None:
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_set_policy("newsletter", {"action": "delete"})
    with pytest.raises(RecordProcessingError, match="is not a policy entry"):
        run_handler(load_event("sns_fleet_contributor.json"), aws)


def test_an_unreadable_policy_entry_is_named_in_the_records_failure(aws: Aws) -> None:
    aws.expect_verified(FLEET_ALARM, FLEET_TAGS)
    aws.expect_set_policy_text("newsletter", "{")
    with pytest.raises(RecordProcessingError) as caught:
        run_handler(load_event("sns_fleet_contributor.json"), aws)
    aws.assert_all_calls_made()  # nothing read after the entry, nothing paused, nothing published
    assert caught.value.failures[0][0] == 0
    assert caught.value.failures[0][1].startswith(
        f"PolicyReadError: parameter {policy_parameter('newsletter')} is not a policy entry"
    )
