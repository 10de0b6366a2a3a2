"""``ses-guard status``: the account, the sets a guard paused (its tag, through the Resource Groups Tagging
API: no call per set), named sets, and ``--all`` (every set, paced, progress on stderr).

SES v2 and the Tagging API are real clients under botocore's Stubber (every call validated against the
API model); the last tests run the function's tagging, ``status`` and ``resume`` against moto with the
SES emulator (tests/e2e/ses_emulator.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from ses_guard_cli import cli, exit_codes, status
from ses_guard_policy import contract
from tests.cli.support import run_cli
from tests.stubbed_aws import ACCOUNT, REGION, make_client

PAUSED_AT = "2026-11-28T01:35:12Z"


def set_arn(name: str) -> str:
    return f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{name}"


def pause_tags(prefix: str = "sesguard", at: str = PAUSED_AT) -> list[dict[str, str]]:
    return [{"Key": contract.TAG_PAUSED_BY, "Value": prefix}, {"Key": contract.TAG_PAUSED_AT, "Value": at}]


class Aws:
    """The operator's SES v2 and Resource Groups Tagging API clients, stubbed; every call made, in order."""

    def __init__(self) -> None:
        self.ses = make_client("sesv2")
        self.tagging = make_client("resourcegroupstaggingapi")
        self.ses_stub = Stubber(self.ses)
        self.tagging_stub = Stubber(self.tagging)
        self.calls: list[str] = []
        self.services: list[tuple[str, str | None]] = []
        for client in (self.ses, self.tagging):
            client.meta.events.register("before-parameter-build", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def service_factory(self, service: str, region: str | None) -> Any:
        self.services.append((service, region))
        assert service == status.TAGGING_SERVICE, service
        return self.tagging

    def run(self, *argv: str) -> tuple[int, str, str]:
        return run_cli(*argv, client_factory=lambda region: self.ses, service_factory=self.service_factory)

    # --- SES v2 ---------------------------------------------------------------------------------
    def account(self, sending_enabled: bool = True, enforcement: str = "HEALTHY") -> None:
        response = {"SendingEnabled": sending_enabled, "EnforcementStatus": enforcement}
        self.ses_stub.add_response("get_account", response, {})

    def configuration_set(
        self, name: str, sending_enabled: bool, fresh: datetime | None = None, tags: list[dict[str, str]] | None = None
    ) -> None:
        reputation: dict[str, Any] = {"ReputationMetricsEnabled": True}
        if fresh:
            reputation["LastFreshStart"] = fresh
        response: dict[str, Any] = {
            "ConfigurationSetName": name,
            "SendingOptions": {"SendingEnabled": sending_enabled},
            "ReputationOptions": reputation,
        }
        if tags is not None:
            response["Tags"] = tags
        self.ses_stub.add_response("get_configuration_set", response, {"ConfigurationSetName": name})

    def configuration_set_error(self, name: str, code: str, status_code: int) -> None:
        self.ses_stub.add_client_error(
            "get_configuration_set",
            code,
            f"{code}: {name}",
            status_code,
            expected_params={"ConfigurationSetName": name},
        )

    def set_list(self, names: list[str], token: str | None = None, next_token: str | None = None) -> None:
        params: dict[str, Any] = {"PageSize": status.LIST_PAGE_SIZE}
        if token:
            params["NextToken"] = token
        response: dict[str, Any] = {"ConfigurationSets": names}
        if next_token:
            response["NextToken"] = next_token
        self.ses_stub.add_response("list_configuration_sets", response, params)

    # --- Resource Groups Tagging API ----------------------------------------------------------------
    def tagged(self, sets: dict[str, list[dict[str, str]]], token: str | None = None, next_token: str = "") -> None:
        """One GetResources page listing ``sets`` (name -> tags); ``next_token`` for a further page."""
        params: dict[str, Any] = {
            "TagFilters": [{"Key": contract.TAG_PAUSED_BY}],
            "ResourceTypeFilters": ["ses:configuration-set"],
            "ResourcesPerPage": 100,
        }
        if token:
            params["PaginationToken"] = token
        mappings = [{"ResourceARN": set_arn(name), "Tags": tags} for name, tags in sets.items()]
        response = {"ResourceTagMappingList": mappings, "PaginationToken": next_token}
        self.tagging_stub.add_response("get_resources", response, params)


@pytest.fixture
def aws() -> Iterator[Aws]:
    fake = Aws()
    with fake.ses_stub, fake.tagging_stub:
        yield fake
        fake.ses_stub.assert_no_pending_responses()
        fake.tagging_stub.assert_no_pending_responses()


# --- the sets a guard paused, from its tag (issue "[4 of 7]", item 4) --------------------------------------


def test_status_lists_every_set_a_guard_paused_from_its_tag_without_a_call_per_set(aws: Aws) -> None:
    aws.account()
    aws.tagged({"marketing": pause_tags(), "newsletter": pause_tags("mailguard", "2026-11-29T08:00:00Z")})
    code, out, _ = aws.run("status", "--region", REGION)
    assert code == exit_codes.EXIT_OK
    assert "configuration sets a guard paused (tag ses-reputation-guard:paused-by): 2" in out
    assert f"    marketing: PAUSED by guard sesguard at {PAUSED_AT}" in out
    assert "    newsletter: PAUSED by guard mailguard at 2026-11-29T08:00:00Z" in out
    assert aws.calls == ["GetAccount", "GetResources"]
    assert aws.services == [("resourcegroupstaggingapi", REGION)]


def test_ten_thousand_sets_of_which_150_are_paused_cost_one_get_account_and_two_get_resources_pages(aws: Aws) -> None:
    """The set count never enters: only the tagged sets are listed, 100 a page (GetResources' maximum)."""
    paused = [f"tenant-{i:05d}" for i in range(0, 10_000, 67)]  # 150 of 10,000 sets
    aws.account()
    aws.tagged({name: pause_tags() for name in paused[:100]}, next_token="page-2")
    aws.tagged({name: pause_tags() for name in paused[100:]}, token="page-2")
    code, out, _ = aws.run("status", "--region", REGION, "--json")
    assert code == exit_codes.EXIT_OK
    document = json.loads(out)["paused_configuration_sets"]
    assert (document["source"], [s["name"] for s in document["sets"]]) == ("tags", paused)
    assert aws.calls == ["GetAccount", "GetResources", "GetResources"]


def test_status_says_when_no_set_carries_the_tag(aws: Aws) -> None:
    aws.account()
    aws.tagged({})
    code, out, _ = aws.run("status")
    assert code == exit_codes.EXIT_OK
    assert "configuration sets a guard paused (tag ses-reputation-guard:paused-by): none" in out


def test_when_get_resources_fails_the_account_is_still_shown_and_the_exit_code_is_1(aws: Aws) -> None:
    aws.account(sending_enabled=False)
    aws.tagging_stub.add_client_error("get_resources", "AccessDeniedException", "not allowed", 400)
    code, out, err = aws.run("status", "--region", REGION)
    assert code == exit_codes.EXIT_AWS_ERROR
    assert "account: sending PAUSED, enforcement status HEALTHY" in out
    assert "UNKNOWN (GetResources failed: AccessDeniedException; the operator needs tag:GetResources)" in out
    assert "--all" in out and "AccessDeniedException" in err


def test_status_json_lists_the_tagged_sets_with_who_paused_them_and_when(aws: Aws) -> None:
    aws.account()
    aws.tagged({"marketing": pause_tags()})
    code, out, _ = aws.run("status", "--json")
    assert code == exit_codes.EXIT_OK
    assert json.loads(out)["paused_configuration_sets"] == {
        "source": "tags",
        "checked": None,
        "ses_calls": None,
        "sets": [
            {
                "name": "marketing",
                "sending_enabled": None,
                "paused_by_guard": True,
                "paused_by": "sesguard",
                "paused_at": PAUSED_AT,
            }
        ],
        "stale_tags": None,
        "unreadable": [],
        "error": None,
    }


# --- named sets (moved from test_cli.py) ----------------------------------------------------------


def test_status_shows_account_and_configuration_sets(aws: Aws) -> None:
    aws.account(sending_enabled=True, enforcement="HEALTHY")
    aws.tagged({})
    aws.configuration_set("marketing", sending_enabled=False, fresh=datetime(2026, 11, 1, tzinfo=UTC))
    code, out, _ = aws.run("status", "--region", REGION, "--configuration-set", "marketing")
    assert code == exit_codes.EXIT_OK
    assert "account: sending enabled, enforcement status HEALTHY" in out
    assert "configuration set marketing: sending PAUSED, reputation metrics on" in out
    assert "last fresh start 2026-11-01T00:00:00+00:00" in out


def test_a_named_set_says_which_guard_paused_it_from_its_tags(aws: Aws) -> None:
    aws.account()
    aws.tagged({"marketing": pause_tags()})
    aws.configuration_set("marketing", sending_enabled=False, tags=[{"Key": "team", "Value": "a"}, *pause_tags()])
    code, out, _ = aws.run("status", "--configuration-set", "marketing")
    assert code == exit_codes.EXIT_OK
    assert f"last fresh start never, paused by guard sesguard at {PAUSED_AT}" in out


def test_status_json_is_machine_readable(aws: Aws) -> None:
    aws.account(sending_enabled=False, enforcement="SHUTDOWN")
    aws.tagged({})
    aws.configuration_set("a", sending_enabled=True)
    aws.configuration_set("b", sending_enabled=False)
    code, out, _ = aws.run("status", "--json", "--configuration-set", "a", "--configuration-set", "b")
    document = json.loads(out)
    assert code == 0
    assert document["account"] == {
        "sending_enabled": False,
        "enforcement_status": "SHUTDOWN",
        "production_access_enabled": None,
    }
    sets = [(s["name"], s["sending_enabled"]) for s in document["configuration_sets"]]
    assert sets == [("a", True), ("b", False)]
    assert document["region"] == REGION


def status_with_a_missing_set(aws: Aws, *flags: str) -> tuple[int, str]:
    """``status`` naming the missing set ``nope`` and the set ``marketing``: exit code and output."""
    aws.account(sending_enabled=True, enforcement="HEALTHY")
    aws.tagged({})
    aws.configuration_set_error("nope", "NotFoundException", 404)
    aws.configuration_set("marketing", sending_enabled=True)
    code, out, _ = aws.run("status", *flags, "--configuration-set", "nope", "--configuration-set", "marketing")
    return code, out


def test_status_shows_the_account_even_when_a_named_set_is_missing(aws: Aws) -> None:
    code, out = status_with_a_missing_set(aws)
    assert code == exit_codes.EXIT_AWS_ERROR
    assert "account: sending enabled, enforcement status HEALTHY" in out
    assert "configuration set nope: NOT FOUND in this Region" in out
    assert "configuration set marketing: sending enabled" in out


def test_status_json_marks_a_missing_set(aws: Aws) -> None:
    code, out = status_with_a_missing_set(aws, "--json")
    assert code == exit_codes.EXIT_AWS_ERROR
    document = json.loads(out)
    assert document["account"]["sending_enabled"] is True
    assert document["configuration_sets"][0] == {"name": "nope", "error": "not found"}
    assert (document["configuration_sets"][1]["name"], document["configuration_sets"][1]["sending_enabled"]) == (
        "marketing",
        True,
    )


# --- --all: every set, paced, pauses by anyone ------------------------------------------------------


class FakeTime:
    """monotonic() and sleep() for the pacer: sleeping only advances the clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run_all(aws: Aws, clock: FakeTime, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = cli.build_parser().parse_args(["status", "--all", *argv])
    code = status.run(
        aws.ses,
        REGION,
        args,
        out=out,
        err=err,
        service_factory=aws.service_factory,
        monotonic=clock.monotonic,
        sleep=clock.sleep,
    )
    return code, out.getvalue(), err.getvalue()


def test_all_reads_every_set_and_says_which_pauses_the_guard_made_and_which_it_did_not(aws: Aws) -> None:
    aws.account()
    aws.set_list(["guarded", "manual", "sending", "stale"], next_token="more")
    aws.set_list(["gone"], token="more")
    aws.configuration_set("guarded", sending_enabled=False, tags=pause_tags())
    aws.configuration_set("manual", sending_enabled=False, tags=[{"Key": "team", "Value": "growth"}])
    aws.configuration_set("sending", sending_enabled=True)
    aws.configuration_set("stale", sending_enabled=True, tags=pause_tags())
    aws.configuration_set_error("gone", "NotFoundException", 404)  # deleted between the list and the read
    clock = FakeTime()
    code, out, err = run_all(aws, clock)
    assert code == exit_codes.EXIT_OK
    assert "configuration sets: 4 read, 2 paused" in out
    assert f"    guarded: PAUSED by guard sesguard at {PAUSED_AT}" in out
    assert "    manual: PAUSED, not by the guard (no ses-reputation-guard:paused-by tag" in out
    assert "    stale: sending enabled, but tagged paused by guard sesguard" in out
    assert "sending:" not in out and "gone" not in out
    assert aws.services == []  # no Tagging API call: each set's tags come with GetConfigurationSet
    assert aws.calls == ["GetAccount"] + ["ListConfigurationSets"] * 2 + ["GetConfigurationSet"] * 5
    # progress on stderr: the count when listed, then the end
    assert "status --all: 5 configuration sets in us-east-1; reading each at 1 call(s)/s" in err
    assert "read 5 of 5 (2 paused so far); done in" in err


def test_all_paces_ses_calls_at_the_rate_and_reports_progress_on_stderr(aws: Aws) -> None:
    names = [f"s{i:04d}" for i in range(2500)]
    aws.account()
    aws.set_list(names[:1000], next_token="2")
    aws.set_list(names[1000:2000], token="2", next_token="3")
    aws.set_list(names[2000:], token="3")
    for name in names:
        aws.configuration_set(name, sending_enabled=name != "s0042")
    clock = FakeTime()
    code, out, err = run_all(aws, clock, "--rate", "2", "--json")
    assert code == exit_codes.EXIT_OK
    document = json.loads(out)["paused_configuration_sets"]
    assert (document["checked"], [s["name"] for s in document["sets"]]) == (2500, ["s0042"])
    assert document["ses_calls"] == 3 + 2500  # three list pages, one read per set (GetAccount is not paced)
    assert document["sets"][0]["paused_by_guard"] is False
    ses_calls = 3 + 2500  # three list pages, one read per set (GetAccount is not paced)
    assert len(clock.sleeps) == ses_calls - 1
    assert clock.now == pytest.approx((ses_calls - 1) / 2)  # 2 calls a second, evenly spaced
    lines = err.splitlines()
    assert (
        lines[0]
        == "status --all: 2,500 configuration sets in us-east-1; reading each at 2 call(s)/s (about 20 min 50 s)"
    )
    assert "read 1,000 of 2,500 (1 paused so far); about 12 min 30 s left" in err
    assert lines[-1].startswith("status --all: read 2,500 of 2,500 (1 paused so far); done in 20 min 5")


def test_a_set_still_throttled_after_the_retries_is_reported_unreadable_and_the_rest_are_read(aws: Aws) -> None:
    aws.account()
    aws.set_list(["a", "b"])
    aws.configuration_set_error("a", "TooManyRequestsException", 429)
    aws.configuration_set("b", sending_enabled=False, tags=pause_tags())
    code, out, _ = run_all(aws, FakeTime())
    assert code == exit_codes.EXIT_AWS_ERROR
    assert "a: UNKNOWN (GetConfigurationSet still failed after the retries: TooManyRequestsException)" in out
    assert "b: PAUSED by guard sesguard" in out


@pytest.mark.parametrize("rate", ["0", "-1", "fast", "inf"])
def test_a_rate_that_is_not_a_positive_number_is_a_usage_error(aws: Aws, rate: str) -> None:
    code, _, err = aws.run("status", "--all", "--rate", rate)
    assert code == exit_codes.EXIT_USAGE
    assert "--rate" in err


def test_the_pacer_spaces_calls_evenly_and_lets_the_first_go_at_once() -> None:
    clock = FakeTime()
    pacer = status.Pacer(4.0, monotonic=clock.monotonic, sleep=clock.sleep)
    made = [pacer.call(lambda **params: params["n"], n=n) for n in range(3)]
    assert made == [0, 1, 2] and clock.sleeps == [0.25, 0.25] and pacer.calls == 3
    clock.now += 10  # a slow caller is never made to wait
    pacer.call(lambda: None)
    assert clock.sleeps == [0.25, 0.25]


# --- the whole path against moto and the SES emulator ---------------------------------------------------


def test_against_the_emulator_the_function_tags_status_lists_all_tells_apart_and_resume_removes_the_tag(
    moto_aws: Any,
) -> None:
    from ses_guard_lambda import ses_actions

    ses = moto_aws.client("sesv2", region_name=REGION)
    account = moto_aws.client("sts", region_name=REGION).get_caller_identity()["Account"]
    for name in ("guarded", "manual", "quiet"):
        ses.create_configuration_set(ConfigurationSetName=name)
    ses_actions.pause_configuration_set(ses, "guarded")  # the function's own calls, in its order
    when = datetime(2026, 11, 28, 1, 35, 12, tzinfo=UTC)
    ses_actions.tag_paused(ses, ses_actions.set_arn("aws", REGION, account, "guarded"), "sesguard", when)
    ses.put_configuration_set_sending_options(ConfigurationSetName="manual", SendingEnabled=False)

    def run(*argv: str) -> tuple[int, str, str]:
        return run_cli(
            *argv,
            client_factory=lambda region: moto_aws.client("sesv2", region_name=region),
            service_factory=lambda service, region: moto_aws.client(service, region_name=region),
        )

    code, out, _ = run("status", "--region", REGION)
    assert code == 0 and f"    guarded: PAUSED by guard sesguard at {PAUSED_AT}" in out and "manual" not in out
    code, out, _ = run("status", "--region", REGION, "--all", "--rate", "1000")
    assert code == 0 and "configuration sets: 3 read, 2 paused" in out
    assert "guarded: PAUSED by guard sesguard" in out and "manual: PAUSED, not by the guard" in out
    code, out, _ = run("resume", "--configuration-set", "guarded", "--region", REGION, "--yes")
    assert code == 0 and "Removed its pause tags" in out
    code, out, _ = run("status", "--region", REGION)
    assert code == 0 and "(tag ses-reputation-guard:paused-by): none" in out
