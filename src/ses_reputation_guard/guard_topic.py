"""GuardTopic: an SNS topic that only this account's guard alarms may publish to, TLS only.

Used twice: the notification topic (people subscribe by email and SMS; warnings, critical alarms,
reports) and the pause topic (critical alarms whose action is ``pause``; the Lambda subscribes).
"""

from __future__ import annotations

from collections.abc import Sequence
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
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.validation import is_token


@dataclass(frozen=True)
class GuardTopicProps:
    name: str
    """The topic's AWS name is ``<name_prefix>-<name>``, its address ``aws_sns_topic.<prefix>_<name>_topic``."""
    kms_key_arn: str
    """Customer managed key (never ``alias/aws/sns``: CloudWatch cannot publish through it)."""
    publishing_alarm_names: Sequence[str]
    """Alarm-name patterns (``*`` wildcards) of this account's alarms that may publish."""
    email_addresses: Sequence[str] = field(default_factory=tuple)
    """Email endpoints subscribed to the topic (each must confirm); may be a list token. Default none."""
    phone_numbers: Sequence[str] = field(default_factory=tuple)
    """E.164 phone numbers subscribed by SMS; may be a list token. Default none."""
    only_these_alarms_publish: bool = False
    """True: an explicit Deny refuses ``sns:Publish`` to every principal (people, roles, other
    services, other accounts) but the alarms named above, whatever their IAM policies allow. For
    the pause topic: nothing else can put a pause request in it. Default False (people's topics
    also carry the function's reports)."""


class GuardTopic(GuardChild[GuardTopicProps]):
    """Encrypted SNS topic with a publish-only-by-our-alarms, TLS-only policy and optional subscriptions."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: GuardTopicProps) -> None:
        super().__init__(scope, construct_id, context, props)
        self.arn = context.arn("sns", context.aws_name(props.name))
        """The topic's ARN, known before it exists: its own policy names it."""
        policy = context.create(
            self, DataAwsIamPolicyDocument, self._role("topic_policy_document"), statement=self._policy_statements()
        )
        # The topic is created with its policy, so its state holds the policy AWS reports. Set only by
        # aws_sns_topic_policy, it would hold SNS's default policy until an apply stores a refresh, and
        # every plan before that would report the guard's policy as "changed outside of Terraform"
        # (real AWS too: the provider reads the topic's policy attribute back).
        self.topic = context.create(
            self,
            SnsTopic,
            self._role("topic"),
            name=context.aws_name(props.name),
            kms_master_key_id=props.kms_key_arn,
            policy=policy.json,
            tags=context.component_tags(f"{props.name}-topic"),
        )
        # The same document: kept so that no deployment destroys it on upgrade (deleting an
        # aws_sns_topic_policy puts the default policy back on the topic).
        self.topic_policy = context.create(
            self, SnsTopicPolicy, self._role("topic_policy"), arn=self.topic.arn, policy=policy.json
        )
        self.email_subscriptions = self._subscriptions("email", props.email_addresses)
        self.sms_subscriptions = self._subscriptions("sms", props.phone_numbers)

    def _role(self, role: str) -> str:
        return f"{self.props.name}_{role}"

    def _policy_statements(self) -> list[Any]:
        alarm_arns = [self.context.arn("cloudwatch", f"alarm:{name}") for name in self.props.publishing_alarm_names]
        cloudwatch = PolicyPrincipals(type="Service", identifiers=["cloudwatch.amazonaws.com"])
        return [
            self._statement(
                "GuardAlarmsOfThisAccountPublish",
                "Allow",
                cloudwatch,
                "sns:Publish",
                PolicyCondition(test="StringEquals", variable="aws:SourceAccount", values=[self.context.account_id]),
                PolicyCondition(test="ArnLike", variable="aws:SourceArn", values=alarm_arns),
            ),
            *self._deny_other_publishers(alarm_arns),
            self._statement(
                "DenyInsecureTransport",
                "Deny",
                _everyone(),
                "sns:*",
                PolicyCondition(test="Bool", variable="aws:SecureTransport", values=["false"]),
            ),
        ]

    def _deny_other_publishers(self, alarm_arns: list[str]) -> list[Any]:
        if not self.props.only_these_alarms_publish:
            return []
        # aws:SourceArn exists only when a service acts for a resource: a person's or role's own
        # request has none, so "not one of these alarms" covers them too (negated operators match
        # an absent key).
        not_these_alarms = PolicyCondition(test="ArnNotLike", variable="aws:SourceArn", values=alarm_arns)
        return [self._statement("NobodyElsePublishes", "Deny", _everyone(), "sns:Publish", not_these_alarms)]

    def _statement(
        self, sid: str, effect: str, principal: PolicyPrincipals, action: str, *conditions: PolicyCondition
    ) -> PolicyStatement:
        """One statement of the topic policy, on this topic."""
        return PolicyStatement(
            sid=sid,
            effect=effect,
            principals=[principal],
            actions=[action],
            resources=[self.arn],
            condition=list(conditions),
        )

    def _subscriptions(self, protocol: str, endpoints: Sequence[str]) -> SnsTopicSubscription | None:
        """One ``for_each`` subscription block per protocol, keyed by endpoint; None when there are none."""
        if not is_token(endpoints) and not endpoints:
            return None
        iterator = TerraformIterator.from_list(endpoints)
        subscription: SnsTopicSubscription = self.context.create(
            self,
            SnsTopicSubscription,
            self._role(protocol),
            for_each=iterator,
            topic_arn=self.topic.arn,
            protocol=protocol,
            endpoint=Token.as_string(iterator.value),
        )
        return subscription


def _everyone() -> PolicyPrincipals:
    return PolicyPrincipals(type="*", identifiers=["*"])
