"""Multi-Region: SES reputation, configuration sets and pausing are per Region, so is the guard.

One stack per Region (``multi-region-us-east-1``, ``multi-region-eu-west-1``): separate state, so a
problem in one Region's deployment never blocks the other. Same policy, each Region's own sets.
"""

from __future__ import annotations

from examples.scaffold import example_stack
from ses_reputation_guard import AccountPolicy, App, ConfigurationSetPolicy, GuardStack, ReputationGuardProps

EXAMPLE = "multi-region"
REGIONS = {
    "us-east-1": {"marketing-us": "pause", "transactional-us": "notify"},
    "eu-west-1": {"marketing-eu": "pause", "transactional-eu": "notify"},
}


def build(app: App) -> list[GuardStack]:
    return [region_stack(app, region, sets) for region, sets in REGIONS.items()]


def region_stack(app: App, region: str, sets: dict[str, str]) -> GuardStack:
    """The stack ``multi-region-<region>``: the shared policy over the Region's own sets."""
    props = ReputationGuardProps(
        name_prefix=f"ses-guard-{region}",
        account_policy=AccountPolicy(action="pause"),
        configuration_sets={
            name: ConfigurationSetPolicy(action="pause" if action == "pause" else "notify")
            for name, action in sets.items()
        },
        notification_emails=["deliverability@example.com"],
        tags={"region": region},
    )
    return example_stack(app, f"{EXAMPLE}-{region}", props, example=EXAMPLE, region=region)
