"""Account-wide policy: pause the whole account before AWS reviews it, and notify people.

Stack ``account-wide``: account alarms (warning notifies, critical pauses the account), one managed
configuration set with reputation metrics for tracking, email and SMS notifications.
"""

from __future__ import annotations

from examples.scaffold import example_stack
from ses_reputation_guard import AccountPolicy, App, ConfigurationSetPolicy, GuardStack, ReputationGuardProps

STACK_NAME = "account-wide"


def build(app: App) -> list[GuardStack]:
    props = ReputationGuardProps(
        name_prefix="ses-guard",
        account_policy=AccountPolicy(action="pause"),
        # Tracked for visibility; the account policy is what pauses.
        configuration_sets={"default-sending": ConfigurationSetPolicy(action="notify")},
        notification_emails=["deliverability@example.com"],
        notification_phone_numbers=["+15555550100"],
    )
    return [example_stack(app, STACK_NAME, props)]
