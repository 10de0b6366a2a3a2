"""MemberRole: every trust and permission statement matches docs/design.md's table, and props are validated
up front (issue "[6 of 7]", items 1 and 6; the emulator enforces no IAM, so the documents are the proof)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import App, TerraformStack, TerraformVariable, Token
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.member_role import ALL_ACTIONS, MemberRole, MemberRoleProps
from ses_reputation_guard.validation import GuardValidationError
from tests.constructs.support import Config, data_sources, resources, synthesized

HUB_ROLE_ARN = "arn:aws:iam::111111111111:role/ses-guard-eu-west-1-pause-function"
OPERATORS = ["arn:aws:iam::111111111111:role/deliverability", "arn:aws:iam::444444444444:role/ops/on-call"]
ORGANIZATION = "o-a1b2c3d4e5"
DESIGN = Path(__file__).parents[2] / "docs" / "design.md"
# One stack, synthesized once: a role with every part on (listed scope), one with the tagged scope, one
# with nothing to pause (the "present when" column's other side), one with operators and nothing to pause.
VARIANTS = {
    "full": MemberRoleProps(
        hub_function_role_arn=HUB_ROLE_ARN,
        organization_id=ORGANIZATION,
        name_prefix="hub-guard",
        pausing_configuration_sets=["marketing", "newsletter"],
        account_pause_allowed=True,
        regions=["eu-west-1", "us-east-1"],
        operator_role_arns=OPERATORS,
    ),
    "tagged": MemberRoleProps(
        hub_function_role_arn=HUB_ROLE_ARN, name_prefix="hub-guard", pause_scope="tagged", operator_role_arns=OPERATORS
    ),
    "minimal": MemberRoleProps(hub_function_role_arn=HUB_ROLE_ARN),
    "read_only_operators": MemberRoleProps(hub_function_role_arn=HUB_ROLE_ARN, operator_role_arns=OPERATORS[:1]),
}


@pytest.fixture(scope="module")
def config() -> Config:
    with tempfile.TemporaryDirectory(prefix="member-role-") as outdir:
        stack = TerraformStack(App(outdir=outdir), "members")
        for variant, props in VARIANTS.items():
            MemberRole(stack, variant, props)
        return synthesized(stack)


def documents(config: Config, variant: str) -> dict[str, dict[str, Any]]:
    """Policy name (``trust`` or the inline policy's name) => its document, for one variant's role."""
    found = data_sources(config, "aws_iam_policy_document")
    policies = resources(config, "aws_iam_role_policy")
    named = {policy["name"]: address for address, policy in policies.items() if address.startswith(f"{variant}_")}
    by_name = {name: found[f"{address}_policy"] for name, address in named.items()}
    return {"trust": found[f"{variant}_trust"], **by_name}


def find(config: Config, policy: str, sid: str, variant: str = "full") -> dict[str, Any] | None:
    document = documents(config, variant).get(policy)
    if document is None:
        return None
    matches = [statement for statement in document["statement"] if statement.get("sid") == sid]
    assert len(matches) <= 1
    return matches[0] if matches else None


# --- the table of docs/design.md ---------------------------------------------------------------------
def documented_rows() -> list[dict[str, str]]:
    section = DESIGN.read_text().split("### The member role, statement by statement", 1)[1].split("\n### ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    header, *rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return [dict(zip(header, row, strict=True)) for row in rows]


def ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


ROWS = documented_rows()


def row_id(row: dict[str, str]) -> str:
    return ticked(row["sid"])[0]


def test_the_table_documents_every_statement_of_every_variant_and_nothing_else(config):
    documented = {(row["policy"].strip("`"), row_id(row)) for row in ROWS}
    synthesized_ = {
        (policy, statement["sid"])
        for variant in VARIANTS
        for policy, document in documents(config, variant).items()
        for statement in document["statement"]
    }
    assert documented == synthesized_


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_each_documented_statement_has_its_effect_and_exactly_its_actions(config, row):
    statement = find(config, row["policy"].strip("`"), row_id(row))
    assert statement is not None
    assert statement.get("effect", "Allow") == row["effect"]
    actions = ticked(row["actions"])
    if row["actions"].startswith("every action"):
        actions = list(ALL_ACTIONS)
    assert statement["actions"] == actions


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_each_documented_statement_tests_exactly_its_condition_keys_in_some_scope(config, row):
    keys = {key for key in ticked(row["condition keys"]) if key.startswith("aws:")}
    found = set()
    for variant in VARIANTS:
        statement = find(config, row["policy"].strip("`"), row_id(row), variant)
        found |= {condition["variable"] for condition in (statement or {}).get("condition", [])}
    assert found == keys


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_each_documented_statement_names_the_resources_the_table_gives(config, row):
    policy, sid = row["policy"].strip("`"), row_id(row)
    full, tagged = find(config, policy, sid), find(config, policy, sid, "tagged")
    cell = row["resources"]
    account, partition = (
        "${data.aws_caller_identity.tagged_caller.account_id}",
        "${data.aws_partition.tagged_partition.partition}",
    )
    every_set = f"arn:{partition}:ses:*:{account}:configuration-set/*"
    if sid == "OnlyTheHubFunctionRole":
        assert full is not None and "resources" not in full
        assert full["principals"] == [{"identifiers": [HUB_ROLE_ARN], "type": "AWS"}]
    elif sid == "OperatorRoles":
        assert full is not None and "resources" not in full
        assert full["principals"] == [{"identifiers": OPERATORS, "type": "AWS"}]
    elif cell.startswith("`*`"):
        assert full is not None and full["resources"] == ["*"]
    elif cell.startswith("the pause scope"):
        assert full is not None and tagged is not None
        assert full["resources"] == "${local.full_pausing_set_arns}"  # the listed ARNs, below
        assert tagged["resources"] == [every_set]
    else:
        assert ticked(cell) == ["arn:<p>:ses:*:<member>:configuration-set/*"]
        assert tagged is not None and tagged["resources"] == [every_set]


def test_listed_sets_are_named_in_every_region_of_the_member_account_only(config):
    account = "${data.aws_caller_identity.full_caller.account_id}"
    partition = "${data.aws_partition.full_partition.partition}"
    assert config["locals"]["full_pausing_set_arns"] == [
        f"arn:{partition}:ses:*:{account}:configuration-set/{name}" for name in ("marketing", "newsletter")
    ]


def test_only_the_hub_function_role_in_the_organization_may_assume_the_role_for_an_hour(config):
    [trust] = [s for s in documents(config, "full")["trust"]["statement"] if s["sid"] == "OnlyTheHubFunctionRole"]
    assert (trust["effect"], trust["actions"]) == ("Allow", ["sts:AssumeRole"])
    assert trust["condition"] == [{"test": "StringEquals", "values": [ORGANIZATION], "variable": "aws:PrincipalOrgID"}]
    role = resources(config, "aws_iam_role")["full_role"]
    assert (role["name"], role["max_session_duration"]) == ("hub-guard-member", 3600)
    assert role["assume_role_policy"] == "${data.aws_iam_policy_document.full_trust.json}"
    assert "condition" not in documents(config, "minimal")["trust"]["statement"][0]


def test_pause_tags_are_limited_to_the_two_keys_and_the_hubs_prefix(config):
    tag = find(config, "member-set-pause", "TagConfigurationSetsItPauses")
    assert tag is not None
    assert tag["condition"] == [
        {"test": "ForAllValues:StringEquals", "values": list(contract.PAUSE_TAG_KEYS), "variable": "aws:TagKeys"},
        {"test": "StringEquals", "values": ["hub-guard"], "variable": f"aws:RequestTag/{contract.TAG_PAUSED_BY}"},
    ]


def test_notify_tagged_sets_are_denied_and_the_tagged_scope_reads_the_hubs_guard_tag(config):
    deny = find(config, "member-set-pause", "NeverPauseNotifyOnlySets")
    assert deny is not None and deny["condition"][0]["values"] == [contract.ACTION_NOTIFY]
    grant = find(config, "member-set-pause", "PauseAndReadGuardedConfigurationSets", "tagged")
    assert grant is not None
    assert {c["variable"]: c["values"] for c in grant["condition"]} == {
        f"aws:ResourceTag/{contract.TAG_GUARD}": ["hub-guard"],
        f"aws:ResourceTag/{contract.TAG_ACTION}": [contract.ACTION_PAUSE],
    }


def test_the_regions_deny_names_the_given_regions(config):
    deny = find(config, "member-regions", "OnlyInTheGuardedRegions")
    assert deny is not None
    assert deny["condition"] == [
        {"test": "StringNotEquals", "values": ["eu-west-1", "us-east-1"], "variable": "aws:RequestedRegion"}
    ]


def test_with_nothing_to_pause_the_role_only_reads(config):
    assert set(documents(config, "minimal")) == {"trust", "member-read"}
    assert [s["sid"] for s in documents(config, "minimal")["trust"]["statement"]] == ["OnlyTheHubFunctionRole"]


def test_operators_are_trusted_by_exact_arn_in_the_organization_as_the_hub_is(config):
    hub, operators = documents(config, "full")["trust"]["statement"]
    assert (operators["sid"], operators["effect"], operators["actions"]) == (
        "OperatorRoles",
        "Allow",
        ["sts:AssumeRole"],
    )
    assert operators["principals"] == [{"identifiers": OPERATORS, "type": "AWS"}]
    assert operators["condition"] == hub["condition"]
    [_, tagged] = documents(config, "tagged")["trust"]["statement"]
    assert "condition" not in tagged


def test_operators_may_find_paused_sets_and_remove_only_the_pause_tags_of_the_scope(config):
    lookup = find(config, "member-operator-status", "FindPausedConfigurationSets")
    assert lookup is not None and lookup["resources"] == ["*"] and "condition" not in lookup
    untag = find(config, "member-operator-resume", "RemovePauseTags")
    pause = find(config, "member-set-pause", "PauseAndReadGuardedConfigurationSets")
    assert untag is not None and pause is not None and untag["resources"] == pause["resources"]
    assert untag["condition"] == [
        {"test": "ForAllValues:StringEquals", "values": list(contract.PAUSE_TAG_KEYS), "variable": "aws:TagKeys"}
    ]


def test_operators_with_nothing_to_pause_only_read_and_find(config):
    assert set(documents(config, "read_only_operators")) == {"trust", "member-read", "member-operator-status"}


def test_the_regions_deny_covers_the_operators_actions(config):
    deny = find(config, "member-regions", "OnlyInTheGuardedRegions")
    assert deny is not None and {"tag:GetResources", "ses:UntagResource"} <= set(deny["actions"])


def test_no_allow_grants_a_wildcard_action_iam_sts_or_a_delete(config):
    for variant in VARIANTS:
        for policy, document in documents(config, variant).items():
            for statement in document["statement"]:
                if statement.get("effect", "Allow") != "Allow" or policy == "trust":
                    continue
                for action in statement["actions"]:
                    assert "*" not in action and not action.startswith(("iam:", "sts:"))
                    assert not action.split(":")[1].startswith(("Delete", "Create", "Send"))
                    if action == "ses:UntagResource":  # the operators' only removal: the two pause tags
                        assert statement["sid"] == "RemovePauseTags"
                        assert statement["condition"][0]["variable"] == "aws:TagKeys"


def test_the_role_is_a_read_only_attribute(config):
    with tempfile.TemporaryDirectory() as outdir:
        member = MemberRole(TerraformStack(App(outdir=outdir), "s"), "m", VARIANTS["minimal"])
        with pytest.raises(AttributeError):
            member.role = None  # type: ignore[misc]


# --- props validation ------------------------------------------------------------------------------------
def problems_of(**props: Any) -> list[str]:
    with pytest.raises(GuardValidationError) as raised:
        MemberRoleProps(**{"hub_function_role_arn": HUB_ROLE_ARN, **props}).validate()
    return raised.value.problems


def test_every_invalid_value_is_reported_in_one_error():
    problems = problems_of(
        hub_function_role_arn="arn:aws:iam::111111111111:role/*",
        organization_id="o-SHORT",
        name_prefix="Hub",
        pause_scope="everything",
        pausing_configuration_sets=["ok", "bad name"],
        account_pause_allowed="yes",
        regions=["eu-west-1", "Europe"],
        operator_role_arns=["arn:aws:iam::111111111111:root"],
        tags={"aws:reserved": "x"},
    )
    subjects = [problem.split("=")[0].split(" ")[0] for problem in problems]
    assert subjects == [
        "hub_function_role_arn",
        "organization_id",
        "name_prefix",
        "pausing_configuration_sets",
        "pause_scope",
        "account_pause_allowed",
        "regions",
        "operator_role_arns",
        "tags",
    ]


def test_names_given_with_a_scope_that_does_not_read_them_are_refused():
    [problem] = problems_of(pause_scope="tagged", pausing_configuration_sets=["marketing"])
    assert "read only with pause_scope 'listed'" in problem


def test_a_name_listed_twice_and_a_lone_string_are_refused():
    assert problems_of(pausing_configuration_sets=["a", "a"]) == ["pausing_configuration_sets lists 'a' more than once"]
    [problem] = problems_of(pausing_configuration_sets="marketing")
    assert "must be a list" in problem


def test_a_name_pattern_of_wildcards_only_is_refused_as_the_guards_scope_is():
    [problem] = problems_of(pause_scope="name-pattern:*")
    assert "wildcards only" in problem


def test_an_account_root_or_a_wildcard_is_no_hub_function_role():
    for arn in ("arn:aws:iam::111111111111:root", "*", "arn:aws:iam::*:role/x"):
        [problem] = problems_of(hub_function_role_arn=arn)
        assert problem.startswith("hub_function_role_arn=")


def test_an_operator_is_one_role_by_exact_arn_listed_once():
    for arn in ("arn:aws:iam::111111111111:root", "*", "arn:aws:iam::111111111111:role/ops-*",
                "arn:aws:iam::111111111111:user/alice"):  # fmt: skip
        [problem] = problems_of(operator_role_arns=[arn])
        assert problem.startswith("operator_role_arns item=") and "ses-guard status and resume" in problem
    assert problems_of(operator_role_arns=OPERATORS[:1] * 2) == [
        f"operator_role_arns lists {OPERATORS[0]!r} more than once"
    ]
    [problem] = problems_of(operator_role_arns=OPERATORS[0])
    assert "must be a list of IAM role ARNs" in problem


def test_terraform_references_are_left_to_terraform(tmp_path):
    stack = TerraformStack(App(outdir=str(tmp_path)), "refs")
    arn = Token.as_string(TerraformVariable(stack, "arn", type="string").value)
    MemberRoleProps(
        hub_function_role_arn=arn,
        organization_id=TerraformExpression("var.organization_id"),
        name_prefix=Token.as_string(TerraformVariable(stack, "prefix", type="string").value),
        pause_scope=TerraformExpression("var.pause_scope"),
        pausing_configuration_sets=TerraformExpression("var.names"),
        account_pause_allowed=Token.as_any(TerraformVariable(stack, "allowed", type="bool").value),
        regions=TerraformExpression("var.regions"),
        operator_role_arns=TerraformExpression("var.operators"),
    ).validate()
