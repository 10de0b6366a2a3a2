"""HubMembers: one encrypted parameter per member holding the entry the function reads, and a grant that names
exactly the member roles and the members' path."""

from __future__ import annotations

import json

from ses_guard_policy import hub, manifest
from ses_reputation_guard import HubMember, HubPolicy, ThresholdOverrides
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.hub_members import POLICY_NAME, HubMembers, HubMembersProps
from tests.constructs.support import (
    ACCOUNT,
    CONTEXT,
    KEY_ARN,
    PREFIX,
    REGION,
    TAGS,
    data_sources,
    resources,
    statement,
    statements,
    synthesized,
)

FIRST, SECOND = "111111111111", "222222222222"
POLICY = HubPolicy(
    members=(
        HubMember(SECOND, regions=("eu-west-1",), action="notify", thresholds=ThresholdOverrides(bounce_critical=0.03)),
        HubMember(FIRST, regions=("us-east-1", "eu-west-1"), action="pause", protected_configuration_sets=("vip",)),
    )
)
SWEEP = manifest.Sweep("pause", manifest.Thresholds(0.02, 0.04, 0.0005, 0.0008), manifest.Evaluation())
ROLE = "${aws_iam_role.guard_function_role.id}"
MEMBERS_PATH_ARN = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{PREFIX}/policy/members"


def members(stack, policy: HubPolicy = POLICY) -> HubMembers:
    props = HubMembersProps(member_documents=policy.member_documents(), kms_key_arn=KEY_ARN, function_role=ROLE)
    return HubMembers(stack, "hub_members", CONTEXT, props)


def test_each_member_gets_a_securestring_parameter_under_the_members_path_encrypted_with_the_guards_key(stack):
    created = members(stack)
    [parameters] = resources(synthesized(stack), "aws_ssm_parameter").values()
    assert created.members_path == hub.members_path(PREFIX) == f"/{PREFIX}/policy/members/"
    assert parameters["name"] == f"/{PREFIX}/policy/members/${{each.key}}"
    assert (parameters["type"], parameters["key_id"], parameters["value"]) == ("SecureString", KEY_ARN, "${each.value}")
    assert parameters["tags"] == {**TAGS, COMPONENT_TAG: "hub-member"}
    assert list(parameters["for_each"]) == [FIRST, SECOND]
    assert created.parameters is not None


def test_each_parameter_holds_the_entry_the_function_reads_back_unchanged(stack):
    members(stack)
    [parameters] = resources(synthesized(stack), "aws_ssm_parameter").values()
    expected = POLICY.to_hub(PREFIX).members
    for account, text in parameters["for_each"].items():
        entry = manifest.parse_member_entry(json.loads(text), account, SWEEP, source=f"parameter {account}")
        assert entry == expected[account]
    assert json.loads(parameters["for_each"][SECOND]) == {
        "regions": ["eu-west-1"],
        "action": "notify",
        "bounce_critical": 0.03,
    }


def test_the_function_may_assume_exactly_the_member_roles_and_list_exactly_the_members_path(stack):
    created = members(stack)
    config = synthesized(stack)
    role_arns = [hub.member_role_arn("aws", account, PREFIX) for account in (FIRST, SECOND)]
    assert role_arns == [f"arn:aws:iam::{FIRST}:role/{PREFIX}-member", f"arn:aws:iam::{SECOND}:role/{PREFIX}-member"]
    assert created.member_role_arns == role_arns
    assume = statement(config, "guard_function_hub_policy", "AssumeMemberRoles")
    assert (assume["actions"], assume["resources"]) == (["sts:AssumeRole"], role_arns)
    listing = statement(config, "guard_function_hub_policy", "ListHubMembers")
    assert listing["actions"] == ["ssm:GetParametersByPath"]
    assert listing["resources"] == [MEMBERS_PATH_ARN, f"{MEMBERS_PATH_ARN}/*"]
    assert [s["sid"] for s in statements(config, "guard_function_hub_policy")] == [
        "ListHubMembers",
        "AssumeMemberRoles",
    ]
    policy = resources(config, "aws_iam_role_policy")["guard_function_hub"]
    assert (policy["name"], policy["role"]) == (POLICY_NAME, ROLE) == ("guard-hub", ROLE)
    assert policy["policy"] == "${data.aws_iam_policy_document.guard_function_hub_policy.json}"
    assert created.policy is not None and created.policy_document is not None


def test_nothing_in_the_grant_is_a_wildcard_but_the_members_path(stack):
    members(stack)
    for found in statements(synthesized(stack), "guard_function_hub_policy"):
        for resource in found["resources"]:
            assert "*" not in resource or resource == f"{MEMBERS_PATH_ARN}/*", resource


def test_a_hub_without_members_has_no_parameter_and_may_assume_no_role(stack):
    created = members(stack, HubPolicy())
    config = synthesized(stack)
    assert created.parameters is None and created.member_role_arns == []
    assert "aws_ssm_parameter" not in config["resource"]
    assert [s["sid"] for s in statements(config, "guard_function_hub_policy")] == ["ListHubMembers"]


# --- members known only to Terraform (the generated module) ----------------------------------------------------
def planned_members(stack, **props) -> HubMembers:
    settings = {
        "member_documents": TerraformExpression("local.member_documents"),
        "kms_key_arn": KEY_ARN,
        "function_role": ROLE,
        "enabled": Token.as_any(TerraformVariable(stack, "hub_on", type="bool").value),
        **props,
    }
    return HubMembers(stack, "hub_members", CONTEXT, HubMembersProps(**settings))


def test_planned_members_get_a_parameter_each_and_their_role_arns_are_built_from_the_accounts(stack):
    created = planned_members(stack)
    config = synthesized(stack)
    parameters = resources(config, "aws_ssm_parameter")["guard_hub_members"]
    assert parameters["for_each"] == "${local.member_documents}"
    assert (parameters["name"], parameters["value"]) == (f"/{PREFIX}/policy/members/${{each.key}}", "${each.value}")
    assert config["locals"]["guard_hub_member_entries"] == "${local.member_documents}"
    assert config["locals"]["guard_hub_member_role_arns"] == (
        f'${{formatlist("arn:%s:iam::%s:role/%s", "aws", keys(local.guard_hub_member_entries), "{PREFIX}-member")}}'
    )
    assert created.member_role_arns_expression == TerraformExpression("local.guard_hub_member_role_arns")


def test_planned_members_assume_statement_is_a_source_document_counted_away_without_members(stack):
    planned_members(stack)
    config = synthesized(stack)
    assume = data_sources(config, "aws_iam_policy_document")["guard_function_hub_assume_policy"]
    assert assume["count"] == "${length(local.member_documents) > 0 ? 1 : 0}"
    [statement_] = assume["statement"]
    assert (statement_["sid"], statement_["resources"]) == ("AssumeMemberRoles", "${local.guard_hub_member_role_arns}")
    document = data_sources(config, "aws_iam_policy_document")["guard_function_hub_policy"]
    assert document["count"] == "${var.hub_on ? 1 : 0}"
    assert document["source_policy_documents"] == (
        "${data.aws_iam_policy_document.guard_function_hub_assume_policy[*].json}"
    )
    assert [s["sid"] for s in document["statement"]] == ["ListHubMembers"]
    policy = resources(config, "aws_iam_role_policy")["guard_function_hub"]
    assert policy["count"] == "${var.hub_on ? 1 : 0}"
    assert policy["policy"] == "${data.aws_iam_policy_document.guard_function_hub_policy[0].json}"


def test_listed_members_behind_a_terraform_switch_are_none_while_it_is_off(stack):
    planned_members(stack, member_documents=POLICY.member_documents())
    config = synthesized(stack)
    documents = config["locals"]["guard_hub_member_documents"]
    assert documents.startswith("${var.hub_on ? {") and documents.endswith("} : {}}")
    assert resources(config, "aws_ssm_parameter")["guard_hub_members"]["for_each"] == (
        "${local.guard_hub_member_documents}"
    )
