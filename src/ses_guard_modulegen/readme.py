"""The module's README: what it does, how to call it, which release it is, which file holds what, and the
reference tables.

The tables (requirements, providers, resources, inputs, outputs) sit between terraform-docs markers
(``<!-- BEGIN_TF_DOCS -->`` / ``<!-- END_TF_DOCS -->``) in terraform-docs' layout, so a team that runs
terraform-docs on the module gets the same sections; here they are rendered from the same
variables, outputs and blocks as the ``.tf`` files, so they cannot go stale.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ses_guard_modulegen.layout import SECTIONS, ModuleBlock
from ses_guard_modulegen.outputs import ModuleOutput
from ses_guard_modulegen.variable_kinds import ModuleVariable

PROVIDER_DOCS = "https://registry.terraform.io/providers/hashicorp/aws/latest/docs"
PROJECT_HOME = "https://github.com/ses-reputation-guard/ses-reputation-guard"
"""Where the project lives: the module source below, the project README and the policy pack's Guide links."""
MODULE_PATH = "modules/terraform-aws-ses-reputation-guard"


def release_tag(version: str) -> str:
    """The git tag of a release: ``v`` and the version (``v0.1.0``), made when the version is released."""
    return f"v{version}"


def module_source(version: str) -> str:
    """The module's ``source``, pinned to the release tag of ``version``."""
    return f"git::{PROJECT_HOME}.git//{MODULE_PATH}?ref={release_tag(version)}"


INTRO = """# terraform-aws-ses-reputation-guard

Protects an Amazon SES sender's reputation in one Region: CloudWatch alarms on the account-wide and
per-configuration-set `Reputation.BounceRate` / `Reputation.ComplaintRate`, in a warning tier that
notifies people and a critical tier that pauses sending (the account, or only the offending
configuration set) before AWS reviews the account; plus the pausing Lambda, encrypted SNS topics,
a dead-letter queue and alarms on the guard itself. Every set of the Region, without listing them:
fleet alarms or a scheduled sweep (see "Fleet and sweep modes").

Generated from the cdktf constructs in `src/ses_reputation_guard` (`make module`): do not edit
by hand. No provider or backend block: configure the `aws` provider (and its Region) in the caller.
"""

USAGE_HEAD = """## Usage

```hcl
module "ses_guard" {
"""
USAGE_BODY = """
  name_prefix         = "ses-guard"
  notification_emails = ["deliverability@example.com"]

  account_policy = { action = "notify" }  # "pause" would pause every set, transactional included
  configuration_sets = {
    marketing     = { action = "pause", bounce_critical = 0.03 }
    transactional = { action = "notify" }                 # never paused by its own alarms
    legacy        = { action = "pause", managed = false } # existing set: enable its reputation metrics yourself
  }
}
```

Thresholds are ratios from 0 to 1 (0.05 = 5 %). A value such as `5` fails at plan time with the
module's own message. A set paused by the function stays paused across `terraform apply` (the
module ignores `sending_options`); resume it with `ses-guard resume` (see the
project README), knowing that AWS resets a re-enabled set's reputation metrics ("fresh start").
`action` is required for every set, and for the account policy when you give one: `null` is
refused at plan time, never read as `pause`.
"""

MODES_HEAD = """
## Fleet and sweep modes

Both guard every configuration set of the Region, present and future, without listing them. Sets in
`configuration_sets` are judged only by their own alarms; sets in `protected_configuration_sets` (at
most 25 names) or tagged `ses-reputation-guard:action = notify` in SES are never paused, whatever the
evidence.

Fleet mode (`fleet_policy`) creates four CloudWatch Metrics Insights alarms grouped by configuration
set. Its `delivery` attribute says how a set's alarm change reaches the function: `"eventbridge"`
(default) is an EventBridge rule on the "CloudWatch Alarm Contributor State Change" events of the
guard's critical fleet alarms, a shape AWS documents in full; `"sns"` makes the critical fleet alarms
publish to the pause topic, one message per set, which the function reads with
DescribeAlarmContributors when a message does not name its set; `"alarm-action"` makes the critical
fleet alarms invoke the function themselves (a `lambda_permission` per alarm for
`lambda.alarms.cloudwatch.amazonaws.com`), per set and at alarm level, expanded the same way.

Sweep mode (`sweep_policy`) creates no alarm: an EventBridge schedule runs the function every
`schedule_minutes` (default 60); each run reads every set's rates with two Metrics Insights queries
(the worst 500 first) and judges them as an alarm would (period, M of N, `>=`), pauses the sets in
critical breach and notifies a warning once per episode. A DynamoDB table holds the run lock and the
open warning episodes (outputs `sweep_schedule_rule_arn`, `sweep_state_table_name`). The run judges
the account-wide rates too (`evaluate_account`, default true) by `account_policy`, whose alarms can
then be turned off:

```hcl
module "ses_guard" {
"""
MODES_BODY = """
  name_prefix         = "ses-guard"
  notification_emails = ["deliverability@example.com"]

  account_policy = { action = "notify", enabled = false } # the sweep run judges the account
  sweep_policy = {
    action          = "pause"
    bounce_critical = 0.03 # ratios 0-1; thresholds left out use default_thresholds
  }
  protected_configuration_sets = ["transactional"]
}
```
"""

HUB_SECTION = """
## Hub mode

`hub_policy` (on top of `sweep_policy`; null by default) makes this guard the hub of an AWS
Organization: each sweep run also covers the member accounts x Regions in `members` (a map keyed by
account id), assuming the role `<name_prefix>-member` that the member module
([terraform-aws-ses-reputation-guard-member](../terraform-aws-ses-reputation-guard-member/README.md))
creates in each member account, trusting this guard's output `function_role_arn`. Each member's entry
is an SSM SecureString parameter under the output `hub_members_path`; the function's role may assume
exactly the roles in the output `hub_member_role_arns`, and its timeout becomes 900 s. Every member
value is checked at plan in the constructs' words (account id, Regions, actions, thresholds merged over
the sweep's), and a hub without `sweep_policy` fails the plan. Apply the hub first, then the members
(each member role's trust names the hub's role). A full root module with two member accounts:
[examples/terraform_module_organization](../../examples/terraform_module_organization/main.tf).
"""

VERSIONS_SECTION = """
## Versions

This is release {version} of ses-reputation-guard: the Python package, this module and the
`ses-guard` tool carry one version (the project's `pyproject.toml`; `versions.tf` repeats it in its
first comment), and [CHANGELOG.md](../../CHANGELOG.md) says what each release changed. Each release
is a git tag `v<version>`, made when the version is released. Pin `source` to one, as above
(`?ref={tag}`): without `ref` Terraform takes the default branch as it is at `terraform init`. Read
the changelog before moving the ref; `terraform init` fetches the new one. From a fork or a
mirror, keep the `//{module_path}?ref=` part after your own repository URL.
"""

RETIRING = """
## Retiring a configuration set, or the guard

Configuration sets the module manages carry `prevent_destroy`: removing one from
`configuration_sets`, flipping it to `managed = false` or `terraform destroy` fails the plan
("Instance cannot be destroyed") instead of deleting a set your application sends with. To stop
managing a set but keep it, take it out of the state first, then edit the map (the address uses
your module block's name):

```sh
terraform state rm 'module.ses_guard.aws_sesv2_configuration_set.guard_configuration_sets["marketing"]'
```

To remove the guard and keep every set, `terraform state rm
module.ses_guard.aws_sesv2_configuration_set.guard_configuration_sets`, then `terraform destroy`.
To delete a set for good, take it out of the state as above and delete it with
`aws sesv2 delete-configuration-set`. (The end-to-end tier runs these steps against the emulator.)
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _files_table() -> list[str]:
    rows = ["## Files", "", "| File | What it holds |", "| --- | --- |"]
    by_file: dict[str, list[str]] = {}
    for section in SECTIONS:
        # the title's lead, up to ": " (a colon inside a name such as ses:configuration-set is no cut)
        by_file.setdefault(section.file, []).append(section.title.splitlines()[0].split(": ")[0])
    rows += [f"| `{name}` | {_cell('; '.join(titles))} |" for name, titles in by_file.items()]
    rows += [
        "| `variables.tf` | Inputs, each with a description, a type, a default and its validation rules |",
        "| `outputs.tf` | Outputs (ARNs, names, alarm maps) |",
        "| `versions.tf` | The release's version (a comment); Terraform and provider version ranges |",
        "| `lambda/ses_guard_lambda.zip` | The pause function's code (built deterministically) |",
    ]
    return rows


def _resource_link(block: ModuleBlock) -> str:
    kind = "resources" if block.kind == "resource" else "data-sources"
    return f"[{block.type}.{block.name}]({PROVIDER_DOCS}/{kind}/{block.type.removeprefix('aws_')})"


def _reference_tables(
    versions: tuple[str, str], variables: list[ModuleVariable], outputs: list[ModuleOutput], blocks: list[ModuleBlock]
) -> list[str]:
    terraform_range, provider_range = versions
    resources = sorted((b for b in blocks if b.kind in ("resource", "data")), key=lambda b: (b.kind, b.type, b.name))
    rows = ["<!-- BEGIN_TF_DOCS -->", "## Requirements", "", "| Name | Version |", "| --- | --- |"]
    rows += [f"| terraform | `{terraform_range}` |", f"| aws | `{provider_range}` |", ""]
    rows += ["## Providers", "", "| Name | Version |", "| --- | --- |", f"| aws | `{provider_range}` |", ""]
    rows += ["## Resources", "", "| Name | Type |", "| --- | --- |"]
    rows += [f"| {_resource_link(b)} | {'resource' if b.kind == 'resource' else 'data source'} |" for b in resources]
    rows += ["", "## Inputs", "", "| Name | Description | Type | Default | Required |"]
    rows += ["| --- | --- | --- | --- | --- |"]
    rows += [
        f"| `{v.name}` | {_cell(v.description)} | `{_cell(v.type)}` | `{_cell(json.dumps(v.default))}` | no |"
        for v in variables
    ]
    rows += ["", "## Outputs", "", "| Name | Description | Type |", "| --- | --- | --- |"]
    rows += [f"| `{o.name}` | {_cell(o.description)} | `{o.type}` |" for o in outputs]
    return [*rows, "<!-- END_TF_DOCS -->"]


def _guide(release: str) -> str:
    """Usage, the fleet and sweep modes (the source pinned to the release's tag), hub mode, Versions and
    Retiring, after the intro."""
    source = f'  source = "{module_source(release)}"\n'
    versions = VERSIONS_SECTION.format(version=release, tag=release_tag(release), module_path=MODULE_PATH)
    return USAGE_HEAD + source + USAGE_BODY + MODES_HEAD + source + MODES_BODY + HUB_SECTION + versions + RETIRING


def render_readme(
    versions: tuple[str, str],
    variables: list[ModuleVariable],
    outputs: list[ModuleOutput],
    blocks: Iterable[ModuleBlock],
    *,
    release: str,
) -> str:
    """``versions`` is (Terraform range, AWS provider range); ``release`` the project's version."""
    tables = _reference_tables(versions, variables, outputs, list(blocks))
    lines = [INTRO + "\n" + _guide(release), *_files_table(), "", *tables]
    return "\n".join(lines) + "\n"
