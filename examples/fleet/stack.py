"""Fleet mode: every configuration set of the Region, present and future, under four alarms.

Stack ``fleet``:
- a fleet policy at the defaults: a set whose bounce or complaint rate reaches the critical threshold
  is paused (that set only), whether it existed at deploy time or was created afterwards;
- ``transactional`` (managed): notify only, never paused (its own alarms judge it, and IAM refuses
  to pause a set tagged ``ses-reputation-guard:action = notify``);
- ``vip`` (managed): its own, stricter thresholds; the fleet alarms leave it alone;
- an account-wide backstop that notifies.
"""

from __future__ import annotations

from examples.scaffold import example_stack
from ses_reputation_guard import (
    AccountPolicy,
    App,
    ConfigurationSetPolicy,
    FleetPolicy,
    GuardStack,
    ReputationGuardProps,
    ReputationThresholds,
)

STACK_NAME = "fleet"
NAME_PREFIX = "ses-guard-region"
VIP_THRESHOLDS = ReputationThresholds(
    bounce_warning=0.01,
    bounce_critical=0.02,
    complaint_warning=0.0003,
    complaint_critical=0.0005,
)


def build(app: App) -> list[GuardStack]:
    props = ReputationGuardProps(
        name_prefix=NAME_PREFIX,
        account_policy=AccountPolicy(action="notify"),
        fleet_policy=FleetPolicy(action="pause"),
        configuration_sets={
            "transactional": ConfigurationSetPolicy(action="notify"),
            "vip": ConfigurationSetPolicy(action="pause", thresholds=VIP_THRESHOLDS),
        },
        notification_emails=["deliverability@example.com"],
    )
    return [example_stack(app, STACK_NAME, props)]
