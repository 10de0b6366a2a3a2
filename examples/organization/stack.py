"""An AWS Organization under one guard: a hub guard whose scheduled sweep also covers two member accounts.

Stack ``organization-hub`` (the hub account ``HUB_ACCOUNT``, us-east-1): a sweep guard with a hub policy.
Every hour its function sweeps its own account and Region, then assumes ``ses-guard-org-member`` in each
member account and sweeps the member's Regions there:

- ``111111111111`` in us-east-1 and eu-west-1: a set in critical breach is paused, and so is the account's
  sending (the hub's account action, ``pause``);
- ``222222222222`` in eu-west-1: people are notified only (sets and account), with a stricter bounce
  critical threshold (3 % instead of the sweep's 4 %);
- the hub's own ``transactional`` set (created here): its own alarms, notify only.

Stacks ``organization-member-<account>`` (one per member account): the member role the hub assumes,
deployed into the member account through ``OrganizationAccountAccessRole`` (the provider's
``assume_role``), with what the hub's policy allows there: its Regions, pausing sets tagged for the guard
(``pause_scope = tagged``) where the member's action is ``pause``, the account's pause where the hub may
pause it. Deploy the hub first: a role's trust policy can only name a role that exists (README.md).

The account ids are placeholders: put yours in ``HUB_ACCOUNT`` and ``MEMBERS``. ``HUB_ACCOUNT`` is
moto's default account, the one the end-to-end tier deploys the hub into.
"""

from __future__ import annotations

from examples.scaffold import PROJECT, example_stack
from ses_reputation_guard import (
    AccountPolicy,
    App,
    ConfigurationSetPolicy,
    GuardStack,
    GuardStackProps,
    HubMember,
    HubPolicy,
    MemberRole,
    MemberRoleProps,
    ReputationGuardProps,
    SweepPolicy,
    TerraformStack,
    ThresholdOverrides,
)
from ses_reputation_guard.pause_function import FUNCTION_NAME_SUFFIX

EXAMPLE = "organization"
HUB_STACK_NAME = f"{EXAMPLE}-hub"
MEMBER_STACK_PREFIX = f"{EXAMPLE}-member-"
NAME_PREFIX = "ses-guard-org"
HUB_ACCOUNT = "123456789012"
"""The hub's account (a placeholder: moto's default account, where the end-to-end tier deploys the hub)."""
HUB_REGION = "us-east-1"
HUB_FUNCTION_ROLE_ARN = f"arn:aws:iam::{HUB_ACCOUNT}:role/{NAME_PREFIX}-{HUB_REGION}-{FUNCTION_NAME_SUFFIX}-function"
"""The hub function's role (``GuardContext.global_name``: ``<name_prefix>-<region>-pause-function``), the
hub stack's output ``function_role_arn``: the one principal each member role trusts."""
MEMBER_ACCESS_ROLE = "OrganizationAccountAccessRole"
"""The role AWS Organizations creates in each account it creates; the member stacks deploy through it."""
MEMBERS = (
    HubMember(account_id="111111111111", regions=("us-east-1", "eu-west-1"), action="pause"),
    HubMember(
        account_id="222222222222",
        regions=("eu-west-1",),
        action="notify",
        account_action="notify",
        thresholds=ThresholdOverrides(bounce_critical=0.03),
    ),
)
SWEEP = SweepPolicy(action="pause", evaluate_account=True)
ACCOUNT_POLICY = AccountPolicy(enabled=False, action="pause")
"""No account alarm: the sweep judges the account-wide rates of the hub and of each member in its run and
pauses the account's sending, unless a member's ``account_action`` says otherwise."""
HUB_SETS = {"transactional": ConfigurationSetPolicy(action="notify")}
"""The hub account's own transactional set, created here with its own alarms: notified, never paused (the
sweep leaves a set with its own policy alone)."""


def build(app: App) -> list[TerraformStack]:
    return [hub_stack(app), *(member_stack(app, member) for member in MEMBERS)]


def hub_stack(app: App) -> GuardStack:
    """The hub guard: the sweep, over its own account and Region and each member's."""
    props = ReputationGuardProps(
        name_prefix=NAME_PREFIX,
        account_policy=ACCOUNT_POLICY,
        sweep_policy=SWEEP,
        configuration_sets=HUB_SETS,
        hub_policy=HubPolicy(members=MEMBERS),
        notification_emails=["deliverability@example.com"],
    )
    return example_stack(app, HUB_STACK_NAME, props, example=EXAMPLE, region=HUB_REGION)


def member_stack(app: App, member: HubMember) -> GuardStack:
    """The member role in ``member``'s account, allowing what the hub's policy does there."""
    stack = GuardStack(
        app,
        f"{MEMBER_STACK_PREFIX}{member.account_id}",
        GuardStackProps(
            region=member.regions[0] if member.regions else HUB_REGION,
            assume_role_arn=f"arn:aws:iam::{member.account_id}:role/{MEMBER_ACCESS_ROLE}",
        ),
    )
    pauses_sets = (member.action or SWEEP.action) == "pause"
    MemberRole(
        stack,
        "member",
        MemberRoleProps(
            hub_function_role_arn=HUB_FUNCTION_ROLE_ARN,
            name_prefix=NAME_PREFIX,
            pause_scope="tagged" if pauses_sets else "listed",  # listed, with no set named: no set pause
            account_pause_allowed=member.pauses_account(ACCOUNT_POLICY.action, bool(SWEEP.evaluate_account)),
            regions=list(member.regions) if member.regions else [HUB_REGION],
            tags={"project": PROJECT, "example": EXAMPLE},
        ),
    )
    return stack
