"""ses-reputation-guard: cdktf constructs that protect an Amazon SES sender's reputation.

Import the public API from here; provider bindings are loaded lazily by ``_cdktf``.
"""

from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.guard_stack import GuardStack, GuardStackProps
from ses_reputation_guard.policy import AccountPolicy, ConfigurationSetPolicy, ReputationThresholds
from ses_reputation_guard.reputation_guard import ReputationGuard, ReputationGuardProps
from ses_reputation_guard.validation import GuardValidationError

__all__ = [
    "AccountPolicy",
    "AlarmSettings",
    "ConfigurationSetPolicy",
    "FleetPolicy",
    "GuardContext",
    "GuardStack",
    "GuardStackProps",
    "GuardValidationError",
    "ReputationGuard",
    "ReputationGuardProps",
    "ReputationThresholds",
    "TerraformExpression",
]
