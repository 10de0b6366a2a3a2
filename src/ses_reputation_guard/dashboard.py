"""GuardDashboard: one CloudWatch dashboard per guard, ``<name_prefix>-<region>-reputation``.

What a deliverability engineer asks first, top to bottom: how to resume (text) and the account's
bounce and complaint rates against the guard's thresholds and AWS's review and pause levels; the ten
worst configuration sets by each rate (Metrics Insights, every set of the Region); the state of every
guard alarm; the pause function's invocations, errors and throttles and its dead-letter queue; the
per-set rates of the explicitly configured sets.

The body is one Terraform expression, ``jsonencode({...})``, rendered here from a Python structure,
so it is the same text whether the guard's values are Python values (a stack) or ``var.*`` references
(the generated module), and Terraform computes the per-set parts (set names, alarm ARNs) from the set
map. Not ``json.dumps`` of token strings (cdktf writes invalid HCL for those) and not cdktf's
``Fn.jsonencode`` (0.21 neither escapes quotes inside strings nor takes a ``for`` expression). Every
cdktf token the body reads goes through one ``locals`` object, ``<prefix>_dashboard_inputs``.

Limits (CloudWatch "Dashboard Body Structure and Syntax", CloudWatch service quotas; values in
``ses_guard_policy.rules``): 0-500 widgets, 1-100 alarm ARNs per alarm status widget (the alarms are
split into as many widgets as needed), 0-500 metrics per widget and 2,500 per dashboard. Per-set
graphs show the first ``max_sets_shown`` sets alphabetically (at most 100) and say so in their title,
so the body's size does not grow with the number of sets (docs/dashboard.md).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ses_guard_lambda.report import AWS_PAUSE_WARNING, FRESH_START_WARNING
from ses_guard_policy import contract, fleet_query, limits, rules
from ses_reputation_guard._cdktf import CloudwatchDashboard, Construct, TerraformLocal, Token
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import SKIP, Flag, TerraformExpression, count_for
from ses_reputation_guard.naming import resource_address
from ses_reputation_guard.policy import ReputationThresholds
from ses_reputation_guard.validation import Problems, is_token

DASHBOARD_SUFFIX = "reputation"
"""The dashboard is ``<name_prefix>-<region>-reputation``: dashboards are global to the account (PutDashboard:
"All dashboards in your account are global"), so the name carries the Region, as IAM role names do."""
TOP_SETS = 10
ROW = 6  # widget height, grid units
GRID = 24  # CloudWatch's dashboard grid is 24 columns wide
_COLORS = {"warning": "#ff7f0e", "critical": "#d62728", "review": "#9467bd", "pause": "#000000"}


@dataclass(frozen=True)
class GuardDashboardProps:
    """What the dashboard shows. Ratios are 0-1; every value may be a Terraform token."""

    account_thresholds: ReputationThresholds
    """The account's warning and critical thresholds, drawn as lines on the account graphs."""
    function_name: str
    """The pause function (``AWS/Lambda`` ``FunctionName``): invocations, errors, throttles."""
    dead_letter_queue_name: str
    """The function's dead-letter queue (``AWS/SQS`` ``QueueName``): messages visible."""
    alarm_arns: Sequence[str | TerraformExpression] = ()
    """Guard-level alarms shown first in the alarm status widgets: each item one ARN (may be a token)
    or a ``TerraformExpression`` of a list of ARNs (alarms created with ``count``). Default none."""
    configuration_sets: TerraformExpression | None = None
    """Map keyed by set name (values unused): the explicitly configured sets. The first
    ``max_sets_shown`` alphabetically get a line on the per-set graphs. None (default): no per-set
    widgets."""
    set_alarm_arns: Sequence[TerraformExpression] = ()
    """Maps set name -> alarm ARN, one per per-set alarm block: the alarms of the graphed sets join
    the alarm status widgets. Default none."""
    max_sets_shown: int = 50
    """Sets graphed one line each, 1-100 (``limits.DASHBOARD_SETS_SHOWN_MAX``). Default 50: more lines
    are unreadable; the Metrics Insights top-10 widgets cover every set."""
    period_seconds: int = 3600
    """Period of the reputation graphs, seconds, a multiple of 60. Default 3600 (the alarms' default)."""
    statistic: str = "Maximum"
    """Statistic of the reputation graphs: ``Maximum`` (default, as the alarms), ``Average``, ``Minimum``."""
    enabled: Flag = True
    """Create the dashboard; a token makes it counted (the generated module's opt-out). Default True."""

    def validate(self) -> None:
        """Raise ``GuardValidationError`` listing every invalid value, or return."""
        problems = Problems()
        self.account_thresholds.collect_problems("account_thresholds", problems)
        problems.whole_number("max_sets_shown", self.max_sets_shown, limits.DASHBOARD_SETS_SHOWN)
        problems.whole_number("period_seconds", self.period_seconds, rules.ALARM_PERIOD)
        problems.choice("statistic", self.statistic, rules.ALARM_STATISTIC)
        problems.raise_if_any("GuardDashboardProps")


# --- HCL rendering --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hcl:
    """An HCL expression written as is (``local.x.region``, ``[for ...]``)."""

    text: str


@dataclass(frozen=True)
class Template:
    """An HCL string template: literal parts and ``Hcl`` parts interpolated as ``${...}``."""

    parts: tuple[str | Hcl, ...]


def _literal(text: str) -> str:
    # JSON string escapes are HCL string escapes; ${ and %{ would start a template sequence.
    return json.dumps(text, ensure_ascii=False)[1:-1].replace("${", "$${").replace("%{", "%%{")


def render(value: Any) -> str:
    """``value`` (dicts, lists, strings, numbers, booleans, ``Hcl``, ``Template``) as an HCL expression.

    A cdktf token has no HCL text here: pass it through the inputs local and refer to it with ``Hcl``.
    """
    if isinstance(value, Hcl):
        return value.text
    if isinstance(value, TerraformExpression):
        return value.text
    if isinstance(value, Template):
        return '"' + "".join(_literal(p) if isinstance(p, str) else f"${{{p.text}}}" for p in value.parts) + '"'
    if _is_cdktf_token(value):
        raise TypeError(f"{value!r} is a cdktf token: add it to the dashboard inputs and refer to it with Hcl")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be written in a dashboard body")
        return json.dumps(value)
    if isinstance(value, str):
        return f'"{_literal(value)}"'
    if isinstance(value, Mapping):
        return "{" + ", ".join(f'"{_literal(str(k))}" = {render(v)}' for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render(item) for item in value) + "]"
    raise TypeError(f"cannot render {type(value).__name__} {value!r} as HCL")


def _is_cdktf_token(value: Any) -> bool:
    """cdktf's own token strings and numbers; a literal ``${`` in a string is just text here."""
    if isinstance(value, str):
        return bool(Token.is_unresolved(value))
    return isinstance(value, (int, float)) and not isinstance(value, bool) and is_token(value)


def percent(ratio: float) -> str:
    """``0.05`` -> ``5 %``."""
    return f"{ratio * 100:g} %"


# --- the construct --------------------------------------------------------------------------------
class GuardDashboard(GuardChild[GuardDashboardProps]):
    """``dashboard`` (``aws_cloudwatch_dashboard.<prefix>_dashboard``) and the locals it reads:
    ``<prefix>_dashboard_inputs``, ``_dashboard_sets`` (with sets), ``_dashboard_alarm_arns`` and
    ``_dashboard_body`` (the ``jsonencode`` expression, also handy in ``terraform console``)."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: GuardDashboardProps) -> None:
        super().__init__(scope, construct_id, context, props)
        props.validate()
        self.dashboard: CloudwatchDashboard | None = None
        count = count_for(props.enabled)
        if count is SKIP:
            return
        self._inputs = self._local("dashboard_inputs", self._input_values())
        self._sets: str | None = None
        if props.configuration_sets is not None:
            sets = props.configuration_sets.text
            self._sets = self._local(
                "dashboard_sets",
                f"${{slice(sort(keys({sets})), 0, min({self._in('max_sets_shown')}, length({sets})))}}",
            )
        self._alarm_arns = self._local("dashboard_alarm_arns", f"${{{self._alarm_arn_list()}}}")
        self.body_reference = self._local("dashboard_body", f"${{jsonencode({render(self._body())})}}")
        self.dashboard = context.create(
            self,
            CloudwatchDashboard,
            "dashboard",
            dashboard_name=context.global_name(DASHBOARD_SUFFIX),
            dashboard_body=f"${{{self.body_reference}}}",
            count=count,
        )

    def _local(self, role: str, value: Any) -> str:
        self.context.create(self, TerraformLocal, role, expression=value)
        return f"local.{self.context.address(role)}"

    def _in(self, name: str) -> str:
        return f"{self._inputs}.{name}"

    def _ref(self, name: str) -> Hcl:
        return Hcl(self._in(name))

    def _input_values(self) -> dict[str, Any]:
        props, context, thresholds = self.props, self.context, self.props.account_thresholds
        return {
            "name_prefix": context.name_prefix,
            "region": context.region,
            **{name: getattr(thresholds, name) for name in rules.THRESHOLD_NAMES},
            "period": props.period_seconds,
            "stat": props.statistic,
            "max_sets_shown": props.max_sets_shown,
            "function_name": props.function_name,
            "dead_letter_queue_name": props.dead_letter_queue_name,
            "alarm_arns": [arn for arn in props.alarm_arns if not isinstance(arn, TerraformExpression)],
        }

    def _alarm_arn_list(self) -> str:
        """Guard-level alarms first, then the alarms of the graphed sets (``compact`` drops the sets
        that have no alarm in a block, e.g. no warning tier)."""
        parts = [self._in("alarm_arns")]
        parts += [arn.text for arn in self.props.alarm_arns if isinstance(arn, TerraformExpression)]
        if self._sets is not None and self.props.set_alarm_arns:
            lookups = ", ".join(f'lookup({arns.text}, name, "")' for arns in self.props.set_alarm_arns)
            parts.append(f"compact(flatten([for name in {self._sets} : [{lookups}]]))")
        return f"concat({', '.join(parts)})"

    # --- widgets ----------------------------------------------------------------------------------
    def _body(self) -> dict[str, Any]:
        alarm_rows = f"{ROW} * ceil(length({self._alarm_arns}) / {limits.DASHBOARD_ALARMS_PER_WIDGET_MAX})"
        below_alarms = 2 * ROW  # the alarm widgets start below two rows of graphs
        static = [
            self._position(self._text_widget(), x=0, y=0, width=8),
            *(
                self._position(self._account_widget(metric), x=8 + 8 * i, y=0, width=8)
                for i, metric in enumerate((contract.METRIC_SHORT_BOUNCE, contract.METRIC_SHORT_COMPLAINT))
            ),
            *(
                self._position(self._top_sets_widget(metric), x=12 * i, y=ROW, width=12)
                for i, metric in enumerate((contract.METRIC_SHORT_BOUNCE, contract.METRIC_SHORT_COMPLAINT))
            ),
        ]
        health_y = Hcl(f"{below_alarms} + {alarm_rows}")
        health = [
            self._position(self._function_widget(), x=0, y=health_y, width=12),
            self._position(self._dead_letter_widget(), x=12, y=health_y, width=12),
        ]
        parts = [render(static), self._alarm_widgets(below_alarms), render(health)]
        if self._sets is not None:
            parts.append(self._set_widgets(Hcl(f"{below_alarms} + {ROW} + {alarm_rows}")))
        return {"start": "-P7D", "periodOverride": "inherit", "widgets": Hcl(f"concat({', '.join(parts)})")}

    @staticmethod
    def _position(widget: dict[str, Any], *, x: int, y: int | Hcl, width: int) -> dict[str, Any]:
        return {"type": widget.pop("type"), "x": x, "y": y, "width": width, "height": ROW, **widget}

    def _text_widget(self) -> dict[str, Any]:
        region, prefix = self._ref("region"), self._ref("name_prefix")
        markdown = Template(
            (
                "## SES reputation guard `",
                prefix,
                "` (",
                region,
                ")\n\nManaged by Terraform (ses-reputation-guard): edits made here are overwritten "
                "by the next apply.\n\n**Sending paused?** See what and why:\n\n`ses-guard status --region ",
                region,
                "`\n\nFix the cause, then resume one set or the account:\n\n`ses-guard resume --region ",
                region,
                " --configuration-set NAME`\n\n`ses-guard resume --region ",
                region,
                f" --account`\n\n{FRESH_START_WARNING}\n\n{AWS_PAUSE_WARNING}",
            )
        )
        return {"type": "text", "properties": {"markdown": markdown}}

    def _rate_properties(self, metric_short: str, title: Any, metrics: Any, guard_lines: bool) -> dict[str, Any]:
        """Properties of a reputation graph: lines at the guard's thresholds (``guard_lines``) and
        at AWS's review and pause levels."""
        lines = []
        if guard_lines:
            for tier in contract.TIERS:
                name = f"{metric_short}_{tier}"
                lines.append({"label": f"Guard {tier}", "value": self._ref(name), "color": _COLORS[tier]})
        lines += [
            {
                "label": f"AWS review ({percent(rules.AWS_REVIEW_LEVELS[metric_short])})",
                "value": rules.AWS_REVIEW_LEVELS[metric_short],
                "color": _COLORS["review"],
            },
            {
                "label": f"AWS may pause ({percent(rules.AWS_PAUSE_LEVELS[metric_short])})",
                "value": rules.AWS_PAUSE_LEVELS[metric_short],
                "color": _COLORS["pause"],
                "fill": "above",
            },
        ]
        return {
            "title": title,
            "view": "timeSeries",
            "stacked": False,
            "region": self._ref("region"),
            "period": self._ref("period"),
            "stat": self._ref("stat"),
            "metrics": metrics,
            "yAxis": {"left": {"min": 0, "label": "ratio (0.05 = 5 %)", "showUnits": False}},
            "annotations": {"horizontal": lines},
        }

    def _account_widget(self, metric_short: str) -> dict[str, Any]:
        metric = _metric_name(metric_short)
        metrics = [[contract.SES_NAMESPACE, metric, {"label": f"account {metric_short} rate"}]]
        title = f"Account {metric_short} rate"
        return {"type": "metric", "properties": self._rate_properties(metric_short, title, metrics, True)}

    def _top_sets_widget(self, metric_short: str) -> dict[str, Any]:
        query = f"{fleet_query.build(_metric_name(metric_short))} LIMIT {TOP_SETS}"
        metrics = [[{"expression": query, "id": "q1", "period": self._ref("period")}]]
        title = f"Top {TOP_SETS} configuration sets by {metric_short} rate (Metrics Insights: every set)"
        return {"type": "metric", "properties": self._rate_properties(metric_short, title, metrics, False)}

    def _function_widget(self) -> dict[str, Any]:
        function = self._ref("function_name")
        metrics = [
            ["AWS/Lambda", name, "FunctionName", function, {"stat": "Sum", "label": name, "color": color}]
            for name, color in (("Invocations", "#1f77b4"), ("Errors", "#d62728"), ("Throttles", "#ff7f0e"))
        ]
        title = Template(("Pause function ", function, ": invocations, errors, throttles"))
        return {
            "type": "metric",
            "properties": {"title": title, "view": "timeSeries", "stacked": False, "region": self._ref("region")}
            | {"period": 300, "stat": "Sum", "metrics": metrics, "yAxis": {"left": {"min": 0}}},
        }

    def _dead_letter_widget(self) -> dict[str, Any]:
        queue = self._ref("dead_letter_queue_name")
        metrics = [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue, {"label": "messages"}]]
        title = Template(("Dead-letter queue ", queue, ": alarms the function could not handle (act by hand)"))
        return {
            "type": "metric",
            "properties": {"title": title, "view": "timeSeries", "stacked": False, "region": self._ref("region")}
            | {"period": 300, "stat": "Maximum", "metrics": metrics, "yAxis": {"left": {"min": 0}}},
        }

    def _alarm_widgets(self, first_y: int) -> str:
        """One alarm status widget per 100 alarm ARNs (``chunklist``), stacked from ``first_y``."""
        per_widget = limits.DASHBOARD_ALARMS_PER_WIDGET_MAX
        widget = {
            "type": "alarm",
            "x": 0,
            "y": Hcl(f"{first_y} + i * {ROW}"),
            "width": GRID,
            "height": ROW,
            "properties": {
                "title": Hcl(
                    'format("Alarm states %d/%d: guard alarms, then the alarms of the sets graphed below", '
                    f"i + 1, ceil(length({self._alarm_arns}) / {per_widget}))"
                ),
                "alarms": Hcl("arns"),
                "sortBy": "stateUpdatedTimestamp",
            },
        }
        return f"[for i, arns in chunklist({self._alarm_arns}, {per_widget}) : {render(widget)}]"

    def _set_widgets(self, y: Hcl) -> str:
        """Per-set bounce and complaint graphs, one line per graphed set; none when no set is graphed."""
        assert self._sets is not None and self.props.configuration_sets is not None
        total = f"length({self.props.configuration_sets.text})"
        widgets = []
        for i, metric_short in enumerate((contract.METRIC_SHORT_BOUNCE, contract.METRIC_SHORT_COMPLAINT)):
            line: list[Any] = [contract.SES_NAMESPACE, _metric_name(metric_short), contract.DIMENSION_CONFIGURATION_SET]
            line += [Hcl("name"), {"label": Hcl("name")}]
            metrics = Hcl(f"[for name in {self._sets} : {render(line)}]")
            title = Template(
                (
                    f"{metric_short.capitalize()} rate per configuration set: ",
                    Hcl(f"length({self._sets})"),
                    " of ",
                    Hcl(total),
                    " explicitly configured sets (alphabetical; the top-10 graph covers every set)",
                )
            )
            properties = self._rate_properties(metric_short, title, metrics, False)
            widgets.append(
                {"type": "metric", "x": 12 * i, "y": y, "width": 12, "height": ROW, "properties": properties}
            )
        return f"[for widget in {render(widgets)} : widget if length({self._sets}) > 0]"


def alarm_arns(alarm: Any) -> str | TerraformExpression:
    """What ``GuardDashboardProps.alarm_arns`` takes for one alarm resource: its ARN, or the list of
    its ARNs when it is counted (``aws_cloudwatch_metric_alarm.x[*].arn``)."""
    if alarm.count is None:
        arn: str = alarm.arn
        return arn
    return TerraformExpression(f"{resource_address(alarm)}[*].arn")


def alarm_arns_by_set(alarms: Any) -> TerraformExpression:
    """What ``GuardDashboardProps.set_alarm_arns`` takes for one ``for_each`` alarm block keyed by set."""
    return TerraformExpression(f"{{for name, alarm in {resource_address(alarms)} : name => alarm.arn}}")


def _metric_name(metric_short: str) -> str:
    return {short: name for name, short in contract.METRIC_SHORT_NAMES.items()}[metric_short]
