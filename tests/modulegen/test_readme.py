"""readme: the module's README, its files table and terraform-docs-style reference tables."""

from __future__ import annotations

import pytest

from ses_guard_modulegen.layout import ModuleBlock
from ses_guard_modulegen.outputs import ModuleOutput
from ses_guard_modulegen.readme import INTRO, PROJECT_HOME, PROVIDER_DOCS, module_source, release_tag, render_readme
from ses_guard_modulegen.variable_kinds import ModuleVariable
from tests.modulegen.support import FUNCTION_PACKAGE, TF_FILES

VERSIONS = (">= 1.5", ">= 5.100, < 7.0")
VARIABLES = [
    ModuleVariable("name_prefix", "string", "Prefix | of\nnames.", "ses-guard"),
    ModuleVariable("tags", "map(string)", "Tags.", {}),
]
OUTPUTS = [ModuleOutput("topic_arn", "ARN of the topic.", "string", "aws_sns_topic.guard_topic.arn")]
BLOCKS = [
    ModuleBlock("resource", "aws_sns_topic", "guard_topic", ""),
    ModuleBlock("locals", "", "resource_prefix", ""),
    ModuleBlock("data", "aws_region", "guard_region", ""),
]


@pytest.fixture(scope="module")
def readme() -> str:
    return render_readme(VERSIONS, VARIABLES, OUTPUTS, BLOCKS, release="1.2.3")


def test_the_readme_opens_with_the_intro_and_ends_with_the_terraform_docs_marker(readme):
    assert readme.startswith(INTRO)
    assert readme.endswith("<!-- END_TF_DOCS -->\n")


def test_the_reference_tables_are_rendered_between_terraform_docs_markers(readme):
    tables = readme[readme.index("<!-- BEGIN_TF_DOCS -->") :]
    assert tables == "\n".join(
        [
            "<!-- BEGIN_TF_DOCS -->",
            "## Requirements",
            "",
            "| Name | Version |",
            "| --- | --- |",
            "| terraform | `>= 1.5` |",
            "| aws | `>= 5.100, < 7.0` |",
            "",
            "## Providers",
            "",
            "| Name | Version |",
            "| --- | --- |",
            "| aws | `>= 5.100, < 7.0` |",
            "",
            "## Resources",
            "",
            "| Name | Type |",
            "| --- | --- |",
            f"| [aws_region.guard_region]({PROVIDER_DOCS}/data-sources/region) | data source |",
            f"| [aws_sns_topic.guard_topic]({PROVIDER_DOCS}/resources/sns_topic) | resource |",
            "",
            "## Inputs",
            "",
            "| Name | Description | Type | Default | Required |",
            "| --- | --- | --- | --- | --- |",
            '| `name_prefix` | Prefix \\| of names. | `string` | `"ses-guard"` | no |',
            "| `tags` | Tags. | `map(string)` | `{}` | no |",
            "",
            "## Outputs",
            "",
            "| Name | Description | Type |",
            "| --- | --- | --- |",
            "| `topic_arn` | ARN of the topic. | `string` |",
            "<!-- END_TF_DOCS -->",
            "",
        ]
    )


def test_the_files_table_lists_each_file_with_the_first_words_of_its_sections(readme):
    main = "| `main.tf` | Where the guard runs, and the names and lists derived from its inputs; Customer managed key |"
    assert main in readme
    assert "| `notifications.tf` | Notification topic; Pause topic; Chat channels (AWS chat integration) |" in readme
    assert "| `lambda/ses_guard_lambda.zip` | The pause function's code (built deterministically) |" in readme
    files_table = readme[readme.index("## Files") : readme.index("<!-- BEGIN_TF_DOCS -->")]
    listed = [line.split("`")[1] for line in files_table.splitlines() if line.startswith("| `")]
    assert listed == [*TF_FILES, FUNCTION_PACKAGE]


def test_a_colon_inside_a_section_title_does_not_cut_the_files_table_row(readme):
    assert "(dimension ses;" not in readme


def test_a_release_tag_is_v_and_the_version_and_the_source_pins_it():
    assert release_tag("1.2.3") == "v1.2.3"
    assert module_source("1.2.3") == f"git::{PROJECT_HOME}.git//modules/terraform-aws-ses-reputation-guard?ref=v1.2.3"


def test_the_usage_pins_the_release_and_the_versions_section_names_it(readme):
    assert f'module "ses_guard" {{\n  source = "{module_source("1.2.3")}"\n\n  name_prefix' in readme
    versions = readme[readme.index("## Versions\n") : readme.index("## Retiring")]
    assert "This is release 1.2.3 of ses-reputation-guard" in versions
    assert "(`?ref=v1.2.3`)" in versions and "git tag `v<version>`, made when the version is released" in versions
    assert "[CHANGELOG.md](../../CHANGELOG.md)" in versions
    assert (
        readme.index("## Usage")
        < readme.index("## Fleet and sweep modes")
        < readme.index("## Hub mode")
        < readme.index("## Versions")
        < readme.index("## Retiring")
        < readme.index("## Files")
    )


def test_the_modes_section_shows_a_sweep_call_pinned_to_the_release_and_the_fleet_delivery(readme):
    modes = readme[readme.index("## Fleet and sweep modes\n") : readme.index("## Hub mode")]
    assert f'module "ses_guard" {{\n  source = "{module_source("1.2.3")}"\n' in modes
    assert "  sweep_policy = {\n" in modes and 'protected_configuration_sets = ["transactional"]' in modes
    assert "`delivery` attribute" in modes and '`"eventbridge"`\n(default)' in modes and '`"sns"`' in modes
    assert "`sweep_schedule_rule_arn`, `sweep_state_table_name`" in modes


def test_the_hub_section_names_its_outputs_the_member_module_and_the_example(readme):
    hub = readme[readme.index("## Hub mode\n") : readme.index("## Versions")]
    assert "`hub_policy`" in hub and "`sweep_policy`" in hub and "`function_role_arn`" in hub
    assert "`hub_members_path`" in hub and "`hub_member_role_arns`" in hub
    assert "(../terraform-aws-ses-reputation-guard-member/README.md)" in hub
    assert "(../../examples/terraform_module_organization/main.tf)" in hub
