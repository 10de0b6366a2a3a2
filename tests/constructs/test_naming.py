"""Terraform addresses of elements, for expressions that cdktf references cannot express."""

from __future__ import annotations

from ses_reputation_guard._cdktf import DataAwsRegion, SqsQueue
from ses_reputation_guard.naming import data_address, resource_address
from tests.constructs.support import CONTEXT


def test_addresses_name_the_type_and_the_stable_logical_id(stack):
    queue = CONTEXT.create(stack, SqsQueue, "dead_letter_queue")
    region = CONTEXT.create(stack, DataAwsRegion, "region")
    assert resource_address(queue) == "aws_sqs_queue.guard_dead_letter_queue"
    assert data_address(region) == "data.aws_region.guard_region"
