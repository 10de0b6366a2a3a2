"""``ses-guard status --hub``: the hub's account and Region, then each member account x Region read through
the member role, an unreachable member shown with AWS's error code while the others still are.

The first tests run the whole command against moto (its STS hands out credentials that act in the role's
account, so accounts 111111111111 and 222222222222 hold their own SES state and tags); the error paths
use real clients under botocore's Stubber, one per account and service."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from ses_guard_cli import exit_codes, hub_status, member_access
from ses_guard_lambda import ses_actions
from ses_guard_policy import contract
from tests.cli.support import create_member_role, run_cli
from tests.stubbed_aws import REGION, make_client

HUB, FIRST, SECOND = "123456789012", "111111111111", "222222222222"
OTHER_REGION = "eu-west-1"
PAUSED_AT = datetime(2026, 11, 28, 1, 35, 12, tzinfo=UTC)


def rows(out: str) -> dict[tuple[str, str], list[str]]:
    """The table's rows: (account, Region) -> the other cells, split on runs of two spaces or more."""
    table: dict[tuple[str, str], list[str]] = {}
    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if re.fullmatch(r"[0-9]{12}", cells[0]) and len(cells) > 2:
            table[(cells[0], cells[1])] = cells[2:]
    return table


# --- against moto -------------------------------------------------------------------------------------


def member_session(boto3: Any, account: str) -> Any:
    """A session acting in ``account`` through its member role, as ``ses-guard`` assumes it."""
    sts = boto3.client("sts", region_name=REGION)
    role = create_member_role(boto3, account)
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="setup")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def pause_set(session: Any, account: str, region: str, name: str, prefix: str = "ses-guard") -> None:
    """The function's own calls: create, pause and tag the set ``name``."""
    ses = session.client("sesv2", region_name=region)
    ses.create_configuration_set(ConfigurationSetName=name)
    ses_actions.pause_configuration_set(ses, name)
    ses_actions.tag_paused(ses, ses_actions.set_arn("aws", region, account, name), prefix, PAUSED_AT)


def put_member(boto3: Any, account: str, entry: dict[str, Any], prefix: str = "ses-guard") -> None:
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=f"/{prefix}/policy/members/{account}", Value=json.dumps(entry), Type="SecureString"
    )


@pytest.fixture
def organization(moto_aws: Any) -> Any:
    """The hub (123456789012, us-east-1) with one paused set; member 111111111111 watched in eu-west-1
    (account paused) and us-east-1 (set ``marketing`` paused); member 222222222222 in the hub's Region
    (``regions`` empty), nothing paused. Each member account has its member role."""
    pause_set(moto_aws.session.Session(), HUB, REGION, "hub-news")
    first = member_session(moto_aws, FIRST)
    first.client("sesv2", region_name=OTHER_REGION).put_account_sending_attributes(SendingEnabled=False)
    pause_set(first, FIRST, REGION, "marketing")
    member_session(moto_aws, SECOND).client("sesv2", region_name=REGION).create_configuration_set(
        ConfigurationSetName="quiet"
    )
    put_member(moto_aws, FIRST, {"regions": [OTHER_REGION, REGION], "action": "pause"})
    put_member(moto_aws, SECOND, {"regions": []})
    return moto_aws


def test_the_hub_and_every_member_account_by_region_are_shown_each_with_its_own_sending_state_and_pauses(
    organization: Any,
) -> None:
    code, out, err = run_cli("status", "--hub", "--region", REGION)
    assert code == exit_codes.EXIT_OK, err
    heading = f"Hub ses-guard: account {HUB}, Region {REGION}; members under /ses-guard/policy/members/: "
    assert out.startswith(heading + "2 member account(s)\n")
    assert rows(out) == {
        (HUB, REGION): ["enabled", "HEALTHY", "1", "hub"],
        (FIRST, OTHER_REGION): ["PAUSED", "HEALTHY", "0"],
        (FIRST, REGION): ["enabled", "HEALTHY", "1"],
        (SECOND, REGION): ["enabled", "HEALTHY", "0"],
    }
    at = "2026-11-28T01:35:12Z"
    assert f"  {HUB}/{REGION} configuration set hub-news: PAUSED by guard ses-guard at {at}\n" in out
    assert f"  {FIRST}/{OTHER_REGION} account: sending PAUSED\n" in out
    assert f"  {FIRST}/{REGION} configuration set marketing: PAUSED by guard ses-guard at {at}\n" in out
    assert "with --member ACCOUNT for a member's" in out


def test_hub_json_lists_each_unit_with_its_account_region_sending_state_and_tagged_sets(organization: Any) -> None:
    code, out, _ = run_cli("status", "--hub", "--json")
    assert code == exit_codes.EXIT_OK
    document = json.loads(out)
    assert document["hub"] == {
        "name_prefix": "ses-guard",
        "account_id": HUB,
        "region": REGION,
        "members_path": "/ses-guard/policy/members/",
        "members": 2,
        "members_error": None,
    }
    units = [
        (
            unit["account_id"],
            unit["region"],
            unit["hub"],
            unit["account"]["sending_enabled"],
            [paused["name"] for paused in unit["paused_configuration_sets"]["sets"]],
        )
        for unit in document["units"]
    ]
    assert units == [
        (HUB, REGION, True, True, ["hub-news"]),
        (FIRST, OTHER_REGION, False, False, []),
        (FIRST, REGION, False, True, ["marketing"]),
        (SECOND, REGION, False, True, []),
    ]
    assert all(unit["reachable"] and unit["error"] is None for unit in document["units"])


@pytest.mark.filterwarnings("ignore:Exception\\(AccessDenied\\):UserWarning")  # moto: no STS error shape for it
def test_against_moto_a_member_without_the_member_role_is_unreachable_and_the_other_is_shown(moto_aws: Any) -> None:
    """The emulator refuses AssumeRole of a role that does not exist (AccessDenied), as AWS does."""
    member_session(moto_aws, FIRST)
    put_member(moto_aws, FIRST, {"regions": [OTHER_REGION]})
    put_member(moto_aws, SECOND, {"regions": [OTHER_REGION, REGION]})
    code, out, _ = run_cli("status", "--hub")
    assert code == exit_codes.EXIT_AWS_ERROR
    assert rows(out) == {
        (HUB, REGION): ["enabled", "HEALTHY", "0", "hub"],
        (FIRST, OTHER_REGION): ["enabled", "HEALTHY", "0"],
        (SECOND, OTHER_REGION): ["UNREACHABLE", "-", "-", "(AssumeRole: AccessDenied)"],
        (SECOND, REGION): ["UNREACHABLE", "-", "-", "(AssumeRole: AccessDenied)"],
    }
    assert "Unreachable: 2 account x Region(s). AssumeRole AccessDenied: the member role does not trust" in out


def test_a_hub_without_members_shows_its_own_account_and_says_it_has_none(moto_aws: Any) -> None:
    code, out, _ = run_cli("status", "--hub", "--name-prefix", "mail")
    assert code == exit_codes.EXIT_OK
    assert "members under /mail/policy/members/: 0 member account(s)" in out
    assert rows(out) == {(HUB, REGION): ["enabled", "HEALTHY", "0", "hub"]}
    assert "Paused" not in out


# --- error paths, stubbed -------------------------------------------------------------------------------


class Accounts:
    """Stubbed clients per (account, service), every one's Stubber active; ``member_access`` builds a
    member's clients from the AccessKeyId the stubbed AssumeRole returned (``ASIA<account>``)."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str], Any] = {}
        self.stubbers: dict[tuple[str, str], Stubber] = {}

    def client(self, account: str, service: str) -> Any:
        key = (account, service)
        if key not in self.clients:
            self.clients[key] = make_client(service)
            self.stubbers[key] = Stubber(self.clients[key])
            self.stubbers[key].activate()
        return self.clients[key]

    def stub(self, account: str, service: str) -> Stubber:
        self.client(account, service)
        return self.stubbers[(account, service)]

    def factory(self, credentials: Any) -> member_access.ServiceFactory:
        account = str(credentials["AccessKeyId"]).removeprefix("ASIA")
        return lambda service, region: self.client(account, service)

    def run(self, *argv: str) -> tuple[int, str, str]:
        return run_cli(
            *argv,
            client_factory=lambda region: self.client(HUB, "sesv2"),
            service_factory=lambda service, region: self.client(HUB, service),
        )

    # --- what each account answers ------------------------------------------------------------------
    def caller(self, arn: str = f"arn:aws:iam::{HUB}:user/operator") -> None:
        response = {"UserId": "AIDAEXAMPLE", "Account": HUB, "Arn": arn}
        self.stub(HUB, "sts").add_response("get_caller_identity", response, {})

    def healthy(self, account: str, paused: tuple[str, ...] = ()) -> None:
        response = {"SendingEnabled": True, "EnforcementStatus": "HEALTHY"}
        self.stub(account, "sesv2").add_response("get_account", response, {})
        mappings = [
            {
                "ResourceARN": f"arn:aws:ses:{REGION}:{account}:configuration-set/{name}",
                "Tags": [{"Key": contract.TAG_PAUSED_BY, "Value": "ses-guard"}],
            }
            for name in paused
        ]
        self.stub(account, "resourcegroupstaggingapi").add_response(
            "get_resources", {"ResourceTagMappingList": mappings}
        )

    def members(self, *names: str, values: dict[str, str] | None = None, prefix: str = "ses-guard") -> None:
        path = f"/{prefix}/policy/members/"
        parameters = [
            {"Name": path + name, "Type": "SecureString", "Value": (values or {}).get(name, '{"regions": []}')}
            for name in names
        ]
        params = {"Path": path, "WithDecryption": True, "MaxResults": 10}
        self.stub(HUB, "ssm").add_response("get_parameters_by_path", {"Parameters": parameters}, params)

    def assume(self, account: str, error: str | None = None, prefix: str = "ses-guard", partition: str = "aws") -> None:
        params = {
            "RoleArn": f"arn:{partition}:iam::{account}:role/{prefix}-member",
            "RoleSessionName": f"{prefix}-operator",
        }
        if error:
            sts = self.stub(HUB, "sts")
            sts.add_client_error("assume_role", error, f"{error}: not trusted", 403, expected_params=params)
            return
        credentials = {
            "AccessKeyId": f"ASIA{account}",
            "SecretAccessKey": "secret",
            "SessionToken": "token",
            "Expiration": datetime(2026, 12, 1, tzinfo=UTC),
        }
        self.stub(HUB, "sts").add_response("assume_role", {"Credentials": credentials}, params)


@pytest.fixture
def accounts(monkeypatch: pytest.MonkeyPatch) -> Iterator[Accounts]:
    fake = Accounts()
    monkeypatch.setattr(member_access, "credential_factory", fake.factory)
    yield fake
    for stubber in fake.stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def test_a_member_whose_role_cannot_be_assumed_is_unreachable_with_the_aws_error_code_and_the_others_are_shown(
    accounts: Accounts,
) -> None:
    accounts.caller()
    accounts.healthy(HUB)
    accounts.members(FIRST, SECOND)
    accounts.assume(FIRST)
    accounts.healthy(FIRST, paused=("marketing",))
    accounts.assume(SECOND, error="AccessDenied")
    code, out, _ = accounts.run("status", "--hub")
    assert code == exit_codes.EXIT_AWS_ERROR
    assert rows(out) == {
        (HUB, REGION): ["enabled", "HEALTHY", "0", "hub"],
        (FIRST, REGION): ["enabled", "HEALTHY", "1"],
        (SECOND, REGION): ["UNREACHABLE", "-", "-", "(AssumeRole: AccessDenied)"],
    }
    assert f"  {FIRST}/{REGION} configuration set marketing: PAUSED by guard ses-guard at unknown time" in out


def test_hub_json_marks_an_unreachable_member_with_its_error_and_no_state(accounts: Accounts) -> None:
    accounts.caller()
    accounts.healthy(HUB)
    accounts.members(SECOND)
    accounts.assume(SECOND, error="AccessDenied")
    code, out, _ = accounts.run("status", "--hub", "--json")
    assert code == exit_codes.EXIT_AWS_ERROR
    assert json.loads(out)["units"][1] == {
        "account_id": SECOND,
        "hub": False,
        "reachable": False,
        "error": "AssumeRole: AccessDenied",
        "region": REGION,
    }


def test_a_member_whose_account_cannot_be_read_is_unreachable_and_one_without_tag_access_is_unknown(
    accounts: Accounts,
) -> None:
    accounts.caller()
    accounts.healthy(HUB)
    accounts.members(FIRST, SECOND)
    accounts.assume(FIRST)
    accounts.stub(FIRST, "sesv2").add_client_error("get_account", "AccessDeniedException", "no", 403)
    accounts.assume(SECOND)
    accounts.stub(SECOND, "sesv2").add_response("get_account", {"SendingEnabled": True, "EnforcementStatus": "HEALTHY"})
    accounts.stub(SECOND, "resourcegroupstaggingapi").add_client_error("get_resources", "AccessDeniedException")
    code, out, _ = accounts.run("status", "--hub")
    assert code == exit_codes.EXIT_AWS_ERROR
    table = rows(out)
    assert table[(FIRST, REGION)] == ["UNREACHABLE", "-", "-", "(GetAccount: AccessDeniedException)"]
    assert table[(SECOND, REGION)] == ["enabled", "HEALTHY", "UNKNOWN (GetResources failed: AccessDeniedException)"]


def test_when_the_member_list_cannot_be_read_the_hub_is_still_shown_and_the_exit_code_is_1(
    accounts: Accounts,
) -> None:
    accounts.caller()
    accounts.healthy(HUB, paused=("news",))
    accounts.stub(HUB, "ssm").add_client_error("get_parameters_by_path", "AccessDeniedException")
    code, out, err = accounts.run("status", "--hub")
    assert code == exit_codes.EXIT_AWS_ERROR
    assert "members under /ses-guard/policy/members/: GetParametersByPath failed: AccessDeniedException" in out
    assert rows(out) == {(HUB, REGION): ["enabled", "HEALTHY", "1", "hub"]}
    assert "error: the member list (/ses-guard/policy/members/) could not be read" in err


def test_a_member_entry_that_breaks_a_rule_is_shown_with_the_rule_and_the_other_members_are_read(
    accounts: Accounts,
) -> None:
    accounts.caller()
    accounts.healthy(HUB)
    accounts.members("12345", FIRST, SECOND, values={FIRST: '{"regions": ["moon-base"]}'})
    accounts.assume(SECOND)
    accounts.healthy(SECOND)
    code, out, _ = accounts.run("status", "--hub")
    assert code == exit_codes.EXIT_AWS_ERROR
    table = rows(out)
    assert table[(FIRST, "-")][:1] == ["UNREACHABLE"]
    assert "(parameter /ses-guard/policy/members/111111111111: regions=['moon-base']: must be an AWS Region" in out
    assert "(parameter /ses-guard/policy/members/12345: account_id '12345' must be a 12-digit AWS account id)" in out
    assert table[(SECOND, REGION)] == ["enabled", "HEALTHY", "0"]


def test_the_name_prefix_names_the_members_path_the_role_and_the_session_in_the_callers_partition(
    accounts: Accounts,
) -> None:
    accounts.caller(arn=f"arn:aws-cn:iam::{HUB}:user/operator")
    accounts.healthy(HUB)
    accounts.members(FIRST, prefix="mail")
    accounts.assume(FIRST, prefix="mail", partition="aws-cn")  # the Stubber checks RoleArn and RoleSessionName
    accounts.healthy(FIRST)
    code, out, _ = accounts.run("status", "--hub", "--name-prefix", "mail")
    assert code == exit_codes.EXIT_OK
    assert out.startswith(f"Hub mail: account {HUB}, Region {REGION}; members under /mail/policy/members/: 1 ")


def test_every_page_of_the_member_list_is_read() -> None:
    ssm = make_client("ssm")
    path = "/ses-guard/policy/members/"
    with Stubber(ssm) as stub:
        first = {"Parameters": [{"Name": path + SECOND, "Value": '{"regions": ["eu-west-1"]}'}], "NextToken": "t"}
        stub.add_response("get_parameters_by_path", first, {"Path": path, "WithDecryption": True, "MaxResults": 10})
        second = {"Parameters": [{"Name": path + FIRST, "Value": "{}"}]}
        params = {"Path": path, "WithDecryption": True, "MaxResults": 10, "NextToken": "t"}
        stub.add_response("get_parameters_by_path", second, params)
        entries = hub_status.read_members(ssm, "ses-guard", REGION)
    assert entries == [
        hub_status.MemberEntry(FIRST, (REGION,)),
        hub_status.MemberEntry(SECOND, ("eu-west-1",)),
    ]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["--hub", "--all"], "--hub goes with neither --all nor --configuration-set"),
        (["--hub", "--configuration-set", "marketing"], "--hub goes with neither --all nor --configuration-set"),
        (["--name-prefix", "mail"], "--name-prefix goes with --hub"),
        (["--hub", "--name-prefix", "Mail_Guard"], "--name-prefix 'Mail_Guard': must be 2-32 characters"),
    ],
)
def test_options_that_cannot_go_with_hub_are_a_usage_error_before_any_aws_call(
    accounts: Accounts, argv: list[str], problem: str
) -> None:
    code, _, err = accounts.run("status", *argv)  # nothing stubbed: any call would fail
    assert code == exit_codes.EXIT_USAGE
    assert problem in err
