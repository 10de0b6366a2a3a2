"""``plan_json``: the guards in ``terraform show -json`` output (a saved plan's, or the state's), for module
users' ``estimate --plan-json`` and ``backtest --plan-json``. Real plans of the module's example roots
(``module_plans``, planned against the emulator) and small documents written here for each refusal."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ses_guard_cli import plan_json
from ses_guard_cli.plan_json import PlanError
from ses_guard_policy import contract
from tests.cli.support import MODULE_PLAN_REGIONS


def alarm(prefix: str, address: str, **values: Any) -> dict[str, Any]:
    """A planned alarm resource tagged with the guard ``prefix``."""
    tags = {contract.TAG_GUARD: prefix, contract.TAG_SCOPE: "account", contract.TAG_TIER: "critical"}
    return {
        "address": address,
        "mode": "managed",
        "type": plan_json.ALARM_TYPE,
        "values": {"alarm_name": f"{prefix}-account-bounce-critical", "tags": tags, **values},
    }


def plan(
    *modules: tuple[str, list[dict[str, Any]]],
    regions: dict[str, dict[str, str]] | None = None,
    key: str = "planned_values",
) -> Any:
    """A ``terraform show -json`` document: each (module address, resources) as a child module (``""``: the
    root module); ``regions``: module address -> the values of its ``aws_region`` data source, which a plan
    reads at plan time (``prior_state``)."""
    root: dict[str, Any] = {"resources": [], "child_modules": []}
    for address, resources in modules:
        if address:
            root["child_modules"].append({"address": address, "resources": resources})
        else:
            root["resources"] += resources
    data = [
        {"address": address, "resources": [{"mode": "data", "type": "aws_region", "values": values}]}
        for address, values in (regions or {}).items()
    ]
    return {
        "format_version": "1.2",
        key: {"root_module": root},
        "prior_state": {"values": {"root_module": {"child_modules": data}}},
    }


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    return path


def test_a_file_that_is_not_terraform_show_json_is_refused_saying_how_to_write_one(tmp_path: Path) -> None:
    path = write(tmp_path, {"resource": {}})
    with pytest.raises(PlanError) as refused:
        plan_json.load(path)
    assert str(refused.value) == (
        f"--plan-json {path}: not `terraform show -json` output (no planned_values or values): write it with "
        "terraform show -json PLANFILE > plan.json"
    )


def test_a_plan_without_a_guard_is_refused_naming_the_tag_it_looks_for(tmp_path: Path) -> None:
    other = {"address": "aws_sns_topic.t", "mode": "managed", "type": "aws_sns_topic", "values": {}}
    with pytest.raises(PlanError, match=f"no ses-reputation-guard in it \\(no alarm tagged {contract.TAG_GUARD}\\)"):
        plan_json.load(write(tmp_path, plan(("", [other]))))


def test_one_module_holding_two_guards_is_refused_naming_both(tmp_path: Path) -> None:
    document = plan(("module.g", [alarm("mail-eu", "module.g.a"), alarm("mail-us", "module.g.b")]))
    with pytest.raises(PlanError, match=r"module.g holds 2 guards \(mail-eu, mail-us\): one guard per module"):
        plan_json.load(write(tmp_path, document))


def test_each_module_call_is_a_guard_with_the_region_its_data_source_read(tmp_path: Path) -> None:
    document = plan(
        ("module.eu", [alarm("mail-eu", "module.eu.a")]),
        ("module.us", [alarm("mail-us", "module.us.a")]),
        regions={"module.eu": {"name": "eu-west-1"}, "module.us": {"region": "us-east-1"}},  # AWS provider 5, 6
    )
    guards = plan_json.load(write(tmp_path, document))
    assert [(g.name_prefix, g.module, g.region) for g in guards] == [
        ("mail-eu", "module.eu", "eu-west-1"),
        ("mail-us", "module.us", "us-east-1"),
    ]
    assert plan_json.select(guards, "mail-us").module == "module.us"
    with pytest.raises(PlanError, match=r"2 guards .*: pass --name-prefix PREFIX to choose one"):
        plan_json.select(guards, None)
    with pytest.raises(PlanError, match=re.escape("no guard 'mail'; the plan holds mail-eu in module.eu, mail-us in")):
        plan_json.select(guards, "mail")


def test_the_state_is_read_like_a_plan_and_a_root_module_guard_has_no_module_address(tmp_path: Path) -> None:
    [guard] = plan_json.load(write(tmp_path, plan(("", [alarm("g", "aws_cloudwatch_metric_alarm.a")]), key="values")))
    assert (guard.name_prefix, guard.module, guard.region) == ("g", "the root module", None)


def test_an_attribute_known_only_after_apply_is_refused_naming_the_resource(tmp_path: Path) -> None:
    [guard] = plan_json.load(write(tmp_path, plan(("module.g", [alarm("g", "module.g.a")]))))
    [planned] = guard.reputation_alarms()
    with pytest.raises(PlanError) as refused:
        planned.get("threshold", guard.source)
    assert str(refused.value) == (
        f"{guard.source}: module.g.a.threshold is known only after apply: plan with values known at plan time, "
        "or read the state after apply (terraform show -json > state.json)"
    )


@pytest.mark.slow
def test_the_module_example_plans_hold_one_guard_each_with_its_sets_and_its_planned_region(
    module_plans: dict[str, Path],
) -> None:
    found = {name: plan_json.load(path) for name, path in module_plans.items()}
    assert {name: [(g.name_prefix, g.module, g.region) for g in guards] for name, guards in found.items()} == {
        "terraform_module": [("ses-guard-tf", "module.ses_guard", MODULE_PLAN_REGIONS["terraform_module"])],
        "terraform_module_fleet": [
            ("ses-guard-fleet", "module.ses_guard", MODULE_PLAN_REGIONS["terraform_module_fleet"])
        ],
    }
    assert found["terraform_module"][0].configuration_sets() == ["marketing", "newsletters", "transactional"]
    assert found["terraform_module_fleet"][0].configuration_sets() == ["transactional", "vip"]
    # the function's policy manifest is unknown before the first apply: why the alarms are read instead
    document = json.loads(module_plans["terraform_module_fleet"].read_text())
    [function] = [c for c in document["resource_changes"] if c["type"] == "aws_lambda_function"]
    assert function["change"]["after_unknown"]["environment"] == [{"variables": True}]
