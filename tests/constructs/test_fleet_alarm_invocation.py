"""FleetAlarmInvocation (delivery ``alarm-action``): each critical fleet alarm alone may invoke the guard's
function, as CloudWatch's alarm principal pinned to the alarm's account and ARN; props are refused up front,
naming the bad value."""

from __future__ import annotations

import pytest

from ses_guard_policy import contract
from ses_reputation_guard import GuardValidationError
from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.fleet_alarm_invocation import FleetAlarmInvocation, FleetAlarmInvocationProps
from ses_reputation_guard.validation import Problems
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, resources, synthesized

FUNCTION_NAME = f"{PREFIX}-pause"
CRITICAL = {metric: f"{PREFIX}-fleet-{metric}-critical" for metric in ("bounce", "complaint")}


def invocation(stack, **props) -> FleetAlarmInvocation:
    return FleetAlarmInvocation(
        stack,
        "fleet_invocation",
        CONTEXT,
        FleetAlarmInvocationProps(**{"alarm_names": CRITICAL, "function_name": FUNCTION_NAME, **props}),
    )


def alarm_arn(name: str) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"


def test_each_critical_fleet_alarm_alone_may_invoke_the_function_as_cloudwatchs_alarm_principal(stack):
    """CloudWatch User Guide, "Invoke a Lambda function from an alarm": principal
    lambda.alarms.cloudwatch.amazonaws.com, pinned to the alarm's account and ARN."""
    invocation(stack)
    permissions = resources(synthesized(stack), "aws_lambda_permission")
    assert sorted(permissions) == [
        "guard_fleet_bounce_alarm_invoke_permission",
        "guard_fleet_complaint_alarm_invoke_permission",
    ]
    for metric, name in CRITICAL.items():
        permission = permissions[f"guard_fleet_{metric}_alarm_invoke_permission"]
        assert permission["principal"] == "lambda.alarms.cloudwatch.amazonaws.com" == contract.PRINCIPAL_ALARM_ACTION
        assert permission["action"] == "lambda:InvokeFunction"
        assert permission["function_name"] == FUNCTION_NAME
        assert permission["source_arn"] == alarm_arn(name)
        assert permission["source_account"] == ACCOUNT
        assert permission["statement_id"] == f"AllowGuardFleet{metric.capitalize()}CriticalAlarm"


PERMISSION_FIELDS = {"action", "function_name", "principal", "source_account", "source_arn", "statement_id"}


def test_a_permission_names_nothing_but_its_alarm_its_account_and_the_function(stack):
    invocation(stack)
    for permission in resources(synthesized(stack), "aws_lambda_permission").values():
        assert set(permission) == PERMISSION_FIELDS


def test_one_permission_per_critical_alarm_and_no_more(stack):
    built = invocation(stack, alarm_names={"bounce": CRITICAL["bounce"]})
    permissions = resources(synthesized(stack), "aws_lambda_permission")
    assert list(permissions) == ["guard_fleet_bounce_alarm_invoke_permission"]
    assert list(built.permissions) == ["bounce"]
    assert permissions["guard_fleet_bounce_alarm_invoke_permission"]["source_arn"] == alarm_arn(CRITICAL["bounce"])


def test_the_permissions_are_exposed_by_metric(stack):
    built = invocation(stack)
    assert sorted(built.permissions) == ["bounce", "complaint"]
    assert built.count is None
    assert built.permissions["bounce"].friendly_unique_id == "guard_fleet_bounce_alarm_invoke_permission"


def test_the_statement_ids_differ_so_both_permissions_fit_one_function_policy(stack):
    invocation(stack)
    ids = [p["statement_id"] for p in resources(synthesized(stack), "aws_lambda_permission").values()]
    assert sorted(ids) == ["AllowGuardFleetBounceCriticalAlarm", "AllowGuardFleetComplaintCriticalAlarm"]


def test_an_invocation_known_only_at_plan_time_is_counted(stack):
    enabled = Token.as_any(TerraformVariable(stack, "by_action", type="bool").value)
    built = invocation(stack, enabled=enabled)
    permissions = resources(synthesized(stack), "aws_lambda_permission")
    assert len(permissions) == 2
    assert {p["count"] for p in permissions.values()} == {"${var.by_action ? 1 : 0}"}
    assert built.count is not None


def test_a_disabled_invocation_creates_nothing(stack):
    assert invocation(stack, enabled=False).permissions == {}
    assert "resource" not in synthesized(stack)


def test_an_invocation_without_alarms_is_refused(stack):
    with pytest.raises(GuardValidationError, match="no critical fleet alarm to invoke") as refused:
        invocation(stack, alarm_names={})
    assert str(refused.value).startswith("FleetAlarmInvocationProps: 1 invalid value(s)")
    assert "resource" not in synthesized(stack)  # refused before creating anything


def test_an_enabled_that_is_not_a_boolean_is_refused_naming_the_value(stack):
    with pytest.raises(GuardValidationError) as refused:
        invocation(stack, enabled="yes")
    assert refused.value.problems == ["fleet_policy.enabled='yes': must be True or False"]


def test_every_problem_is_reported_at_once(stack):
    with pytest.raises(GuardValidationError) as refused:
        invocation(stack, alarm_names={}, enabled=1)
    assert refused.value.problems == [
        "fleet_policy: no critical fleet alarm to invoke the function from",
        "fleet_policy.enabled=1: must be True or False",
    ]


def test_problems_name_the_subject_they_are_collected_under():
    problems = Problems()
    FleetAlarmInvocationProps(alarm_names={}, function_name=FUNCTION_NAME, enabled="no").collect_problems(
        problems, "hub.fleet_policy"
    )
    assert problems.items == [
        "hub.fleet_policy: no critical fleet alarm to invoke the function from",
        "hub.fleet_policy.enabled='no': must be True or False",
    ]
