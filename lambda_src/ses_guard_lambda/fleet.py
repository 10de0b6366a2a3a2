"""Which sets a fleet (Metrics Insights) alarm may pause: explicit per-set policies win.

A contributor for set X is left alone when X has its own policy or asks not to be paused:
1. the policy table shipped in the function package (``contract.POLICY_TABLE_FILE``) lists X; when
   a table is shipped it is authoritative (it is written from the same configuration as the per-set
   alarms, so it changes with them);
2. without a table (e.g. the Terraform module, whose package is prebuilt): one of this guard's
   per-set alarms exists for X (DescribeAlarms with ``AlarmNamePrefix=<prefix>-set-X-``, names parsed
   exactly, so set ``a`` does not match the alarms of set ``a-b``);
3. X carries the tag ``ses-reputation-guard:action = notify`` in SES (read before pausing, so it
   protects sets created after the deploy too).
All three scale to 10,000 sets and to sets unknown at deploy time: nothing is kept per set in the
function's environment (whose 4 KB limit would break).
"""

from __future__ import annotations

from typing import Any

from ses_guard_policy import alarm_names, contract

from . import ses_actions
from .budget import Budget
from .config import GuardConfig
from .decision import Context


def exclusion(config: GuardConfig, ctx: Context, clients: Any, budget: Budget, configuration_set: str) -> str | None:
    """Why the fleet must leave ``configuration_set`` alone, or None when it may pause it."""
    table = config.set_policies
    if table is not None:
        if configuration_set in table:
            policy = table[configuration_set]
            return f"set {configuration_set!r} has its own policy ({policy}) in {contract.POLICY_TABLE_FILE}"
    else:
        own = own_alarm(clients.cloudwatch, budget, config.name_prefix, configuration_set)
        if own is not None:
            return f"set {configuration_set!r} has its own alarm {own}: its own alarms judge it"
    arn = ses_actions.set_arn(ctx.partition, ctx.region, ctx.account_id, configuration_set)
    tags = ses_actions.set_tags(clients.sesv2, arn, budget.call)
    if tags is None:
        return f"configuration set {configuration_set!r} does not exist"
    if tags.get(contract.TAG_ACTION) == contract.ACTION_NOTIFY:
        return f"set {configuration_set!r} is tagged {contract.TAG_ACTION}={contract.ACTION_NOTIFY} in SES"
    return None


def own_alarm(cloudwatch: Any, budget: Budget, prefix: str, configuration_set: str) -> str | None:
    """The name of one of this guard's per-set alarms for ``configuration_set``, if any exists."""
    params: dict[str, Any] = {
        "AlarmNamePrefix": alarm_names.set_alarm_prefix(prefix, configuration_set),
        "AlarmTypes": ["MetricAlarm"],
        "MaxRecords": 100,
    }
    while True:
        response = budget.call(cloudwatch.describe_alarms, **params)
        for alarm in response.get("MetricAlarms", []):
            name = str(alarm.get("AlarmName", ""))
            parsed = alarm_names.parse(name, prefix)
            if (
                parsed
                and parsed.scope == contract.SCOPE_CONFIGURATION_SET
                and parsed.configuration_set == configuration_set
            ):
                return name
        if not response.get("NextToken"):
            return None
        params["NextToken"] = response["NextToken"]
