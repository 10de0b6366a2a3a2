"""FunctionRole: least privilege, pausing rights only for what may be paused."""

from __future__ import annotations

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import Precondition, TerraformVariable, Token
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.function_role import FunctionRole, FunctionRoleProps
from tests.constructs.support import (
    ACCOUNT,
    CONTEXT,
    KEY_ARN,
    NOTIFICATION_TOPIC_ARN,
    PREFIX,
    REGION,
    TAGS,
    data_sources,
    resources,
    statement,
    statements,
    synthesized,
)

LOG_GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{PREFIX}-pause"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{PREFIX}-pause-dlq"
SET_ARNS = TerraformExpression("local.pausing_set_arns")


def role(stack, *, account_pause_allowed=False, pausing_set_arns=None, **scope) -> FunctionRole:
    return FunctionRole(
        stack,
        "permissions",
        CONTEXT,
        FunctionRoleProps(
            role_name=f"{PREFIX}-{REGION}-pause-function",
            alarm_name_patterns=[f"{PREFIX}-account-*", f"{PREFIX}-set-*"],
            log_group_arn=LOG_GROUP_ARN,
            dead_letter_queue_arn=QUEUE_ARN,
            kms_key_arn=KEY_ARN,
            notification_topic_arn=NOTIFICATION_TOPIC_ARN,
            account_pause_allowed=account_pause_allowed,
            pausing_set_arns=pausing_set_arns,
            **scope,
        ),
    )


def test_only_lambda_of_this_account_assumes_the_role(stack):
    role(stack)
    config = synthesized(stack)
    iam_role = resources(config, "aws_iam_role")["guard_function_role"]
    assert iam_role["name"] == f"{PREFIX}-{REGION}-pause-function"
    assert iam_role["tags"] == {**TAGS, "ses-reputation-guard:component": "function-role"}
    [assume] = statements(config, "guard_function_assume_role")
    assert assume["principals"] == [{"identifiers": ["lambda.amazonaws.com"], "type": "Service"}]
    assert assume["condition"] == [{"test": "StringEquals", "values": [ACCOUNT], "variable": "aws:SourceAccount"}]


def test_base_policy_reaches_only_the_guards_own_log_group_topic_key_queue_and_alarms(stack):
    role(stack)
    config = synthesized(stack)
    document = "guard_function_base_policy"
    assert statement(config, document, "WriteOwnLogs")["resources"] == [f"{LOG_GROUP_ARN}:*"]
    assert statement(config, document, "PublishReports")["resources"] == [NOTIFICATION_TOPIC_ARN]
    assert statement(config, document, "UseGuardKey")["resources"] == [KEY_ARN]
    assert statement(config, document, "DeadLetter")["resources"] == [QUEUE_ARN]
    alarm = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{PREFIX}"
    read_alarms = statement(config, document, "ReadGuardAlarms")
    assert read_alarms["actions"] == [
        "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmContributors",
        "cloudwatch:ListTagsForResource",
    ]
    assert read_alarms["resources"] == [f"{alarm}-account-*", f"{alarm}-set-*"]
    evidence = statement(config, document, "ReadReputationDatapoints")
    assert (evidence["actions"], evidence["resources"]) == (["cloudwatch:GetMetricData"], ["*"])
    read_account = statement(config, document, "ReadAccountSendingStatus")
    assert (read_account["actions"], read_account["resources"]) == (["ses:GetAccount"], ["*"])
    base = resources(config, "aws_iam_role_policy")["guard_function_base"]
    assert base["role"] == "${aws_iam_role.guard_function_role.id}"


def test_no_pausing_rights_when_nothing_may_be_paused(stack):
    permissions = role(stack)
    assert (permissions.account_pause_policy, permissions.set_pause_policy) == (None, None)
    assert set(resources(synthesized(stack), "aws_iam_role_policy")) == {"guard_function_base"}
    assert permissions.policies == [permissions.base_policy]


def test_account_pausing_is_granted_only_in_the_guards_region(stack):
    role(stack, account_pause_allowed=True)
    config = synthesized(stack)
    [pause] = statements(config, "guard_function_account_pause_policy")
    assert pause["actions"] == ["ses:PutAccountSendingAttributes"]
    assert pause["condition"] == [{"test": "StringEquals", "values": [REGION], "variable": "aws:RequestedRegion"}]
    assert resources(config, "aws_iam_role_policy")["guard_function_account_pause"]["policy"] == (
        "${data.aws_iam_policy_document.guard_function_account_pause_policy.json}"
    )


def test_account_pausing_known_only_at_plan_time_is_a_counted_policy(stack):
    allowed = Token.as_any(TerraformVariable(stack, "allowed", type="bool").value)
    role(stack, account_pause_allowed=allowed)
    config = synthesized(stack)
    policy = resources(config, "aws_iam_role_policy")["guard_function_account_pause"]
    assert policy["count"] == "${var.allowed ? 1 : 0}"
    assert policy["policy"] == "${data.aws_iam_policy_document.guard_function_account_pause_policy[0].json}"
    assert data_sources(config, "aws_iam_policy_document")["guard_function_account_pause_policy"]["count"] == (
        "${var.allowed ? 1 : 0}"
    )


def test_set_pausing_is_scoped_to_the_listed_configuration_set_arns(stack):
    role(stack, pausing_set_arns=SET_ARNS)
    config = synthesized(stack)
    allow = statement(config, "guard_function_set_pause_policy", "PauseAndReadGuardedConfigurationSets")
    assert allow["actions"] == ["ses:GetConfigurationSet", "ses:PutConfigurationSetSendingOptions"]
    assert allow["resources"] == "${local.pausing_set_arns}"
    policy = resources(config, "aws_iam_role_policy")["guard_function_set_pause"]
    assert policy["count"] == "${length(local.pausing_set_arns) > 0 ? 1 : 0}"


def test_the_function_may_read_the_tags_of_the_sets_it_may_pause_whatever_their_tags(stack):
    role(stack, pausing_set_arns=SET_ARNS, pause_scope="tagged")
    read = statement(synthesized(stack), "guard_function_set_pause_policy", "ReadGuardedConfigurationSetTags")
    assert read["actions"] == ["ses:ListTagsForResource"]
    assert read["resources"] == [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/*"]
    assert "condition" not in read


def tag_grant(config) -> dict:
    return statement(config, "guard_function_set_pause_policy", "TagConfigurationSetsItPauses")


def test_the_function_may_tag_only_the_sets_it_may_pause_with_only_its_two_pause_tag_keys(stack):
    """Issue "[4 of 7]", item 4: the tag ``ses-guard status`` finds paused sets by; least privilege."""
    role(stack, pausing_set_arns=SET_ARNS)
    tag = tag_grant(synthesized(stack))
    assert (tag.get("effect", "Allow"), tag["actions"]) == ("Allow", ["ses:TagResource"])
    assert tag["resources"] == "${local.pausing_set_arns}"
    assert tag["condition"] == [
        {
            "test": "ForAllValues:StringEquals",
            "values": ["ses-reputation-guard:paused-by", "ses-reputation-guard:paused-at"],
            "variable": "aws:TagKeys",
        },
        {"test": "StringEquals", "values": [PREFIX], "variable": "aws:RequestTag/ses-reputation-guard:paused-by"},
    ]


def test_in_the_tagged_scope_tagging_names_every_set_without_a_resource_tag_test_tag_resource_cannot_take(stack):
    role(stack, pausing_set_arns=SET_ARNS, pause_scope="tagged")
    tag = tag_grant(synthesized(stack))
    assert tag["resources"] == [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/*"]
    assert [c["variable"] for c in tag["condition"]] == [
        "aws:TagKeys",
        f"aws:RequestTag/{contract.TAG_PAUSED_BY}",
    ]


def test_notify_only_sets_a_name_pattern_covers_may_be_neither_paused_nor_tagged(stack):
    denied = TerraformExpression("local.notify_only_in_scope")
    role(stack, pausing_set_arns=SET_ARNS, pause_scope="name-pattern:tenant-*", notify_only_set_arns=denied)
    config = synthesized(stack)
    assert tag_grant(config)["resources"] == [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/tenant-*"]
    [by_name] = statements(config, "guard_function_notify_only_deny_policy")
    assert by_name["actions"] == ["ses:PutConfigurationSetSendingOptions", "ses:TagResource"]


def test_without_sets_to_pause_the_function_may_tag_nothing(stack):
    role(stack, account_pause_allowed=True)
    for document in data_sources(synthesized(stack), "aws_iam_policy_document").values():
        assert not any("ses:TagResource" in each["actions"] for each in document["statement"])


def test_iam_refuses_to_pause_notify_only_sets_whatever_the_alarm(stack):
    role(stack, pausing_set_arns=SET_ARNS)
    deny = statement(synthesized(stack), "guard_function_set_pause_policy", "NeverPauseNotifyOnlySets")
    assert deny["effect"] == "Deny"
    assert deny["actions"] == ["ses:PutConfigurationSetSendingOptions"]
    assert deny["resources"] == [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/*"]
    assert deny["condition"] == [
        {"test": "StringEquals", "values": ["notify"], "variable": f"aws:ResourceTag/{contract.TAG_ACTION}"}
    ]


def test_no_statement_grants_a_wildcard_action(stack):
    role(stack, account_pause_allowed=True, pausing_set_arns=SET_ARNS)
    for document in data_sources(synthesized(stack), "aws_iam_policy_document").values():
        for each in document["statement"]:
            assert not any(action in ("*", "ses:*") or action.endswith(":*") for action in each["actions"])


TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{PREFIX}-sweep-state"


def test_a_sweep_lists_the_regions_sets_and_keeps_its_state_in_its_own_table_only(stack):
    permissions = role(stack, sweep_state_table_arn=TABLE_ARN)
    config = synthesized(stack)
    listing = statement(config, "guard_function_sweep_policy", "ListConfigurationSetsInThisRegion")
    # ListConfigurationSets has no resource type: "*" narrowed to the guard's Region
    assert (listing["actions"], listing["resources"]) == (["ses:ListConfigurationSets"], ["*"])
    assert listing["condition"] == [{"test": "StringEquals", "values": [REGION], "variable": "aws:RequestedRegion"}]
    state = statement(config, "guard_function_sweep_policy", "KeepSweepState")
    assert state["actions"] == ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem"]
    assert state["resources"] == [TABLE_ARN]
    assert len(statements(config, "guard_function_sweep_policy")) == 2
    assert resources(config, "aws_iam_role_policy")["guard_function_sweep"]["name"] == "guard-sweep"
    assert permissions.sweep_policy in permissions.policies
    # the table is encrypted with the guard's key: DynamoDB uses it with the base policy's grant
    key = statement(config, "guard_function_base_policy", "UseGuardKey")
    assert (key["actions"], key["resources"]) == (["kms:Decrypt", "kms:GenerateDataKey*"], [KEY_ARN])
    # GetMetricData (the sweep's queries) is granted by the base policy already
    assert statement(config, "guard_function_base_policy", "ReadReputationDatapoints")["actions"] == [
        "cloudwatch:GetMetricData"
    ]


def test_without_a_sweep_there_is_no_sweep_grant(stack):
    assert role(stack).sweep_policy is None
    assert role_policies_named(synthesized(stack)) == {"guard_function_base"}


def test_a_sweep_known_only_at_plan_time_is_a_counted_policy(stack):
    enabled = Token.as_any(TerraformVariable(stack, "sweep_on", type="bool").value)
    role(stack, sweep_state_table_arn=TABLE_ARN, sweep_enabled=enabled)
    config = synthesized(stack)
    policy = resources(config, "aws_iam_role_policy")["guard_function_sweep"]
    assert policy["count"] == "${var.sweep_on ? 1 : 0}"
    assert policy["policy"] == "${data.aws_iam_policy_document.guard_function_sweep_policy[0].json}"


def role_policies_named(config) -> set[str]:
    return set(resources(config, "aws_iam_role_policy"))


def test_tracing_uses_the_aws_managed_xray_policy(stack):
    role(stack)
    attachment = resources(synthesized(stack), "aws_iam_role_policy_attachment")["guard_function_tracing"]
    assert attachment == {
        "policy_arn": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "role": "${aws_iam_role.guard_function_role.name}",
    }


def grant(config) -> dict:
    return statement(config, "guard_function_set_pause_policy", "PauseAndReadGuardedConfigurationSets")


def test_a_tagged_scope_grants_sets_tagged_for_this_guard_with_the_action_pause(stack):
    role(stack, pausing_set_arns=SET_ARNS, pause_scope="tagged")
    allow = grant(synthesized(stack))
    assert allow["resources"] == [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/*"]
    assert allow["condition"] == [
        {"test": "StringEquals", "values": [PREFIX], "variable": f"aws:ResourceTag/{contract.TAG_GUARD}"},
        {"test": "StringEquals", "values": ["pause"], "variable": f"aws:ResourceTag/{contract.TAG_ACTION}"},
    ]


def test_a_name_pattern_scope_grants_the_sets_it_names_and_denies_covered_notify_only_sets_by_name(stack):
    denied = TerraformExpression("local.notify_only_in_scope")
    role(stack, pausing_set_arns=SET_ARNS, pause_scope="name-pattern:tenant-*", notify_only_set_arns=denied)
    config = synthesized(stack)
    assert grant(config)["resources"] == [f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/tenant-*"]
    assert "condition" not in grant(config)
    [by_name] = statements(config, "guard_function_notify_only_deny_policy")
    assert (by_name["effect"], by_name["resources"]) == ("Deny", "${local.notify_only_in_scope}")
    policy = resources(config, "aws_iam_role_policy")["guard_function_notify_only_deny"]
    assert policy["count"] == "${length(local.notify_only_in_scope) > 0 ? 1 : 0}"


def test_a_scope_known_only_at_plan_time_chooses_resources_and_tag_tests_by_its_value(stack):
    role(stack, pausing_set_arns=SET_ARNS, pause_scope=TerraformExpression("local.scope"))
    config = synthesized(stack)
    allow = grant(config)
    assert allow["resources"] == (
        '${local.scope == "listed" ? local.pausing_set_arns : '
        '(local.scope == "tagged" ? [local.guard_every_configuration_set_arn] : '
        "[local.guard_pattern_configuration_set_arn])}"
    )
    # the ARNs live in locals: a data-source reference inside the conditional would lose its ${}
    set_arn_prefix = f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/"
    assert config["locals"]["guard_every_configuration_set_arn"] == f"{set_arn_prefix}*"
    assert config["locals"]["guard_pattern_configuration_set_arn"] == (
        f'{set_arn_prefix}${{trimprefix(local.scope, "name-pattern:")}}'
    )
    # outside the tagged scope the tag tests accept any value or none
    assert allow["condition"][1] == {
        "test": '${local.scope == "tagged" ? "StringEquals" : "StringLikeIfExists"}',
        "values": '${local.scope == "tagged" ? ["pause"] : ["*"]}',
        "variable": f"aws:ResourceTag/{contract.TAG_ACTION}",
    }


def test_plan_time_checks_guard_the_policy_that_grants_set_pausing(stack):
    check = Precondition(condition="${1 < 2}", error_message="never")
    role(stack, pausing_set_arns=SET_ARNS, set_pause_checks=[check])
    policy = resources(synthesized(stack), "aws_iam_role_policy")["guard_function_set_pause"]
    assert policy["lifecycle"] == {"precondition": [{"condition": "${1 < 2}", "error_message": "never"}]}


# --- the role grants exactly what the function calls (issue "[3 of 7]", item 7 in part) -------------
# boto3 client attribute => IAM service prefix (Service Authorization Reference)
_SERVICE = {"cloudwatch": "cloudwatch", "sesv2": "ses", "sns": "sns", "ssm": "ssm", "sts": "sts"}
# Needed by the Lambda runtime and the services around the function, not by a call in its code.
_RUNTIME_ACTIONS = {
    "logs:CreateLogStream": "the runtime writes the function's log lines",
    "logs:PutLogEvents": "the runtime writes the function's log lines",
    "kms:Decrypt": "SSM SecureString entries and the encrypted topics",
    "kms:GenerateDataKey*": "publishing to a topic encrypted with the guard's key",
    "sqs:SendMessage": "Lambda sends failed invocations to the dead-letter queue",
}


# The sweep's state table client (``sweep_state.py``) is called as ``self.client.<operation>``.
_DYNAMODB_ITEM_CALLS = (
    r"\bclient\.((?:get|put|delete|update)_item|query|scan|batch_(?:get|write)_item|transact_(?:get|write)_items)\b"
)


def _action(service: str, operation: str) -> str:
    return f"{service}:{''.join(w.title() for w in operation.split('_'))}"


def _function_actions() -> set[str]:
    """Every AWS operation the function's code calls, as an IAM action (``client.operation``, the
    ``getattr`` of DescribeAlarmContributors, which older SDKs lack, and the state table's item calls)."""
    import pathlib
    import re

    import ses_guard_lambda

    source = "".join(p.read_text() for p in pathlib.Path(ses_guard_lambda.__file__).parent.glob("*.py"))
    calls = set(re.findall(r"\b(cloudwatch|sesv2|sns|ssm|sts)\.([a-z_]+)\b", source))
    calls |= {("cloudwatch", name) for name in re.findall(r'getattr\(cloudwatch, "([a-z_]+)"', source)}
    actions = {_action(_SERVICE[client], op) for client, op in calls if op != "get"}
    return actions | {_action("dynamodb", op) for op in re.findall(_DYNAMODB_ITEM_CALLS, source)}


def _role_allows(synth, stack: str) -> set[str]:
    """Every action an Allow statement of an example's function role names."""
    documents = synth.config(stack)["data"]["aws_iam_policy_document"]
    return {
        action
        for name, document in documents.items()
        if name.startswith("guard_function_") and name != "guard_function_assume_role"
        for statement in document["statement"]
        if statement.get("effect", "Allow") == "Allow"
        for action in statement["actions"]
    }


def _fleet_role_allows(synth) -> set[str]:
    """What the fleet, the sweep and the hub examples' roles allow together: between them, every path of the
    function (the hub's adds the member list and the member roles)."""
    return _role_allows(synth, "fleet") | _role_allows(synth, "sweep") | _role_allows(synth, "organization-hub")


def test_the_fleet_and_sweep_roles_allow_every_call_the_function_makes_and_nothing_else(synth):
    allowed = _fleet_role_allows(synth)
    called = _function_actions()
    # the fleet and sweep examples' accounts notify; the hub's pauses: its role grants the account pause
    assert called - allowed == set()
    assert "ses:PutAccountSendingAttributes" not in _role_allows(synth, "fleet") | _role_allows(synth, "sweep")
    assert allowed - called == set(_RUNTIME_ACTIONS)


def test_only_the_sweep_role_lists_sets_and_keeps_state_and_the_fleet_role_is_unchanged(synth):
    sweep_only = _role_allows(synth, "sweep") - _role_allows(synth, "fleet")
    assert sweep_only == {"ses:ListConfigurationSets"} | {a for a in sweep_only if a.startswith("dynamodb:")}
    assert {a for a in _role_allows(synth, "fleet") if a.startswith("dynamodb:")} == set()
    assert "ses:ListConfigurationSets" not in _role_allows(synth, "fleet")


def _documented_actions() -> set[str]:
    """The actions docs/lambda.md's "IAM the function needs" table names (first column, in backticks)."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parents[2] / "docs" / "lambda.md").read_text()
    section = text.split("## IAM the function needs", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {action for row in rows for action in re.findall(r"`([a-z0-9-]+:[A-Za-z*]+)`", row)}


def test_the_documented_iam_table_is_exactly_the_role_and_the_calls_the_function_makes(synth):
    """Issue "[3 of 7]", deliverable 7: docs/lambda.md said ``alarm:*`` while the role granted less."""
    allowed = _fleet_role_allows(synth)
    documented = _documented_actions()
    assert documented == _function_actions() | set(_RUNTIME_ACTIONS)
    assert documented == allowed | {"ses:PutAccountSendingAttributes"}  # granted only when the account pauses


def test_the_function_lists_no_alarms_by_name_prefix_which_alarm_name_patterns_could_not_grant():
    """DescribeAlarms with AlarmNamePrefix is a list call; the role grants the guard's alarm names only."""
    import pathlib

    import ses_guard_lambda

    source = "".join(p.read_text() for p in pathlib.Path(ses_guard_lambda.__file__).parent.glob("*.py"))
    assert "AlarmNamePrefix" not in source and "AlarmNames=[" in source
