"""ses-reputation-guard: cdktf constructs that protect an Amazon SES sender's reputation.

Import the public API from here; provider bindings are loaded lazily by ``_cdktf``. Most users need
``GuardStack`` and ``ReputationGuard`` (with the policy types), or ``new_app`` and ``guarded_stack``
(``app.py``) for the app and a stack holding one guard; the child constructs are exported for
compositions that build a guard from its parts.
"""

from ses_reputation_guard.account_alarms import AccountReputationAlarms, AccountReputationAlarmsProps
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.app import (
    AWS_PROVIDER_VERSION_RANGE,
    DEFAULT_REGION,
    GUARD_ID,
    TERRAFORM_VERSION_RANGE,
    App,
    GuardedStack,
    TerraformStack,
    guarded_stack,
    new_app,
)
from ses_reputation_guard.chat_notifications import (
    ChatNotifications,
    ChatNotificationsProps,
    SlackChannel,
    TeamsChannel,
)
from ses_reputation_guard.configuration_set_alarms import (
    ConfigurationSetReputationAlarms,
    ConfigurationSetReputationAlarmsProps,
)
from ses_reputation_guard.configuration_set_map import ConfigurationSetMap, ConfigurationSetMapProps
from ses_reputation_guard.configuration_sets import ManagedConfigurationSets, ManagedConfigurationSetsProps
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.dashboard import GuardDashboard, GuardDashboardProps
from ses_reputation_guard.encryption_key import GuardKey, GuardKeyProps
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.fleet_alarms import FleetReputationAlarms, FleetReputationAlarmsProps
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.function_health_alarms import FunctionHealthAlarms, FunctionHealthAlarmsProps
from ses_reputation_guard.function_role import FunctionRole, FunctionRoleProps
from ses_reputation_guard.guard_stack import GuardStack, GuardStackProps
from ses_reputation_guard.guard_topic import GuardTopic, GuardTopicProps
from ses_reputation_guard.hub_members import HubMembers, HubMembersProps
from ses_reputation_guard.hub_policy import HubMember, HubPolicy, ThresholdOverrides
from ses_reputation_guard.member_role import MemberRole, MemberRoleProps
from ses_reputation_guard.pause_function import PauseFunction, PauseFunctionProps
from ses_reputation_guard.policy import AccountPolicy, ConfigurationSetPolicy, ReputationThresholds
from ses_reputation_guard.reputation_guard import ReputationGuard, ReputationGuardProps
from ses_reputation_guard.sweep_policy import SweepPolicy
from ses_reputation_guard.validation import GuardValidationError

__all__ = [
    "AWS_PROVIDER_VERSION_RANGE",
    "DEFAULT_REGION",
    "GUARD_ID",
    "TERRAFORM_VERSION_RANGE",
    "AccountPolicy",
    "AccountReputationAlarms",
    "AccountReputationAlarmsProps",
    "AlarmSettings",
    "App",
    "ChatNotifications",
    "ChatNotificationsProps",
    "ConfigurationSetMap",
    "ConfigurationSetMapProps",
    "ConfigurationSetPolicy",
    "ConfigurationSetReputationAlarms",
    "ConfigurationSetReputationAlarmsProps",
    "FleetPolicy",
    "FleetReputationAlarms",
    "FleetReputationAlarmsProps",
    "FunctionHealthAlarms",
    "FunctionHealthAlarmsProps",
    "FunctionRole",
    "FunctionRoleProps",
    "GuardContext",
    "GuardDashboard",
    "GuardDashboardProps",
    "GuardKey",
    "GuardKeyProps",
    "GuardStack",
    "GuardStackProps",
    "GuardTopic",
    "GuardTopicProps",
    "GuardValidationError",
    "GuardedStack",
    "HubMember",
    "HubMembers",
    "HubMembersProps",
    "HubPolicy",
    "ManagedConfigurationSets",
    "ManagedConfigurationSetsProps",
    "MemberRole",
    "MemberRoleProps",
    "PauseFunction",
    "PauseFunctionProps",
    "ReputationGuard",
    "ReputationGuardProps",
    "ReputationThresholds",
    "SlackChannel",
    "SweepPolicy",
    "TeamsChannel",
    "TerraformExpression",
    "TerraformStack",
    "ThresholdOverrides",
    "guarded_stack",
    "new_app",
]
