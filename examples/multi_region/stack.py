"""Multi-Region: SES reputation, configuration sets and pausing are per Region, so is the guard.

One stack per Region (``multi-region-us-east-1``, ``multi-region-eu-west-1``): separate state, so a
problem in one Region's deployment never blocks the other. Same policy, each Region's own sets.
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

REGIONS = {
    "us-east-1": {"marketing-us": "pause", "transactional-us": "notify"},
    "eu-west-1": {"marketing-eu": "pause", "transactional-eu": "notify"},
}


def build(app: App) -> list[GuardStack]:
    stacks = []
    for region, sets in REGIONS.items():
        stack = GuardStack(app, f"multi-region-{region}", GuardStackProps(region=region))
        ReputationGuard(
            stack,
            "guard",
            ReputationGuardProps(
                name_prefix=f"ses-guard-{region}",
                account_policy=AccountPolicy(action="pause"),
                configuration_sets={
                    name: ConfigurationSetPolicy(action="pause" if action == "pause" else "notify")
                    for name, action in sets.items()
                },
                notification_emails=["deliverability@example.com"],
                allow_configuration_set_deletion=configuration_set_deletion_allowed(),
                tags={"project": "ses-reputation-guard", "example": "multi-region", "region": region},
            ),
        )
        stacks.append(stack)
    return stacks
