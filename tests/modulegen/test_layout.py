"""layout: which file and section of the module each rendered block goes to."""

from __future__ import annotations

import pytest

from ses_guard_modulegen.layout import MODULE_TF_FILES, ModuleBlock, arrange, banner, section_of
from tests.modulegen.support import SECTION_FILES

RULE = "# " + "-" * 98


def block(kind: str, type_: str = "", name: str = "", body: str = "") -> ModuleBlock:
    header = f'{kind} "{type_}" "{name}"' if type_ else kind
    return ModuleBlock.parse(f"{header} {{\n{body}}}")


def test_a_block_header_is_parsed_into_kind_type_and_name():
    text = 'resource "aws_sns_topic" "guard_pause_topic" {\nname = "p"\n}'
    assert ModuleBlock.parse(f"  {text}\n") == ModuleBlock("resource", "aws_sns_topic", "guard_pause_topic", text)
    assert ModuleBlock.parse("locals {\n}") == ModuleBlock("locals", "", "", "locals {\n}")


def test_a_block_that_is_not_a_resource_data_or_locals_is_refused():
    with pytest.raises(ValueError, match="not a resource, data or locals block"):
        ModuleBlock.parse('variable "x" {}')


@pytest.mark.parametrize(
    ("kind", "type_", "name", "file", "title_start"),
    [
        ("data", "aws_region", "guard_region", "main.tf", "Where the guard runs"),
        ("resource", "aws_kms_key", "guard_key", "main.tf", "Customer managed key"),
        ("resource", "aws_sns_topic", "guard_notifications_topic", "notifications.tf", "Notification topic"),
        ("data", "aws_iam_policy_document", "guard_pause_topic_policy_document", "notifications.tf", "Pause topic"),
        ("resource", "aws_chatbot_slack_channel_configuration", "guard_slack", "notifications.tf", "Chat channels"),
        ("resource", "aws_sesv2_configuration_set", "guard_configuration_sets", "configuration_sets.tf", "Config"),
        ("resource", "aws_cloudwatch_metric_alarm", "guard_account_bounce_warning", "alarms.tf", "Account-wide"),
        ("resource", "aws_cloudwatch_metric_alarm", "guard_set_bounce_critical", "alarms.tf", "Per-configuration"),
        ("resource", "aws_cloudwatch_metric_alarm", "guard_function_errors_alarm", "alarms.tf", "Alarms on the guard"),
        ("resource", "aws_cloudwatch_metric_alarm", "guard_fleet_bounce_warning", "alarms.tf", "Fleet alarms"),
        ("resource", "aws_cloudwatch_metric_alarm", "guard_something_new", "alarms.tf", "Other alarms"),
        ("resource", "aws_cloudwatch_event_rule", "guard_fleet_contributors", "alarms.tf", "Fleet delivery"),
        ("resource", "aws_lambda_permission", "guard_fleet_invoke_permission", "alarms.tf", "Fleet delivery"),
        ("resource", "aws_cloudwatch_event_rule", "guard_sweep_schedule", "sweep.tf", "Sweep mode"),
        ("resource", "aws_cloudwatch_event_target", "guard_sweep_target", "sweep.tf", "Sweep mode"),
        ("resource", "aws_lambda_permission", "guard_sweep_invoke_permission", "sweep.tf", "Sweep mode"),
        ("resource", "aws_dynamodb_table", "guard_sweep_state", "sweep.tf", "Sweep mode"),
        ("resource", "aws_lambda_permission", "guard_function_alarm_permission", "function.tf", "Pause function"),
        ("resource", "aws_cloudwatch_dashboard", "guard_dashboard", "dashboard.tf", "Dashboard"),
        ("resource", "aws_sns_topic_subscription", "guard_function_subscription", "function.tf", "Pause function"),
        ("resource", "aws_sns_topic_subscription", "guard_notifications_email", "notifications.tf", "Notification"),
        ("resource", "aws_ssm_parameter", "guard_set_policies", "policy.tf", "The deployed policy"),
        ("resource", "aws_ssm_parameter", "guard_hub_members", "hub.tf", "Hub mode"),
        ("data", "aws_iam_policy_document", "guard_function_hub_policy", "hub.tf", "Hub mode"),
        ("data", "aws_iam_policy_document", "guard_function_hub_assume_policy", "hub.tf", "Hub mode"),
        ("resource", "aws_iam_role_policy", "guard_function_hub", "hub.tf", "Hub mode"),
        ("resource", "aws_iam_role_policy", "guard_function_sweep", "iam.tf", "The function's role"),
        ("data", "aws_iam_policy_document", "guard_function_base_policy", "iam.tf", "The function's role"),
        ("resource", "aws_iam_role_policy_attachment", "guard_function_tracing", "iam.tf", "The function's role"),
    ],
)
def test_each_block_goes_to_the_section_of_its_concern(kind, type_, name, file, title_start):
    section = section_of(ModuleBlock(kind, type_, name, ""))
    assert (section.file, section.title[: len(title_start)]) == (file, title_start)


def test_a_resource_type_no_section_knows_stops_the_generator_naming_the_fix():
    with pytest.raises(ValueError) as refused:
        section_of(ModuleBlock("resource", "aws_s3_bucket", "guard_bucket", ""))
    assert str(refused.value) == (
        "no file of the module takes resource aws_s3_bucket guard_bucket: add a Section to "
        "ses_guard_modulegen.layout.SECTIONS"
    )


def test_the_module_files_are_listed_once_in_section_order():
    assert MODULE_TF_FILES == SECTION_FILES


def test_a_banner_frames_each_line_of_its_title():
    assert banner("first\nsecond") == f"{RULE}\n# first\n# second\n{RULE}"


def test_arrange_puts_blocks_under_their_section_banners_after_the_leading_text():
    files = arrange(
        [
            block("resource", "aws_sns_topic", "guard_pause_topic", 'name = "p"\n'),
            block("data", "aws_region", "guard_region"),
        ],
        leading={"main.tf": ["# first"]},
    )
    assert files == {
        "main.tf": "# first\n\n"
        + banner("Where the guard runs, and the names and lists derived from its inputs")
        + '\n\ndata "aws_region" "guard_region" {}\n',
        "notifications.tf": banner(
            "Pause topic: critical alarms whose action is pause; its only subscriber is the function"
        )
        + '\n\nresource "aws_sns_topic" "guard_pause_topic" {\nname = "p"\n}\n',
    }


def test_a_locals_block_is_split_by_the_section_of_each_value():
    files = arrange([block("locals", body='dashboard_widgets = []\nresource_prefix = "x"\n')])
    assert sorted(files) == ["dashboard.tf", "main.tf"]
    assert files["main.tf"].endswith('\n\nlocals {\nresource_prefix = "x"\n}\n')
    assert files["dashboard.tf"].endswith("\n\nlocals {\ndashboard_widgets = []\n}\n")


def test_blocks_of_one_section_keep_their_order_and_sections_follow_the_table():
    files = arrange(
        [
            block("resource", "aws_cloudwatch_metric_alarm", "guard_set_b"),
            block("resource", "aws_cloudwatch_metric_alarm", "guard_account_z"),
            block("resource", "aws_cloudwatch_metric_alarm", "guard_set_a"),
        ]
    )
    alarms = files["alarms.tf"]
    positions = [alarms.index(f'"{name}"') for name in ("guard_account_z", "guard_set_b", "guard_set_a")]
    assert positions == sorted(positions)
    assert alarms.count(RULE) == 4  # two banners
