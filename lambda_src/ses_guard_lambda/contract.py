"""Names shared by the constructs and the Lambda (see docs/design.md, "Alarm names and tags").

This module is imported by the cdktf constructs as well: it must stay free of imports (no boto3,
not even other modules of this package) so that importing it costs nothing.
"""

from typing import Final

# --- alarm tags -------------------------------------------------------------------------------
TAG_PREFIX: Final = "ses-reputation-guard:"
TAG_GUARD: Final = TAG_PREFIX + "guard"
TAG_SCOPE: Final = TAG_PREFIX + "scope"
TAG_CONFIGURATION_SET: Final = TAG_PREFIX + "configuration-set"
TAG_TIER: Final = TAG_PREFIX + "tier"
TAG_ACTION: Final = TAG_PREFIX + "action"
ALL_TAG_KEYS: Final = (TAG_GUARD, TAG_SCOPE, TAG_CONFIGURATION_SET, TAG_TIER, TAG_ACTION)

SCOPE_ACCOUNT: Final = "account"
SCOPE_CONFIGURATION_SET: Final = "configuration-set"
SCOPES: Final = (SCOPE_ACCOUNT, SCOPE_CONFIGURATION_SET)

TIER_WARNING: Final = "warning"
TIER_CRITICAL: Final = "critical"
TIERS: Final = (TIER_WARNING, TIER_CRITICAL)

ACTION_PAUSE: Final = "pause"
ACTION_NOTIFY: Final = "notify"
ACTIONS: Final = (ACTION_PAUSE, ACTION_NOTIFY)

# Tag value of TAG_CONFIGURATION_SET on a Metrics Insights alarm (GROUP BY configuration set) that
# covers every set: the contributor's set is the one to pause.
ANY_CONFIGURATION_SET: Final = "*"

# --- alarm names ------------------------------------------------------------------------------
# <prefix>-account-<metric>-<tier> and <prefix>-set-<configuration set>-<metric>-<tier>
ALARM_NAME_ACCOUNT: Final = "{prefix}-account-{metric}-{tier}"
ALARM_NAME_SET: Final = "{prefix}-set-{configuration_set}-{metric}-{tier}"
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

# --- Lambda environment -----------------------------------------------------------------------
ENV_GUARD_NAME_PREFIX: Final = "GUARD_NAME_PREFIX"
ENV_PAUSE_TOPIC_ARN: Final = "PAUSE_TOPIC_ARN"
ENV_REPORT_TOPIC_ARN: Final = "REPORT_TOPIC_ARN"
ENV_DRY_RUN: Final = "DRY_RUN"
ENV_LOG_LEVEL: Final = "LOG_LEVEL"
# Optional, not (yet) in docs/design.md: comma-separated configuration sets that are never paused,
# even through a wildcard ("*") Metrics Insights alarm.
ENV_PROTECTED_CONFIGURATION_SETS: Final = "PROTECTED_CONFIGURATION_SETS"

# --- handler ----------------------------------------------------------------------------------
HANDLER: Final = "ses_guard_lambda.handler.lambda_handler"
RUNTIME: Final = "python3.12"
# SNS messages and asynchronous Lambda payloads are limited to 256 KiB.
MAX_MESSAGE_BYTES: Final = 256 * 1024
