"""GuardContext: names, addresses and ARNs of one guard, and the one helper that creates and names."""

from __future__ import annotations

from ses_reputation_guard._cdktf import IamRolePolicy, SqsQueue, TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG, GuardContext
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, data_sources, resources, synthesized


def test_aws_names_and_addresses_carry_the_guard_prefixes():
    assert CONTEXT.aws_name("pause") == f"{PREFIX}-pause"
    assert CONTEXT.address("function_role") == "guard_function_role"


def test_names_iam_keeps_per_account_carry_the_region_too():
    assert CONTEXT.global_name("pause-function") == f"{PREFIX}-{REGION}-pause-function"


def test_arns_use_the_guards_partition_account_and_region():
    assert CONTEXT.arn("sns", "topic") == f"arn:aws:sns:{REGION}:{ACCOUNT}:topic"
    assert CONTEXT.arn("iam", "root", regional=False) == f"arn:aws:iam::{ACCOUNT}:root"


def test_create_gives_the_element_its_address_in_one_step(stack):
    queue = CONTEXT.create(stack, SqsQueue, "dead_letter_queue", name="q")
    assert queue.node.id == "dead_letter_queue"
    assert resources(synthesized(stack), "aws_sqs_queue") == {"guard_dead_letter_queue": {"name": "q"}}


def test_create_passes_a_role_argument_through_to_the_element(stack):
    CONTEXT.create(stack, IamRolePolicy, "function_base", name="p", role="the-role", policy="{}")
    assert resources(synthesized(stack), "aws_iam_role_policy")["guard_function_base"]["role"] == "the-role"


def test_local_returns_the_expression_that_reads_it(stack):
    expression = CONTEXT.local(stack, "pausing_set_names", ["a"])
    assert expression.text == "local.guard_pausing_set_names"
    assert synthesized(stack)["locals"] == {"guard_pausing_set_names": ["a"]}


def test_discover_reads_account_partition_and_region_from_data_sources_named_after_the_guard(stack):
    context = GuardContext.discover(stack, name_prefix=PREFIX, resource_prefix="edge", tags={})
    context.local(stack, "arn", context.arn("ses", "configuration-set/"))
    config = synthesized(stack)
    assert set(data_sources(config, "aws_caller_identity")) == {"edge_caller"}
    assert set(data_sources(config, "aws_partition")) == {"edge_partition"}
    assert set(data_sources(config, "aws_region")) == {"edge_region"}
    assert config["locals"]["edge_arn"] == (
        "arn:${data.aws_partition.edge_partition.partition}:ses:${data.aws_region.edge_region.name}:"
        "${data.aws_caller_identity.edge_caller.account_id}:configuration-set/"
    )


def test_tags_with_adds_to_plain_tags_and_merges_a_tags_token_at_plan_time(stack):
    assert CONTEXT.tags_with({"extra": "1"}) == {"team": "deliverability", "extra": "1"}
    tags = Token.as_string_map(TerraformVariable(stack, "tags", type="map(string)").value)
    token_context = GuardContext(PREFIX, "guard", ACCOUNT, "aws", REGION, tags)
    CONTEXT.create(stack, SqsQueue, "queue", name="q", tags=token_context.tags_with({"extra": "1"}))
    queue = resources(synthesized(stack), "aws_sqs_queue")["guard_queue"]
    assert queue["tags"] == '${merge(var.tags, {"extra" = "1"})}'


def test_component_tags_are_the_guards_tags_and_the_part_a_resource_is_never_empty(stack):
    # Empty tags are null in the state after create and {} after the refresh: "changed outside of
    # Terraform" on the first plan after the apply (tests/module/test_module_no_drift.py).
    assert CONTEXT.component_tags("pause-function") == {"team": "deliverability", COMPONENT_TAG: "pause-function"}
    assert COMPONENT_TAG == "ses-reputation-guard:component"
    untagged = GuardContext(PREFIX, "guard", ACCOUNT, "aws", REGION, {})
    assert untagged.component_tags("key") == {COMPONENT_TAG: "key"}
    tags = Token.as_string_map(TerraformVariable(stack, "tags", type="map(string)").value)
    token_context = GuardContext(PREFIX, "guard", ACCOUNT, "aws", REGION, tags)
    CONTEXT.create(stack, SqsQueue, "queue", name="q", tags=token_context.component_tags("queue"))
    queue = resources(synthesized(stack), "aws_sqs_queue")["guard_queue"]
    assert queue["tags"] == '${merge(var.tags, {"ses-reputation-guard:component" = "queue"})}'
