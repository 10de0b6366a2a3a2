"""Reading and changing SES sending state (``ses_actions``, shared by the function and ``ses-guard``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ses_guard_lambda import ses_actions
from ses_guard_lambda.ses_actions import AccountStatus, SetStatus
from ses_guard_policy import contract
from tests.stubbed_aws import (
    ACCOUNT,
    ACCOUNT_ALARM,
    CONFIG,
    EVENT_TIME,
    NOW,
    PREFIX,
    REGION,
    SET_ALARM,
    Aws,
    load_event,
    log_lines,
    make_budget,
    run_handler,
    set_arn,
)


class Recorder:
    """A ``call`` that records the operation's name and parameters, then makes the call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, operation: Any, **params: Any) -> Any:
        self.calls.append((operation.__name__, params))
        return operation(**params)


# --- reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sending", "enforcement", "shut_down"),
    [(True, "HEALTHY", False), (False, "HEALTHY", False), (False, "SHUTDOWN", True), (True, "PROBATION", False)],
)
def test_account_status_reads_sending_and_enforcement(
    aws: Aws, sending: bool, enforcement: str, shut_down: bool
) -> None:
    aws.expect_account(sending_enabled=sending, enforcement=enforcement)
    status = ses_actions.account_status(aws.sesv2)
    aws.assert_all_calls_made()
    assert status == AccountStatus(sending_enabled=sending, enforcement_status=enforcement, production_access=True)
    assert status.shut_down_by_aws is shut_down


def test_set_status_reads_sending_reputation_metrics_and_the_last_fresh_start(aws: Aws) -> None:
    aws.expect_set("marketing", sending_enabled=False, reputation=False, fresh_start=EVENT_TIME)
    status = ses_actions.set_status(aws.sesv2, "marketing")
    aws.assert_all_calls_made()
    assert status == SetStatus(
        "marketing", sending_enabled=False, reputation_metrics_enabled=False, last_fresh_start=EVENT_TIME
    )


def test_a_fresh_start_without_a_time_zone_is_read_as_utc(aws: Aws) -> None:
    naive = datetime(2026, 11, 28, 1, 44, 0)
    aws.stubs["sesv2"].add_response(
        "get_configuration_set",
        {"ConfigurationSetName": "marketing", "ReputationOptions": {"LastFreshStart": naive}},
        {"ConfigurationSetName": "marketing"},
    )
    status = ses_actions.set_status(aws.sesv2, "marketing")
    assert status.last_fresh_start == datetime(2026, 11, 28, 1, 44, 0, tzinfo=UTC)


def test_a_set_whose_sending_options_were_never_set_sends(aws: Aws) -> None:
    aws.stubs["sesv2"].add_response(
        "get_configuration_set", {"ConfigurationSetName": "fresh"}, {"ConfigurationSetName": "fresh"}
    )
    assert ses_actions.set_status(aws.sesv2, "fresh") == SetStatus("fresh", True, None, None)


@pytest.mark.parametrize(
    ("partition", "region", "expected"),
    [
        ("aws", REGION, set_arn("vip")),
        ("aws-cn", "cn-north-1", f"arn:aws-cn:ses:cn-north-1:{ACCOUNT}:configuration-set/vip"),
    ],
)
def test_a_sets_arn_is_built_from_partition_region_account_and_name(partition: str, region: str, expected: str) -> None:
    assert ses_actions.set_arn(partition, region, ACCOUNT, "vip") == expected


def test_set_tags_reads_the_tags_or_none_when_the_set_does_not_exist(aws: Aws) -> None:
    aws.expect_set_tags("vip", {"team": "growth", "ses-reputation-guard:action": "notify"})
    aws.stubs["sesv2"].add_client_error("list_tags_for_resource", "NotFoundException", "no such set", 404)
    assert ses_actions.set_tags(aws.sesv2, set_arn("vip")) == {
        "team": "growth",
        "ses-reputation-guard:action": "notify",
    }
    assert ses_actions.set_tags(aws.sesv2, set_arn("gone")) is None
    aws.assert_all_calls_made()


def test_set_tags_raises_any_other_error(aws: Aws) -> None:
    aws.stubs["sesv2"].add_client_error("list_tags_for_resource", "AccessDeniedException", "not allowed", 403)
    with pytest.raises(ClientError, match="AccessDeniedException"):
        ses_actions.set_tags(aws.sesv2, set_arn("vip"))


# --- writing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change_account", "change_set", "enabled"),
    [
        pytest.param(
            ses_actions.pause_account,
            ses_actions.pause_configuration_set,
            False,
            id="pausing turns sending off for the account or one set",
        ),
        pytest.param(
            ses_actions.resume_account,
            ses_actions.resume_configuration_set,
            True,
            id="resuming turns sending on again",
        ),
    ],
)
def test_pausing_and_resuming_set_the_sending_flag_of_the_account_or_one_set(
    aws: Aws, change_account: Any, change_set: Any, enabled: bool
) -> None:
    aws.expect_account_sending(enabled)
    aws.expect_set_sending("marketing", enabled)
    change_account(aws.sesv2)
    change_set(aws.sesv2, "marketing")
    aws.assert_all_calls_made()
    assert aws.calls_to("PutAccountSendingAttributes") == [{"SendingEnabled": enabled}]
    assert aws.calls_to("PutConfigurationSetSendingOptions") == [
        {"ConfigurationSetName": "marketing", "SendingEnabled": enabled}
    ]


def test_every_read_and_pause_goes_through_the_callers_call(aws: Aws) -> None:
    aws.expect_account()
    aws.expect_set("marketing")
    aws.expect_set_tags("marketing")
    aws.expect_pause_account()
    aws.expect_pause_set("marketing")
    call = Recorder()
    ses_actions.account_status(aws.sesv2, call)
    ses_actions.set_status(aws.sesv2, "marketing", call)
    ses_actions.set_tags(aws.sesv2, set_arn("marketing"), call)
    ses_actions.pause_account(aws.sesv2, call)
    ses_actions.pause_configuration_set(aws.sesv2, "marketing", call)
    aws.assert_all_calls_made()
    assert call.calls == [
        ("get_account", {}),
        ("get_configuration_set", {"ConfigurationSetName": "marketing"}),
        ("list_tags_for_resource", {"ResourceArn": set_arn("marketing")}),
        ("put_account_sending_attributes", {"SendingEnabled": False}),
        ("put_configuration_set_sending_options", {"ConfigurationSetName": "marketing", "SendingEnabled": False}),
    ]


def test_a_throttled_pause_is_retried_through_the_budget(aws: Aws) -> None:
    budget = make_budget()
    aws.throttle("sesv2", "put_configuration_set_sending_options", times=2)
    aws.expect_pause_set("marketing")
    ses_actions.pause_configuration_set(aws.sesv2, "marketing", budget.call)
    aws.assert_all_calls_made()
    assert budget.retries == 2
    assert len(aws.calls_to("PutConfigurationSetSendingOptions")) == 3


# --- the pause tag: how `ses-guard status` finds the sets the function paused (issue "[4 of 7]", item 4) ---


def test_set_status_reads_which_guard_paused_the_set_and_when_from_its_tags(aws: Aws) -> None:
    tags = [
        {"Key": "team", "Value": "growth"},
        {"Key": contract.TAG_PAUSED_BY, "Value": PREFIX},
        {"Key": contract.TAG_PAUSED_AT, "Value": "2026-11-28T01:35:12Z"},
    ]
    aws.stubs["sesv2"].add_response(
        "get_configuration_set",
        {"ConfigurationSetName": "marketing", "SendingOptions": {"SendingEnabled": False}, "Tags": tags},
        {"ConfigurationSetName": "marketing"},
    )
    status = ses_actions.set_status(aws.sesv2, "marketing")
    assert (status.sending_enabled, status.paused_by, status.paused_at) == (False, PREFIX, "2026-11-28T01:35:12Z")


def test_tag_paused_writes_only_the_guards_two_keys_with_the_time_in_utc_through_the_callers_call(aws: Aws) -> None:
    aws.stubs["sesv2"].add_response(
        "tag_resource",
        {},
        {
            "ResourceArn": set_arn("marketing"),
            "Tags": [
                {"Key": "ses-reputation-guard:paused-by", "Value": PREFIX},
                {"Key": "ses-reputation-guard:paused-at", "Value": "2026-11-28T01:35:12Z"},
            ],
        },
    )
    call = Recorder()
    in_paris = datetime(2026, 11, 28, 2, 35, 12, 999000, tzinfo=timezone(timedelta(hours=1)))
    ses_actions.tag_paused(aws.sesv2, set_arn("marketing"), PREFIX, in_paris, call)
    aws.assert_all_calls_made()
    assert [name for name, _ in call.calls] == ["tag_resource"]
    assert contract.PAUSE_TAG_KEYS == ("ses-reputation-guard:paused-by", "ses-reputation-guard:paused-at")


def test_the_function_tags_a_set_right_after_pausing_it(aws: Aws) -> None:
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_pause_set("marketing")
    aws.expect_pause_tag("marketing", paused_at=NOW.strftime("%Y-%m-%dT%H:%M:%SZ"))
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert [p["outcome"] for p in summary["paused"]] == ["paused"]
    sesv2 = [op for service, op, _ in aws.calls if service == "sesv2"]
    assert sesv2[-2:] == ["PutConfigurationSetSendingOptions", "TagResource"]
    assert "tagging it" not in aws.published[0]["Message"]


def test_a_failed_tag_neither_fails_nor_undoes_the_pause_it_is_logged_and_the_report_says_so(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_pause_set("marketing")
    aws.expect_pause_tag("marketing", error="AccessDeniedException")
    aws.expect_publish()
    summary = run_handler(load_event("sns_set_complaint_alarm.json"), aws)
    aws.assert_all_calls_made()
    assert [p["outcome"] for p in summary["paused"]] == ["paused"]  # no record failed, nothing re-enabled
    assert aws.calls_to("PutConfigurationSetSendingOptions") == [
        {"ConfigurationSetName": "marketing", "SendingEnabled": False}
    ]
    output = capsys.readouterr().out
    (failed,) = log_lines(output, "pause_tag_failed")
    assert failed["level"] == "WARNING" and failed["target"] == set_arn("marketing")
    assert "AccessDeniedException" in failed["reason"]
    (decision,) = log_lines(output)
    assert any("tagging it" in note for note in decision["notes"])
    (report,) = aws.reports()
    assert report["Subject"].startswith("SES PAUSED set marketing")
    assert (
        "Note:        the set IS PAUSED, but tagging it (ses-reputation-guard:paused-by) failed "
        "(AccessDeniedException): ses-guard status lists it only with --all" in report["Texts"]["email"]
    )


def test_neither_an_account_pause_nor_a_dry_run_writes_a_tag(aws: Aws) -> None:
    aws.expect_account_pause(ACCOUNT_ALARM)
    run_handler(load_event("sns_account_bounce_alarm.json"), aws)
    aws.expect_verified(SET_ALARM)
    aws.expect_set("marketing")
    aws.expect_datapoints(SET_ALARM, [0.0061], "marketing")
    aws.expect_publish()
    run_handler(load_event("sns_set_complaint_alarm.json"), aws, replace(CONFIG, dry_run=True))
    aws.assert_all_calls_made()
    assert aws.calls_to("TagResource") == []
