"""``ses-guard drill``: exercise the whole pause path without a real breach.

The drill reads the guard's deployed function (its environment names the guard and its topics),
picks the guard's critical alarm for the target, builds the SNS notification CloudWatch would send
for it, marks it as a drill and invokes the function with it (RequestResponse). The function does
everything it does for a real alarm (DescribeAlarms, tags, SES's datapoints, reports) except the
SES write: a drill never pauses. Unless the target really is in breach, the function refuses and
publishes a "pause refused" notice to the notification topic; the drill prints the function's
verdict and the notice's message id, so the operator can check that subscribers received it.

Needs ``lambda:GetFunctionConfiguration``, ``lambda:InvokeFunction`` and ``cloudwatch:DescribeAlarms``.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from ses_guard_cli.exit_codes import EXIT_AWS_ERROR, EXIT_DRILL_FAILED, EXIT_OK
from ses_guard_policy import contract


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "drill",
        help="send the pause function a synthetic alarm it must refuse (never pauses)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("--region", required=True, help="the guard's AWS Region")
    guard = parser.add_mutually_exclusive_group(required=True)
    guard.add_argument("--name-prefix", help="the guard's name prefix (the function is <prefix>-pause)")
    guard.add_argument("--function-name", help="the pause function's name or ARN")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--account", action="store_true", help="drill the account alarm (the default)")
    target.add_argument(
        "--configuration-set", metavar="NAME", help="drill this set (its own alarm, else the fleet alarm)"
    )
    parser.add_argument(
        "--metric",
        choices=list(contract.METRIC_SHORT_NAMES.values()),
        default="bounce",
        help="whose critical alarm to drill: bounce (default) or complaint rate",
    )
    parser.add_argument("--json", action="store_true", help="print the function's summary as JSON")


def run(
    args: argparse.Namespace, *, out: TextIO, err: TextIO, service_factory: Callable[[str, str | None], Any]
) -> int:
    functions = service_factory("lambda", args.region)
    cloudwatch = service_factory("cloudwatch", args.region)
    name = args.function_name or f"{args.name_prefix}-pause"
    function = functions.get_function_configuration(FunctionName=name)
    env = (function.get("Environment") or {}).get("Variables") or {}
    prefix, pause_topic = env.get(contract.ENV_GUARD_NAME_PREFIX), env.get(contract.ENV_PAUSE_TOPIC_ARN)
    if not prefix or not pause_topic:
        print(
            f"error: {name} is not a ses-reputation-guard pause function (no {contract.ENV_PAUSE_TOPIC_ARN})", file=err
        )
        return EXIT_AWS_ERROR
    alarm = _pick_alarm(cloudwatch, prefix, args.configuration_set, args.metric)
    if alarm is None:
        what = f"set {args.configuration_set}" if args.configuration_set else "the account"
        print(f"error: guard {prefix} has no critical {args.metric} alarm for {what} in {args.region}", file=err)
        return EXIT_AWS_ERROR
    event = drill_event(alarm, pause_topic, args.configuration_set)
    out.write(
        f"Drill of guard {prefix} in {args.region}: a synthetic ALARM notification for {alarm['AlarmName']} "
        f"(its state now: {alarm.get('StateValue')}) goes to {function['FunctionName']}.\n"
    )
    response = functions.invoke(
        FunctionName=function["FunctionArn"], InvocationType="RequestResponse", Payload=json.dumps(event).encode()
    )
    body = response["Payload"].read().decode("utf-8", "replace")
    if response.get("FunctionError"):
        print(f"drill failed: the function raised an error: {body[:2000]}", file=err)
        return EXIT_DRILL_FAILED
    summary = json.loads(body)
    if args.json:
        out.write(json.dumps(summary, indent=2) + "\n")
    return _verdict(summary, out, err)


def _pick_alarm(cloudwatch: Any, prefix: str, configuration_set: str | None, metric: str) -> Mapping[str, Any] | None:
    """The guard's critical alarm for the target: the account's, or the set's own, else the fleet's."""
    if configuration_set is None:
        names = [contract.ALARM_NAME_ACCOUNT.format(prefix=prefix, metric=metric, tier=contract.TIER_CRITICAL)]
    else:
        names = [
            contract.ALARM_NAME_SET.format(
                prefix=prefix, configuration_set=configuration_set, metric=metric, tier=contract.TIER_CRITICAL
            ),
            contract.ALARM_NAME_FLEET.format(prefix=prefix, metric=metric, tier=contract.TIER_CRITICAL),
        ]
    found = cloudwatch.describe_alarms(AlarmNames=names, AlarmTypes=["MetricAlarm"]).get("MetricAlarms", [])
    by_name = {alarm["AlarmName"]: alarm for alarm in found}
    return next((by_name[n] for n in names if n in by_name), None)


def drill_event(alarm: Mapping[str, Any], pause_topic: str, configuration_set: str | None) -> dict[str, Any]:
    """The SNS event CloudWatch would deliver for ``alarm``, marked as a drill."""
    since = alarm.get("StateTransitionedTimestamp") or alarm.get("StateUpdatedTimestamp") or datetime.now(UTC)
    message: dict[str, Any] = {
        "AlarmName": alarm["AlarmName"],
        "AlarmDescription": "ses-guard drill",
        "AWSAccountId": alarm["AlarmArn"].split(":")[4],
        "NewStateValue": "ALARM",
        "NewStateReason": "ses-guard drill: a synthetic notification; the guard must refuse it unless SES's own "
        "datapoints show a breach (and even then a drill never pauses).",
        "StateChangeTime": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
        "Region": alarm["AlarmArn"].split(":")[3],
        "AlarmArn": alarm["AlarmArn"],
        "OldStateValue": alarm.get("StateValue"),
        "Trigger": _trigger(alarm),
    }
    if alarm.get("Metrics") and configuration_set is not None:  # the fleet alarm: one contributor
        # The keys CloudWatch puts at the top level of a contributor's notification (contract.py).
        message[contract.SNS_CONTRIBUTOR_ID] = uuid.uuid4().hex[:16]
        message[contract.SNS_CONTRIBUTOR_ATTRIBUTES] = {contract.DIMENSION_CONFIGURATION_SET: configuration_set}
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": f"{pause_topic}:ses-guard-drill",
        "Sns": {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": pause_topic,
            "Subject": f'ALARM: "{alarm["AlarmName"]}" (ses-guard drill)'[:100],
            "Message": json.dumps(message),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "MessageAttributes": {contract.DRILL_ATTRIBUTE: {"Type": "String", "Value": "true"}},
        },
    }
    return {"Records": [record]}


def _trigger(alarm: Mapping[str, Any]) -> dict[str, Any]:
    trigger: dict[str, Any] = {
        key: alarm.get(key)
        for key in ("Period", "EvaluationPeriods", "DatapointsToAlarm", "ComparisonOperator", "Threshold")
        if alarm.get(key) is not None
    }
    if alarm.get("MetricName"):
        trigger.update(
            MetricName=alarm["MetricName"],
            Namespace=alarm.get("Namespace"),
            Statistic=str(alarm.get("Statistic", "")).upper(),
            Dimensions=[{"name": d["Name"], "value": d["Value"]} for d in alarm.get("Dimensions", [])],
        )
    else:
        trigger["Metrics"] = [
            {k: q[k] for k in ("Id", "Expression", "Period", "ReturnData") if k in q} for q in alarm.get("Metrics", [])
        ]
    return trigger


def _verdict(summary: Mapping[str, Any], out: TextIO, err: TextIO) -> int:
    refused = summary.get("refused") or []
    if refused and refused[0].get("notice"):
        out.write(
            f"The function REFUSED to pause {refused[0].get('target') or 'anything'}: {refused[0].get('reason')}\n"
            f'A "pause refused" notice went to the notification topic (message id {refused[0]["notice"]}): check '
            f'that your subscribers received it (subject "SES DRILL pause REFUSED ...").\nNothing was paused.\n'
        )
        return EXIT_OK
    would = [e for e in summary.get("paused") or [] if e.get("outcome") == "would_pause"]
    if would:
        out.write(
            f"SES's own datapoints confirm a breach: the function WOULD PAUSE {would[0].get('target')} for a real "
            f"alarm and reported that (drill: nothing was paused). Look at the target now.\n"
        )
        return EXIT_OK
    already = summary.get("already_paused") or []
    if already:
        out.write(
            f"{already[0].get('target')} is already paused and SES's own datapoints confirm the breach; the "
            f"function reported it again (drill: nothing was changed).\n"
        )
        return EXIT_OK
    print(f"drill failed: the function neither refused nor confirmed the alarm: {json.dumps(summary)}", file=err)
    return EXIT_DRILL_FAILED
