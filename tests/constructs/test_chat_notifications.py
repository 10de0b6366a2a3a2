"""ChatNotifications: Slack and Teams channels on the notification topic, behind a read-only role."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ses_guard_modulegen.hcl import render_stack_hcl
from ses_guard_policy import chat_rules
from ses_reputation_guard._cdktf import App, AwsProvider, TerraformStack, TerraformVariable
from ses_reputation_guard._cdktf import Testing as CdktfTesting
from ses_reputation_guard.chat_notifications import (
    ChatNotifications,
    ChatNotificationsProps,
    SlackChannel,
    TeamsChannel,
)
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.guard_stack import AWS_PROVIDER_VERSION_RANGE, TERRAFORM_VERSION_RANGE
from ses_reputation_guard.validation import GuardValidationError
from tests.conftest import run_terraform
from tests.constructs.support import (
    ACCOUNT,
    CONTEXT,
    NOTIFICATION_TOPIC_ARN,
    PREFIX,
    REGION,
    TAGS,
    resources,
    statement,
    synthesized,
)
from tools.scan import run_checkov


def stack_hcl(stack: TerraformStack) -> str:
    """The stack as HCL, rendered as `make synth` writes it (hcl/main.tf)."""
    return render_stack_hcl(stack, TERRAFORM_VERSION_RANGE, AWS_PROVIDER_VERSION_RANGE)


SLACK = SlackChannel(label="deliverability", team_id="T01ABCDEF", channel_id="C01ABCDEF")
PRIVATE_SLACK = SlackChannel(label="oncall", team_id="T01ABCDEF", channel_id="G01ABCDEF")
GUID = "01234567-89ab-cdef-0123-456789abcdef"
TEAMS = TeamsChannel(
    label="ops", tenant_id=GUID, team_id=GUID, channel_id="19%3ab6ef35dc342d4ed78f12aed7be84efb6%40thread.tacv2"
)
SLACK_TYPE = "list(object({label = string, team_id = string, channel_id = string}))"
TEAMS_TYPE = "list(object({label = string, tenant_id = string, team_id = string, channel_id = string}))"


def chat(stack: TerraformStack, **props: object) -> ChatNotifications:
    AwsProvider(stack, "aws", region=REGION)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION_RANGE)
    return ChatNotifications(
        stack,
        "chat",
        CONTEXT,
        ChatNotificationsProps(topic_arns=[NOTIFICATION_TOPIC_ARN], **props),  # type: ignore[arg-type]
    )


def module_style(stack: TerraformStack) -> ChatNotifications:
    """As the generated module passes them: the channel lists are variables."""
    TerraformVariable(stack, "slack_channels", type=SLACK_TYPE, default=[])
    TerraformVariable(stack, "teams_channels", type=TEAMS_TYPE, default=[])
    return chat(
        stack,
        slack_channels=TerraformExpression("var.slack_channels"),
        teams_channels=TerraformExpression("var.teams_channels"),
    )


def test_each_slack_channel_gets_a_configuration_subscribed_to_the_notification_topic(stack):
    chat(stack, slack_channels=[SLACK, PRIVATE_SLACK])
    [slack] = resources(synthesized(stack), "aws_chatbot_slack_channel_configuration").values()
    assert slack["for_each"] == {
        "deliverability": {"team_id": "T01ABCDEF", "channel_id": "C01ABCDEF"},
        "oncall": {"team_id": "T01ABCDEF", "channel_id": "G01ABCDEF"},
    }
    assert slack["configuration_name"] == f"{PREFIX}-{REGION}-slack-${{each.key}}"
    assert (slack["slack_team_id"], slack["slack_channel_id"]) == ("${each.value.team_id}", "${each.value.channel_id}")
    assert slack["sns_topic_arns"] == [NOTIFICATION_TOPIC_ARN]
    assert slack["iam_role_arn"] == "${aws_iam_role.guard_chat_role.arn}"
    assert slack["tags"] == {**TAGS, COMPONENT_TAG: "chat-channel"}


def test_teams_channels_get_their_own_configurations(stack):
    chat(stack, teams_channels=[TEAMS])
    config = synthesized(stack)
    [teams] = resources(config, "aws_chatbot_teams_channel_configuration").values()
    assert teams["for_each"] == {"ops": {"tenant_id": GUID, "team_id": GUID, "channel_id": TEAMS.channel_id}}
    assert teams["configuration_name"] == f"{PREFIX}-{REGION}-teams-${{each.key}}"
    assert (teams["tenant_id"], teams["team_id"]) == ("${each.value.tenant_id}", "${each.value.team_id}")
    assert teams["sns_topic_arns"] == [NOTIFICATION_TOPIC_ARN]
    assert "aws_chatbot_slack_channel_configuration" not in config["resource"]


def test_every_configuration_caps_the_channel_at_read_only_cloudwatch(stack):
    chat(stack, slack_channels=[SLACK], teams_channels=[TEAMS])
    config = synthesized(stack)
    for resource_type in ("aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration"):
        [configuration] = resources(config, resource_type).values()
        # without a guardrail the chat service applies AdministratorAccess (CreateSlackChannelConfiguration)
        assert configuration["guardrail_policy_arns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]
        assert configuration["user_authorization_required"] is True
        assert configuration["logging_level"] == "ERROR"


def test_channel_role_reads_only_the_guards_alarms_and_metric_graphs(stack):
    chat(stack, slack_channels=[SLACK])
    config = synthesized(stack)
    [role] = resources(config, "aws_iam_role").values()
    assert role["name"] == f"{PREFIX}-{REGION}-chat"  # IAM names are global
    assert role["tags"] == {**TAGS, COMPONENT_TAG: "chat-role"}
    [assume] = config["data"]["aws_iam_policy_document"]["guard_chat_assume_role"]["statement"]
    assert assume["principals"] == [{"type": "Service", "identifiers": ["chatbot.amazonaws.com"]}]
    assert assume["actions"] == ["sts:AssumeRole"]
    alarms = statement(config, "guard_chat_permissions", "ReadTheGuardsAlarms")
    assert alarms["actions"] == ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
    assert alarms["resources"] == [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{PREFIX}-*"]
    graphs = statement(config, "guard_chat_permissions", "DrawAlarmGraphs")
    assert all(action.startswith(("cloudwatch:Get", "cloudwatch:List")) for action in graphs["actions"])
    [policy] = resources(config, "aws_iam_role_policy").values()
    assert policy["role"] == "${aws_iam_role.guard_chat_role.name}"


def test_without_channels_nothing_is_created(stack):
    chat(stack)
    assert "resource" not in synthesized(stack)


def test_module_style_lists_count_the_role_and_key_configurations_by_label(stack, tmp_path):
    module_style(stack)
    config = synthesized(stack)
    [role] = resources(config, "aws_iam_role").values()
    assert role["count"] == "${length(var.slack_channels) + length(var.teams_channels) > 0 ? 1 : 0}"
    [slack] = resources(config, "aws_chatbot_slack_channel_configuration").values()
    assert slack["for_each"] == "${{for c in var.slack_channels : c.label => c}}"
    assert slack["iam_role_arn"] == "${one(aws_iam_role.guard_chat_role[*].arn)}"


def test_module_style_plans_nothing_without_channels_and_one_configuration_per_channel(tmp_path, terraform_cli_config):
    # Planning resources to create calls no AWS API: fake keys and the skip flags keep it offline.
    stack = TerraformStack(App(outdir=str(tmp_path / "cdktf.out")), "plan")
    TerraformVariable(stack, "slack_channels", type=SLACK_TYPE, default=[])
    TerraformVariable(stack, "teams_channels", type=TEAMS_TYPE, default=[])
    AwsProvider(
        stack,
        "aws",
        region=REGION,
        access_key="test",
        secret_key="test",
        skip_credentials_validation=True,
        skip_requesting_account_id=True,
        skip_metadata_api_check="true",
    )
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION_RANGE)
    lists = {"slack_channels": "var.slack_channels", "teams_channels": "var.teams_channels"}
    ChatNotifications(
        stack,
        "chat",
        CONTEXT,
        ChatNotificationsProps(
            topic_arns=[NOTIFICATION_TOPIC_ARN], **{k: TerraformExpression(v) for k, v in lists.items()}
        ),
    )
    workdir = tmp_path / "tf"
    workdir.mkdir()
    (workdir / "cdk.tf.json").write_text(CdktfTesting.synth(stack))
    run_terraform(["init", "-backend=false"], workdir, terraform_cli_config)
    assert planned(workdir, terraform_cli_config, {}) == []
    channels = {
        "slack_channels": [{"label": "deliverability", "team_id": "T01ABCDEF", "channel_id": "C01ABCDEF"}],
        "teams_channels": [{"label": "ops", "tenant_id": GUID, "team_id": GUID, "channel_id": TEAMS.channel_id}],
    }
    assert planned(workdir, terraform_cli_config, channels) == [
        'aws_chatbot_slack_channel_configuration.guard_slack_channels["deliverability"]',
        'aws_chatbot_teams_channel_configuration.guard_teams_channels["ops"]',
        "aws_iam_role.guard_chat_role[0]",
        "aws_iam_role_policy.guard_chat_role_policy[0]",
    ]


def planned(workdir: Path, env: dict[str, str], variables: dict[str, object]) -> list[str]:
    """Addresses ``terraform plan`` would create with these variable values."""
    (workdir / "test.tfvars.json").write_text(json.dumps(variables))
    run_terraform(["plan", "-var-file=test.tfvars.json", "-out=plan.bin"], workdir, env)
    shown = json.loads(run_terraform(["show", "-json", "plan.bin"], workdir, env).stdout)
    return sorted(c["address"] for c in shown.get("resource_changes", []) if c["change"]["actions"] == ["create"])


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (
            {"slack_channels": [SlackChannel("a", "01ABCDEF", "C01ABCDEF")]},
            "slack_channels[0].team_id='01ABCDEF': must be a Slack workspace (team) id",
        ),
        (
            {"slack_channels": [SlackChannel("a", "T01ABCDEF", "#alerts")]},
            "slack_channels[0].channel_id='#alerts': must be a Slack channel id",
        ),
        (
            {"slack_channels": [SlackChannel("a b", "T01ABCDEF", "C01ABCDEF")]},
            "slack_channels[0].label='a b': must be 1-64 letters, digits, '_' and '-'",
        ),
        (
            {"teams_channels": [TeamsChannel("t", "not-a-guid", GUID, TEAMS.channel_id)]},
            "teams_channels[0].tenant_id='not-a-guid': must be a GUID",
        ),
        (
            {"teams_channels": [TeamsChannel("t", GUID, GUID, "19:abc@thread.tacv2")]},
            "teams_channels[0].channel_id='19:abc@thread.tacv2': must be a Microsoft Teams channel id",
        ),
        ({"slack_channels": [SLACK, SLACK]}, "slack_channels uses the label(s) ['deliverability'] more than once"),
        (
            {"slack_channels": [SlackChannel(f"c{i}", "T01ABCDEF", "C01ABCDEF") for i in range(11)]},
            f"slack_channels has 11 channels: at most {chat_rules.CHAT_CHANNELS_MAX}",
        ),
        ({"logging_level": "DEBUG"}, "logging_level='DEBUG': must be one of 'ERROR', 'INFO', 'NONE'"),
    ],
)
def test_bad_ids_are_refused_naming_the_value_and_the_rule(channels, message):
    with pytest.raises(GuardValidationError, match=re.escape(message)):
        ChatNotificationsProps(topic_arns=[NOTIFICATION_TOPIC_ARN], **channels).validate()


def test_every_problem_is_reported_at_once():
    props = ChatNotificationsProps(
        topic_arns=[NOTIFICATION_TOPIC_ARN], slack_channels=[SlackChannel("a", "x", "y")], logging_level="LOUD"
    )
    with pytest.raises(GuardValidationError) as error:
        props.validate()
    assert len(error.value.problems) == 3


def test_checkov_passes_the_json_and_hcl_renderings(stack, tmp_path):
    module_style(stack)
    other = TerraformStack(stack.node.scope, "python-values")  # type: ignore[arg-type]
    chat(other, slack_channels=[SLACK], teams_channels=[TEAMS])
    for name, target in (("module.json", stack), ("python.json", other)):
        folder = tmp_path / name.replace(".", "-")
        folder.mkdir()
        (folder / "cdk.tf.json").write_text(CdktfTesting.synth(target))
        hcl = tmp_path / f"{folder.name}-hcl"
        hcl.mkdir()
        (hcl / "main.tf").write_text(stack_hcl(target))
    targets = sorted(p for p in tmp_path.iterdir() if p.is_dir() and p.name != "reports" and "cdktf" not in p.name)
    result = run_checkov(targets, tmp_path / "reports")
    assert result.parsing_errors == []
    assert result.failed == []
    assert result.passed > 0


def test_checkov_sees_the_role_policy_from_a_policy_document(tmp_path: Path, stack):
    """Policies as aws_iam_policy_document data sources, never JSON strings (REFERENCE: checkov)."""
    chat(stack, slack_channels=[SLACK])
    [policy] = resources(synthesized(stack), "aws_iam_role_policy").values()
    assert policy["policy"] == "${data.aws_iam_policy_document.guard_chat_permissions.json}"
