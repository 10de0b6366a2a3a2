"""HubPolicy and HubMember: every bad value named with its rule in one error, each member's entry checked as the
function will read it, and what a hub changes in its guard (manifest, function timeout, grants)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_guard_policy import contract, hub, manifest, rules
from ses_reputation_guard import (
    GuardValidationError,
    HubMember,
    HubPolicy,
    ReputationGuard,
    ReputationGuardProps,
    ReputationThresholds,
    SweepPolicy,
    ThresholdOverrides,
)
from ses_reputation_guard._cdktf import App, TerraformVariable, Token
from ses_reputation_guard.assets import SOURCES_FOLDER
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.hub_policy import HUB_NEEDS_SWEEP
from ses_reputation_guard.pause_function import HUB_TIMEOUT_SECONDS
from ses_reputation_guard.validation import Problems
from tests.constructs.support import resources, synthesized

EMAILS = ["deliverability@example.com"]
FIRST, SECOND = "111111111111", "222222222222"
MEMBERS = (
    HubMember(FIRST, regions=("us-east-1", "eu-west-1"), action="pause"),
    HubMember(SECOND, regions=("eu-west-1",), action="notify", thresholds=ThresholdOverrides(bounce_critical=0.03)),
)


def hub_props(**props) -> ReputationGuardProps:
    settings = {"name_prefix": "hub", "notification_emails": EMAILS, "sweep_policy": SweepPolicy()}
    return ReputationGuardProps(**{**settings, "hub_policy": HubPolicy(members=MEMBERS), **props})


def guard_problems(**props) -> list[str]:
    with pytest.raises(GuardValidationError) as raised:
        hub_props(**props).validate()
    return raised.value.problems


def problems_of(policy: HubPolicy, **options) -> list[str]:
    problems = Problems()
    policy.collect_problems(problems, **options)
    return problems.items


def test_the_defaults_are_valid_and_match_the_documented_values():
    member = HubMember(FIRST)
    assert (member.regions, member.action, member.account_action, member.evaluate_account) == ((), None, None, None)
    assert (member.protected_configuration_sets, member.thresholds) == ((), None)
    policy = HubPolicy()
    assert (policy.members, policy.include_hub) == ((), True)
    assert problems_of(policy) == [] and problems_of(HubPolicy(members=MEMBERS)) == []
    assert ThresholdOverrides().given() == {}
    hub_props().validate()


def test_every_bad_value_is_named_with_its_rule_in_one_error():
    problems = guard_problems(
        hub_policy=HubPolicy(
            members=[
                HubMember(
                    "12345",
                    regions=["eu-west-1", "Europe", "eu-west-1"],
                    action="stop",  # type: ignore[arg-type]
                    account_action="halt",  # type: ignore[arg-type]
                    evaluate_account="yes",  # type: ignore[arg-type]
                    protected_configuration_sets=["bad name"],
                    thresholds=ThresholdOverrides(bounce_critical=5, complaint_warning=0),
                ),
                HubMember(FIRST),
                HubMember(FIRST, regions="eu-west-1"),  # type: ignore[arg-type]
            ],
            include_hub="no",  # type: ignore[arg-type]
        )
    )
    first = "hub_policy.members[0]"
    assert problems == [
        "hub_policy.include_hub='no': must be True or False",
        f"{first}.account_id='12345': {rules.ACCOUNT_ID.sentence}",
        f"{first}.regions item='Europe': {rules.REGION_NAME.sentence}",
        f"{first}.protected_configuration_sets item='bad name': {rules.CONFIGURATION_SET_NAME.sentence}",
        f"{first}.regions=['eu-west-1']: {rules.HUB_MEMBER_REGIONS_UNIQUE.sentence}",
        f"{first}.action='stop': {rules.ACTION.sentence}",
        f"{first}.account_action='halt': {rules.ACTION.sentence}",
        f"{first}.evaluate_account='yes': must be True, False or None",
        f"{first}.thresholds.bounce_critical=5: {rules.RATIO_RULE} (did you mean 0.05 for 5 %?)",
        f"{first}.thresholds.complaint_warning=0: {rules.RATIO_RULE}",
        "hub_policy.members[2].regions='eu-west-1': must be a list of names",
        f"hub_policy.members[2].account_id='{FIRST}': lists the account more than once",
    ]


def test_a_hub_needs_an_enabled_sweep():
    expected = "hub_policy needs an enabled sweep_policy: hub mode runs on the sweep"
    for sweep in (None, SweepPolicy(enabled=False)):
        assert [p for p in guard_problems(sweep_policy=sweep) if p.startswith(expected)], sweep


def test_member_thresholds_are_checked_merged_over_the_sweeps_as_the_function_reads_them():
    # 0.01 alone is a fine ratio, but not above the sweep's own warning (0.02): refused by the model's words
    below_warning = HubMember(FIRST, thresholds=ThresholdOverrides(bounce_critical=0.01))
    [problem] = guard_problems(hub_policy=HubPolicy(members=[below_warning]))
    assert problem.startswith("hub_policy.members[0] thresholds merged over the sweep's: bounce ")
    assert rules.WARNING_BELOW_CRITICAL.sentence in problem
    # against the sweep's own thresholds, not the guard's defaults
    stricter_sweep = SweepPolicy(thresholds=ReputationThresholds(bounce_warning=0.005, bounce_critical=0.01))
    hub_props(sweep_policy=stricter_sweep, hub_policy=HubPolicy(members=[below_warning])).validate()


def test_a_member_threshold_at_aws_review_level_needs_the_guards_acknowledgement():
    at_review = HubMember(FIRST, thresholds=ThresholdOverrides(bounce_critical=0.06))
    [problem] = guard_problems(hub_policy=HubPolicy(members=[at_review]))
    assert "bounce_critical=0.06" in problem and "review" in problem
    hub_props(hub_policy=HubPolicy(members=[at_review]), allow_thresholds_at_or_above_aws_review_level=True).validate()
    at_pause = HubMember(FIRST, thresholds=ThresholdOverrides(bounce_critical=0.2))
    [problem] = guard_problems(
        hub_policy=HubPolicy(members=[at_pause]), allow_thresholds_at_or_above_aws_review_level=True
    )
    assert "bounce_critical=0.2" in problem and "pause" in problem


def test_more_than_200_member_regions_are_refused():
    members = [HubMember(f"{index:012d}", regions=("us-east-1", "eu-west-1")) for index in range(1, 102)]
    assert problems_of(HubPolicy(members=members)) == [
        f"hub_policy.members: 202 member Regions: {rules.HUB_MEMBER_REGIONS.sentence}"
    ]
    # a member without regions counts for the hub's own Region
    assert problems_of(HubPolicy(members=[HubMember(f"{index:012d}") for index in range(1, 201)])) == []


def test_values_known_only_to_terraform_are_left_to_it(stack):
    variable = TerraformVariable(stack, "account", type="string")
    flag = Token.as_any(TerraformVariable(stack, "include", type="bool").value)
    member = HubMember(
        variable.string_value,
        regions=Token.as_list(TerraformVariable(stack, "regions", type="list(string)").value),
        thresholds=ThresholdOverrides(
            bounce_critical=Token.as_number(TerraformVariable(stack, "b", type="number").value)
        ),
    )
    assert problems_of(HubPolicy(members=[member], include_hub=flag), sweep=manifest_sweep()) == []


def manifest_sweep() -> manifest.Sweep:
    thresholds = manifest.Thresholds(0.02, 0.04, 0.0005, 0.0008)
    return manifest.Sweep("pause", thresholds, manifest.Evaluation())


def test_each_member_becomes_the_manifests_entry_and_its_json_document():
    policy = HubPolicy(members=MEMBERS, include_hub=False)
    section = policy.to_hub("hub")
    assert (
        (section.members_path, section.include_hub)
        == (hub.members_path("hub"), False)
        == ("/hub/policy/members/", False)
    )
    assert section.members[SECOND] == manifest.Member(("eu-west-1",), "notify", thresholds={"bounce_critical": 0.03})
    documents = policy.member_documents()
    assert list(documents) == [FIRST, SECOND]
    for account, text in documents.items():
        entry = manifest.parse_member_entry(json.loads(text), account, manifest_sweep(), source="test")
        assert entry == section.members[account]


def test_whether_a_member_account_may_be_paused_follows_the_hub_unless_the_member_says_otherwise():
    assert HubMember(FIRST).pauses_account("pause", True) is True
    assert HubMember(FIRST).pauses_account("pause", False) is False
    assert HubMember(FIRST, account_action="notify").pauses_account("pause", True) is False
    assert HubMember(FIRST, account_action="pause", evaluate_account=True).pauses_account("notify", False) is True


# --- what a hub changes in its guard --------------------------------------------------------------------------
def test_a_hub_guard_runs_up_to_lambdas_maximum_and_waits_for_its_members_and_grant(stack):
    guard = ReputationGuard(stack, "guard", hub_props())
    config = synthesized(stack)
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["timeout"] == HUB_TIMEOUT_SECONDS == 900
    assert guard.hub_members is not None
    assert {"aws_iam_role_policy.guard_function_hub", "aws_ssm_parameter.guard_hub_members"} <= set(
        function["depends_on"]
    )
    assert resources(config, "aws_iam_role_policy")["guard_function_hub"]["role"] == (
        "${aws_iam_role.guard_function_role.id}"
    )


def test_the_functions_environment_holds_the_hub_without_its_members_and_the_asset_holds_them(stack):
    guard = ReputationGuard(stack, "guard", hub_props())
    config = synthesized(stack)
    variables = resources(config, "aws_lambda_function")["guard_function"]["environment"]["variables"]
    environment = json.loads(variables[contract.ENV_POLICY_MANIFEST])
    assert environment["hub"] == {"members_path": "/hub/policy/members/", "include_hub": True}
    parsed = manifest.parse(environment, source="environment")
    assert parsed.hub is not None and parsed.hub.members == {}
    assert guard.manifest.asset is not None
    [shipped] = (Path(App.of(stack).outdir) / SOURCES_FOLDER).glob(f"*/{manifest.FILE_NAME}")
    parsed_asset = manifest.parse_json(shipped.read_text(), source="asset")
    assert parsed_asset.hub == HubPolicy(members=MEMBERS).to_hub("hub")


def test_a_guard_without_a_hub_is_unchanged(stack):
    guard = ReputationGuard(stack, "guard", hub_props(hub_policy=None))
    config = synthesized(stack)
    assert guard.hub_members is None
    assert resources(config, "aws_lambda_function")["guard_function"]["timeout"] == 300
    assert "guard_function_hub" not in resources(config, "aws_iam_role_policy")
    assert "aws_ssm_parameter" not in config["resource"] or "guard_hub_members" not in resources(
        config, "aws_ssm_parameter"
    )


# --- hub mode decided by Terraform (the generated module) -------------------------------------------------------
def test_members_known_only_to_terraform_and_an_enabled_token_are_left_to_it(stack):
    enabled = Token.as_any(TerraformVariable(stack, "hub_on", type="bool").value)
    policy = HubPolicy(members=TerraformExpression("local.members"), enabled=enabled)
    assert problems_of(policy, sweep=manifest_sweep()) == []
    assert policy.member_documents() == TerraformExpression("local.members") and policy.listed_members() == ()
    assert problems_of(HubPolicy(enabled="yes")) == ["hub_policy.enabled='yes': must be True or False"]  # type: ignore[arg-type]


def test_a_hub_turned_off_is_no_hub_and_needs_no_sweep(stack):
    guard = ReputationGuard(stack, "guard", hub_props(sweep_policy=None, hub_policy=HubPolicy(enabled=False)))
    config = synthesized(stack)
    assert guard.hub_members is None
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["timeout"] == 120
    assert "hub" not in json.loads(function["environment"]["variables"][contract.ENV_POLICY_MANIFEST])
    assert "guard_function_hub" not in resources(config, "aws_iam_role_policy")


def test_a_hub_decided_by_terraform_is_counted_and_its_manifest_section_and_timeout_follow_it(stack):
    hub_on = Token.as_any(TerraformVariable(stack, "hub_on", type="bool").value)
    sweep_on = Token.as_any(TerraformVariable(stack, "sweep_on", type="bool").value)
    members = TerraformExpression("var.member_documents")
    props = hub_props(sweep_policy=SweepPolicy(enabled=sweep_on), hub_policy=HubPolicy(members=members, enabled=hub_on))
    ReputationGuard(stack, "guard", props)
    config = synthesized(stack)
    function = resources(config, "aws_lambda_function")["guard_function"]
    assert function["timeout"] == "${var.sweep_on ? var.hub_on ? 900 : 300 : 120}"
    assert function["environment"]["variables"][contract.ENV_POLICY_MANIFEST] == (
        "${jsonencode(merge(local.guard_manifest, local.guard_manifest_hub))}"
    )
    section = config["locals"]["guard_manifest_hub"]
    assert section == '${var.hub_on ? {"hub" = {"members_path" = "/hub/policy/members/", "include_hub" = true}} : {}}'
    assert "hub" not in config["locals"]["guard_manifest"]
    policy = resources(config, "aws_iam_role_policy")["guard_function_hub"]
    assert policy["count"] == "${var.hub_on ? 1 : 0}"
    [check] = policy["lifecycle"]["precondition"]
    assert check["condition"] == "${(!var.hub_on || var.sweep_on)}"
    assert check["error_message"] == f"{HUB_NEEDS_SWEEP}."
    assert resources(config, "aws_ssm_parameter")["guard_hub_members"]["for_each"] == "${var.member_documents}"


def test_members_thresholds_known_only_to_terraform_are_checked_merged_over_the_sweeps_at_plan(stack):
    hub_on = Token.as_any(TerraformVariable(stack, "hub_on", type="bool").value)
    policy = HubPolicy(
        members=TerraformExpression("var.member_documents"),
        enabled=hub_on,
        member_thresholds=TerraformExpression("var.member_thresholds"),
    )
    ReputationGuard(stack, "guard", hub_props(hub_policy=policy))
    config = synthesized(stack)
    inputs = config["locals"]["guard_hub_member_thresholds"]
    assert inputs["members"] == "${var.member_thresholds}" and inputs["acknowledged"] is False
    assert inputs["sweep"] == {"bounce_warning": 0.02, "bounce_critical": 0.04, "complaint_warning": 0.0005,
                               "complaint_critical": 0.0008}  # fmt: skip
    checks = resources(config, "aws_iam_role_policy")["guard_function_hub"]["lifecycle"]["precondition"]
    assert [check["condition"] for check in checks] == [  # the sweep is on: no check of it
        "${length(local.guard_hub_member_threshold_order) == 0}",
        "${length(local.guard_hub_member_review_level_offenders) == 0}",
    ]
    assert "must be below critical threshold" in config["locals"]["guard_hub_member_threshold_order"]
    assert checks[1]["error_message"].endswith(f" {rules.AWS_REVIEW_LEVEL.sentence}.")
