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
from tests.cli.support import run_cli
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
