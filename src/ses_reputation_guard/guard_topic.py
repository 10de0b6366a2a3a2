"""GuardTopic: an SNS topic that only this account's guard alarms may publish to, TLS only.

Used twice: the notification topic (people subscribe by email and SMS; warnings, critical alarms,
reports) and the pause topic (critical alarms whose action is ``pause``; the Lambda subscribes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_reputation_guard._cdktf import (
    Construct,
    DataAwsIamPolicyDocument,
    PolicyCondition,
    PolicyPrincipals,
    PolicyStatement,
    SnsTopic,
    SnsTopicPolicy,
    SnsTopicSubscription,
    TerraformIterator,
    Token,
)
from ses_reputation_guard.naming import named


@dataclass(frozen=True)
class GuardTopicProps:
    topic_name: str
    """AWS name of the topic."""
    resource_prefix: str
    """Prefix of Terraform addresses; the topic is ``aws_sns_topic.<resource_prefix>``."""
    kms_key_arn: str
    """Customer managed key (never ``alias/aws/sns``: CloudWatch cannot publish through it)."""
    publishing_alarm_names: Sequence[str]
    """Alarm-name patterns (``*`` wildcards) of this account's alarms that may publish."""
    account_id: str
    partition: str
    region: str
    tags: Mapping[str, str] | Any
    email_addresses: Sequence[str] | Any = field(default_factory=tuple)
    """Email endpoints subscribed to the topic (each must confirm). Default none."""
    phone_numbers: Sequence[str] | Any = field(default_factory=tuple)
    """E.164 phone numbers subscribed by SMS. Default none."""


def _has_items(values: Sequence[str] | Any) -> bool:
    # A token (module variable) may hold items; a Python sequence is known now.
    return not isinstance(values, (list, tuple)) or len(values) > 0


class GuardTopic(Construct):
    """Encrypted SNS topic with a publish-only-by-our-alarms, TLS-only policy and optional subscriptions."""

    def __init__(self, scope: Construct, construct_id: str, props: GuardTopicProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        prefix = props.resource_prefix
        self.topic = named(
            SnsTopic(self, "topic", name=props.topic_name, kms_master_key_id=props.kms_key_arn, tags=props.tags),
            prefix,
            "topic",
        )
        alarm_arn = f"arn:{props.partition}:cloudwatch:{props.region}:{props.account_id}:alarm:"
        alarm_arns = [f"{alarm_arn}{pattern}" for pattern in props.publishing_alarm_names]
        policy = named(
            DataAwsIamPolicyDocument(
                self,
                "policy_document",
                statement=[
                    PolicyStatement(
                        sid="GuardAlarmsOfThisAccountPublish",
                        effect="Allow",
                        principals=[PolicyPrincipals(type="Service", identifiers=["cloudwatch.amazonaws.com"])],
                        actions=["sns:Publish"],
                        resources=[self.topic.arn],
                        condition=[
                            PolicyCondition(
                                test="StringEquals", variable="aws:SourceAccount", values=[props.account_id]
                            ),
                            PolicyCondition(test="ArnLike", variable="aws:SourceArn", values=alarm_arns),
                        ],
                    ),
                    PolicyStatement(
                        sid="DenyInsecureTransport",
                        effect="Deny",
                        principals=[PolicyPrincipals(type="*", identifiers=["*"])],
                        actions=["sns:*"],
                        resources=[self.topic.arn],
                        condition=[PolicyCondition(test="Bool", variable="aws:SecureTransport", values=["false"])],
                    ),
                ],
            ),
            prefix,
            "topic_policy_document",
        )
        self.topic_policy = named(
            SnsTopicPolicy(self, "policy", arn=self.topic.arn, policy=policy.json), prefix, "topic_policy"
        )
        self.email_subscriptions = self._subscriptions("email", props.email_addresses)
        self.sms_subscriptions = self._subscriptions("sms", props.phone_numbers)

    def _subscriptions(self, protocol: str, endpoints: Sequence[str] | Any) -> SnsTopicSubscription | None:
        """One ``for_each`` subscription block per protocol, keyed by endpoint; None when there are none."""
        if not _has_items(endpoints):
            return None
        iterator = TerraformIterator.from_list(endpoints)
        subscription: SnsTopicSubscription = named(
            SnsTopicSubscription(
                self,
                protocol,
                for_each=iterator,
                topic_arn=self.topic.arn,
                protocol=protocol,
                endpoint=Token.as_string(iterator.value),
            ),
            self.props.resource_prefix,
            protocol,
        )
        return subscription
