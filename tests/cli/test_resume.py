"""``resume``: ``resume --account --name-prefix`` closes the guard's alarm episode before it re-enables
sending, closes it when sending was already enabled, and reports each part of a run that stops part way.

SES v2 and CloudWatch are real clients under botocore's Stubber; one recorder on both keeps the order
of every call made, failed calls included. (The set path and the prompt: ``test_cli.py``.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from ses_guard_cli import exit_codes, resume
from tests.cli.support import create_member_role, run_cli
from tests.stubbed_aws import REGION, make_client

PREFIX = "mail"
BOUNCE, COMPLAINT = (f"{PREFIX}-account-{metric}-critical" for metric in ("bounce", "complaint"))
RESUME = ("resume", "--account", "--region", REGION, "--name-prefix", PREFIX)


class Aws:
    """The operator's SES v2 and CloudWatch clients, stubbed, and the calls made to either, in order."""

    def __init__(self) -> None:
        self.ses = make_client("sesv2")
        self.cloudwatch = make_client("cloudwatch")
        self.calls: list[str] = []
        for client in (self.ses, self.cloudwatch):
            client.meta.events.register("before-parameter-build", self._record)
        self.ses_stub = Stubber(self.ses)
        self.cloudwatch_stub = Stubber(self.cloudwatch)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def account(self, sending_enabled: bool) -> None:
        self.ses_stub.add_response("get_account", {"SendingEnabled": sending_enabled, "EnforcementStatus": "HEALTHY"})

    def re_enable(self, error: str | None = None) -> None:
        params = {"SendingEnabled": True}
        if error:
            self.ses_stub.add_client_error("put_account_sending_attributes", error, expected_params=params)
        else:
            self.ses_stub.add_response("put_account_sending_attributes", {}, params)

    def alarms(self, *states: tuple[str, str], error: str | None = None) -> None:
        params = {"AlarmNames": [BOUNCE, COMPLAINT], "AlarmTypes": ["MetricAlarm"]}
        if error:
            self.cloudwatch_stub.add_client_error("describe_alarms", error, expected_params=params)
            return
        listed = [
            {
                "AlarmName": name,
                "AlarmArn": f"arn:aws:cloudwatch:{REGION}:123456789012:alarm:{name}",
                "StateValue": state,
            }
            for name, state in states
        ]
        self.cloudwatch_stub.add_response("describe_alarms", {"MetricAlarms": listed}, params)

    def close(self, name: str, error: str | None = None) -> None:
        params = {"AlarmName": name, "StateValue": "OK", "StateReason": resume.EPISODE_CLOSED}
        if error:
            self.cloudwatch_stub.add_client_error("set_alarm_state", error, expected_params=params)
        else:
            self.cloudwatch_stub.add_response("set_alarm_state", {}, params)

    def run(self, *argv: str, typed: str = "") -> tuple[int, str, str]:
        return run_cli(
            *argv,
            typed=typed,
            client_factory=lambda region: self.ses,
            service_factory=lambda service, region: self.cloudwatch,
        )


@pytest.fixture
def aws() -> Iterator[Aws]:
    fake = Aws()
    with fake.ses_stub, fake.cloudwatch_stub:
        yield fake
        fake.ses_stub.assert_no_pending_responses()
        fake.cloudwatch_stub.assert_no_pending_responses()


def test_resume_account_closes_the_alarm_episode_before_re_enabling_sending(aws: Aws) -> None:
    """docs/lambda.md, "The account's last resume": a notification retried between the two finds its alarm
    OK (older than the alarm's state) and pauses nothing."""
    aws.account(sending_enabled=False)
    aws.alarms((BOUNCE, "ALARM"), (COMPLAINT, "OK"))
    aws.close(BOUNCE)
    aws.re_enable()
    code, out, err = aws.run(*RESUME, typed="account\n")
    assert code == exit_codes.EXIT_OK, err
    assert aws.calls == ["GetAccount", "DescribeAlarms", "SetAlarmState", "PutAccountSendingAttributes"]
    assert out.index("closes the guard's alarm episode") < out.index("then re-enables sending")
    assert out.index("Type 'account' to confirm") < out.index(f"Alarm {BOUNCE}: closed (set to OK)")
    assert f"Alarm {COMPLAINT}: left in OK." in out
    assert out.index(f"Alarm {BOUNCE}: closed") < out.index(f"Account sending in {REGION} re-enabled.")


def test_resume_account_closes_the_episode_even_when_sending_was_already_enabled(aws: Aws) -> None:
    aws.account(sending_enabled=True)
    aws.alarms((BOUNCE, "OK"), (COMPLAINT, "ALARM"))
    aws.close(COMPLAINT)
    code, out, err = aws.run(*RESUME, "--yes")
    assert code == exit_codes.EXIT_OK, err
    assert aws.calls == ["GetAccount", "DescribeAlarms", "SetAlarmState"]
    assert f"Account sending in {REGION} is already enabled." in out
    assert f"Alarm {COMPLAINT}: closed (set to OK)" in out and f"Alarm {BOUNCE}: left in OK." in out
    assert f"Account sending in {REGION}: already enabled, not changed." in out
    assert "nothing to do" not in out


def test_closing_the_episode_of_an_account_already_sending_asks_first_and_a_wrong_answer_changes_nothing(
    aws: Aws,
) -> None:
    aws.account(sending_enabled=True)
    code, out, err = aws.run(*RESUME, typed="yes\n")
    assert code == exit_codes.EXIT_ABORTED
    assert aws.calls == ["GetAccount"]
    assert "Type 'account' to confirm" in out and "nothing was changed" in err


@pytest.mark.parametrize(
    ("sending_enabled", "sending_state"),
    [
        (False, "still PAUSED (not re-enabled: the alarm episode is still open)"),
        (True, "already enabled, not changed"),
    ],
)
def test_when_closing_one_alarm_fails_sending_is_not_re_enabled_each_part_is_reported_and_the_exit_code_is_6(
    aws: Aws, sending_enabled: bool, sending_state: str
) -> None:
    aws.account(sending_enabled=sending_enabled)
    aws.alarms((BOUNCE, "ALARM"), (COMPLAINT, "ALARM"))
    aws.close(BOUNCE, error="AccessDenied")
    aws.close(COMPLAINT)  # the other alarm is still closed
    code, out, err = aws.run(*RESUME, "--yes")
    assert code == exit_codes.EXIT_PARTIAL_EPISODE_OPEN == 6
    assert "PutAccountSendingAttributes" not in aws.calls
    assert f"Alarm {BOUNCE}: left in ALARM (SetAlarmState failed: AccessDenied)." in out
    assert f"Alarm {COMPLAINT}: closed (set to OK)" in out
    assert f"Account sending in {REGION}: {sending_state}." in out
    assert "stopped part way (exit 6): the alarm episode is still open" in err and "AccessDenied" in err


def test_when_describe_alarms_fails_nothing_changes_each_part_is_reported_and_the_exit_code_is_6(aws: Aws) -> None:
    aws.account(sending_enabled=False)
    aws.alarms(error="AccessDenied")
    code, out, err = aws.run(*RESUME, "--yes")
    assert code == exit_codes.EXIT_PARTIAL_EPISODE_OPEN
    assert aws.calls == ["GetAccount", "DescribeAlarms"]
    for name in (BOUNCE, COMPLAINT):
        assert f"Alarm {name}: state unknown, not changed (DescribeAlarms failed: AccessDenied)." in out
    assert f"Account sending in {REGION}: still PAUSED (not re-enabled: the alarm episode is still open)." in out
    assert "DescribeAlarms failed" in err and "(exit 6)" in err


def test_when_re_enabling_fails_after_the_episode_closed_sending_is_reported_still_paused_and_the_exit_code_is_7(
    aws: Aws,
) -> None:
    aws.account(sending_enabled=False)
    aws.alarms((BOUNCE, "ALARM"), (COMPLAINT, "INSUFFICIENT_DATA"))
    aws.close(BOUNCE)
    aws.re_enable(error="AccessDeniedException")
    code, out, err = aws.run(*RESUME, "--yes")
    assert code == exit_codes.EXIT_PARTIAL_STILL_PAUSED == 7
    assert aws.calls == ["GetAccount", "DescribeAlarms", "SetAlarmState", "PutAccountSendingAttributes"]
    assert f"Alarm {BOUNCE}: closed (set to OK)" in out and f"Alarm {COMPLAINT}: left in INSUFFICIENT_DATA." in out
    assert (
        f"Account sending in {REGION}: still PAUSED (PutAccountSendingAttributes failed: AccessDeniedException)." in out
    )
    assert "stopped part way (exit 7): the alarm episode is closed but account sending is still paused" in err


def test_an_alarm_not_found_is_a_warning_and_sending_is_re_enabled_once_the_others_are_closed(aws: Aws) -> None:
    aws.account(sending_enabled=False)
    aws.alarms((BOUNCE, "ALARM"))
    aws.close(BOUNCE)
    aws.re_enable()
    code, out, err = aws.run(*RESUME, "--yes")
    assert code == exit_codes.EXIT_OK, err
    assert aws.calls == ["GetAccount", "DescribeAlarms", "SetAlarmState", "PutAccountSendingAttributes"]
    assert f"warning: no alarm named {COMPLAINT} in this Region: nothing to close." in err
    assert f"Account sending in {REGION} re-enabled." in out


# --- resume --configuration-set removes the guard's pause tag (issue "[4 of 7]", item 4) -----------------

PAUSE_TAGS = [
    {"Key": "ses-reputation-guard:paused-by", "Value": "sesguard"},
    {"Key": "ses-reputation-guard:paused-at", "Value": "2026-11-28T01:35:12Z"},
]
SET_ARN = f"arn:aws:ses:{REGION}:123456789012:configuration-set/marketing"


class Sts:
    """The STS client ``ses-guard`` asks for the account in the set's ARN (GetCallerIdentity), stubbed."""

    def __init__(self, aws: Aws) -> None:
        self.client = make_client("sts")
        self.client.meta.events.register("before-parameter-build", aws._record)
        self.stub = Stubber(self.client)
        self.regions: list[str | None] = []

    def factory(self, region: str | None) -> Any:
        self.regions.append(region)
        return self.client

    def identity(self) -> None:
        response = {"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/op"}
        self.stub.add_response("get_caller_identity", response, {})


@pytest.fixture
def sts(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sts]:
    from ses_guard_cli import status

    fake = Sts(aws)
    monkeypatch.setattr(status, "sts_factory", fake.factory)
    with fake.stub:
        yield fake
        fake.stub.assert_no_pending_responses()


def tagged_set(aws: Aws, sending_enabled: bool, tags: list[dict[str, str]]) -> None:
    response = {
        "ConfigurationSetName": "marketing",
        "SendingOptions": {"SendingEnabled": sending_enabled},
        "Tags": tags,
    }
    aws.ses_stub.add_response("get_configuration_set", response, {"ConfigurationSetName": "marketing"})


def untag(aws: Aws, error: str | None = None) -> None:
    params = {"ResourceArn": SET_ARN, "TagKeys": [tag["Key"] for tag in PAUSE_TAGS]}
    if error:
        aws.ses_stub.add_client_error("untag_resource", error, expected_params=params)
    else:
        aws.ses_stub.add_response("untag_resource", {}, params)


def test_resuming_a_set_the_guard_paused_removes_its_pause_tags_after_re_enabling_it(aws: Aws, sts: Sts) -> None:
    aws.account(sending_enabled=True)
    tagged_set(aws, sending_enabled=False, tags=[{"Key": "team", "Value": "growth"}, *PAUSE_TAGS])
    aws.ses_stub.add_response(
        "put_configuration_set_sending_options", {}, {"ConfigurationSetName": "marketing", "SendingEnabled": True}
    )
    sts.identity()
    untag(aws)
    code, out, err = aws.run("resume", "--configuration-set", "marketing", "--region", REGION, "--yes")
    assert code == exit_codes.EXIT_OK, err
    assert aws.calls == [
        "GetAccount",
        "GetConfigurationSet",
        "PutConfigurationSetSendingOptions",
        "GetCallerIdentity",
        "UntagResource",
    ]
    assert out.index("re-enabled") < out.index("Removed its pause tags (ses-reputation-guard:paused-by")
    assert sts.regions == [REGION]


def test_a_set_without_the_guards_tag_is_resumed_without_any_tag_call(aws: Aws, sts: Sts) -> None:
    aws.account(sending_enabled=True)
    tagged_set(aws, sending_enabled=False, tags=[{"Key": "team", "Value": "growth"}])
    aws.ses_stub.add_response(
        "put_configuration_set_sending_options", {}, {"ConfigurationSetName": "marketing", "SendingEnabled": True}
    )
    code, out, _ = aws.run("resume", "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK
    assert aws.calls == ["GetAccount", "GetConfigurationSet", "PutConfigurationSetSendingOptions"]
    assert "pause tags" not in out


def test_when_the_tag_cannot_be_removed_the_set_stays_re_enabled_and_a_warning_says_status_still_lists_it(
    aws: Aws, sts: Sts
) -> None:
    aws.account(sending_enabled=True)
    tagged_set(aws, sending_enabled=False, tags=PAUSE_TAGS)
    aws.ses_stub.add_response(
        "put_configuration_set_sending_options", {}, {"ConfigurationSetName": "marketing", "SendingEnabled": True}
    )
    sts.identity()
    untag(aws, error="AccessDeniedException")
    code, out, err = aws.run("resume", "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK
    assert "re-enabled" in out and "Removed" not in out
    assert "warning: the guard's pause tag (ses-reputation-guard:paused-by) could not be removed from marketing" in err
    assert "(AccessDeniedException): `ses-guard status` lists it as paused until it is removed" in err


def test_resuming_a_set_re_enabled_elsewhere_removes_its_stale_pause_tags(aws: Aws, sts: Sts) -> None:
    aws.account(sending_enabled=True)
    tagged_set(aws, sending_enabled=True, tags=PAUSE_TAGS)
    sts.identity()
    untag(aws)
    code, out, _ = aws.run("resume", "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK
    assert "already sends: nothing to do" in out and "Removed its pause tags" in out
    assert "PutConfigurationSetSendingOptions" not in aws.calls


# --- resume --member: the same resume in a hub's member account, through its member role (issue 24) --------

MEMBER = "111111111111"


@pytest.fixture
def member_account(moto_aws: Any) -> Any:
    """Member 111111111111 (moto): set ``marketing`` paused and tagged by the hub guard ``ses-guard`` in
    ``REGION``, account sending paused in eu-west-1; the hub account 123456789012 has a set of the same name,
    sending. Yields a session acting in the member."""
    from datetime import UTC, datetime

    from ses_guard_lambda import ses_actions

    sts = moto_aws.client("sts", region_name=REGION)
    role = create_member_role(moto_aws, MEMBER)
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="setup")["Credentials"]
    session = moto_aws.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    ses = session.client("sesv2", region_name=REGION)
    ses.create_configuration_set(ConfigurationSetName="marketing")
    ses_actions.pause_configuration_set(ses, "marketing")
    at = datetime(2026, 11, 28, 1, 35, 12, tzinfo=UTC)
    ses_actions.tag_paused(ses, ses_actions.set_arn("aws", REGION, MEMBER, "marketing"), "ses-guard", at)
    session.client("sesv2", region_name="eu-west-1").put_account_sending_attributes(SendingEnabled=False)
    moto_aws.client("sesv2", region_name=REGION).create_configuration_set(ConfigurationSetName="marketing")
    return session


def test_resume_member_re_enables_the_set_in_the_member_account_and_removes_its_pause_tags_there(
    member_account: Any,
) -> None:
    code, out, err = run_cli("resume", "--member", MEMBER, "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK, err
    role = f"arn:aws:iam::{MEMBER}:role/ses-guard-member"
    assert out.startswith(f"Member account {MEMBER}, Region {REGION}, through {role} (session ses-guard-operator).\n")
    assert f"Configuration set marketing in {REGION} re-enabled" in out and "Removed its pause tags" in out
    member_ses = member_account.client("sesv2", region_name=REGION)
    state = member_ses.get_configuration_set(ConfigurationSetName="marketing")
    assert state["SendingOptions"]["SendingEnabled"] is True
    assert not any(tag["Key"].startswith("ses-reputation-guard:paused") for tag in state.get("Tags", []))
    tagging = member_account.client("resourcegroupstaggingapi", region_name=REGION)
    assert tagging.get_resources(TagFilters=[{"Key": "ses-reputation-guard:paused-by"}])["ResourceTagMappingList"] == []


def test_resume_member_account_re_enables_the_members_account_and_says_no_alarm_episode_is_closed(
    member_account: Any,
) -> None:
    argv = ("resume", "--member", MEMBER, "--account", "--region", "eu-west-1", "--yes", "--name-prefix", "ses-guard")
    code, out, err = run_cli(*argv)
    assert code == exit_codes.EXIT_OK, err
    assert resume.MEMBER_EPISODE_SKIPPED in out and "Alarm " not in out
    assert "Account sending in eu-west-1 re-enabled." in out
    assert member_account.client("sesv2", region_name="eu-west-1").get_account()["SendingEnabled"] is True


def test_a_member_set_resumed_while_its_account_is_paused_names_the_member_in_the_account_command(
    member_account: Any,
) -> None:
    member_account.client("sesv2", region_name=REGION).put_account_sending_attributes(SendingEnabled=False)
    code, out, _ = run_cli("resume", "--member", MEMBER, "--configuration-set", "marketing", "--yes")
    assert code == exit_codes.EXIT_OK
    assert f"resume it with: resume --member {MEMBER} --account --region {REGION}" in out


def test_when_the_member_role_cannot_be_assumed_nothing_changes_and_the_error_names_the_role_and_the_code() -> None:
    sts = make_client("sts")
    with Stubber(sts) as stub:
        identity = {"UserId": "AIDAEXAMPLE", "Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/op"}
        stub.add_response("get_caller_identity", identity, {})
        params = {"RoleArn": f"arn:aws:iam::{MEMBER}:role/mail-member", "RoleSessionName": "mail-operator"}
        stub.add_client_error("assume_role", "AccessDenied", "not authorized", 403, expected_params=params)
        code, out, err = run_cli(
            "resume", "--member", MEMBER, "--account", "--name-prefix", "mail", "--yes",
            service_factory=lambda service, region: sts,
        )  # fmt: skip
        stub.assert_no_pending_responses()
    assert code == exit_codes.EXIT_AWS_ERROR
    assert out == ""
    role = f"arn:aws:iam::{MEMBER}:role/mail-member"
    assert f"error: AssumeRole {role} failed (AccessDenied): nothing was changed." in err


@pytest.mark.parametrize("member", ["11111111111", "1111111111112", "abcdefghijkl", ""])
def test_a_member_that_is_not_an_account_id_is_a_usage_error_naming_the_value_and_the_rule(member: str) -> None:
    code, _, err = run_cli("resume", "--member", member, "--account", "--yes")  # no factory: any call would fail
    assert code == exit_codes.EXIT_USAGE
    assert err == f"error: --member {member!r}: account_id must be a 12-digit AWS account id\n"
