"""outputs: each output an address of the rendered guard, with a description and a stated type."""

from __future__ import annotations

from ses_guard_modulegen.outputs import ModuleOutput, _attributes_to_arns, outputs


def test_an_output_renders_its_type_as_a_comment_above_the_block():
    output = ModuleOutput("topic_arn", 'ARN of the "main" topic.', "string", "aws_sns_topic.t.arn")
    assert output.render() == (
        "# string\n"
        'output "topic_arn" {\n'
        '  description = "ARN of the \\"main\\" topic."\n'
        "  value       = aws_sns_topic.t.arn\n"
        "}\n"
    )


def test_single_alarms_map_their_names_to_arns_reading_attributes_not_whole_objects():
    """A whole object in an output makes every plan with a change print its refresh-only drift."""
    assert _attributes_to_arns(["aws_x.a", "aws_x.b"]) == (
        "zipmap([aws_x.a.alarm_name, aws_x.b.alarm_name], [aws_x.a.arn, aws_x.b.arn])"
    )


def test_the_outputs_are_listed_in_order(module_guard):
    assert [o.name for o in outputs(module_guard)] == [
        "notification_topic_arn",
        "pause_topic_arn",
        "kms_key_arn",
        "function_arn",
        "function_name",
        "function_role_arn",
        "dead_letter_queue_url",
        "account_alarm_arns",
        "configuration_set_alarm_arns",
        "configuration_set_names",
        "managed_configuration_set_arns",
        "dashboard_name",
        "chat_role_arn",
        "chat_configuration_arns",
        "fleet_alarm_arns",
        "sweep_schedule_rule_arn",
        "sweep_state_table_name",
        "hub_members_path",
        "hub_member_role_arns",
        "health_alarm_arns",
    ]


def test_single_resources_are_output_by_address_and_attribute(module_guard):
    by_name = {o.name: o for o in outputs(module_guard)}
    assert by_name["notification_topic_arn"] == ModuleOutput(
        "notification_topic_arn",
        "ARN of the SNS topic people subscribe to (alarms and reports).",
        "string",
        "aws_sns_topic.guard_notifications_topic.arn",
    )
    assert by_name["function_name"].value == "aws_lambda_function.guard_function.function_name"
    assert by_name["dead_letter_queue_url"].value == "aws_sqs_queue.guard_dead_letter_queue.url"


def test_counted_alarms_are_concatenated_and_per_set_alarms_merged(module_guard):
    by_name = {o.name: o for o in outputs(module_guard)}
    names = ("bounce_warning", "bounce_critical", "complaint_warning", "complaint_critical")
    account = ", ".join(f"aws_cloudwatch_metric_alarm.guard_account_{name}" for name in names)
    assert by_name["account_alarm_arns"].value == (
        f"{{ for alarm in concat({account}) : alarm.alarm_name => alarm.arn }}"
    )
    assert by_name["configuration_set_alarm_arns"].value.startswith(
        "merge({ for alarm in values(aws_cloudwatch_metric_alarm.guard_set_bounce_warning) : "
        "alarm.alarm_name => alarm.arn }, "
    )
    assert by_name["configuration_set_alarm_arns"].type == "map(string)"


def test_outputs_of_optional_parts_are_null_or_empty_when_off(module_guard):
    by_name = {o.name: o for o in outputs(module_guard)}
    assert by_name["dashboard_name"].value == "one(aws_cloudwatch_dashboard.guard_dashboard[*].dashboard_name)"
    assert by_name["chat_role_arn"].value == "one(aws_iam_role.guard_chat_role[*].arn)"
    assert by_name["configuration_set_names"].value == "keys(local.configuration_sets)"


def test_the_sweep_outputs_are_null_when_sweep_mode_is_off(module_guard):
    by_name = {o.name: o for o in outputs(module_guard)}
    assert by_name["sweep_schedule_rule_arn"].value == "one(aws_cloudwatch_event_rule.guard_sweep_schedule[*].arn)"
    assert by_name["sweep_state_table_name"].value == "one(aws_dynamodb_table.guard_sweep_state[*].name)"
    for name in ("sweep_schedule_rule_arn", "sweep_state_table_name"):
        assert by_name[name].type == "string" and "(null when sweep_policy = null)" in by_name[name].description


def test_the_hub_outputs_are_null_or_empty_when_hub_mode_is_off(module_guard):
    by_name = {o.name: o for o in outputs(module_guard)}
    path = by_name["hub_members_path"]
    assert path.value == 'local.hub_policy.enabled ? "/${var.name_prefix}/policy/members/" : null'
    assert path.type == "string" and "(null when hub_policy = null)" in path.description
    arns = by_name["hub_member_role_arns"]
    assert (arns.value, arns.type) == ("local.guard_hub_member_role_arns", "list(string)")
    assert "(empty when hub_policy = null)" in arns.description


def test_every_output_ends_its_description_with_a_period_and_states_a_type(module_guard):
    for output in outputs(module_guard):
        assert output.description.endswith("."), output.name
        assert output.type in ("string", "list(string)", "map(string)"), output.name
