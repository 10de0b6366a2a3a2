"""Build one construct in a stack of its own and read what it synthesizes.

Every construct test uses the same context: plain values instead of the data-source references a
``ReputationGuard`` discovers, so expected ARNs read as they would in a plan.
"""

from __future__ import annotations

import json
from typing import Any

from ses_guard_policy import contract
from ses_reputation_guard._cdktf import TerraformStack, Testing
from ses_reputation_guard.context import GuardContext

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PREFIX = "test-guard"
TAGS = {"team": "deliverability"}
CONTEXT = GuardContext(
    name_prefix=PREFIX, resource_prefix="guard", account_id=ACCOUNT, partition="aws", region=REGION, tags=TAGS
)
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
NOTIFICATION_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-notifications"
PAUSE_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-pause"
ALARM_TOPICS = {"notification_topic_arn": NOTIFICATION_TOPIC_ARN, "pause_topic_arn": PAUSE_TOPIC_ARN}
"""The two topics of an alarm construct's props, as keyword arguments."""


def guard_tags(extra: dict[str, str]) -> dict[str, str]:
    """The tags a guard resource carries: the context's, the guard's name, then ``extra``."""
    return {**TAGS, contract.TAG_GUARD: PREFIX, **extra}


Config = dict[str, Any]


def synthesized(stack: TerraformStack) -> Config:
    """The stack's Terraform JSON, without writing any file."""
    config: Config = json.loads(Testing.synth(stack))
    return config


def resources(config: Config, resource_type: str) -> dict[str, Any]:
    found: dict[str, Any] = config.get("resource", {}).get(resource_type, {})
    return found


def data_sources(config: Config, data_type: str) -> dict[str, Any]:
    found: dict[str, Any] = config.get("data", {}).get(data_type, {})
    return found


def statements(config: Config, document: str) -> list[dict[str, Any]]:
    """The statements of ``data.aws_iam_policy_document.<document>``, by position."""
    found: list[dict[str, Any]] = data_sources(config, "aws_iam_policy_document")[document]["statement"]
    return found


def statement(config: Config, document: str, sid: str) -> dict[str, Any]:
    [found] = [s for s in statements(config, document) if s.get("sid") == sid]
    return found


def jsonencoded(expression: str) -> Any:
    """The value inside ``${jsonencode({...})}``: HCL object syntax ("k" = v) read back as JSON."""
    assert expression.startswith("${jsonencode(") and expression.endswith(")}"), expression
    return json.loads(expression[len("${jsonencode(") : -2].replace('" = ', '": '))
