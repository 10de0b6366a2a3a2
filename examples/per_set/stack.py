"""Per-set policies: pause only the offending stream, keep transactional mail flowing.

Stack ``per-set``:
- ``marketing`` (managed): paused on a critical alarm, stricter bounce threshold;
- ``transactional`` (managed): notify only, never paused (protected);
- ``partner-digest`` (existing set, not created here): alarms and pausing only; its reputation
  metrics must already be enabled;
- an account-wide backstop that notifies (set ``action="pause"`` to pause the account too).
"""

from __future__ import annotations

from examples.scaffold import example_stack
from ses_reputation_guard import (
    AccountPolicy,
    App,
    ConfigurationSetPolicy,
    GuardStack,
    ReputationGuardProps,
    ReputationThresholds,
)

STACK_NAME = "per-set"


def build(app: App) -> list[GuardStack]:
    props = ReputationGuardProps(
        name_prefix="ses-guard-sets",
        account_policy=AccountPolicy(action="notify"),
        configuration_sets={
            "marketing": ConfigurationSetPolicy(
                action="pause",
                thresholds=ReputationThresholds(
                    bounce_warning=0.015,
                    bounce_critical=0.03,
                    complaint_warning=0.0004,
                    complaint_critical=0.0007,
                ),
            ),
            "transactional": ConfigurationSetPolicy(action="notify"),
            "partner-digest": ConfigurationSetPolicy(action="pause", managed=False),
        },
        notification_emails=["deliverability@example.com", "oncall@example.com"],
    )
    return [example_stack(app, STACK_NAME, props)]
