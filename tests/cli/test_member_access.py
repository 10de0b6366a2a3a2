"""``member_access``: the member role assumed from the hub account's credentials, named by the hub guard's
prefix, the session named for an operator, and clients that act in the member account (moto)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from ses_guard_cli import member_access
from ses_guard_policy import rules
from tests.cli.support import create_member_role
from tests.conftest import ROOT
from tests.stubbed_aws import REGION, make_client


def test_the_default_name_prefix_is_the_guards_and_the_member_roles_default() -> None:
    """The constructs are not imported (cdktf); their source declares the same default."""
    guard = (ROOT / "src" / "ses_reputation_guard" / "reputation_guard.py").read_text()
    member = (ROOT / "src" / "ses_reputation_guard" / "member_role.py").read_text()
    assert re.search(r'^    name_prefix: str = "ses-guard"$', guard, re.MULTILINE)
    assert re.search(r'^DEFAULT_NAME_PREFIX = "ses-guard"$', member, re.MULTILINE)
    assert member_access.DEFAULT_NAME_PREFIX == "ses-guard"


def test_the_operator_session_is_named_after_the_prefix_and_fits_assume_roles_limit_for_the_longest_prefix() -> None:
    assert member_access.session_name("ses-guard") == "ses-guard-operator"
    longest = "a" * 32
    assert rules.NAME_PREFIX.check(longest)
    assert re.fullmatch(r"[\w+=,.@-]{2,64}", member_access.session_name(longest))


def test_the_callers_partition_comes_from_its_arn() -> None:
    sts = make_client("sts")
    with Stubber(sts) as stub:
        arn = "arn:aws-us-gov:iam::123456789012:user/operator"
        identity = {"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": arn}
        stub.add_response("get_caller_identity", identity, {})
        assert member_access.caller(sts) == member_access.Caller("123456789012", "aws-us-gov")


def test_assume_member_asks_for_exactly_the_member_roles_arn_and_builds_clients_from_its_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sts = make_client("sts")
    seen: list[Any] = []

    def clients(service: str, region: str | None) -> Any:
        return (service, region)

    def credential_factory(credentials: Any) -> member_access.ServiceFactory:
        seen.append(credentials)
        return clients

    monkeypatch.setattr(member_access, "credential_factory", credential_factory)
    credentials = {
        "AccessKeyId": "ASIA111111111111",
        "SecretAccessKey": "secret",
        "SessionToken": "token",
        "Expiration": datetime(2026, 12, 1, tzinfo=UTC),
    }
    params = {"RoleArn": "arn:aws:iam::111111111111:role/mail-member", "RoleSessionName": "mail-operator"}
    with Stubber(sts) as stub:
        stub.add_response("assume_role", {"Credentials": credentials}, params)
        assert member_access.assume_member(sts, "aws", "111111111111", "mail") is clients
    assert seen == [credentials]


def test_against_moto_the_assumed_clients_act_in_the_member_account_as_the_operator_session(moto_aws: Any) -> None:
    create_member_role(moto_aws, "111111111111")
    factory = member_access.assume_member(moto_aws.client("sts"), "aws", "111111111111", "ses-guard")
    identity = factory("sts", REGION).get_caller_identity()
    assert identity["Account"] == "111111111111"
    assert identity["Arn"] == "arn:aws:sts::111111111111:assumed-role/ses-guard-member/ses-guard-operator"
    factory("sesv2", "eu-west-1").create_configuration_set(ConfigurationSetName="member-only")
    hub_sets = moto_aws.client("sesv2", region_name="eu-west-1").list_configuration_sets()["ConfigurationSets"]
    assert hub_sets == []
    assert factory("sesv2", "eu-west-1").list_configuration_sets()["ConfigurationSets"] == ["member-only"]
