"""After an apply, the next plan finds the module's resources exactly as Terraform left them (issue "[4 of 7]",
item 10: "Objects have changed outside of Terraform" on the first plan after an apply).

One consumer with every kind of resource the emulator can hold (account, fleet and sweep policies that
pause, the fleet's EventBridge delivery, the sweep's schedule and state table, a protected set, a managed
set that pauses, a managed notify-only set without warning alarms, an existing set, email
and SMS subscribers, the dashboard; no consumer tags, the case that drifted) is applied once against the
emulator. Then, as the issue's reader would: ``terraform plan -refresh=true -detailed-exitcode`` plans no
change (exit 0) and ``terraform show -json`` of that plan lists no ``resource_drift``, but for what the
AWS provider itself does on real AWS as well (``PROVIDER_DRIFT``, every entry explained); and a plan with
a change (a threshold raised) prints no "Objects have changed outside of Terraform". Finally the module
README's recipe "remove the guard and keep every set": ``terraform state rm`` of the managed sets (they
carry ``prevent_destroy``), ``terraform destroy``, then the kept sets deleted through the SES API.

What drifted before (AWS provider 5.100; provider behaviour, so real AWS as much as the emulator), and
how it stands. Drift lasts until an apply stores the refreshed state, so every plan up to the next apply
sees it, and Terraform prints it only in a plan with changes that read the drifted attribute:
- ``tags = {}`` on every resource tagged with the consumer's tags alone, when there are none (SDKv2
  stores an empty map as null at create, the refresh reads ``{}``; hashicorp/terraform-provider-aws#37601;
  omitting ``tags`` reads back ``{}`` too): every resource now carries ``ses-reputation-guard:component``
  (``GuardContext.component_tags``), which also spares the chat channel configurations, plugin-framework
  resources, a ``+ tags = {}`` on every plan (#38173); the function's IAM role too.
- ``layers`` on the function, null -> []: now ``layers = []`` (a list, unlike sets and maps, stays []).
- the SNS topics' ``policy``: SNS's default policy in the state (``aws_sns_topic_policy`` writes the guard's
  after the topic exists), the guard's at the refresh: the topics are now created with their policy.
- left, ``PROVIDER_DRIFT``: the alarms' ``insufficient_data_actions`` (a set) and the account and fleet
  alarms' ``dimensions`` (a map), null -> empty, which no configuration avoids short of giving the alarms
  an INSUFFICIENT_DATA action or a dimension; and the function role's computed ``inline_policy`` /
  ``managed_policy_arns``, filled at the refresh by the module's own ``aws_iam_role_policy`` / attachment
  (only the role's deprecated ``inline_policy`` / ``managed_policy_arns`` arguments avoid it). None is a
  change Terraform would make; Terraform prints them only where a planned change reads the attribute,
  and the ``health_alarm_arns`` output read the two health alarms whole, so every plan with a change
  printed their ``insufficient_data_actions = []`` (and ``tags = {}``) under "Objects have changed
  outside of Terraform": the output now reads ``alarm_name`` and ``arn`` of each, and no note is printed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.moto_server import MotoServer
from tests.module.conftest import MODULE_DIR, copy_consumer_example
from tests.support.terraform import CommandResult, apply, destroy, run_terraform, state_addresses

pytestmark = pytest.mark.slow

REGION = "eu-west-3"  # not one of test_module_consumer_shapes.REGIONS, nor us-east-1 (plan-only tests)
PREFIX = "ses-guard-drift"
MODULE = "module.ses_guard"
MANAGED_SETS = f"{MODULE}.aws_sesv2_configuration_set.guard_configuration_sets"
NOTE = "Objects have changed outside of Terraform"
PLAN = ("plan", "-input=false", "-refresh=true", "-detailed-exitcode")  # exit 0: no change, 2: changes
CHANGED_TAGS = re.compile(r"^\s*[-+~] tags\b")  # "+ tags = {}" (unchanged attributes print without a sign)
ROOT_MODULE = f"""\
provider "aws" {{
  region = "{REGION}"
}}

variable "marketing_bounce_critical" {{
  type    = number
  default = 0.03
}}

module "ses_guard" {{
  source = "../../modules/{MODULE_DIR.name}"

  name_prefix                = "{PREFIX}"
  notification_emails        = ["ops@example.com"]
  notification_phone_numbers = ["+15555550100"]
  account_policy             = {{ action = "pause" }}
  fleet_policy               = {{ action = "pause" }}
  sweep_policy               = {{ action = "pause", bounce_critical = 0.03 }}
  protected_configuration_sets = ["transactional"]
  configuration_sets = {{
    marketing     = {{ action = "pause", bounce_warning = 0.015, bounce_critical = var.marketing_bounce_critical }}
    transactional = {{ action = "notify", warning_alarms = false }}
    newsletters   = {{ action = "pause", managed = false }}
  }}
}}
"""
# Every resource type the consumer above deploys (test_the_consumer_deploys_every_kind_it_should keeps
# this list true); moto has no AWS chat API, so the chat channels and their role are not among them.
DEPLOYED_TYPES = (
    "aws_cloudwatch_dashboard",
    "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_dynamodb_table",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_kms_alias",
    "aws_kms_key",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_sesv2_configuration_set",
    "aws_sns_topic",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
    "aws_sqs_queue",
    "aws_ssm_parameter",
)


# --- the provider's own drift, real AWS too -----------------------------------------------------------
def _null_to_empty(before: Any, after: Any, _deployed: Deployed) -> bool:
    """SDKv2: an Optional set or map left empty is null in the state after create, empty after a refresh."""
    return before is None and after in ([], {})


def _the_modules_own_inline_policies(before: Any, after: Any, deployed: Deployed) -> bool:
    """aws_iam_role's computed inline_policy: empty at create, then filled by the module's aws_iam_role_policy."""
    names = {values["name"] for values in deployed.state_values("aws_iam_role_policy")}
    return before == [] and {policy["name"] for policy in after} == names


def _the_modules_own_attachments(before: Any, after: Any, deployed: Deployed) -> bool:
    """aws_iam_role's computed managed_policy_arns: filled by the module's aws_iam_role_policy_attachment."""
    arns = {values["policy_arn"] for values in deployed.state_values("aws_iam_role_policy_attachment")}
    return before == [] and set(after) == arns


PROVIDER_DRIFT: dict[tuple[str, str], Callable[[Any, Any, Deployed], bool]] = {
    # No INSUFFICIENT_DATA action on any alarm (giving one would change who hears what).
    ("aws_cloudwatch_metric_alarm", "insufficient_data_actions"): _null_to_empty,
    # Account alarms have no dimension, fleet alarms a Metrics Insights query instead.
    ("aws_cloudwatch_metric_alarm", "dimensions"): _null_to_empty,
    ("aws_iam_role", "inline_policy"): _the_modules_own_inline_policies,
    ("aws_iam_role", "managed_policy_arns"): _the_modules_own_attachments,
}


# --- one deployment ------------------------------------------------------------------------------------
@dataclass
class Deployed:
    directory: Path
    env: dict[str, str]
    first_plan: CommandResult | None = None
    first_plan_json: dict[str, Any] = field(default_factory=dict)
    changed_plan: CommandResult | None = None

    def state_values(self, resource_type: str) -> list[dict[str, Any]]:
        """The prior state's values of every ``resource_type`` of the module, as the first plan read them."""
        module = next(
            child
            for child in self.first_plan_json["prior_state"]["values"]["root_module"].get("child_modules", [])
            if child["address"] == MODULE
        )
        return [r["values"] for r in module["resources"] if r["mode"] == "managed" and r["type"] == resource_type]

    def drift(self) -> dict[str, dict[str, tuple[Any, Any]]]:
        """Address => {attribute: (in the state, read by the refresh)} of every drifted resource."""
        found: dict[str, dict[str, tuple[Any, Any]]] = {}
        for entry in self.first_plan_json.get("resource_drift", []):
            before, after = entry["change"]["before"] or {}, entry["change"]["after"] or {}
            changed = {
                name: (before.get(name), after.get(name))
                for name in sorted(set(before) | set(after))
                if before.get(name) != after.get(name)
            }
            found[entry["address"]] = changed or {"<object>": (entry["change"]["before"], entry["change"]["after"])}
        return found

    def unexplained_drift(self, resource_type: str) -> dict[str, dict[str, tuple[Any, Any]]]:
        """``drift()`` of ``resource_type``'s resources, less what ``PROVIDER_DRIFT`` explains."""
        unexplained = {}
        for address, attributes in self.drift().items():
            if address.removeprefix(f"{MODULE}.").split(".", 1)[0] != resource_type:
                continue
            left = {
                name: change
                for name, change in attributes.items()
                if not (
                    (rule := PROVIDER_DRIFT.get((resource_type, name))) is not None and rule(change[0], change[1], self)
                )
            }
            if left:
                unexplained[address] = left
        return unexplained


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, emulator_env: dict[str, str], module_emulator: MotoServer
) -> Iterator[Deployed]:
    example = copy_consumer_example(tmp_path_factory.mktemp("no-drift"))
    directory = example.rename(example.with_name("no-drift"))  # terraform runs are logged by folder name
    (directory / "main.tf").write_text(ROOT_MODULE)
    env = emulator_env
    run = Deployed(directory, env)
    run_terraform(["init", "-input=false"], directory, env)
    try:
        apply(directory, env)
        run.first_plan = run_terraform([*PLAN, "-out=first.tfplan"], directory, env, ok=(0, 2))
        run.first_plan_json = json.loads(run_terraform(["show", "-json", "first.tfplan"], directory, env).stdout)
        # A change after the apply (a threshold raised): Terraform prints drift only in a plan with changes.
        run.changed_plan = run_terraform([*PLAN, "-var=marketing_bounce_critical=0.04"], directory, env, ok=(0, 2))
        yield run
    finally:
        retire(directory, env, module_emulator)


def retire(directory: Path, env: dict[str, str], server: MotoServer) -> None:
    """The module README's "remove the guard and keep every set", then the kept sets deleted for good."""
    addresses = state_addresses(directory, env)
    if any(address.startswith(MANAGED_SETS) for address in addresses):
        run_terraform(["state", "rm", MANAGED_SETS], directory, env)
    destroy(directory, env, "-refresh=false")
    assert state_addresses(directory, env) == []
    sesv2 = server.boto3_client("sesv2", REGION)
    for address in addresses:
        if address.startswith(f"{MANAGED_SETS}["):
            sesv2.delete_configuration_set(ConfigurationSetName=address.split('["', 1)[1].rstrip('"]'))


# --- the tests -----------------------------------------------------------------------------------------
def test_the_consumer_deploys_every_kind_it_should(deployed: Deployed) -> None:
    values = deployed.first_plan_json["prior_state"]["values"]["root_module"]["child_modules"][0]["resources"]
    assert sorted({r["type"] for r in values if r["mode"] == "managed"}) == sorted(DEPLOYED_TYPES)


def test_the_first_plan_after_the_apply_plans_no_change_and_reports_none_outside_terraform(deployed: Deployed) -> None:
    assert deployed.first_plan is not None
    planned = deployed.first_plan_json["resource_changes"]
    assert [c["address"] for c in planned if c["change"]["actions"] != ["no-op"] and c["mode"] == "managed"] == []
    assert deployed.first_plan.returncode == 0, deployed.first_plan.output[-4000:]
    assert "No changes." in deployed.first_plan.output
    assert NOTE not in deployed.first_plan.output


@pytest.mark.parametrize(
    "resource_type",
    [kind for kind in DEPLOYED_TYPES],
)
def test_nothing_of_the_kind_drifts_but_what_the_provider_itself_does(deployed: Deployed, resource_type: str) -> None:
    assert deployed.unexplained_drift(resource_type) == {}


def test_the_provider_drift_allowed_above_is_still_what_the_refresh_reports(deployed: Deployed) -> None:
    """When the provider stops drifting on an entry of ``PROVIDER_DRIFT`` (or the module stops triggering
    it), the entry goes: nothing is allowed that does not happen."""
    seen = {
        (address.removeprefix(f"{MODULE}.").split(".", 1)[0], name)
        for address, attributes in deployed.drift().items()
        for name in attributes
    }
    assert set(PROVIDER_DRIFT) <= seen


def note_of(plan: CommandResult) -> str:
    """The plan's "Objects have changed outside of Terraform" section ("" when there is none)."""
    text = plan.output
    if NOTE not in text:
        return ""
    return text.split(NOTE, 1)[1].split("Unless you have made equivalent changes", 1)[0]


def test_a_plan_with_a_change_after_the_apply_reports_no_tags_changed_outside_terraform(deployed: Deployed) -> None:
    """The issue's ``tags = {}``: gone whatever the outputs read, since no resource's tags are empty."""
    assert deployed.changed_plan is not None
    assert deployed.changed_plan.returncode == 2  # the threshold raised: the marketing alarm changes
    assert 'guard_set_bounce_critical["marketing"] will be updated in-place' in deployed.changed_plan.output
    assert [line for line in note_of(deployed.changed_plan).splitlines() if CHANGED_TAGS.match(line)] == []


def test_a_plan_with_a_change_after_the_apply_reports_nothing_changed_outside_terraform(deployed: Deployed) -> None:
    assert deployed.changed_plan is not None
    assert deployed.changed_plan.returncode == 2
    assert note_of(deployed.changed_plan) == ""
