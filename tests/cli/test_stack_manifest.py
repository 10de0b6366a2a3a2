"""``stack_manifest``: find and read the one policy manifest a synthesized stack ships.

Every way a stack folder can fail to give one guard's manifest is one error saying which and what to do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ses_guard_cli import stack_manifest
from ses_guard_cli.stack_manifest import StackManifestError
from ses_guard_policy import manifest
from tests.cli.support import DEFAULTS, manifest_document, write_stack
from tests.conftest import SynthOutput


def test_the_manifest_of_a_stack_is_read_with_every_value_the_stack_ships(tmp_path: Path) -> None:
    stack = write_stack(
        tmp_path / "s",
        manifest_document(
            "mail",
            region="eu-west-1",
            account={"action": "pause"},
            configuration_sets={"m": {"action": "notify", "managed": True, "bounce_critical": 0.03}},
        ),
    )
    guard = stack_manifest.load(stack)
    assert (guard.name_prefix, guard.region, guard.fleet) == ("mail", "eu-west-1", None)
    assert guard.account is not None and guard.account.action == "pause"
    assert guard.account.thresholds.to_document() == DEFAULTS
    assert guard.configuration_sets["m"].thresholds.bounce_critical == 0.03
    assert guard.configuration_sets["m"].managed is True
    assert stack_manifest.manifest_paths(stack) == [stack / "assets" / "a" / "b" / manifest.FILE_NAME]


def test_a_folder_without_cdk_tf_json_is_refused_saying_to_run_make_synth(tmp_path: Path) -> None:
    with pytest.raises(StackManifestError) as refused:
        stack_manifest.load(tmp_path)
    assert str(refused.value) == f"{tmp_path}: no cdk.tf.json (run `make synth` first, or pass the stack's folder)"


def test_a_stack_without_a_manifest_is_refused_saying_to_synthesize_it_again(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "s")
    with pytest.raises(StackManifestError) as refused:
        stack_manifest.load(stack)
    assert (
        str(refused.value)
        == f"{stack}: no guard with a policy_manifest.json: run `make synth` (or `cdktf synth`) with this version"
    )


def test_a_stack_with_two_guards_is_refused_naming_both_prefixes_and_one_is_chosen_by_its_prefix(
    tmp_path: Path,
) -> None:
    stack = write_stack(
        tmp_path / "s",
        manifest_document("mail-eu", account={"action": "pause"}),
        manifest_document("mail-us", account={"action": "notify"}),
    )
    with pytest.raises(StackManifestError) as refused:
        stack_manifest.load(stack)
    assert str(refused.value) == (
        f"{stack}: 2 guards (mail-eu, mail-us) with a policy_manifest.json: one guard per stack"
    )
    chosen = stack_manifest.load(stack, "mail-us")
    assert chosen.name_prefix == "mail-us"
    assert chosen.account is not None and chosen.account.action == "notify"


@pytest.mark.parametrize(
    ("content", "problem"),  # what follows "policy <file>"
    [
        (
            manifest_document(account={"action": "stop"}),
            " [account] action='stop': must be one of 'pause', 'notify'",
        ),
        (
            manifest_document(account={"action": "pause", "complaint_critical": 1.5}),
            " [account]: complaint_critical=1.5: must be a ratio strictly between 0 and 1 (0.05 = 5 %), "
            "not a percentage",
        ),
        (
            manifest_document(account={"action": "pause"}, version=2),
            ": version=2: this tool reads version 1; upgrade ses-guard",
        ),
    ],
    ids=["action", "ratio", "version"],
)
def test_a_manifest_that_breaks_a_rule_is_refused_naming_the_file_the_value_and_the_rule(
    tmp_path: Path, content: dict[str, object], problem: str
) -> None:
    stack = write_stack(tmp_path / "s", content)
    with pytest.raises(StackManifestError) as refused:
        stack_manifest.load(stack)
    assert str(refused.value) == f"policy {stack / 'assets' / 'a' / 'b' / manifest.FILE_NAME}{problem}"


def test_a_manifest_that_is_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "s", '{"name_prefix": ')
    with pytest.raises(StackManifestError, match=r"^policy .*/assets/a/b/policy_manifest\.json: not valid JSON: "):
        stack_manifest.load(stack)


@pytest.mark.parametrize("example", ["account-wide", "per-set", "fleet"])
def test_every_example_stack_ships_one_manifest_that_reads_back_as_written(synth: SynthOutput, example: str) -> None:
    guard = stack_manifest.load(synth.stack_dir(example))
    written = synth.manifest(example)
    assert len(stack_manifest.manifest_paths(synth.stack_dir(example))) == 1
    assert (guard.name_prefix, sorted(guard.configuration_sets)) == (
        written["name_prefix"],
        sorted(written["configuration_sets"]),
    )
    assert (guard.fleet is None) == (written["fleet"] is None)
    assert manifest.parse(guard.to_document(), source="round trip") == guard


@pytest.mark.parametrize(
    ("config", "region"),
    [
        ({"provider": {"aws": [{"region": "eu-west-1"}]}}, "eu-west-1"),
        ({"provider": {"aws": [{"region": "eu-west-1"}, {"alias": "us", "region": "us-east-1"}]}}, "eu-west-1"),
        ({"provider": {"aws": {"region": "ap-south-1"}}}, "ap-south-1"),
        ({"provider": {"aws": [{}]}}, None),  # left to AWS_REGION at deploy time
        ({"provider": {"aws": [{"region": "${var.region}"}]}}, None),  # computed
        ({"provider": {"aws": [{"region": "eu-west-1"}, {"region": "us-east-1"}]}}, None),  # ambiguous
        ({}, None),
    ],
    ids=["one", "aliased-ignored", "object", "unset", "computed", "two-unaliased", "no-provider"],
)
def test_the_region_of_a_stack_is_its_unaliased_aws_providers_literal_region(
    tmp_path: Path, config: dict[str, object], region: str | None
) -> None:
    stack = write_stack(tmp_path / "s")
    (stack / "cdk.tf.json").write_text(json.dumps(config))
    assert stack_manifest.stack_region(stack) == region


def test_the_region_of_an_example_stack_is_the_region_it_deploys_to(synth: SynthOutput) -> None:
    assert stack_manifest.stack_region(synth.stack_dir("multi-region-eu-west-1")) == "eu-west-1"
    assert stack_manifest.stack_region(synth.stack_dir("multi-region-us-east-1")) == "us-east-1"
