"""pause_statements: the statements that let a role pause configuration sets, for each pause scope (listed,
tagged, name pattern, an expression of one), and the Deny on notify-only sets; the guard's function role and
the member role carry exactly these statements for the same scope, built once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract
from ses_reputation_guard import function_role, member_role, pause_statements
from ses_reputation_guard._cdktf import (
    App,
    DataAwsIamPolicyDocument,
    PolicyStatement,
    TerraformStack,
    TerraformVariable,
)
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.function_role import FunctionRole, FunctionRoleProps
from ses_reputation_guard.member_role import MemberRole, MemberRoleProps
from ses_reputation_guard.pause_statements import notify_only_deny, pause_tag_grant, set_pause_grant, tag_conditions
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, TAGS, Config, statements, synthesized

SET_ARNS = TerraformExpression("local.pausing_set_arns")
EVERY_SET = f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/*"
PATTERN_SETS = f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/tenant-*"
GRANT_SIDS = ["PauseAndReadGuardedConfigurationSets", "ReadGuardedConfigurationSetTags", "TagConfigurationSetsItPauses"]
PAUSE_TAG_CONDITIONS = [
    {
        "test": "ForAllValues:StringEquals",
        "values": ["ses-reputation-guard:paused-by", "ses-reputation-guard:paused-at"],
        "variable": "aws:TagKeys",
    },
    {"test": "StringEquals", "values": [PREFIX], "variable": "aws:RequestTag/ses-reputation-guard:paused-by"},
]
SET_TAG_CONDITIONS = [
    {"test": "StringEquals", "values": [PREFIX], "variable": "aws:ResourceTag/ses-reputation-guard:guard"},
    {"test": "StringEquals", "values": ["pause"], "variable": "aws:ResourceTag/ses-reputation-guard:action"},
]
NOTIFY_ONLY_DENY = {
    "sid": "NeverPauseNotifyOnlySets",
    "effect": "Deny",
    "actions": ["ses:PutConfigurationSetSendingOptions"],
    "resources": [EVERY_SET],
    "condition": [
        {"test": "StringEquals", "values": ["notify"], "variable": "aws:ResourceTag/ses-reputation-guard:action"}
    ],
}


def document(stack, built: list[Any]) -> list[dict[str, Any]]:
    """The statements ``built``, synthesized in one policy document of the tiny stack."""
    CONTEXT.create(stack, DataAwsIamPolicyDocument, "pause_statements", statement=built)
    return statements(synthesized(stack), "guard_pause_statements")


def grant(stack, pause_scope, arns=SET_ARNS) -> dict[str, dict[str, Any]]:
    """``set_pause_grant``'s statements by sid (in order)."""
    return {s["sid"]: s for s in document(stack, set_pause_grant(stack, CONTEXT, pause_scope, arns))}


def pause_statement(conditions: list[Any]) -> Any:
    """A statement holding ``conditions``, to read them synthesized."""
    return PolicyStatement(
        sid="Probe", actions=["ses:GetConfigurationSet"], resources=[EVERY_SET], condition=conditions
    )


# --- set_pause_grant, scope by scope ----------------------------------------------------------------------


@pytest.mark.parametrize("pause_scope", ["listed", "tagged", "name-pattern:tenant-*"])
def test_each_scope_grants_pausing_reading_and_tagging_in_three_allow_statements_with_the_same_sets(stack, pause_scope):
    by_sid = grant(stack, pause_scope)
    assert list(by_sid) == GRANT_SIDS
    assert [s.get("effect", "Allow") for s in by_sid.values()] == ["Allow"] * 3
    assert [s["actions"] for s in by_sid.values()] == [
        ["ses:GetConfigurationSet", "ses:PutConfigurationSetSendingOptions"],
        ["ses:ListTagsForResource"],
        ["ses:TagResource"],
    ]
    assert len({str(s["resources"]) for s in by_sid.values()}) == 1  # tagging and reading: the sets it may pause


def test_the_listed_scope_names_the_listed_sets_without_a_tag_test(stack):
    by_sid = grant(stack, "listed")
    assert {sid: s["resources"] for sid, s in by_sid.items()} == dict.fromkeys(GRANT_SIDS, "${local.pausing_set_arns}")
    assert "condition" not in by_sid["PauseAndReadGuardedConfigurationSets"]
    assert "condition" not in by_sid["ReadGuardedConfigurationSetTags"]
    assert by_sid["TagConfigurationSetsItPauses"]["condition"] == PAUSE_TAG_CONDITIONS


def test_the_tagged_scope_names_every_set_and_pauses_only_those_tagged_for_this_guard_with_the_action_pause(stack):
    by_sid = grant(stack, "tagged")
    assert {sid: s["resources"] for sid, s in by_sid.items()} == {sid: [EVERY_SET] for sid in GRANT_SIDS}
    assert by_sid["PauseAndReadGuardedConfigurationSets"]["condition"] == SET_TAG_CONDITIONS
    # ListTagsForResource and TagResource take no aws:ResourceTag condition: no tag test there
    assert "condition" not in by_sid["ReadGuardedConfigurationSetTags"]
    assert by_sid["TagConfigurationSetsItPauses"]["condition"] == PAUSE_TAG_CONDITIONS


def test_a_name_pattern_scope_names_the_sets_its_pattern_matches_without_a_tag_test(stack):
    by_sid = grant(stack, "name-pattern:tenant-*")
    assert {sid: s["resources"] for sid, s in by_sid.items()} == {sid: [PATTERN_SETS] for sid in GRANT_SIDS}
    assert "condition" not in by_sid["PauseAndReadGuardedConfigurationSets"]
    assert by_sid["TagConfigurationSetsItPauses"]["condition"] == PAUSE_TAG_CONDITIONS


@pytest.mark.parametrize("pause_scope", ["tagged", "name-pattern:tenant-*"])
def test_only_the_listed_scope_reads_the_listed_arns(stack, pause_scope):
    by_sid = grant(stack, pause_scope, arns=TerraformExpression("local.not_read"))
    assert "local.not_read" not in str(by_sid)
    assert "locals" not in synthesized(stack)


def test_a_scope_known_only_at_plan_time_chooses_the_sets_and_the_tag_tests_in_every_statement(stack):
    by_sid = grant(stack, TerraformExpression("local.scope"))
    chosen = (
        '${local.scope == "listed" ? local.pausing_set_arns : '
        '(local.scope == "tagged" ? [local.guard_every_configuration_set_arn] : '
        "[local.guard_pattern_configuration_set_arn])}"
    )
    assert {sid: s["resources"] for sid, s in by_sid.items()} == dict.fromkeys(GRANT_SIDS, chosen)
    tagged = 'local.scope == "tagged"'
    assert by_sid["PauseAndReadGuardedConfigurationSets"]["condition"] == [
        {
            "test": f'${{{tagged} ? "StringEquals" : "StringLikeIfExists"}}',
            "values": f'${{{tagged} ? ["{value}"] : ["*"]}}',
            "variable": f"aws:ResourceTag/{key}",
        }
        for key, value in ((contract.TAG_GUARD, PREFIX), (contract.TAG_ACTION, "pause"))
    ]
    assert "condition" not in by_sid["ReadGuardedConfigurationSetTags"]
    assert by_sid["TagConfigurationSetsItPauses"]["condition"] == PAUSE_TAG_CONDITIONS
    assert synthesized(stack)["locals"] == {
        "guard_every_configuration_set_arn": EVERY_SET,
        "guard_pattern_configuration_set_arn": (
            f'arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/${{trimprefix(local.scope, "name-pattern:")}}'
        ),
    }


# --- pause_tag_grant, tag_conditions, notify_only_deny ----------------------------------------------------


def test_the_tag_grant_allows_only_the_two_pause_tag_keys_with_paused_by_the_guards_own_prefix(stack):
    [tag] = document(stack, [pause_tag_grant(CONTEXT, ["arn:aws:ses:eu-west-1:123456789012:configuration-set/a"])])
    assert tag == {
        "sid": "TagConfigurationSetsItPauses",
        "actions": ["ses:TagResource"],
        "resources": ["arn:aws:ses:eu-west-1:123456789012:configuration-set/a"],
        "condition": PAUSE_TAG_CONDITIONS,
    }
    assert tuple(PAUSE_TAG_CONDITIONS[0]["values"]) == contract.PAUSE_TAG_KEYS
    assert PAUSE_TAG_CONDITIONS[1]["variable"] == f"aws:RequestTag/{contract.TAG_PAUSED_BY}"


def test_the_tag_tests_require_this_guards_name_and_the_action_pause(stack):
    assert document(stack, [pause_statement(tag_conditions(stack, CONTEXT, tagged=None))])[0]["condition"] == (
        SET_TAG_CONDITIONS
    )


def test_a_name_prefix_known_only_at_plan_time_is_read_from_a_local_inside_the_conditional(stack):
    prefix = TerraformVariable(stack, "prefix", type="string").string_value
    context = GuardContext(prefix, "guard", ACCOUNT, "aws", REGION, TAGS)
    conditions = tag_conditions(stack, context, tagged="local.tagged")
    [built] = document(stack, [pause_statement(conditions)])
    assert built["condition"][0] == {
        "test": '${local.tagged ? "StringEquals" : "StringLikeIfExists"}',
        "values": '${local.tagged ? [local.guard_set_tag_name_prefix] : ["*"]}',
        "variable": f"aws:ResourceTag/{contract.TAG_GUARD}",
    }
    assert synthesized(stack)["locals"] == {"guard_set_tag_name_prefix": "${var.prefix}"}


def test_notify_only_sets_are_never_paused_whatever_the_scope(stack):
    assert document(stack, [notify_only_deny(CONTEXT)]) == [NOTIFY_ONLY_DENY]


def test_the_notify_only_deny_refuses_the_pause_only_and_names_every_set_of_the_contexts_region(stack):
    member_like = GuardContext(PREFIX, "guard", ACCOUNT, "aws", "*", TAGS)
    [deny] = document(stack, [notify_only_deny(member_like)])
    assert deny["resources"] == [f"arn:aws:ses:*:{ACCOUNT}:configuration-set/*"]
    assert deny["actions"] == ["ses:PutConfigurationSetSendingOptions"]  # reading and tagging stay allowed


# --- one copy: the function role and the member role carry the same statements ----------------------------

HUB_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-{REGION}-pause-function"
MEMBER = "member"
# The member role's context (MemberRole._context): its own data sources, every Region.
MEMBER_CONTEXT = GuardContext(
    name_prefix=PREFIX,
    resource_prefix=MEMBER,
    account_id=f"${{data.aws_caller_identity.{MEMBER}_caller.account_id}}",
    partition=f"${{data.aws_partition.{MEMBER}_partition.partition}}",
    region="*",
    tags=TAGS,
)
MEMBER_SET_ARNS = TerraformExpression(f"local.{MEMBER}_pausing_set_arns")
SCOPES = {
    "listed": {"pause_scope": "listed", "pausing_configuration_sets": ["marketing"]},
    "tagged": {"pause_scope": "tagged"},
    "name-pattern": {"pause_scope": "name-pattern:tenant-*"},
    "expression": {"pause_scope": TerraformExpression("var.scope")},
}


def roles_config(tmp_path: Path, scope: dict[str, Any]) -> tuple[Config, Config]:
    """The function role (given the member's context, so both name the same ARNs) and the member role, for one
    scope, each in a stack of its own: both create the same locals."""
    function_stack = TerraformStack(App(outdir=str(tmp_path / "function.out")), "function")
    FunctionRole(
        function_stack,
        "function",
        MEMBER_CONTEXT,
        FunctionRoleProps(
            role_name=f"{PREFIX}-pause-function",
            alarm_name_patterns=[f"{PREFIX}-*"],
            log_group_arn="arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x",
            dead_letter_queue_arn="arn:aws:sqs:eu-west-1:123456789012:x",
            kms_key_arn="arn:aws:kms:eu-west-1:123456789012:key/x",
            notification_topic_arn="arn:aws:sns:eu-west-1:123456789012:x",
            account_pause_allowed=False,
            pausing_set_arns=MEMBER_SET_ARNS,
            pause_scope=scope["pause_scope"],
        ),
    )
    member_stack = TerraformStack(App(outdir=str(tmp_path / "member.out")), MEMBER)
    MemberRole(member_stack, MEMBER, MemberRoleProps(hub_function_role_arn=HUB_ROLE_ARN, name_prefix=PREFIX, **scope))
    return synthesized(function_stack), synthesized(member_stack)


@pytest.mark.parametrize("scope", list(SCOPES.values()), ids=list(SCOPES))
def test_the_function_role_and_the_member_role_carry_the_same_set_statements_for_the_same_scope(tmp_path, scope):
    function_config, member_config = roles_config(tmp_path, scope)
    from_function = statements(function_config, f"{MEMBER}_function_set_pause_policy")
    from_member = statements(member_config, f"{MEMBER}_set_pause_policy")
    assert from_function == from_member
    assert [s["sid"] for s in from_member] == [*GRANT_SIDS, "NeverPauseNotifyOnlySets"]
    # the locals the statements read (an expression scope's ARNs) are the same ones too
    names = [f"{MEMBER}_every_configuration_set_arn", f"{MEMBER}_pattern_configuration_set_arn"]
    function_locals, member_locals = (
        {name: value for name, value in config.get("locals", {}).items() if name in names}
        for config in (function_config, member_config)
    )
    assert function_locals == member_locals
    assert sorted(member_locals) == (names if isinstance(scope["pause_scope"], TerraformExpression) else [])


def test_both_roles_build_their_set_statements_with_these_functions():
    for module in (function_role, member_role):
        assert module.set_pause_grant is pause_statements.set_pause_grant
        assert module.notify_only_deny is pause_statements.notify_only_deny


def test_no_other_module_writes_a_set_statement_of_its_own():
    """A second copy of a statement would drift: its sid is written in pause_statements.py only."""
    sources = Path(pause_statements.__file__).parent
    sids = [f'"{sid}"' for sid in (*GRANT_SIDS, "NeverPauseNotifyOnlySets")]  # not NeverPauseNotifyOnlySetsByName
    for path in sorted(sources.glob("*.py")):
        if path.name != "pause_statements.py":
            assert not [sid for sid in sids if sid in path.read_text()], path.name
