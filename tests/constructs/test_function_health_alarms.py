"""FunctionHealthAlarms: people hear when the guard itself fails."""

from __future__ import annotations

from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.function_health_alarms import FunctionHealthAlarms, FunctionHealthAlarmsProps
from tests.constructs.support import CONTEXT, NOTIFICATION_TOPIC_ARN, PREFIX, TAGS, resources, synthesized


def health_alarms(stack) -> dict:
    FunctionHealthAlarms(
        stack,
        "health",
        CONTEXT,
        FunctionHealthAlarmsProps(
            function_name="fn", dead_letter_queue_name="dlq", notification_topic_arn=NOTIFICATION_TOPIC_ARN
        ),
    )
    return resources(synthesized(stack), "aws_cloudwatch_metric_alarm")


def test_a_function_error_alarms_people(stack):
    errors = health_alarms(stack)["guard_function_errors_alarm"]
    assert errors["alarm_name"] == f"{PREFIX}-function-errors"
    assert (errors["namespace"], errors["metric_name"], errors["statistic"]) == ("AWS/Lambda", "Errors", "Sum")
    assert errors["dimensions"] == {"FunctionName": "fn"}


def test_a_message_in_the_dead_letter_queue_alarms_people(stack):
    dead = health_alarms(stack)["guard_dead_letters_alarm"]
    assert dead["alarm_name"] == f"{PREFIX}-dead-letters"
    assert (dead["namespace"], dead["metric_name"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dead["dimensions"] == {"QueueName": "dlq"}


def test_each_is_tagged_with_what_it_watches_so_its_tags_are_never_empty(stack):
    # Empty tags are null in the state after create and {} after the refresh: "changed outside of
    # Terraform" on the first plan after the apply (tests/module/test_module_no_drift.py).
    alarms = health_alarms(stack)
    assert alarms["guard_function_errors_alarm"]["tags"] == {**TAGS, COMPONENT_TAG: "function-errors"}
    assert alarms["guard_dead_letters_alarm"]["tags"] == {**TAGS, COMPONENT_TAG: "dead-letters"}


def test_both_alarm_at_the_first_occurrence_and_treat_silence_as_healthy(stack):
    for alarm in health_alarms(stack).values():
        assert (alarm["comparison_operator"], alarm["threshold"]) == ("GreaterThanOrEqualToThreshold", 1)
        assert (alarm["evaluation_periods"], alarm["period"]) == (1, 300)
        assert alarm["treat_missing_data"] == "notBreaching"
        assert alarm["alarm_actions"] == alarm["ok_actions"] == [NOTIFICATION_TOPIC_ARN]
