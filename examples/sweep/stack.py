"""Sweep mode: every configuration set of the Region judged by a scheduled run, no fleet alarm at all.

Stack ``sweep``:
- a sweep policy: every hour the function asks CloudWatch two Metrics Insights queries (one per
  reputation metric, every set of the Region), replays each set's datapoints through the policy's
  evaluation (2 breaching hours of the last 3: a single spike pauses nothing) and pauses the sets in
  critical breach (that set only); a warning notifies once per episode;
- ``transactional``: protected (``protected_configuration_sets``): never paused by any path, whatever the
  evidence; created by the application, not here;
- ``vip`` (managed): its own, stricter thresholds, judged by its own alarms; the sweep leaves it alone;
- the account: no account alarm (``account_policy.enabled=False``); the sweep judges the account-wide rates
  in the same run (``evaluate_account``) and notifies (``account_policy.action = notify``).
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
    SweepPolicy,
)

STACK_NAME = "sweep"
NAME_PREFIX = "ses-guard-sweep"
PROTECTED_SET = "transactional"
VIP_THRESHOLDS = ReputationThresholds(
    bounce_warning=0.01,
    bounce_critical=0.02,
    complaint_warning=0.0003,
    complaint_critical=0.0005,
)


def build(app: App) -> list[GuardStack]:
    props = ReputationGuardProps(
        name_prefix=NAME_PREFIX,
        account_policy=AccountPolicy(enabled=False, action="notify"),
        sweep_policy=SweepPolicy(action="pause", evaluate_account=True, evaluation_periods=3, datapoints_to_alarm=2),
        protected_configuration_sets=[PROTECTED_SET],
        configuration_sets={"vip": ConfigurationSetPolicy(action="pause", thresholds=VIP_THRESHOLDS)},
        notification_emails=["deliverability@example.com"],
    )
    return [example_stack(app, STACK_NAME, props)]
