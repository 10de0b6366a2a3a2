"""Hub mode's names (``ses_guard_policy.hub``) and the manifest's ``hub`` section (``manifest.Hub``,
``manifest.Member``): one derivation of each name, every member value checked with the model's rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ses_guard_policy import hub, manifest

SWEEP = {"action": "pause", "evaluation_periods": 3, "datapoints_to_alarm": 2}
DOCUMENT: dict[str, Any] = {
    "format": manifest.FORMAT,
    "name_prefix": "org",
    "default_thresholds": {
        "bounce_warning": 0.02,
        "bounce_critical": 0.04,
        "complaint_warning": 0.0005,
        "complaint_critical": 0.0008,
    },
    "account": {"action": "pause"},
    "sweep": SWEEP,
}


def with_members(members: dict[str, Any], **hub_settings: Any) -> dict[str, Any]:
    return {**DOCUMENT, "hub": {"members_path": hub.members_path("org"), "members": members, **hub_settings}}


def test_every_hub_name_derives_from_the_prefix_account_and_region() -> None:
    assert hub.member_role_name("org") == "org-member"
    assert (
        hub.member_role_arn("aws-us-gov", "111111111111", "org") == "arn:aws-us-gov:iam::111111111111:role/org-member"
    )
    assert hub.session_name("org") == "org-hub"
    assert hub.members_path("org") == "/org/policy/members/"
    assert hub.unit_name("111111111111", "eu-west-1") == "111111111111/eu-west-1"
    assert hub.state_prefix("111111111111", "eu-west-1") == "member:111111111111:eu-west-1:"


def test_a_member_s_overrides_apply_over_the_hub_s_sweep_and_account() -> None:
    entry = {"regions": ["eu-west-1"], "action": "notify", "account_action": "notify", "bounce_critical": 0.03}
    guard = manifest.parse(with_members({"111111111111": entry}), source="tests")
    assert guard.hub is not None and guard.sweep is not None and guard.account is not None
    member = guard.hub.members["111111111111"]
    judged = member.sweep_for(guard.sweep)
    assert (judged.action, judged.thresholds.bounce_critical, judged.thresholds.bounce_warning) == (
        "notify",
        0.03,
        0.02,
    )
    account = member.account_for(guard.account)
    assert account is not None and account.action == "notify"
    assert guard.hub.member_regions() == 1


def test_a_member_without_overrides_is_judged_exactly_as_the_hub() -> None:
    guard = manifest.parse(with_members({"111111111111": {}}), source="tests")
    assert guard.hub is not None and guard.sweep is not None
    member = guard.hub.members["111111111111"]
    assert member.sweep_for(guard.sweep) == guard.sweep and member.account_for(guard.account) == guard.account
    assert guard.hub.member_regions() == 1  # no Region: the hub's own


def test_the_function_s_environment_carries_the_hub_without_its_members() -> None:
    guard = manifest.parse(with_members({"111111111111": {"regions": ["eu-west-1"]}}), source="tests")
    short = json.loads(guard.to_json(with_sets=False))
    assert short["hub"] == {"members_path": "/org/policy/members/", "include_hub": True}
    full = json.loads(guard.to_json())
    assert full["hub"]["members"] == {"111111111111": {"regions": ["eu-west-1"]}}
    assert manifest.parse(full, source="round trip") == guard


def test_a_manifest_without_a_hub_stays_byte_identical() -> None:
    assert "hub" not in manifest.parse(DOCUMENT, source="tests").to_document()


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"1111": {}}, "account_id='1111': must be a 12-digit AWS account id"),
        ({"111111111111": {"regions": ["mars"]}}, "regions='mars': must be an AWS Region name"),
        ({"111111111111": {"regions": ["eu-west-1", "eu-west-1"]}}, "must not name a Region twice"),
        ({"111111111111": {"action": "stop"}}, "action='stop': must be one of 'pause', 'notify'"),
        ({"111111111111": {"bounce_critical": 0.01}}, "must be below critical threshold 0.01"),
        ({"111111111111": {"protected_configuration_sets": ["bad name"]}}, "configuration set names are 1-64"),
        ({"111111111111": {"regions": "eu-west-1"}}, "regions='eu-west-1': must be a list of strings"),
        ({"111111111111": {"colour": "red"}}, "unknown key 'colour'"),
    ],
)
def test_a_bad_member_entry_is_refused_naming_the_value_and_the_rule(members: dict[str, Any], message: str) -> None:
    with pytest.raises(manifest.ManifestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        manifest.parse(with_members(members), source="tests")


def test_more_member_regions_than_one_hub_runs_are_refused() -> None:
    members = {f"{index:012d}": {"regions": ["us-east-1", "eu-west-1"]} for index in range(101)}
    with pytest.raises(manifest.ManifestError, match="202 member Regions: at most 200"):
        manifest.parse(with_members(members), source="tests")


def test_a_members_path_must_be_an_ssm_path() -> None:
    document = {**DOCUMENT, "hub": {"members_path": "members"}}
    with pytest.raises(manifest.ManifestError, match="members_path='members': must be an SSM path"):
        manifest.parse(document, source="tests")
