"""Names shared by the constructs, the function and the operator tool (docs/design.md, "Alarm names and tags").

This module is imported by the cdktf constructs as well: it must stay free of imports (no boto3,
not even other modules of this package) so that importing it costs nothing.
"""

from typing import Final

# --- alarm tags (and the tag SES configuration sets may carry) ------------------------------------
TAG_PREFIX: Final = "ses-reputation-guard:"
TAG_GUARD: Final = TAG_PREFIX + "guard"
TAG_SCOPE: Final = TAG_PREFIX + "scope"
TAG_CONFIGURATION_SET: Final = TAG_PREFIX + "configuration-set"
TAG_TIER: Final = TAG_PREFIX + "tier"
# On alarms: what a critical alarm does. On an SES configuration set: `notify` means no fleet alarm
# may pause it (the IAM Deny on notify-tagged sets enforces the same).
TAG_ACTION: Final = TAG_PREFIX + "action"
# On an SES configuration set the function paused: the pausing guard's name prefix and when (UTC,
# PAUSED_AT_FORMAT). `ses-guard status` finds paused sets through them (Resource Groups Tagging API
# GetResources) and `ses-guard resume --configuration-set` removes them. The function may write these
# two keys and no others (IAM: aws:TagKeys).
TAG_PAUSED_BY: Final = TAG_PREFIX + "paused-by"
TAG_PAUSED_AT: Final = TAG_PREFIX + "paused-at"
PAUSE_TAG_KEYS: Final = (TAG_PAUSED_BY, TAG_PAUSED_AT)
PAUSED_AT_FORMAT: Final = "%Y-%m-%dT%H:%M:%SZ"

SCOPE_ACCOUNT: Final = "account"
SCOPE_CONFIGURATION_SET: Final = "configuration-set"
# A Metrics Insights alarm grouped by configuration set: each contributor is one set.
SCOPE_FLEET: Final = "fleet"
SCOPES: Final = (SCOPE_ACCOUNT, SCOPE_CONFIGURATION_SET, SCOPE_FLEET)
# The scheduled sweep (no alarms): its reports and logs name this scope.
SCOPE_SWEEP: Final = "sweep"

TIER_WARNING: Final = "warning"
TIER_CRITICAL: Final = "critical"
TIERS: Final = (TIER_WARNING, TIER_CRITICAL)

ACTION_PAUSE: Final = "pause"
ACTION_NOTIFY: Final = "notify"
ACTIONS: Final = (ACTION_PAUSE, ACTION_NOTIFY)

# --- alarm names ------------------------------------------------------------------------------
# The function accepts exactly these shapes (fullmatch); anything else under the prefix is foreign.
ALARM_NAME_ACCOUNT: Final = "{prefix}-account-{metric}-{tier}"
ALARM_NAME_SET: Final = "{prefix}-set-{configuration_set}-{metric}-{tier}"
ALARM_NAME_FLEET: Final = "{prefix}-fleet-{metric}-{tier}"
METRIC_SHORT_BOUNCE: Final = "bounce"
METRIC_SHORT_COMPLAINT: Final = "complaint"

# --- metrics ----------------------------------------------------------------------------------
SES_NAMESPACE: Final = "AWS/SES"
METRIC_BOUNCE_RATE: Final = "Reputation.BounceRate"
METRIC_COMPLAINT_RATE: Final = "Reputation.ComplaintRate"
REPUTATION_METRICS: Final = (METRIC_BOUNCE_RATE, METRIC_COMPLAINT_RATE)
METRIC_SHORT_NAMES: Final = {
    METRIC_BOUNCE_RATE: METRIC_SHORT_BOUNCE,
    METRIC_COMPLAINT_RATE: METRIC_SHORT_COMPLAINT,
}
DIMENSION_CONFIGURATION_SET: Final = "ses:configuration-set"

# --- delivery paths (values of ENV_ACCEPTED_SOURCES) -------------------------------------------
SOURCE_SNS: Final = "sns"
SOURCE_ALARM_ACTION: Final = "alarm-action"
SOURCE_EVENTBRIDGE: Final = "eventbridge"
SOURCES: Final = (SOURCE_SNS, SOURCE_ALARM_ACTION, SOURCE_EVENTBRIDGE)
# How the fleet alarms' per-contributor changes reach the function (FleetPolicy.delivery): an EventBridge
# rule on "CloudWatch Alarm Contributor State Change" events of the guard's critical fleet alarms
# (default), the alarms' SNS action on the pause topic, or the alarms' own Lambda action invoking the
# function directly (CloudWatch User Guide, "Invoke a Lambda function from an alarm").
FLEET_DELIVERY_EVENTBRIDGE: Final = SOURCE_EVENTBRIDGE
FLEET_DELIVERY_SNS: Final = SOURCE_SNS
FLEET_DELIVERY_ALARM_ACTION: Final = SOURCE_ALARM_ACTION
FLEET_DELIVERIES: Final = (FLEET_DELIVERY_EVENTBRIDGE, FLEET_DELIVERY_SNS, FLEET_DELIVERY_ALARM_ACTION)
# The service principal a CloudWatch alarm invokes a Lambda action as (same page; the function's resource
# policy names it, with the alarm's ARN and account as conditions).
PRINCIPAL_ALARM_ACTION: Final = "lambda.alarms.cloudwatch.amazonaws.com"
# EventBridge event shapes (EventBridge User Guide, "Creating a rule that runs on a schedule" and its
# "Scheduled Event" example; CloudWatch User Guide, "Alarm events and EventBridge").
EVENTS_SOURCE_SCHEDULE: Final = "aws.events"
DETAIL_TYPE_SCHEDULED: Final = "Scheduled Event"
EVENTS_SOURCE_CLOUDWATCH: Final = "aws.cloudwatch"
DETAIL_TYPE_CONTRIBUTOR_STATE_CHANGE: Final = "CloudWatch Alarm Contributor State Change"
# A Metrics Insights alarm's per-contributor SNS notification names the contributor at the top level
# of the message (CloudWatch User Guide, "Log alarms"; AlarmHistoryItem uses the same names).
SNS_CONTRIBUTOR_ID: Final = "AlarmContributorId"
SNS_CONTRIBUTOR_ATTRIBUTES: Final = "AlarmContributorAttributes"

# --- function environment ---------------------------------------------------------------------
ENV_GUARD_NAME_PREFIX: Final = "GUARD_NAME_PREFIX"
ENV_PAUSE_TOPIC_ARN: Final = "PAUSE_TOPIC_ARN"
ENV_REPORT_TOPIC_ARN: Final = "REPORT_TOPIC_ARN"
ENV_DRY_RUN: Final = "DRY_RUN"
ENV_LOG_LEVEL: Final = "LOG_LEVEL"
# Optional: comma-separated configuration sets that are never paused.
ENV_PROTECTED_CONFIGURATION_SETS: Final = "PROTECTED_CONFIGURATION_SETS"
# Optional: comma-separated delivery paths besides SNS from the pause topic (always accepted).
ENV_ACCEPTED_SOURCES: Final = "ACCEPTED_SOURCES"
# The guard-level policy manifest (ses_guard_policy.manifest, JSON without the per-set entries).
ENV_POLICY_MANIFEST: Final = "POLICY_MANIFEST"
# Sweep mode: the DynamoDB table holding the run lock and the open warning episodes (ses_guard_policy.sweep).
ENV_SWEEP_STATE_TABLE: Final = "SWEEP_STATE_TABLE"

# --- drills -------------------------------------------------------------------------------------
# SNS message attribute (or top-level key of a direct event) marking a drill: the function verifies
# as usual but never writes to SES, whatever the evidence says.
DRILL_ATTRIBUTE: Final = TAG_PREFIX + "drill"

# --- handler ----------------------------------------------------------------------------------
HANDLER: Final = "ses_guard_lambda.handler.lambda_handler"
RUNTIME: Final = "python3.12"
# SNS messages and asynchronous Lambda payloads are limited to 256 KiB.
MAX_MESSAGE_BYTES: Final = 256 * 1024
