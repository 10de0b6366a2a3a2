"""GuardKey: the customer managed KMS key behind the topics, the DLQ, the logs and the function.

SNS topics encrypted with the AWS managed key ``alias/aws/sns`` silently drop CloudWatch alarm
notifications, because CloudWatch cannot use that key. This key's policy lets CloudWatch (for this
account only) and CloudWatch Logs (for this account's log groups) use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ses_reputation_guard._cdktf import Construct, Fn, KmsAlias, KmsKey
from ses_reputation_guard.naming import named


@dataclass(frozen=True)
class GuardKeyProps:
    name_prefix: str
    """Alias is ``alias/<name_prefix>``."""
    resource_prefix: str
    """Prefix of Terraform addresses."""
    account_id: str
    partition: str
    region: str
    tags: Mapping[str, str] | Any
    deletion_window_days: int = 30
    """Days KMS waits before deleting the key after ``destroy``. Default 30 (the maximum)."""


class GuardKey(Construct):
    """A rotating customer managed key that CloudWatch, CloudWatch Logs, SNS and SQS can use."""

    def __init__(self, scope: Construct, construct_id: str, props: GuardKeyProps) -> None:
        super().__init__(scope, construct_id)
        self.props = props
        account_root = f"arn:{props.partition}:iam::{props.account_id}:root"
        log_groups = f"arn:{props.partition}:logs:{props.region}:{props.account_id}:log-group:*"
        # A key policy is a resource policy ("*" means this key), so it is written with jsonencode
        # on the key, where checkov applies its key-policy checks (CKV_AWS_33, CKV2_AWS_64), not
        # the identity-policy checks that would read "*" as "every resource".
        policy = Fn.jsonencode(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountAdministersKey",
                        "Effect": "Allow",
                        "Principal": {"AWS": account_root},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": props.account_id}},
                    },
                    {
                        "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
                        "Effect": "Allow",
                        "Principal": {"Service": f"logs.{props.region}.amazonaws.com"},
                        "Action": [
                            "kms:Encrypt*",
                            "kms:Decrypt*",
                            "kms:ReEncrypt*",
                            "kms:GenerateDataKey*",
                            "kms:Describe*",
                        ],
                        "Resource": "*",
                        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
                    },
                ],
            }
        )
        self.key = named(
            KmsKey(
                self,
                "key",
                description=f"ses-reputation-guard {props.name_prefix}: alarm topics, dead-letter queue, logs",
                enable_key_rotation=True,
                deletion_window_in_days=props.deletion_window_days,
                policy=policy,
                tags=props.tags,
            ),
            props.resource_prefix,
            "key",
        )
        self.alias = named(
            KmsAlias(self, "alias", name=f"alias/{props.name_prefix}", target_key_id=self.key.key_id),
            props.resource_prefix,
            "key_alias",
        )
