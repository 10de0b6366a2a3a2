"""FleetReputationAlarms and FleetPolicy: the Metrics Insights alarms of fleet mode, their query,
actions, tags and every synth-time limit (docs/fleet.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract, rules
from ses_guard_policy.fleet_query import build as fleet_query
from ses_guard_policy.fleet_query import exclusion_budget, fitting_exclusions
from ses_reputation_guard import GuardValidationError, ReputationThresholds
from ses_reputation_guard._cdktf import App, TerraformStack, TerraformVariable
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.fleet_alarms import FleetReputationAlarms, FleetReputationAlarmsProps
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.guard_stack import GuardStack, GuardStackProps
from ses_reputation_guard.validation import Problems
from tests.support.terraform import run_terraform

PAUSE = "arn:aws:sns:us-east-1:123456789012:g-pause"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:g-pause"
NOTIFY = "arn:aws:sns:us-east-1:123456789012:g-notifications"
BOUNCE_QUERY = (
    'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
    'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC'
)


def context(prefix: str = "g") -> GuardContext:
    return GuardContext(
        name_prefix=prefix,
        resource_prefix=prefix.replace("-", "_"),
        account_id="123456789012",
        partition="aws",
        region="us-east-1",
        tags={"team": "mail"},
    )


def props(policy: FleetPolicy | None = None, explicit_sets: tuple[str, ...] = ()) -> FleetReputationAlarmsProps:
    return FleetReputationAlarmsProps.from_policy(
        policy or FleetPolicy(),
        default_thresholds=ReputationThresholds(),
        explicit_sets=explicit_sets,
        notification_topic_arn=NOTIFY,
        pause_topic_arn=PAUSE,
        function_arn=FUNCTION,
    )


def aws_stack(app: App, name: str) -> TerraformStack:
    return GuardStack(app, name, GuardStackProps(region="us-east-1"))


def synth_alarms(tmp_path: Path, alarm_props: FleetReputationAlarmsProps) -> dict[str, Any]:
    app = App(outdir=str(tmp_path))
    stack = aws_stack(app, "fleet")
    FleetReputationAlarms(stack, "fleet", context(), alarm_props)
    app.synth()
    config = json.loads((tmp_path / "stacks" / "fleet" / "cdk.tf.json").read_text())
    alarms: dict[str, Any] = config["resource"]["aws_cloudwatch_metric_alarm"]
    return {alarm["alarm_name"]: alarm for alarm in alarms.values()}


def refusal(alarm_props: FleetReputationAlarmsProps, outdir: Path) -> str:
    stack = aws_stack(App(outdir=str(outdir)), "refused")
    with pytest.raises(GuardValidationError) as raised:
        FleetReputationAlarms(stack, "fleet", context(), alarm_props)
    return str(raised.value)


def test_one_alarm_per_metric_and_tier_named_by_the_contract(tmp_path):
    alarms = synth_alarms(tmp_path, props())
    assert sorted(alarms) == [
        "g-fleet-bounce-critical",
        "g-fleet-bounce-warning",
        "g-fleet-complaint-critical",
        "g-fleet-complaint-warning",
    ]
    for name in alarms:
        metric, tier = name.split("-")[2:]
        assert name == contract.ALARM_NAME_FLEET.format(prefix="g", metric=metric, tier=tier)


def test_each_alarm_queries_every_set_grouped_by_set_with_the_highest_rates_first(tmp_path):
    alarms = synth_alarms(tmp_path, props())
    for name, alarm in alarms.items():
        [query] = alarm["metric_query"]
        metric = "Reputation.BounceRate" if "-bounce-" in name else "Reputation.ComplaintRate"
        assert query["expression"] == BOUNCE_QUERY.replace("Reputation.BounceRate", metric)
        assert query["return_data"] is True
        assert query["period"] == 3600
        # a query alarm names no metric of its own
        assert not {"metric_name", "namespace", "dimensions", "statistic", "period"} & set(alarm)
        assert alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["treat_missing_data"] == "ignore"
        assert (alarm["evaluation_periods"], alarm["datapoints_to_alarm"]) == (1, 1)


def test_with_sns_delivery_critical_alarms_with_action_pause_publish_to_the_pause_topic_and_warnings_only_notify(
    tmp_path,
):
    alarms = synth_alarms(tmp_path, props(FleetPolicy(delivery="sns")))
    for name, alarm in alarms.items():
        expected = [PAUSE, NOTIFY] if name.endswith("-critical") else [NOTIFY]
        assert alarm["alarm_actions"] == expected, name
        assert alarm["ok_actions"] == [NOTIFY]


def test_with_eventbridge_delivery_the_default_every_alarm_notifies_people_only(tmp_path):
    """EventBridge delivers each contributor (``FleetContributorDelivery``): an alarm action on the pause
    topic would deliver it a second time. The critical alarms still say ``pause`` in their tags."""
    assert FleetPolicy().delivery == contract.FLEET_DELIVERY_EVENTBRIDGE
    alarms = synth_alarms(tmp_path, props())
    for name, alarm in alarms.items():
        assert alarm["alarm_actions"] == [NOTIFY], name
        assert alarm["ok_actions"] == [NOTIFY]
    assert alarms["g-fleet-bounce-critical"]["tags"][contract.TAG_ACTION] == contract.ACTION_PAUSE


def test_a_delivery_known_only_at_plan_time_publishes_to_the_pause_topic_only_for_sns_and_pause(tmp_path):
    app = App(outdir=str(tmp_path))
    stack = aws_stack(app, "module")
    delivery = TerraformVariable(stack, "delivery", type="string")
    delivery.override_logical_id("delivery")
    FleetReputationAlarms(stack, "fleet", context(), replace(props(), delivery=delivery.string_value))
    app.synth()
    config = json.loads((tmp_path / "stacks" / "module" / "cdk.tf.json").read_text())
    critical = config["resource"]["aws_cloudwatch_metric_alarm"]["g_fleet_bounce_critical"]
    assert critical["alarm_actions"] == (
        f'${{(("pause" == "pause") && (var.delivery == "alarm-action")) ? ["{FUNCTION}", "{NOTIFY}"] : '
        f'(("pause" == "pause") && (var.delivery == "sns")) ? ["{PAUSE}", "{NOTIFY}"] : ["{NOTIFY}"]}}'
    )


def test_with_alarm_action_delivery_critical_alarms_with_action_pause_invoke_the_function_and_notify_people(
    tmp_path,
):
    """The function is the alarm's own action (people keep the notification topic); never the pause topic,
    so a contributor is not delivered twice. Warnings and OK still notify people only."""
    alarms = synth_alarms(tmp_path, props(FleetPolicy(delivery="alarm-action")))
    for name, alarm in alarms.items():
        expected = [FUNCTION, NOTIFY] if name.endswith("-critical") else [NOTIFY]
        assert alarm["alarm_actions"] == expected, name
        assert alarm["ok_actions"] == [NOTIFY]
        assert PAUSE not in alarm["alarm_actions"]


def test_with_alarm_action_delivery_and_action_notify_nothing_invokes_the_function(tmp_path):
    alarms = synth_alarms(tmp_path, props(FleetPolicy(delivery="alarm-action", action="notify")))
    assert all(alarm["alarm_actions"] == [NOTIFY] for alarm in alarms.values())


def test_alarm_action_delivery_without_the_functions_arn_is_refused(tmp_path):
    message = refusal(replace(props(FleetPolicy(delivery="alarm-action")), function_arn=""), tmp_path)
    assert "fleet_policy.delivery='alarm-action': the function's ARN (function_arn) is missing" in message


def test_a_bad_delivery_is_refused_naming_the_choices(tmp_path):
    message = refusal(props(FleetPolicy(delivery="lambda")), tmp_path)
    assert f"fleet_policy.delivery='lambda': {rules.FLEET_DELIVERY.sentence}" in message


def test_action_notify_never_publishes_to_the_pause_topic(tmp_path):
    alarms = synth_alarms(tmp_path, props(FleetPolicy(action="notify")))
    assert all(PAUSE not in alarm["alarm_actions"] for alarm in alarms.values())
    assert {alarm["tags"][contract.TAG_ACTION] for alarm in alarms.values()} == {"notify"}


def test_alarms_carry_guard_scope_tier_and_action_tags_besides_the_guards_own(tmp_path):
    alarms = synth_alarms(tmp_path, props())
    for name, alarm in alarms.items():
        tier = name.rsplit("-", 1)[1]
        assert alarm["tags"] == {
            "team": "mail",
            contract.TAG_GUARD: "g",
            contract.TAG_SCOPE: contract.SCOPE_FLEET,
            contract.TAG_TIER: tier,
            contract.TAG_ACTION: "pause" if tier == "critical" else "notify",
        }


def test_thresholds_default_to_the_guards_and_a_policy_can_set_its_own(tmp_path):
    alarms = synth_alarms(tmp_path, props())
    defaults = ReputationThresholds()
    assert alarms["g-fleet-bounce-critical"]["threshold"] == defaults.bounce_critical
    assert alarms["g-fleet-complaint-warning"]["threshold"] == defaults.complaint_warning
    own = ReputationThresholds(bounce_warning=0.01, bounce_critical=0.03)
    alarms = synth_alarms(tmp_path / "own", props(FleetPolicy(thresholds=own)))
    assert alarms["g-fleet-bounce-critical"]["threshold"] == 0.03
    assert alarms["g-fleet-bounce-warning"]["threshold"] == 0.01


def test_warning_tier_off_leaves_the_two_critical_alarms(tmp_path):
    alarms = synth_alarms(tmp_path, props(FleetPolicy(warning_alarms=False)))
    assert sorted(alarms) == ["g-fleet-bounce-critical", "g-fleet-complaint-critical"]
    assert FleetPolicy(warning_alarms=False).alarm_count() == 2
    assert FleetPolicy().alarm_count() == 4


def test_explicit_sets_are_left_out_of_the_query_while_it_fits(tmp_path):
    alarms = synth_alarms(tmp_path, props(explicit_sets=("vip", "transactional")))
    expression = alarms["g-fleet-bounce-critical"]["metric_query"][0]["expression"]
    assert expression == BOUNCE_QUERY.replace(
        " GROUP BY",
        " WHERE \"ses:configuration-set\" != 'transactional' AND \"ses:configuration-set\" != 'vip' GROUP BY",
    )


def test_explicit_sets_stay_in_the_query_when_the_policy_says_so(tmp_path):
    alarms = synth_alarms(tmp_path, props(FleetPolicy(exclude_explicit_sets=False), explicit_sets=("vip",)))
    assert alarms["g-fleet-bounce-critical"]["metric_query"][0]["expression"] == BOUNCE_QUERY


def test_too_many_explicit_sets_for_2048_characters_leave_the_query_over_every_set(tmp_path):
    many = tuple(f"customer-{i:05d}" for i in range(60))
    assert fitting_exclusions(many) == ()  # 60 x ~40 characters do not fit
    alarms = synth_alarms(tmp_path, props(explicit_sets=many))
    for alarm in alarms.values():
        assert " WHERE " not in alarm["metric_query"][0]["expression"]
    # just below the budget every name is left out, and the longest query is exactly within the limit
    fitting = many[:1]
    while len(fleet_query("Reputation.ComplaintRate", many[: len(fitting) + 1])) <= 2048:
        fitting = many[: len(fitting) + 1]
    assert fitting_exclusions(fitting) == tuple(sorted(fitting))
    assert len(fleet_query("Reputation.ComplaintRate", fitting)) <= rules.METRICS_INSIGHTS_QUERY_MAX_LENGTH
    assert exclusion_budget() == 2048 - len(fleet_query("Reputation.ComplaintRate"))


@pytest.mark.parametrize("period", [10, 20, 30, 90, 0, 10_860])
def test_a_period_that_is_not_whole_minutes_within_three_hours_is_refused(period, tmp_path):
    message = refusal(props(FleetPolicy(period_seconds=period)), tmp_path)
    assert f"fleet_policy.period_seconds={period}" in message
    assert rules.METRICS_INSIGHTS_PERIOD_RULE in message


def test_an_evaluation_window_longer_than_three_hours_is_refused(tmp_path):
    message = refusal(props(FleetPolicy(period_seconds=3600, evaluation_periods=4, datapoints_to_alarm=2)), tmp_path)
    assert "period_seconds=3600 x evaluation_periods=4 = 14400 s" in message
    FleetPolicy(period_seconds=3600, evaluation_periods=3).collect_problems(problems := Problems())
    assert problems.items == []  # exactly 3 hours is allowed


def test_datapoints_to_alarm_above_evaluation_periods_is_refused(tmp_path):
    message = refusal(props(FleetPolicy(period_seconds=300, evaluation_periods=2, datapoints_to_alarm=3)), tmp_path)
    assert "fleet_policy.datapoints_to_alarm=3: must not exceed evaluation_periods=2" in message


def test_every_bad_value_is_named_in_one_error(tmp_path):
    policy = FleetPolicy(
        action="stop",  # type: ignore[arg-type]
        thresholds=ReputationThresholds(bounce_critical=5),
        period_seconds=45,
    )
    message = refusal(props(policy), tmp_path)
    assert "fleet_policy.action='stop'" in message
    assert "fleet_policy.thresholds.bounce_critical=5" in message
    assert "fleet_policy.period_seconds=45" in message
    assert message.startswith("FleetReputationAlarmsProps: 3 invalid value(s)")


def test_more_than_200_metrics_insights_alarms_in_one_stack_are_refused(tmp_path):
    stack = aws_stack(App(outdir=str(tmp_path)), "crowded")
    for index in range(rules.METRICS_INSIGHTS_ALARMS_PER_REGION // 4):
        FleetReputationAlarms(stack, f"fleet{index}", context(f"g{index}"), props())
    with pytest.raises(GuardValidationError) as raised:
        FleetReputationAlarms(stack, "one-too-many", context("g-extra"), props())
    assert "stack 'crowded' would create 204 Metrics Insights alarms" in str(raised.value)
    assert "allows 200 per account and Region" in str(raised.value)


def test_module_mode_decides_the_exclusion_at_plan_time_with_the_same_rule(tmp_path, terraform_cli_config):
    """With the explicit sets as a Terraform list, Terraform builds the WHERE clause: the text it
    computes equals the Python query for a short list, and is empty for one that does not fit."""
    app = App(outdir=str(tmp_path))
    stack = aws_stack(app, "module")
    explicit = TerraformVariable(stack, "explicit_sets", type="list(string)")
    explicit.override_logical_id("explicit_sets")
    module_props = replace(props(), excluded_sets=TerraformExpression("var.explicit_sets"))
    fleet = FleetReputationAlarms(stack, "fleet", context(), module_props)
    app.synth()
    workdir = tmp_path / "stacks" / "module"
    env = terraform_cli_config
    run_terraform(["init", "-input=false"], workdir, env)

    def evaluate(expression: str, names: list[str]) -> str:
        args = ["console", "-var", f"explicit_sets={json.dumps(names)}"]
        result = run_terraform(args, workdir, env, stdin=expression + "\n")
        loaded: str = json.loads(result.stdout.strip())
        return loaded

    def where_for(names: list[str]) -> str:
        return evaluate("local.g_fleet_where", names)

    short = ["vip", "transactional"]
    query = fleet.queries["bounce"].removeprefix("${").removesuffix("}")  # Terraform computes the whole query
    assert evaluate(query, short) == fleet_query("Reputation.BounceRate", short)
    assert where_for([f"customer-{i:05d}" for i in range(60)]) == ""
    assert where_for([]) == ""


# --- the guard in fleet mode (examples/fleet, synthesized once per session) ----------------------------
def test_the_fleet_example_has_four_fleet_alarms_and_leaves_its_explicit_sets_out(synth):
    alarms = synth.config("fleet")["resource"]["aws_cloudwatch_metric_alarm"]
    fleet = {a["alarm_name"]: a for a in alarms.values() if "metric_query" in a}
    assert sorted(fleet) == [
        f"ses-guard-region-fleet-{m}-{t}" for m in ("bounce", "complaint") for t in ("critical", "warning")
    ]
    for alarm in fleet.values():
        expression = alarm["metric_query"][0]["expression"]
        assert "WHERE \"ses:configuration-set\" != 'transactional' AND \"ses:configuration-set\" != 'vip'" in expression


def test_fleet_alarms_notify_people_and_never_publish_to_the_pause_topic_with_eventbridge_delivery(synth):
    documents = synth.config("fleet")["data"]["aws_iam_policy_document"]

    def sources(document: str) -> list[str]:
        [allow] = [s for s in documents[document]["statement"] if s["effect"] == "Allow"]
        [arns] = [c["values"] for c in allow["condition"] if c["variable"] == "aws:SourceArn"]
        return [arn.rsplit(":alarm:", 1)[1] for arn in arns]

    assert "ses-guard-region-fleet-*" in sources("guard_notifications_topic_policy_document")
    # the example's fleet delivers by EventBridge (the default): its alarms may not publish to the pause topic
    assert sources("guard_pause_topic_policy_document") == [
        "ses-guard-region-account-*-critical",
        "ses-guard-region-set-*-critical",
    ]
    # a guard without a fleet policy allows no fleet names
    per_set = synth.config("per-set")["data"]["aws_iam_policy_document"]
    assert "fleet" not in json.dumps(per_set["guard_pause_topic_policy_document"])


def test_the_fleet_example_delivers_contributors_through_the_documented_eventbridge_event(synth):
    config = synth.config("fleet")
    resources = config["resource"]
    [rule] = resources["aws_cloudwatch_event_rule"].values()
    assert rule["name"] == "ses-guard-region-fleet-contributors"
    pattern = rule["event_pattern"]
    for name in ("ses-guard-region-fleet-bounce-critical", "ses-guard-region-fleet-complaint-critical"):
        assert f':alarm:{name}"' in pattern, name
    assert "warning" not in pattern
    [target] = resources["aws_cloudwatch_event_target"].values()
    assert target["arn"] == "${aws_lambda_function.guard_function.arn}"
    permission = resources["aws_lambda_permission"]["guard_fleet_invoke_permission"]
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.guard_fleet_contributors.arn}"
    environment = resources["aws_lambda_function"]["guard_function"]["environment"]["variables"]
    assert environment[contract.ENV_ACCEPTED_SOURCES] == contract.SOURCE_EVENTBRIDGE
    for alarm in resources["aws_cloudwatch_metric_alarm"].values():
        if "metric_query" in alarm:
            assert alarm["alarm_actions"] == ["${aws_sns_topic.guard_notifications_topic.arn}"]


def test_fleet_pause_lets_the_function_pause_any_set_of_this_account_and_region_except_notify_tagged_ones(synth):
    config = synth.config("fleet")
    assert config["locals"]["guard_fleet_pausing_set_arns"] == [
        "arn:${data.aws_partition.guard_partition.partition}:ses:${data.aws_region.guard_region.name}:"
        "${data.aws_caller_identity.guard_caller.account_id}:configuration-set/*"
    ]
    statements = config["data"]["aws_iam_policy_document"]["guard_function_set_pause_policy"]["statement"]
    allow = next(s for s in statements if s.get("effect", "Allow") == "Allow")
    deny = next(s for s in statements if s.get("effect") == "Deny")
    assert allow["resources"] == "${local.guard_fleet_pausing_set_arns}"
    assert deny["condition"][0]["variable"] == f"aws:ResourceTag/{contract.TAG_ACTION}"
    assert deny["condition"][0]["values"] == [contract.ACTION_NOTIFY]


def test_the_fleet_stack_ships_its_explicit_sets_in_the_manifest_and_one_parameter_each(synth):
    manifest = synth.manifest("fleet")
    assert sorted(manifest["configuration_sets"]) == ["transactional", "vip"]
    assert manifest["fleet"]["action"] == "pause"
    [parameters] = synth.config("fleet")["resource"]["aws_ssm_parameter"].values()
    assert parameters["for_each"] == "${local.guard_configuration_sets}"
    assert parameters["type"] == "SecureString"
    [package] = (synth.stack_dir("fleet") / "assets").glob("*/*/ses_guard_lambda.zip")
    [plain] = (synth.stack_dir("per-set") / "assets").glob("*/*/ses_guard_lambda.zip")
    assert package.read_bytes() == plain.read_bytes()  # one package for every guard: no table inside


def test_the_guard_props_report_a_bad_fleet_policy():
    from ses_reputation_guard import ReputationGuardProps

    with pytest.raises(GuardValidationError) as raised:
        ReputationGuardProps(fleet_policy=FleetPolicy(period_seconds=30)).validate()
    assert "fleet_policy.period_seconds=30" in str(raised.value)
