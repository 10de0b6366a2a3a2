"""The module plans, applies and destroys against the emulator for every consumer shape the docs show.

The shapes: every ``module "ses_guard"`` block in an ``hcl`` fence of the module README, the project
README and docs/fleet.md, read from those files at collection time (so the test follows the docs),
plus the shapes the docs name in prose or that issue "[3 of 7]" found broken: account-only and
fleet-only consumers without configuration_sets (their empty map once failed the set-name validation),
a consumer of nothing but defaults (every variable's default passes its own validation in Terraform;
tests/modulegen/test_variables.py checks the same rules in Python), ``pause_scope = "tagged"`` with
``dashboard = false``, and ``pause_scope = "name-pattern:tenant-*"`` with Slack and Teams channels.
Every ``<variable> = <value>`` example written inline in those docs must appear in a shape (or restate
the variable's default, which "defaults only" covers).

Each shape is a root module in its own workspace and its own Region (the module's names, IAM role
included, carry the Region, so the shapes share the session's emulator without colliding and run in
parallel: most of an apply is the provider waiting on the dead-letter queue). Per shape, once:
``init``; ``plan`` (its key resources are asserted); ``apply`` of that saved plan (every planned
resource is in the state; the function, alarms, topics, queue, managed sets, IAM roles, log group and
key alias are read back from the emulator with boto3, ``guard_leftovers``); then the module README's recipe
"remove the guard and keep every set" (``terraform state rm`` of the managed sets, ``destroy``): the
state is empty, nothing of the guard is left but the kept sets, which are then deleted through the
SES API as the README says. moto has no AWS chat (chatbot) API, so the chat channel configurations
are planned but left out of the apply (``-target`` of everything else).
"""

from __future__ import annotations

import json
import re
import textwrap
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract, rules
from tests.conftest import ROOT
from tests.e2e.deploy_helpers import guard_leftovers
from tests.e2e.moto_server import MotoServer
from tests.module.conftest import (
    CONSUMER_DIR,
    FLEET_CONSUMER_DIR,
    MODULE_DIR,
    SWEEP_CONSUMER_DIR,
    copy_consumer_example,
)
from tests.support.aws_env import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from tests.support.terraform import apply, destroy, plan_json, run_terraform, state_addresses

MODULE = "module.ses_guard"
MANAGED_SETS = f"{MODULE}.aws_sesv2_configuration_set.guard_configuration_sets"

# --- the shapes -----------------------------------------------------------------------------------------
# Docs whose hcl fences show the module call; each block is a shape named "<doc>: <its section>".
README_DOCS = {
    "module README": MODULE_DIR / "README.md",
    "project README": ROOT / "README.md",
    "docs/fleet.md": ROOT / "docs" / "fleet.md",
}
# Docs whose inline `<variable> = <value>` examples must each appear in a shape.
INLINE_EXAMPLE_DOCS = (
    *README_DOCS.values(),
    *(example / "README.md" for example in (CONSUMER_DIR, FLEET_CONSUMER_DIR, SWEEP_CONSUMER_DIR)),
)

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.S | re.M)
_HEADING = re.compile(r"^#{1,6} +(.+?)\s*$", re.M)
_MODULE_CALL = re.compile(r'^module "ses_guard" \{\n(.*?)^\}', re.S | re.M)
_SOURCE = re.compile(r"^[ \t]*source[ \t]*=.*\n", re.M)
_INLINE_EXAMPLE = re.compile(r"`([a-z_]+) = ([^`]+)`")


def doc_shapes(label: str, path: Path) -> dict[str, str]:
    """``"<label>: <section heading>"`` => the arguments (without ``source``) of each module block of ``path``."""
    text = path.read_text()
    shapes: dict[str, str] = {}
    heading, prose_start = "", 0
    for fence in _FENCE.finditer(text):
        headings = _HEADING.findall(text[prose_start : fence.start()])  # headings outside code only
        heading, prose_start = (headings[-1] if headings else heading), fence.end()
        if fence.group(1) != "hcl":
            continue
        for call in _MODULE_CALL.finditer(fence.group(2)):
            name = f"{label}: {heading}"
            name += f" ({sum(key.startswith(name) for key in shapes) + 1})" if name in shapes else ""
            shapes[name] = textwrap.dedent(_SOURCE.sub("", call.group(1), count=1)).strip()
    return shapes


README_SHAPES = {name: args for label, path in README_DOCS.items() for name, args in doc_shapes(label, path).items()}
OWN_SHAPES = {
    # Issue "[3 of 7]": consumers without configuration_sets.
    "account only": """
        notification_emails = ["ops@example.com"]
        account_policy      = { action = "pause" }
    """,
    "fleet only": """
        notification_emails = ["ops@example.com"]
        account_policy      = { action = "notify" }
        fleet_policy        = { action = "pause" }
    """,
    # Issue "[5 of 7]": the fleet's other delivery (the alarms' SNS action on the pause topic, no rule), and
    # the sweep with no reputation alarm at all (the run judges the account) plus a protected set.
    "fleet delivered through sns": """
        notification_emails = ["ops@example.com"]
        account_policy      = { action = "notify" }
        fleet_policy        = { action = "pause", delivery = "sns" }
    """,
    # Project README, "Using the Terraform module": sweep mode with every attribute at its default.
    "sweep with defaults": """
        notification_emails = ["ops@example.com"]
        sweep_policy = {}
    """,
    "sweep only, no reputation alarm": """
        notification_emails          = ["ops@example.com"]
        account_policy               = { action = "pause", enabled = false }
        sweep_policy = {
          action              = "pause"
          schedule_minutes    = 15
          evaluation_periods  = 3
          datapoints_to_alarm = 2
        }
        protected_configuration_sets = ["transactional", "billing"]
    """,
    # Issue "[6 of 7]": a hub (on its sweep) with two members, one in two Regions, one notify-only with its own
    # threshold; their roles live in other accounts (the member module), so only the hub's side applies here.
    "hub with two members": """
        notification_emails = ["ops@example.com"]
        account_policy      = { action = "pause", enabled = false }
        sweep_policy        = {}
        hub_policy = {
          members = {
            "222222222222" = { regions = ["us-east-1", "eu-west-1"], action = "pause" }
            "333333333333" = { action = "notify", account_action = "notify", thresholds = { bounce_critical = 0.03 } }
          }
        }
    """,
    # Every variable left at its default but the one without a default that is safe: somebody must hear of
    # a pause (issue "[4 of 7]": no notification target is refused unless opted out).
    "defaults only": 'notification_emails = ["ops@example.com"]',
    "defaults only, no notification target (opted out)": "allow_no_notification_targets = true",
    # Project README, "Using the Terraform module": the other pause scopes, the dashboard opt-out and chat
    # (the Slack channel as examples/terraform_module_fleet/README.md writes it).
    "tagged scope, no dashboard": """
        notification_emails = ["ops@example.com"]
        pause_scope    = "tagged"
        dashboard      = false
        account_policy = { action = "notify" }
        configuration_sets = {
          marketing     = { action = "pause" }
          transactional = { action = "notify" }
        }
    """,
    "name-pattern scope, chat": """
        pause_scope    = "name-pattern:tenant-*"
        account_policy = { action = "notify" }
        configuration_sets = {
          tenant-a   = { action = "pause", complaint_critical = 0.0007 }
          tenant-vip = { action = "notify", warning_alarms = false }
        }
        slack_channels = [{ label = "alerts", team_id = "T01ABCDEF", channel_id = "C01ABCDEF" }]
        teams_channels = [{
          label      = "ops"
          tenant_id  = "0b7d7a3c-5e2f-4d1a-9c8b-3f6e2a1d4c5b"
          team_id    = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
          channel_id = "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2"
        }]
    """,
}
SHAPES = {**README_SHAPES, **{name: textwrap.dedent(arguments).strip() for name, arguments in OWN_SHAPES.items()}}

# Shapes the docs show that do not plan: the doc is wrong (the test turns red once it is fixed: drop the entry).
BROKEN_DOC_SHAPES: dict[str, str] = {}

# One Region per shape: the shapes share the emulator without sharing a name (IAM names carry the Region).
# us-east-1 is left to the other module tests, which only plan.
REGIONS = ("us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-southeast-1",
           "ap-southeast-2", "ap-northeast-1", "ca-central-1", "sa-east-1", "eu-north-1", "ap-south-1",
           "ap-northeast-2", "ap-northeast-3")  # fmt: skip
SHAPE_WORKERS = 8  # shapes deployed at once: an apply mostly waits (the provider polls the new SQS queue ~25 s)
# moto 5.2.5 has no AWS chat (chatbot) API (HTTP 500): these are planned only.
EMULATOR_MISSING_TYPES = frozenset(
    {"aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration"}
)
# guard_leftovers kind => (resource type, planned attribute holding the name it lists)
INVENTORY_KINDS = {
    "sns topics": ("aws_sns_topic", "name"),
    "alarms": ("aws_cloudwatch_metric_alarm", "alarm_name"),
    "lambda functions": ("aws_lambda_function", "function_name"),
    "sqs queues": ("aws_sqs_queue", "name"),
    "ses configuration sets": ("aws_sesv2_configuration_set", "configuration_set_name"),
    "iam roles": ("aws_iam_role", "name"),
    "log groups": ("aws_cloudwatch_log_group", "name"),
    "kms aliases": ("aws_kms_alias", "name"),
    "eventbridge rules": ("aws_cloudwatch_event_rule", "name"),
    "dynamodb tables": ("aws_dynamodb_table", "name"),
}
ALWAYS_PLANNED = (
    "aws_lambda_function.guard_function",
    "aws_sns_topic.guard_pause_topic",
    "aws_sns_topic.guard_notifications_topic",
    "aws_sns_topic_subscription.guard_function_subscription",
    "aws_sqs_queue.guard_dead_letter_queue",
    "aws_kms_key.guard_key",
    "aws_iam_role.guard_function_role",
    "aws_cloudwatch_metric_alarm.guard_function_errors_alarm",
    "aws_cloudwatch_metric_alarm.guard_dead_letters_alarm",
)
METRICS = ("bounce", "complaint")
TIERS = ("warning", "critical")
FLEET_DELIVERY = (
    "aws_cloudwatch_event_rule.guard_fleet_contributors[0]",
    "aws_cloudwatch_event_target.guard_fleet_contributors_target[0]",
    "aws_lambda_permission.guard_fleet_invoke_permission[0]",
)
SWEEP = (
    "aws_cloudwatch_event_rule.guard_sweep_schedule[0]",
    "aws_cloudwatch_event_target.guard_sweep_target[0]",
    "aws_lambda_permission.guard_sweep_invoke_permission[0]",
    "aws_dynamodb_table.guard_sweep_state[0]",
)
assert len(SHAPES) <= len(REGIONS), "one Region per shape"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def shape_params() -> list[Any]:
    return [
        pytest.param(
            name,
            id=slug(name),
            marks=[pytest.mark.xfail(strict=True, reason=BROKEN_DOC_SHAPES[name])] if name in BROKEN_DOC_SHAPES else [],
        )
        for name in SHAPES
    ]


def root_module(arguments: str, region: str) -> str:
    body = textwrap.indent(arguments, "  ")
    return (
        f'provider "aws" {{\n  region = "{region}"\n}}\n\n'
        f'module "ses_guard" {{\n  source = "../../modules/{MODULE_DIR.name}"\n\n{body}\n}}\n'
    )


# --- reading a plan -------------------------------------------------------------------------------------
def created(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Address => planned values of every resource the plan creates."""
    return {
        c["address"]: c["change"]["after"] for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]
    }


def resource_type(address: str) -> str:
    return address.removeprefix(f"{MODULE}.").split(".", 1)[0]


def module_inputs(plan: dict[str, Any]) -> dict[str, Any]:
    """The consumer's arguments as Terraform read them, each variable left out at its default."""
    call = plan["configuration"]["root_module"]["module_calls"]["ses_guard"]
    inputs = {name: spec.get("default") for name, spec in call["module"]["variables"].items()}
    inputs.update({name: expression["constant_value"] for name, expression in call.get("expressions", {}).items()})
    return inputs


def expected_plan(inputs: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(addresses the plan must create, addresses it must not) for a consumer's arguments."""
    present = {f"{MODULE}.{address}" for address in ALWAYS_PLANNED}
    absent: set[str] = set()

    def when(condition: Any, address: str) -> None:
        (present if condition else absent).add(f"{MODULE}.{address}")

    account = inputs["account_policy"] or {}
    fleet, sweep = inputs["fleet_policy"], inputs["sweep_policy"]
    for metric in METRICS:
        when(account.get("enabled", True), f"aws_cloudwatch_metric_alarm.guard_account_{metric}_critical[0]")
        when(fleet is not None, f"aws_cloudwatch_metric_alarm.guard_fleet_{metric}_critical[0]")
    # The fleet's documented delivery: an EventBridge rule, when the fleet pauses through it (the default).
    delivered = fleet is not None and fleet.get("action", "pause") == "pause" and fleet.get("delivery") != "sns"
    for address in FLEET_DELIVERY:
        when(delivered, address)
    for address in SWEEP:
        when(sweep is not None, address)
    hub = inputs.get("hub_policy")
    when(hub is not None, "aws_iam_role_policy.guard_function_hub[0]")
    for account in (hub or {}).get("members", {}):
        when(True, f'aws_ssm_parameter.guard_hub_members["{account}"]')
    when(inputs["dashboard"] is not False, "aws_cloudwatch_dashboard.guard_dashboard[0]")
    for name, policy in inputs["configuration_sets"].items():
        when(policy.get("managed", True), f'aws_sesv2_configuration_set.guard_configuration_sets["{name}"]')
        for metric in METRICS:
            when(True, f'aws_cloudwatch_metric_alarm.guard_set_{metric}_critical["{name}"]')
            when(
                policy.get("warning_alarms", True), f'aws_cloudwatch_metric_alarm.guard_set_{metric}_warning["{name}"]'
            )
    slack, teams = inputs["slack_channels"], inputs["teams_channels"]
    for channel in slack:
        when(True, f'aws_chatbot_slack_channel_configuration.guard_slack_channels["{channel["label"]}"]')
    for channel in teams:
        when(True, f'aws_chatbot_teams_channel_configuration.guard_teams_channels["{channel["label"]}"]')
    when(slack or teams, "aws_iam_role.guard_chat_role[0]")
    return present, absent


def expected_inventory(planned: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """What guard_leftovers should find once ``planned`` is applied, by kind (names, sorted)."""
    found: dict[str, list[str]] = {}
    for kind, (kind_type, attribute) in INVENTORY_KINDS.items():
        names = sorted(after[attribute] for address, after in planned.items() if resource_type(address) == kind_type)
        if names:
            found[kind] = names
    return found


# --- deploying every shape ------------------------------------------------------------------------------
STEPS = ("init", "plan", "apply", "destroy")
EMULATOR_LOCK = threading.Lock()  # boto3's default session is not thread-safe


@dataclass
class ShapeRun:
    name: str
    region: str
    directory: Path
    failure: tuple[str, str] | None = None  # (step, error)
    plan: dict[str, Any] = field(default_factory=dict)
    not_applied: list[str] = field(default_factory=list)  # planned, left out of the apply (no emulator API)
    state_after_apply: list[str] = field(default_factory=list)
    after_apply: dict[str, list[str]] = field(default_factory=dict)
    read_back: dict[str, Any] = field(default_factory=dict)  # read_back(): what the function and schedule hold
    state_after_destroy: list[str] | None = None
    after_destroy: dict[str, list[str]] | None = None
    after_cleanup: dict[str, list[str]] | None = None
    seconds: float = 0.0

    @property
    def inputs(self) -> dict[str, Any]:
        return module_inputs(self.plan)

    @property
    def applied(self) -> dict[str, dict[str, Any]]:
        return {address: after for address, after in created(self.plan).items() if address not in self.not_applied}

    def require(self, step: str) -> None:
        """Fail (naming the step and its error) unless every step up to ``step`` succeeded."""
        if self.failure is not None and STEPS.index(self.failure[0]) <= STEPS.index(step):
            failed, error = self.failure
            pytest.fail(f"{self.name} ({self.region}): {failed} failed:\n{error}", pytrace=False)


def inventory(server: MotoServer, run: ShapeRun) -> dict[str, list[str]]:
    """Everything of this shape's guard in the emulator (guard_leftovers), as names by kind."""
    prefix = run.inputs["name_prefix"]
    with EMULATOR_LOCK:
        found = guard_leftovers(server, run.region, prefix, list(run.inputs["configuration_sets"]))
        # what guard_leftovers does not list: the EventBridge rules (fleet delivery, sweep schedule), the sweep's table
        events = server.boto3_client("events", run.region)
        found["eventbridge rules"] = [r["Name"] for r in events.list_rules(NamePrefix=f"{prefix}-")["Rules"]]
        tables = server.boto3_client("dynamodb", run.region).list_tables()["TableNames"]
        found["dynamodb tables"] = [name for name in tables if name.startswith(f"{prefix}-")]
    names: dict[str, Callable[[str], str]] = {
        "sns topics": lambda arn: arn.rsplit(":", 1)[1],
        "sqs queues": lambda url: url.rsplit("/", 1)[1],
    }
    # IAM is global: only this Region's roles are this shape's (the module puts the Region in the name).
    found["iam roles"] = [role for role in found.get("iam roles", []) if f"-{run.region}-" in role]
    return {kind: sorted(map(names.get(kind, str), items)) for kind, items in found.items() if items}


def read_back(server: MotoServer, run: ShapeRun) -> dict[str, Any]:
    """After the apply: the function's environment, and the sweep schedule's rate and targets (if any)."""
    function = run.applied[f"{MODULE}.aws_lambda_function.guard_function"]["function_name"]
    found: dict[str, Any] = {}
    with EMULATOR_LOCK:
        configuration = server.boto3_client("lambda", run.region).get_function_configuration(FunctionName=function)
        found["function environment"] = configuration.get("Environment", {}).get("Variables", {})
        found["function timeout"] = configuration["Timeout"]
        path = f"/{run.inputs['name_prefix']}/policy/members/"
        listed = server.boto3_client("ssm", run.region).get_parameters_by_path(Path=path, WithDecryption=True)
        found["hub members"] = {item["Name"].removeprefix(path): item["Value"] for item in listed["Parameters"]}
        events = server.boto3_client("events", run.region)
        for rule in run.after_apply.get("eventbridge rules", []):
            if rule.endswith("-sweep"):
                found["sweep schedule"] = events.describe_rule(Name=rule).get("ScheduleExpression")
                found["sweep targets"] = events.list_targets_by_rule(Rule=rule)["Targets"]
    return found


def deploy(run: ShapeRun, env: dict[str, str], server: MotoServer) -> None:
    started, step = time.perf_counter(), "init"
    try:
        run_terraform(["init", "-input=false"], run.directory, env)
        step = "plan"
        run.plan = plan_json(run.directory, env, plan_file="shape.tfplan")
        step = "apply"
        run.not_applied = sorted(a for a in created(run.plan) if resource_type(a) in EMULATOR_MISSING_TYPES)
        plan_file = "shape.tfplan"
        if run.not_applied:
            plan_file, targets = "applied.tfplan", [f"-target={address}" for address in run.applied]
            run_terraform(["plan", "-input=false", f"-out={plan_file}", *targets], run.directory, env)
        apply(run.directory, env, plan_file=plan_file)
        run.state_after_apply = state_addresses(run.directory, env)
        run.after_apply = inventory(server, run)
        run.read_back = read_back(server, run)
        step = "destroy"
    except Exception as error:
        run.failure = (step, f"{type(error).__name__}: {error}")
    finally:
        if step in ("apply", "destroy"):  # something may be deployed: always retire it
            try:
                retire(run, env, server)
            except Exception as error:
                run.failure = run.failure or ("destroy", f"{type(error).__name__}: {error}")
        run.seconds = time.perf_counter() - started


def retire(run: ShapeRun, env: dict[str, str], server: MotoServer) -> None:
    """The module README's "remove the guard and keep every set", then the kept sets deleted for good."""
    addresses = run.state_after_apply or state_addresses(run.directory, env)
    if any(address.startswith(MANAGED_SETS) for address in addresses):
        run_terraform(["state", "rm", MANAGED_SETS], run.directory, env)
    destroy(run.directory, env, "-refresh=false")  # the state was written by the apply just before
    run.state_after_destroy = state_addresses(run.directory, env)
    run.after_destroy = inventory(server, run)
    with EMULATOR_LOCK:
        sesv2 = server.boto3_client("sesv2", run.region)
        for name in run.after_destroy.get("ses configuration sets", []):
            sesv2.delete_configuration_set(ConfigurationSetName=name)  # aws sesv2 delete-configuration-set
    run.after_cleanup = inventory(server, run)


@pytest.fixture(scope="module")
def shape_runs(
    tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str], module_emulator: MotoServer
) -> dict[str, ShapeRun]:
    runs = {}
    for (name, arguments), region in zip(SHAPES.items(), REGIONS, strict=False):
        example = copy_consumer_example(tmp_path_factory.mktemp(f"shape-{slug(name)}"))
        directory = example.rename(example.with_name(slug(name)))  # terraform runs are logged by folder name
        (directory / "main.tf").write_text(root_module(arguments, region))
        runs[name] = ShapeRun(name, region, directory)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=SHAPE_WORKERS) as pool:
        list(pool.map(lambda run: deploy(run, emulator_env, module_emulator), runs.values()))
    timings = ", ".join(f"{run.name} {run.seconds:.0f} s" for run in runs.values())
    print(f"\n{len(runs)} shapes deployed and destroyed in {time.perf_counter() - started:.0f} s ({timings})")
    return runs


# --- the shapes follow the docs ---------------------------------------------------------------------------
def test_each_doc_shows_the_module_call_and_each_block_is_a_shape():
    for label in README_DOCS:
        assert any(name.startswith(f"{label}: ") for name in README_SHAPES), f"no module block found in the {label}"
    usage = README_SHAPES["module README: Usage"]
    assert "configuration_sets" in usage and "managed = false" in usage and "source" not in usage
    assert all(SHAPES[name] == arguments for name, arguments in README_SHAPES.items())
    assert set(BROKEN_DOC_SHAPES) <= set(README_SHAPES), "a known broken doc example is gone: drop its entry"


def test_every_inline_variable_example_of_the_docs_is_in_a_shape_or_restates_a_default():
    variables = (MODULE_DIR / "variables.tf").read_text()
    defaults = dict(re.findall(r'^variable "(\w+)" \{\n(?:.*\n)*?  default +=[ ]+(.+)\n', variables, re.M))
    shapes = [" ".join(arguments.split()) for arguments in SHAPES.values()]
    examples = {match for doc in INLINE_EXAMPLE_DOCS for match in _INLINE_EXAMPLE.findall(doc.read_text())}
    uncovered = [
        f"{name} = {value}"
        for name, value in sorted(examples)
        if name in defaults
        and " ".join(value.split()) != " ".join(defaults[name].split())
        and not any(" ".join(f"{name} = {value}".split()) in shape for shape in shapes)
    ]
    assert [name for name, _ in examples if name in defaults], "no inline examples found: has the format changed?"
    assert uncovered == []


# --- plan, apply, destroy ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("shape", shape_params())
def test_the_shape_plans_its_key_resources(shape: str, shape_runs: dict[str, ShapeRun]) -> None:
    run = shape_runs[shape]
    run.require("plan")
    planned = created(run.plan)
    changes = {c["address"]: c["change"]["actions"] for c in run.plan["resource_changes"]}
    assert {a: acts for a, acts in changes.items() if acts not in (["create"], ["read"])} == {}
    present, absent = expected_plan(run.inputs)
    assert sorted(present - set(planned)) == []
    assert sorted(absent & set(planned)) == []
    sets = run.inputs["configuration_sets"]
    per_set = {a.split('["', 1)[1].rstrip('"]') for a in planned if ".guard_set_" in a}
    assert per_set == set(sets)  # no per-set resources without configuration_sets
    for name, policy in sets.items():  # each threshold the consumer gave is its alarm's threshold
        for metric in METRICS:
            for tier in TIERS:
                given = policy.get(f"{metric}_{tier}")
                address = f'{MODULE}.aws_cloudwatch_metric_alarm.guard_set_{metric}_{tier}["{name}"]'
                if given is not None and address in planned:
                    assert planned[address]["threshold"] == given, address


@pytest.mark.slow
@pytest.mark.parametrize("shape", shape_params())
def test_the_shape_applies_and_its_resources_exist_in_the_emulator(shape: str, shape_runs: dict[str, ShapeRun]) -> None:
    run = shape_runs[shape]
    run.require("apply")
    assert all(resource_type(a) in EMULATOR_MISSING_TYPES for a in run.not_applied)
    assert sorted(a for a in run.state_after_apply if ".data." not in a) == sorted(run.applied)
    assert run.after_apply == expected_inventory(run.applied)
    function = run.applied[f"{MODULE}.aws_lambda_function.guard_function"]
    assert run.after_apply["lambda functions"] == [function["function_name"]]
    sweep, protected = run.inputs["sweep_policy"], run.inputs["protected_configuration_sets"]
    environment = run.read_back["function environment"]
    # what the function reads: the protected sets, its state table and the sweep policy
    assert environment.get(contract.ENV_PROTECTED_CONFIGURATION_SETS, "") == ",".join(protected)
    if sweep is not None:  # the schedule's rate and its one target, without input
        minutes = sweep.get("schedule_minutes") or rules.SWEEP_SCHEDULE_MINUTES_DEFAULT
        assert run.read_back["sweep schedule"] == f"rate({int(minutes)} minutes)"
        [target] = run.read_back["sweep targets"]
        assert target["Arn"].endswith(f":function:{function['function_name']}")
        assert "Input" not in target  # the function trusts nothing in a scheduled event
        assert environment[contract.ENV_SWEEP_STATE_TABLE] == run.after_apply["dynamodb tables"][0]
        assert json.loads(environment[contract.ENV_POLICY_MANIFEST])["sweep"]["enabled"] is True
    hub = run.inputs.get("hub_policy")
    document = json.loads(environment[contract.ENV_POLICY_MANIFEST])
    if hub is None:  # a guard without a hub: no hub section at all (not null), the sweep's or the alarms' timeout
        assert "hub" not in document and run.read_back["hub members"] == {}
        assert run.read_back["function timeout"] == (300 if sweep is not None else 120)
    else:  # the members' entries where the function lists them, the section without them, Lambda's maximum
        prefix = run.inputs["name_prefix"]
        assert document["hub"] == {"members_path": f"/{prefix}/policy/members/", "include_hub": True}
        assert sorted(run.read_back["hub members"]) == sorted(hub["members"])
        for account, text in run.read_back["hub members"].items():
            entry = json.loads(text)
            assert entry["regions"] == list(hub["members"][account].get("regions", []))
        assert run.read_back["function timeout"] == 900


@pytest.mark.slow
@pytest.mark.parametrize("shape", shape_params())
def test_the_shape_is_destroyed_keeping_only_its_managed_sets(shape: str, shape_runs: dict[str, ShapeRun]) -> None:
    run = shape_runs[shape]
    run.require("destroy")
    assert run.state_after_destroy == []
    kept = expected_inventory(run.applied).get("ses configuration sets")
    assert run.after_destroy == ({"ses configuration sets": kept} if kept else {})
    assert run.after_cleanup == {}


@pytest.mark.slow
def test_the_emulator_still_lacks_the_chat_api_the_chat_shape_only_plans(module_emulator: MotoServer) -> None:
    """When moto serves AWS chat, drop EMULATOR_MISSING_TYPES and apply the chat channels too."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError

    chatbot = boto3.client(
        "chatbot",
        region_name="us-east-1",
        endpoint_url=module_emulator.endpoint_url,
        aws_access_key_id=FAKE_ACCESS_KEY_ID,
        aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(ClientError):
        chatbot.describe_slack_channel_configurations()
