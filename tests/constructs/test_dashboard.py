"""GuardDashboard: the body Terraform computes is a valid CloudWatch dashboard, in both front doors.

The body is a Terraform expression, so every structural test evaluates it with ``terraform console``
(offline: the dashboard's inputs are plain values or variables, no data source) and checks the JSON
against the structure CloudWatch documents: "Dashboard Body Structure and Syntax", Amazon CloudWatch
API Reference / User Guide (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/
CloudWatch-Dashboard-Body-Structure.html), and the dashboard quotas of "CloudWatch service quotas".
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from ses_guard_modulegen.hcl import render_stack_hcl
from ses_guard_policy import limits, rules
from ses_reputation_guard._cdktf import App, AwsProvider, TerraformStack, TerraformVariable, Token
from ses_reputation_guard._cdktf import Testing as CdktfTesting
from ses_reputation_guard.dashboard import GuardDashboard, GuardDashboardProps, Hcl, Template, render
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.guard_stack import AWS_PROVIDER_VERSION_RANGE, TERRAFORM_VERSION_RANGE
from ses_reputation_guard.policy import ReputationThresholds
from ses_reputation_guard.validation import GuardValidationError
from tests.conftest import run_terraform
from tests.constructs.support import ACCOUNT, CONTEXT, PREFIX, REGION, resources, synthesized
from tools.scan import run_checkov


def stack_hcl(stack: TerraformStack) -> str:
    """The stack as HCL, rendered as `make synth` writes it (hcl/main.tf)."""
    return render_stack_hcl(stack, TERRAFORM_VERSION_RANGE, AWS_PROVIDER_VERSION_RANGE)


ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{PREFIX}"
ACCOUNT_ALARMS = [f"{ALARM_ARN}-account-{m}-{t}" for m in ("bounce", "complaint") for t in ("warning", "critical")]
HEALTH_ALARMS = [f"{ALARM_ARN}-function-errors", f"{ALARM_ARN}-dead-letters"]
# What the per-set alarm blocks give the dashboard: one map set name -> alarm ARN per block.
SET_ALARM_MAPS = [
    TerraformExpression(f'{{for name, s in var.sets : name => "{ALARM_ARN}-set-${{name}}-{m}-{t}"}}')
    for m in ("bounce", "complaint")
    for t in ("warning", "critical")
]
FLEET_ALARMS = TerraformExpression(f'[for t in ["warning", "critical"] : "{ALARM_ARN}-fleet-bounce-${{t}}"]')
# No byte limit for DashboardBody is documented (PutDashboard API reference, CloudWatch quotas); the
# guard keeps its body far below the 100 KB that GetMetricWidgetImage accepts for a single widget.
BODY_BUDGET_BYTES = 100_000


# --- the structure CloudWatch documents -------------------------------------------------------------
WIDGET_TYPES = {"metric", "text", "log", "alarm", "explorer"}
STAT = re.compile(r"^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?)$")
ALARM_ARN_PATTERN = re.compile(r"^arn:[a-z-]+:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$")
RENDERING_KEYS = {"color", "label", "period", "stat", "visible", "yAxis", "id", "region", "accountId"}


def structure_problems(body: dict[str, Any]) -> list[str]:
    """Every way ``body`` departs from "Dashboard Body Structure and Syntax" (and the quotas)."""
    problems: list[str] = []
    unknown = set(body) - {"widgets", "variables", "start", "end", "periodOverride"}
    problems += [f"unknown top-level field {key}" for key in sorted(unknown)]
    if body.get("periodOverride", "auto") not in ("auto", "inherit"):
        problems.append("periodOverride must be auto or inherit")
    if "start" in body and not re.match(r"^-P(T\d+[MH]|\d+[DWM])$", body["start"]):
        problems.append(f"start {body['start']!r} is not a relative ISO 8601 duration")
    widgets = body.get("widgets")
    if not isinstance(widgets, list) or len(widgets) > limits.DASHBOARD_WIDGETS_MAX:
        return [*problems, "widgets must be an array of 0-500 widget objects"]
    metric_count = 0
    for i, widget in enumerate(widgets):
        problems += [f"widgets[{i}]: {p}" for p in widget_problems(widget)]
        metric_count += len(widget.get("properties", {}).get("metrics", []))
    if metric_count > limits.DASHBOARD_METRICS_MAX:
        problems.append(f"{metric_count} metrics: a dashboard holds at most {limits.DASHBOARD_METRICS_MAX}")
    return problems


def widget_problems(widget: dict[str, Any]) -> list[str]:
    """Widgets Array Structure: type, x 0-23, y >= 0 (x and y together), width 1-24, height 1-1000."""
    problems: list[str] = []
    if widget.get("type") not in WIDGET_TYPES:
        problems.append(f"type {widget.get('type')!r}")
    if ("x" in widget) != ("y" in widget):
        problems.append("x and y must be given together")
    for key, low, high in (("x", 0, 23), ("y", 0, 10**9), ("width", 1, 24), ("height", 1, 1000)):
        value = widget.get(key, low)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems.append(f"{key}={value!r} outside {low}-{high}")
    if widget.get("x", 0) + widget.get("width", 6) > 24:
        problems.append("the widget runs past the 24-column grid")
    properties = widget.get("properties")
    if not isinstance(properties, dict):
        return [*problems, "properties must be an object"]
    check = {"metric": metric_problems, "text": text_problems, "alarm": alarm_problems}.get(widget["type"])
    return problems + (check(properties) if check else [])


def text_problems(properties: dict[str, Any]) -> list[str]:
    """Properties of a Text Widget Object: markdown (required), background."""
    problems = [f"unknown text property {k}" for k in sorted(set(properties) - {"markdown", "background"})]
    if not isinstance(properties.get("markdown"), str) or not properties["markdown"]:
        problems.append("markdown is required")
    return problems


def alarm_problems(properties: dict[str, Any]) -> list[str]:
    """Properties of an Alarm Status Widget Object: alarms (1-100 ARNs), sortBy, states, title."""
    problems = [
        f"unknown alarm property {k}" for k in sorted(set(properties) - {"alarms", "sortBy", "states", "title"})
    ]
    alarms = properties.get("alarms")
    if not isinstance(alarms, list) or not 1 <= len(alarms) <= limits.DASHBOARD_ALARMS_PER_WIDGET_MAX:
        return [*problems, "alarms must hold 1-100 alarm ARNs"]
    problems += [f"alarm {arn!r} is not an alarm ARN" for arn in alarms if not ALARM_ARN_PATTERN.match(arn)]
    if properties.get("sortBy", "default") not in ("default", "stateUpdatedTimestamp", "timestamp"):
        problems.append(f"sortBy {properties['sortBy']!r}")
    if not set(properties.get("states", [])) <= {"ALARM", "INSUFFICIENT_DATA", "OK"}:
        problems.append("states must be ALARM, INSUFFICIENT_DATA or OK")
    return problems


def metric_problems(properties: dict[str, Any]) -> list[str]:
    """Properties of a Metric Widget Object and "Metric Widget: Format for Each Metric in the Array"."""
    problems: list[str] = []
    if not isinstance(properties.get("region"), str):
        problems.append("region is required")
    metrics = properties.get("metrics")
    if metrics is None and not properties.get("annotations", {}).get("alarms"):
        problems.append("metrics is required without an alarm annotation")
    metrics = metrics or []
    if len(metrics) > limits.DASHBOARD_METRICS_PER_WIDGET_MAX:
        problems.append(f"{len(metrics)} metrics: one array holds at most 500")
    queries = [m for m in metrics if isinstance(m[0], dict) and m[0]["expression"].startswith("SELECT")]
    if len(queries) > 1:
        problems.append("one metrics array can include no more than one Metrics Insights query")
    for entry in metrics:
        problems += metric_entry_problems(entry)
    if "period" in properties and (properties["period"] < 60 or properties["period"] % 60):
        problems.append(f"period {properties['period']} must be a multiple of 60, at least 60")
    if "stat" in properties and not STAT.match(properties["stat"]):
        problems.append(f"stat {properties['stat']!r}")
    if properties.get("view", "timeSeries") not in ("timeSeries", "singleValue", "gauge", "bar", "pie", "table"):
        problems.append(f"view {properties['view']!r}")
    for axis in properties.get("yAxis", {}).values():
        problems += [f"unknown yAxis field {k}" for k in sorted(set(axis) - {"label", "min", "max", "showUnits"})]
    annotations = properties.get("annotations", {})
    if annotations.get("alarms") and (annotations.get("horizontal") or annotations.get("vertical")):
        problems.append("a widget cannot have both an alarm and horizontal or vertical annotations")
    for line in annotations.get("horizontal", []):
        problems += horizontal_annotation_problems(line)
    return problems


def metric_entry_problems(entry: list[Any]) -> list[str]:
    """``[Namespace, MetricName, (DimensionName, DimensionValue)..., {rendering}]`` or ``[{expression}]``."""
    if isinstance(entry[0], dict):
        ok = len(entry) == 1 and isinstance(entry[0].get("expression"), str)
        if ok and "id" in entry[0]:
            ok = bool(re.match(r"^[a-z]", entry[0]["id"]))
        return [] if ok else [f"expression entry {entry!r}"]
    rendering = entry[-1] if isinstance(entry[-1], dict) else {}
    names = entry[:-1] if rendering else entry
    problems = [] if len(names) >= 2 and len(names) % 2 == 0 else [f"metric entry {entry!r}: namespace, name, pairs"]
    problems += [f"metric entry {entry!r}: {n!r} is not a string" for n in names if not isinstance(n, str)]
    problems += [f"unknown rendering property {k}" for k in sorted(set(rendering) - RENDERING_KEYS)]
    if "period" in rendering and (rendering["period"] < 60 or rendering["period"] % 60):
        problems.append(f"rendering period {rendering['period']}")
    if "stat" in rendering and not STAT.match(rendering["stat"]):
        problems.append(f"rendering stat {rendering['stat']!r}")
    return problems


def horizontal_annotation_problems(line: Any) -> list[str]:
    """Horizontal Annotations: ``{value, label, color, fill, yAxis, visible}`` or a band ``[a, b]``."""
    for item in line if isinstance(line, list) else [line]:
        if not isinstance(item.get("value"), (int, float)) or isinstance(item.get("value"), bool):
            return [f"annotation {item!r}: value must be a number"]
        if item.get("fill", "none") not in ("above", "below", "none"):
            return [f"annotation fill {item['fill']!r}"]
        if not re.match(r"^#[0-9a-fA-F]{6}$", item.get("color", "#000000")):
            return [f"annotation color {item['color']!r}"]
    return []


def overlapping(widgets: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs of widgets whose rectangles overlap (a layout mistake CloudWatch would silently shuffle)."""
    boxes = [(w["x"], w["y"], w["x"] + w["width"], w["y"] + w["height"]) for w in widgets]
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[i + 1 :], i + 1)
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


# --- building and evaluating -----------------------------------------------------------------------
def dashboard_stack(
    stack: TerraformStack,
    *,
    thresholds: ReputationThresholds | None = None,
    with_sets: bool = True,
    max_sets_shown: int = 50,
) -> GuardDashboard:
    """A stack with only the dashboard: guard values as plain values, the sets as ``var.sets``."""
    AwsProvider(stack, "aws", region=REGION)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_VERSION_RANGE)
    if with_sets:
        TerraformVariable(stack, "sets", type="map(any)", default={})
    return GuardDashboard(
        stack,
        "dashboard",
        CONTEXT,
        GuardDashboardProps(
            account_thresholds=thresholds or ReputationThresholds(),
            function_name=f"{PREFIX}-pause",
            dead_letter_queue_name=f"{PREFIX}-pause-dlq",
            alarm_arns=[*ACCOUNT_ALARMS, FLEET_ALARMS, *HEALTH_ALARMS],
            configuration_sets=TerraformExpression("var.sets") if with_sets else None,
            set_alarm_arns=SET_ALARM_MAPS if with_sets else (),
            max_sets_shown=max_sets_shown,
        ),
    )


def evaluated_body(
    stack: TerraformStack, workdir: Path, env: dict[str, str], variables: dict[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """``local.guard_dashboard_body`` as ``terraform console`` computes it: (JSON text, parsed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "cdk.tf.json").write_text(CdktfTesting.synth(stack))
    args = ["console"]
    if variables is not None:
        (workdir / "test.tfvars.json").write_text(json.dumps(variables))
        args.append("-var-file=test.tfvars.json")
    run_terraform(["init", "-backend=false"], workdir, env)
    console = run_terraform(args, workdir, env, stdin="local.guard_dashboard_body\n")
    text: str = json.loads(console.stdout.strip())
    return text, json.loads(text)


@pytest.fixture(scope="module")
def three_sets_body(tmp_path_factory: pytest.TempPathFactory, terraform_cli_config: dict[str, str]) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("dashboard")
    stack = TerraformStack(App(outdir=str(workdir / "cdktf.out")), "dashboard")
    dashboard_stack(stack, max_sets_shown=2)
    try:
        return evaluated_body(stack, workdir, terraform_cli_config, {"sets": {"zeta": {}, "alpha": {}, "mid": {}}})[1]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def widgets_of(body: dict[str, Any], widget_type: str) -> list[dict[str, Any]]:
    return [w for w in body["widgets"] if w["type"] == widget_type]


def titled(body: dict[str, Any], start: str) -> dict[str, Any]:
    [found] = [w for w in body["widgets"] if w["properties"].get("title", "").startswith(start)]
    return found


# --- tests ----------------------------------------------------------------------------------------
def test_dashboard_body_has_the_structure_cloudwatch_documents(three_sets_body):
    assert structure_problems(three_sets_body) == []
    assert overlapping(three_sets_body["widgets"]) == []


def test_account_graphs_draw_the_guard_thresholds_and_aws_review_and_pause_levels(three_sets_body):
    for metric, levels in (("bounce", (0.02, 0.04, 0.05, 0.10)), ("complaint", (0.0005, 0.0008, 0.001, 0.005))):
        widget = titled(three_sets_body, f"Account {metric} rate")
        [line] = widget["properties"]["metrics"]
        assert line[:2] == ["AWS/SES", f"Reputation.{metric.capitalize()}Rate"]  # the account series: no dimension
        lines = widget["properties"]["annotations"]["horizontal"]
        assert [a["value"] for a in lines] == list(levels)
        assert [a["label"].split(" (")[0] for a in lines] == [
            "Guard warning",
            "Guard critical",
            "AWS review",
            "AWS may pause",
        ]
        assert widget["properties"]["region"] == REGION


def test_top_sets_widgets_query_every_set_with_metrics_insights(three_sets_body):
    widget = titled(three_sets_body, "Top 10 configuration sets by bounce rate")
    [[query]] = widget["properties"]["metrics"]
    assert query["expression"] == (
        'SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
        'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC LIMIT 10'
    )
    complaint = titled(three_sets_body, "Top 10 configuration sets by complaint rate")
    assert 'MAX("Reputation.ComplaintRate")' in complaint["properties"]["metrics"][0][0]["expression"]


def test_per_set_graphs_show_the_first_sets_alphabetically_and_say_how_many_of_all(three_sets_body):
    widget = titled(three_sets_body, "Bounce rate per configuration set")
    assert [m[3] for m in widget["properties"]["metrics"]] == ["alpha", "mid"]
    assert all(m[2] == "ses:configuration-set" for m in widget["properties"]["metrics"])
    assert "2 of 3 explicitly configured sets" in widget["properties"]["title"]


def test_alarm_status_lists_guard_alarms_then_the_alarms_of_the_graphed_sets(three_sets_body):
    [widget] = widgets_of(three_sets_body, "alarm")
    alarms = widget["properties"]["alarms"]
    fleet = [f"{ALARM_ARN}-fleet-bounce-warning", f"{ALARM_ARN}-fleet-bounce-critical"]
    assert alarms[:8] == [*ACCOUNT_ALARMS, *HEALTH_ALARMS, *fleet]
    assert alarms[8:] == [
        f"{ALARM_ARN}-set-{name}-{m}-{t}"
        for name in ("alpha", "mid")
        for m in ("bounce", "complaint")
        for t in ("warning", "critical")
    ]
    assert not any("zeta" in arn for arn in alarms)  # not graphed, not listed


def test_function_and_dead_letter_widgets_watch_the_pause_function(three_sets_body):
    function = titled(three_sets_body, "Pause function")
    assert [m[1] for m in function["properties"]["metrics"]] == ["Invocations", "Errors", "Throttles"]
    assert {m[3] for m in function["properties"]["metrics"]} == {f"{PREFIX}-pause"}
    queue = titled(three_sets_body, "Dead-letter queue")
    assert queue["properties"]["metrics"][0][:4] == [
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "QueueName",
        f"{PREFIX}-pause-dlq",
    ]


def test_text_widget_says_how_to_resume_and_warns_about_the_fresh_start(three_sets_body):
    [text] = widgets_of(three_sets_body, "text")
    markdown = text["properties"]["markdown"]
    assert (text["x"], text["y"]) == (0, 0)  # first, as the PutDashboard reference recommends
    assert f"ses-guard status --region {REGION}" in markdown
    assert f"ses-guard resume --region {REGION} --configuration-set NAME" in markdown
    assert f"ses-guard resume --region {REGION} --account" in markdown
    assert "fresh start" in markdown and "SHUTDOWN" in markdown
    assert "Managed by Terraform" in markdown


def test_body_stays_small_and_valid_at_ten_thousand_sets(tmp_path, terraform_cli_config, stack):
    dashboard_stack(stack)
    # The longest names SES allows (64 characters), so the ARNs are as long as they get.
    sets = {f"{i:05d}-" + "s" * 58: {} for i in range(rules.MAX_CONFIGURATION_SETS)}
    text, body = evaluated_body(stack, tmp_path / "tf", terraform_cli_config, {"sets": sets})
    assert structure_problems(body) == []
    assert overlapping(body["widgets"]) == []
    assert len(text.encode()) < BODY_BUDGET_BYTES
    per_set = titled(body, "Bounce rate per configuration set")
    assert len(per_set["properties"]["metrics"]) == 50
    assert "50 of 10000 explicitly configured sets" in per_set["properties"]["title"]
    alarm_widgets = widgets_of(body, "alarm")
    assert sum(len(w["properties"]["alarms"]) for w in alarm_widgets) == 4 + 2 + 2 + 50 * 4
    assert [len(w["properties"]["alarms"]) for w in alarm_widgets] == [100, 100, 8]
    assert [w["y"] for w in alarm_widgets] == [12, 18, 24]
    assert titled(body, "Pause function")["y"] == 30  # below the last alarm widget


def test_module_variables_flow_into_the_body(tmp_path, terraform_cli_config, stack):
    """The generated module passes var.* references: thresholds come from variables at plan time."""
    names = ("bounce_warning", "bounce_critical", "complaint_warning", "complaint_critical")
    variables = {name: TerraformVariable(stack, name, type="number", default=0.5) for name in names}
    thresholds = ReputationThresholds(**{n: Token.as_number(v.value) for n, v in variables.items()})
    dashboard_stack(stack, thresholds=thresholds)
    values = {
        "bounce_warning": 0.011,
        "bounce_critical": 0.022,
        "complaint_warning": 0.0003,
        "complaint_critical": 0.0006,
    }
    _, body = evaluated_body(stack, tmp_path / "tf", terraform_cli_config, {"sets": {}, **values})
    assert structure_problems(body) == []
    bounce = titled(body, "Account bounce rate")["properties"]["annotations"]["horizontal"]
    complaint = titled(body, "Account complaint rate")["properties"]["annotations"]["horizontal"]
    assert [bounce[0]["value"], bounce[1]["value"], complaint[0]["value"], complaint[1]["value"]] == list(
        values.values()
    )
    # no set: no per-set graphs, and the guard alarms still have their widget
    assert not [w for w in body["widgets"] if "per configuration set" in w["properties"].get("title", "")]
    assert len(widgets_of(body, "alarm")) == 1


def test_hcl_rendering_is_valid_terraform(tmp_path, terraform_cli_config, stack):
    dashboard_stack(stack)
    (tmp_path / "main.tf").write_text(stack_hcl(stack))
    run_terraform(["init", "-backend=false"], tmp_path, terraform_cli_config)
    run_terraform(["validate"], tmp_path, terraform_cli_config)


def test_without_sets_there_are_no_per_set_locals_or_widgets(stack):
    dashboard_stack(stack, with_sets=False)
    config = synthesized(stack)
    assert "guard_dashboard_sets" not in config["locals"]
    assert "per configuration set" not in config["locals"]["guard_dashboard_body"]


def test_dashboard_is_named_after_the_guard_and_reads_its_body_local(stack):
    dashboard_stack(stack)
    [dashboard] = resources(synthesized(stack), "aws_cloudwatch_dashboard").values()
    assert dashboard["dashboard_name"] == f"{PREFIX}-{REGION}-reputation"  # dashboards are global
    assert dashboard["dashboard_body"] == "${local.guard_dashboard_body}"


def test_the_body_expression_holds_no_cdktf_token(stack):
    dashboard_stack(stack)
    body = synthesized(stack)["locals"]["guard_dashboard_body"]
    assert "TfToken" not in body and body.startswith("${jsonencode({")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_sets_shown": 0}, "max_sets_shown=0: must be a whole number from 1 to 100"),
        ({"max_sets_shown": 101}, "max_sets_shown=101: must be a whole number from 1 to 100"),
        ({"period_seconds": 90}, "period_seconds=90: must be a multiple of 60"),
        ({"statistic": "p99"}, "statistic='p99': must be one of 'Average', 'Maximum', 'Minimum'"),
        ({"account_thresholds": ReputationThresholds(bounce_warning=5)}, "account_thresholds.bounce_warning=5"),
    ],
)
def test_bad_props_are_refused_naming_the_value_and_the_rule(changes, message):
    values: dict[str, Any] = {"account_thresholds": ReputationThresholds(), **changes}
    props = GuardDashboardProps(function_name="f", dead_letter_queue_name="q", **values)
    with pytest.raises(GuardValidationError, match=re.escape(message)):
        props.validate()


def test_render_escapes_template_sequences_and_quotes():
    assert render({"a": 'say "hi" ${x} %{y}\n'}) == '{"a" = "say \\"hi\\" $${x} %%{y}\\n"}'
    assert render([1, 0.0005, True, Hcl("local.x")]) == "[1, 0.0005, true, local.x]"
    assert render(Template(("a ", Hcl("local.x"), ' "b"'))) == '"a ${local.x} \\"b\\""'


def test_render_refuses_a_cdktf_token(stack):
    variable = TerraformVariable(stack, "v", type="string")
    with pytest.raises(TypeError, match="cdktf token"):
        render({"title": variable.string_value})


@pytest.mark.slow  # checkov, or terraform apply against an emulator of its own
def test_checkov_passes_the_json_and_hcl_renderings(tmp_path, stack):
    dashboard_stack(stack)
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "cdk.tf.json").write_text(CdktfTesting.synth(stack))
    (tmp_path / "hcl").mkdir()
    (tmp_path / "hcl" / "main.tf").write_text(stack_hcl(stack))
    result = run_checkov([tmp_path / "json", tmp_path / "hcl"], tmp_path / "reports")
    assert result.parsing_errors == []
    assert result.failed == []


@pytest.mark.slow  # checkov, or terraform apply against an emulator of its own
def test_dashboard_applies_against_the_emulator_and_reads_back_the_same_body(tmp_path, stack):
    """PutDashboard through the provider (moto_server answers it); GetDashboard returns the body."""
    from tests.e2e.moto_server import moto_server, terraform_env

    dashboard_stack(stack)
    workdir = tmp_path / "tf"
    workdir.mkdir()
    (workdir / "cdk.tf.json").write_text(CdktfTesting.synth(stack))
    (workdir / "test.tfvars.json").write_text(json.dumps({"sets": {"marketing": {}, "transactional": {}}}))
    with moto_server(log_path=tmp_path / "emulator.log") as server:
        (tmp_path / "cli").mkdir()
        env = terraform_env(server.endpoint_url, tmp_path / "cli", region=REGION)
        run_terraform(["init", "-backend=false"], workdir, env)
        run_terraform(["apply", "-auto-approve", "-input=false", "-var-file=test.tfvars.json"], workdir, env)
        stored = server.boto3_client("cloudwatch", region=REGION).get_dashboard(
            DashboardName=f"{PREFIX}-{REGION}-reputation"
        )
        second = run_terraform(
            ["plan", "-detailed-exitcode", "-input=false", "-var-file=test.tfvars.json"], workdir, env, ok=None
        )
    body = json.loads(stored["DashboardBody"])
    assert structure_problems(body) == []
    assert [
        w["properties"]["metrics"][0][3]
        for w in body["widgets"]
        if "per configuration set" in w["properties"].get("title", "")
    ] == ["marketing", "marketing"]
    assert second.returncode == 0, second.stdout  # no drift: the stored body is the planned one
