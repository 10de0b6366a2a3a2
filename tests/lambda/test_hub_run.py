"""Hub mode's run (``hub_run``, issue 24): after its own Region, the hub sweeps each member account x Region
through the member's role, judged by the member's policy, each member isolated from the others."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from ses_guard_lambda import hub_run
from ses_guard_lambda.clients import Clients
from ses_guard_lambda.config import GuardConfig
from ses_guard_lambda.scheduled_sweep import SweepError
from ses_guard_policy import contract, hub, manifest
from tests.stubbed_aws import MANIFEST_DOCUMENT, NOW, PREFIX, REPORT_TOPIC, Aws, FakeContext, log_lines, stubbed_aws

MEMBER_ONE = "111111111111"
MEMBER_TWO = "222222222222"
MEMBERS_PATH = hub.members_path(PREFIX)


def credentials(account: str) -> dict[str, Any]:
    """What AssumeRole answers; the key id names the account, so ``connect`` can tell whose it is."""
    return {
        "AccessKeyId": f"ASIA{account}",
        "SecretAccessKey": "secret",
        "SessionToken": "token",
        "Expiration": NOW + timedelta(minutes=15),
    }


class Hub:
    """The sweep harness (the hub's own clients and state table) plus STS and one stubbed SES and CloudWatch
    per member account x Region (``members``), handed to the run by its ``connect``."""

    def __init__(self, sweep: Any, stack: contextlib.ExitStack) -> None:
        self.sweep = sweep
        self.stack = stack
        self.sts = boto3.client("sts", region_name="us-east-1")
        self.sts_stub = Stubber(self.sts)
        self.sts_stub.activate()
        self.members: dict[tuple[str, str], Aws] = {}
        self.connected: list[tuple[str, str, str]] = []

    def member(self, account: str, region: str) -> Aws:
        if (account, region) not in self.members:
            self.members[(account, region)] = self.stack.enter_context(stubbed_aws())
        return self.members[(account, region)]

    def config(self, members: Mapping[str, Mapping[str, Any]], *, include_hub: bool = False) -> GuardConfig:
        config = self.sweep.config()
        document = json.loads(config.manifest.to_json(with_sets=False))
        document["hub"] = {"members_path": MEMBERS_PATH, "include_hub": include_hub}
        self.expect_entries(members)
        return replace(config, manifest=manifest.parse(document, source="tests"))

    def expect_entries(self, members: Mapping[str, Mapping[str, Any]]) -> None:
        parameters = [
            {"Name": f"{MEMBERS_PATH}{account}", "Type": "SecureString", "Value": json.dumps(entry)}
            for account, entry in members.items()
        ]
        params = {"Path": MEMBERS_PATH, "Recursive": False, "WithDecryption": True, "MaxResults": 10}
        self.sweep.aws.stubs["ssm"].add_response("get_parameters_by_path", {"Parameters": parameters}, params)

    def expect_assume(self, account: str, *, error: str | None = None) -> None:
        params = {
            "RoleArn": f"arn:aws:iam::{account}:role/{PREFIX}-member",
            "RoleSessionName": f"{PREFIX}-hub",
            "DurationSeconds": 900,
        }
        if error is not None:
            self.sts_stub.add_client_error("assume_role", error, f"{error}: not authorized", expected_params=params)
            return
        arn = f"arn:aws:sts::{account}:assumed-role/{PREFIX}-member/{PREFIX}-hub"
        response = {
            "Credentials": credentials(account),
            "AssumedRoleUser": {"AssumedRoleId": "AROAEXAMPLE:x", "Arn": arn},
        }
        self.sts_stub.add_response("assume_role", response, params)

    def expect_member_queries(self, account: str, region: str, bounce: Mapping[str, Any] | None = None) -> None:
        """The member's two Insights queries and its account rates, through the member's CloudWatch."""
        member, aws = self.member(account, region), self.sweep.aws
        self.sweep.aws = member
        try:
            self.sweep.expect_queries(bounce or {})
        finally:
            self.sweep.aws = aws

    def expect_member_set_pause(self, account: str, region: str, name: str) -> None:
        ses = self.member(account, region).stubs["sesv2"]
        arn = f"arn:aws:ses:{region}:{account}:configuration-set/{name}"
        ses.add_response(
            "get_configuration_set",
            {"ConfigurationSetName": name, "SendingOptions": {"SendingEnabled": True}},
            {"ConfigurationSetName": name},
        )
        ses.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceArn": arn})
        ses.add_response(
            "put_configuration_set_sending_options", {}, {"ConfigurationSetName": name, "SendingEnabled": False}
        )
        ses.add_response("tag_resource", {}, {"ResourceArn": arn, "Tags": ANY})
        self.sweep.aws.expect_publish()

    def connect(self, issued: Mapping[str, Any], region: str, base: Clients) -> Clients:
        account = str(issued["AccessKeyId"]).removeprefix("ASIA")
        self.connected.append((account, region, str(issued["AccessKeyId"])))
        member = self.members[(account, region)]
        return replace(base, sesv2=member.sesv2, cloudwatch=member.cloudwatch)

    def run(self, config: GuardConfig, *, seconds: float | None = None) -> dict[str, Any]:
        """The handler on the scheduled event, the run's STS and member clients the stubs
        (``seconds``: the invocation's time left)."""
        original = hub_run.HubRun.__init__

        def with_test_clients(run: hub_run.HubRun, *args: Any, **kwargs: Any) -> None:
            original(run, *args, **kwargs)
            run.connect = self.connect
            run.inv = replace(run.inv, clients=replace(run.inv.clients, sts=self.sts))

        context = None if seconds is None else TimedContext(seconds=seconds)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hub_run.HubRun, "__init__", with_test_clients)
            result: dict[str, Any] = self.sweep.run(config, context=context)
        return result

    def assert_all_calls_made(self) -> None:
        self.sweep.aws.assert_all_calls_made()
        self.sts_stub.assert_no_pending_responses()
        for member in self.members.values():
            member.assert_all_calls_made()


@dataclass
class TimedContext(FakeContext):
    """The Lambda context with ``seconds`` left in the invocation."""

    seconds: float = 120.0

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


@pytest.fixture
def hub_harness(sweep: Any) -> Iterator[Hub]:
    with contextlib.ExitStack() as stack:
        yield Hub(sweep, stack)


BREACH = {"marketing": {NOW - timedelta(hours=i): 0.09 for i in range(3)}}


def test_a_breach_in_a_member_pauses_the_set_there_and_the_report_names_the_account_and_region(
    hub_harness: Hub,
) -> None:
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1"]}})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1", BREACH)
    hub_harness.expect_member_set_pause(MEMBER_ONE, "eu-west-1", "marketing")
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert summary["hub"]["members"][f"{MEMBER_ONE}/eu-west-1"]["paused"] == ["configuration-set:marketing"]
    (report,) = hub_harness.sweep.reports()
    assert f"{MEMBER_ONE}/eu-west-1" in report["Subject"] and report["TopicArn"] == REPORT_TOPIC
    assert f"account {MEMBER_ONE}" in report["Texts"]["email"]
    resume = f"ses-guard resume --member {MEMBER_ONE} --configuration-set marketing --region eu-west-1 --name-prefix"
    assert f"{resume} {PREFIX}" in report["Texts"]["email"]


def test_a_member_account_is_assumed_once_for_all_its_regions_and_each_region_keeps_its_own_state(
    hub_harness: Hub,
) -> None:
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1", "us-east-1"]}})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1", BREACH)
    hub_harness.expect_member_set_pause(MEMBER_ONE, "eu-west-1", "marketing")
    hub_harness.expect_member_queries(MEMBER_ONE, "us-east-1")
    hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert [region for _, region, _ in hub_harness.connected] == ["eu-west-1", "us-east-1"]
    episodes = hub_harness.sweep.item(f"member:{MEMBER_ONE}:eu-west-1:episodes")
    assert episodes is not None and hub_harness.sweep.item("episodes") is None
    assert hub_harness.sweep.item(f"member:{MEMBER_ONE}:us-east-1:episodes") is None  # nothing opened there


def test_an_unreachable_member_is_reported_once_and_the_others_are_still_swept(
    hub_harness: Hub, capsys: pytest.CaptureFixture[str]
) -> None:
    members = {MEMBER_ONE: {"regions": ["eu-west-1"]}, MEMBER_TWO: {"regions": ["eu-west-1"]}}
    config = hub_harness.config(members)
    hub_harness.expect_assume(MEMBER_ONE, error="AccessDenied")
    hub_harness.sweep.aws.expect_publish()  # the unreachable notice
    hub_harness.expect_assume(MEMBER_TWO)
    hub_harness.expect_member_queries(MEMBER_TWO, "eu-west-1", BREACH)
    hub_harness.expect_member_set_pause(MEMBER_TWO, "eu-west-1", "marketing")
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert list(summary["hub"]["unreachable"]) == [f"{MEMBER_ONE}/eu-west-1"]
    assert "AccessDenied" in summary["hub"]["unreachable"][f"{MEMBER_ONE}/eu-west-1"]
    assert summary["hub"]["members"][f"{MEMBER_TWO}/eu-west-1"]["paused"] == ["configuration-set:marketing"]
    unreachable, paused = hub_harness.sweep.reports()
    assert "UNREACHABLE" in unreachable["Subject"] and MEMBER_ONE in unreachable["Subject"]
    assert MEMBER_TWO in paused["Subject"]
    (line,) = log_lines(capsys.readouterr().out, "hub_summary")
    assert (line["unreachable"], line["swept"], line["paused"]) == (1, 1, 1)


def test_an_unreachable_member_is_notified_once_per_episode_and_again_after_it_was_reachable(
    hub_harness: Hub,
) -> None:
    members = {MEMBER_ONE: {"regions": ["eu-west-1"]}}
    hub_harness.expect_assume(MEMBER_ONE, error="AccessDenied")
    hub_harness.sweep.aws.expect_publish()
    hub_harness.run(hub_harness.config(members))
    hub_harness.expect_assume(MEMBER_ONE, error="AccessDenied")
    hub_harness.run(hub_harness.config(members))  # the same episode: logged, not notified
    assert len(hub_harness.sweep.reports()) == 1
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1")
    hub_harness.run(hub_harness.config(members))
    item = hub_harness.sweep.item(f"member:{MEMBER_ONE}:eu-west-1:episodes")
    assert item is not None and hub_run.UNREACHABLE_EPISODE not in item["episodes"]["M"]
    hub_harness.assert_all_calls_made()


def test_a_member_whose_action_is_notify_is_notified_not_paused(hub_harness: Hub) -> None:
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1"], "action": "notify"}})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1", BREACH)
    hub_harness.sweep.aws.expect_publish()
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert summary["hub"]["members"][f"{MEMBER_ONE}/eu-west-1"]["paused"] == []
    (notice,) = hub_harness.sweep.reports()
    assert "CRITICAL" in notice["Subject"] and f"{MEMBER_ONE}/eu-west-1" in notice["Subject"]


def test_a_member_s_own_thresholds_judge_its_sets(hub_harness: Hub) -> None:
    """0.03 is below the hub's bounce critical (0.05) but above this member's own (0.025)."""
    entry = {"regions": ["eu-west-1"], "bounce_critical": 0.025, "bounce_warning": 0.01}
    config = hub_harness.config({MEMBER_ONE: entry})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(
        MEMBER_ONE, "eu-west-1", {"vip": {NOW - timedelta(hours=i): 0.03 for i in range(3)}}
    )
    hub_harness.expect_member_set_pause(MEMBER_ONE, "eu-west-1", "vip")
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert summary["hub"]["members"][f"{MEMBER_ONE}/eu-west-1"]["paused"] == ["configuration-set:vip"]


def test_a_member_s_protected_set_is_notified_never_paused(hub_harness: Hub) -> None:
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1"], "protected_configuration_sets": ["marketing"]}})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1", BREACH)
    hub_harness.sweep.aws.expect_publish()
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    member = summary["hub"]["members"][f"{MEMBER_ONE}/eu-west-1"]
    assert member["paused"] == [] and "configuration-set:marketing" in member["excluded"]


def test_a_bad_member_entry_is_reported_and_fails_the_run_after_the_others_were_swept(
    hub_harness: Hub,
) -> None:
    members = {MEMBER_ONE: {"regions": ["mars-1"]}, MEMBER_TWO: {"regions": ["eu-west-1"]}}
    config = hub_harness.config(members)
    hub_harness.expect_assume(MEMBER_TWO)
    hub_harness.expect_member_queries(MEMBER_TWO, "eu-west-1")
    with pytest.raises(SweepError, match=r"111111111111.*regions='mars-1': must be an AWS Region name"):
        hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert hub_harness.sweep.item("lock") is None  # released


def test_member_regions_the_time_left_cannot_fit_are_deferred_to_the_next_run(hub_harness: Hub) -> None:
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1"]}})
    result = hub_harness.run(config, seconds=hub_run.MEMBER_MARGIN_SECONDS)
    assert result["hub"]["deferred"] == [f"{MEMBER_ONE}/eu-west-1"] and result["hub"]["members"] == {}
    hub_harness.assert_all_calls_made()


def test_the_hub_s_own_region_is_swept_first_when_include_hub_is_on(hub_harness: Hub) -> None:
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1"]}}, include_hub=True)
    hub_harness.sweep.expect_queries()  # the hub's own Region, through its own CloudWatch
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1")
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert summary["counts"]["paused"] == 0 and list(summary["hub"]["members"]) == [f"{MEMBER_ONE}/eu-west-1"]


def test_member_parameters_are_read_page_by_page_in_name_order(hub_harness: Hub) -> None:
    ssm = hub_harness.sweep.aws.stubs["ssm"]
    config = hub_harness.config({})  # the first page: nothing
    ssm._queue.clear()  # replace it with two pages
    params = {"Path": MEMBERS_PATH, "Recursive": False, "WithDecryption": True, "MaxResults": 10}
    entry = json.dumps({"regions": ["eu-west-1"]})
    second = [{"Name": f"{MEMBERS_PATH}{MEMBER_ONE}", "Type": "SecureString", "Value": entry}]
    first = [{"Name": f"{MEMBERS_PATH}{MEMBER_TWO}", "Type": "SecureString", "Value": entry}]
    ssm.add_response("get_parameters_by_path", {"Parameters": first, "NextToken": "t"}, params)
    ssm.add_response("get_parameters_by_path", {"Parameters": second}, {**params, "NextToken": "t"})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1")
    hub_harness.expect_assume(MEMBER_TWO)
    hub_harness.expect_member_queries(MEMBER_TWO, "eu-west-1")
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert list(summary["hub"]["members"]) == [f"{MEMBER_ONE}/eu-west-1", f"{MEMBER_TWO}/eu-west-1"]


def test_a_hub_section_needs_an_enabled_sweep() -> None:
    document = {**MANIFEST_DOCUMENT, "hub": {"members_path": MEMBERS_PATH}}  # no sweep section
    with pytest.raises(manifest.ManifestError, match="hub mode needs an enabled sweep"):
        manifest.parse(document, source="tests")


def test_the_member_role_arn_and_state_keys_come_from_the_model() -> None:
    assert hub.member_role_arn("aws", MEMBER_ONE, PREFIX) == f"arn:aws:iam::{MEMBER_ONE}:role/{PREFIX}-member"
    assert hub.state_prefix(MEMBER_ONE, "eu-west-1") == f"member:{MEMBER_ONE}:eu-west-1:"
    assert contract.SCOPE_SWEEP == "sweep"


def test_a_member_whose_reads_are_refused_is_unreachable_and_the_next_member_is_swept(hub_harness: Hub) -> None:
    members = {MEMBER_ONE: {"regions": ["eu-west-1"]}, MEMBER_TWO: {"regions": ["eu-west-1"]}}
    config = hub_harness.config(members)
    hub_harness.expect_assume(MEMBER_ONE)
    refused = hub_harness.member(MEMBER_ONE, "eu-west-1").stubs["cloudwatch"]
    refused.add_client_error("get_metric_data", "AccessDenied", "not authorized to perform cloudwatch:GetMetricData")
    hub_harness.sweep.aws.expect_publish()
    hub_harness.expect_assume(MEMBER_TWO)
    hub_harness.expect_member_queries(MEMBER_TWO, "eu-west-1")
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    assert "GetMetricData" in summary["hub"]["unreachable"][f"{MEMBER_ONE}/eu-west-1"]
    assert list(summary["hub"]["members"]) == [f"{MEMBER_TWO}/eu-west-1"]


def test_a_target_that_fails_in_a_member_fails_the_run_at_the_end_naming_the_member(hub_harness: Hub) -> None:
    members = {MEMBER_ONE: {"regions": ["eu-west-1"]}, MEMBER_TWO: {"regions": ["eu-west-1"]}}
    config = hub_harness.config(members)
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1", BREACH)
    ses = hub_harness.member(MEMBER_ONE, "eu-west-1").stubs["sesv2"]
    ses.add_client_error("get_configuration_set", "InternalFailure", "SES failed", http_status_code=400)
    hub_harness.expect_assume(MEMBER_TWO)
    hub_harness.expect_member_queries(MEMBER_TWO, "eu-west-1")
    with pytest.raises(SweepError, match=rf"{MEMBER_ONE}/eu-west-1: 1 target\(s\) failed.*marketing"):
        hub_harness.run(config)
    hub_harness.assert_all_calls_made()


def test_a_pause_the_member_role_denies_is_notified_once_not_failed(hub_harness: Hub) -> None:
    """A member role scoped to tagged sets: an untagged set in breach cannot be paused; people are told."""
    config = hub_harness.config({MEMBER_ONE: {"regions": ["eu-west-1"]}})
    hub_harness.expect_assume(MEMBER_ONE)
    hub_harness.expect_member_queries(MEMBER_ONE, "eu-west-1", BREACH)
    ses = hub_harness.member(MEMBER_ONE, "eu-west-1").stubs["sesv2"]
    arn = f"arn:aws:ses:eu-west-1:{MEMBER_ONE}:configuration-set/marketing"
    ses.add_response(
        "get_configuration_set",
        {"ConfigurationSetName": "marketing", "SendingOptions": {"SendingEnabled": True}},
        {"ConfigurationSetName": "marketing"},
    )
    ses.add_response("list_tags_for_resource", {"Tags": []}, {"ResourceArn": arn})
    ses.add_client_error("put_configuration_set_sending_options", "AccessDeniedException", "not authorized")
    hub_harness.sweep.aws.expect_publish()
    summary = hub_harness.run(config)
    hub_harness.assert_all_calls_made()
    member = summary["hub"]["members"][f"{MEMBER_ONE}/eu-west-1"]
    assert (
        member["paused"] == []
        and "outside its pause scope" in member["excluded_reasons"]["configuration-set:marketing"]
    )
    (notice,) = hub_harness.sweep.reports()
    assert "CRITICAL" in notice["Subject"] and MEMBER_ONE in notice["Subject"]
