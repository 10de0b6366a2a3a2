"""Account-wide policy: pause the whole account before AWS reviews it, and notify people.

Stack ``account-wide``: account alarms (warning notifies, critical pauses the account), one managed
configuration set with reputation metrics for tracking, email and SMS notifications.
"""

from __future__ import annotations

from examples.opt_in import configuration_set_deletion_allowed
from ses_reputation_guard import (
    AccountPolicy,
    ConfigurationSetPolicy,
    GuardStack,
    GuardStackProps,
    ReputationGuard,
    ReputationGuardProps,
)
from ses_reputation_guard._cdktf import App

STACK_NAME = "account-wide"


def build(app: App) -> list[GuardStack]:
    stack = GuardStack(app, STACK_NAME, GuardStackProps(region="us-east-1"))
    ReputationGuard(
        stack,
        "guard",
        ReputationGuardProps(
            name_prefix="ses-guard",
            account_policy=AccountPolicy(action="pause"),
            # Tracked for visibility; the account policy is what pauses.
            configuration_sets={"default-sending": ConfigurationSetPolicy(action="notify")},
            notification_emails=["deliverability@example.com"],
            notification_phone_numbers=["+15555550100"],
            allow_configuration_set_deletion=configuration_set_deletion_allowed(),
            tags={"project": "ses-reputation-guard", "example": STACK_NAME},
        ),
    )
    return [stack]
