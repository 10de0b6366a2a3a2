"""GuardKey: the customer managed KMS key behind the topics, the DLQ, the logs and the function.

SNS topics encrypted with the AWS managed key ``alias/aws/sns`` silently drop CloudWatch alarm
notifications, because CloudWatch cannot use that key. This key's policy lets CloudWatch (for this
account only) and CloudWatch Logs (for the guard's own log groups only) use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ses_reputation_guard._cdktf import Construct, Fn, KmsAlias, KmsKey
from ses_reputation_guard.context import GuardChild, GuardContext


@dataclass(frozen=True)
class GuardKeyProps:
    log_group_names: Sequence[str] = ()
    """The guard's CloudWatch Logs groups encrypted with the key: CloudWatch Logs may use the key for
    these and no other log group. Default none (no CloudWatch Logs grant)."""
    deletion_window_days: int = 30
    """Days KMS waits before deleting the key after ``destroy``. Default 30 (the maximum)."""


class GuardKey(GuardChild[GuardKeyProps]):
    """A rotating customer managed key (alias ``alias/<name_prefix>``) that CloudWatch, CloudWatch
    Logs, SNS and SQS can use."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        context: GuardContext,
        props: GuardKeyProps | None = None,
    ) -> None:
        super().__init__(scope, construct_id, context, props or GuardKeyProps())
        self.key = context.create(
            self,
            KmsKey,
            "key",
            description=f"ses-reputation-guard {context.name_prefix}: alarm topics, dead-letter queue, logs",
            enable_key_rotation=True,
            deletion_window_in_days=self.props.deletion_window_days,
            policy=self._policy(),
            tags=context.component_tags("key"),
        )
        self.alias = context.create(
            self, KmsAlias, "key_alias", name=f"alias/{context.name_prefix}", target_key_id=self.key.key_id
        )

    def _policy(self) -> Any:
        # A key policy is a resource policy ("*" means this key), so it is written with jsonencode
        # on the key, where checkov applies its key-policy checks (CKV_AWS_33, CKV2_AWS_64), not
        # the identity-policy checks that would read "*" as "every resource".
        context = self.context
        return Fn.jsonencode(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AccountAdministersKey",
                        "Effect": "Allow",
                        "Principal": {"AWS": context.arn("iam", "root", regional=False)},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudwatch.amazonaws.com"},
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {"aws:SourceAccount": context.account_id}},
                    },
                    *self._log_group_statements(),
                ],
            }
        )

    def _log_group_statements(self) -> list[dict[str, Any]]:
        """CloudWatch Logs in this Region, for the listed log groups of this account only (the
        encryption context CloudWatch Logs sends names the log group)."""
        names = self.props.log_group_names
        if not names:
            return []
        context = self.context
        return [
            {
                "Sid": "CloudWatchLogsEncryptsTheGuardsLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{context.region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {
                    "ArnEquals": {
                        "kms:EncryptionContext:aws:logs:arn": [context.arn("logs", f"log-group:{n}") for n in names]
                    }
                },
            }
        ]
