"""The guards in ``terraform show -json`` output: what ``estimate --plan-json`` prices and
``backtest --plan-json`` replays for a Terraform root that calls the module (or any root holding a guard).

    terraform plan -out=guard.tfplan && terraform show -json guard.tfplan > plan.json   # before or after apply
    terraform show -json > state.json                                                 # what is deployed

Terraform has resolved everything in that document: variables, defaults, ``for_each`` and ``count``.
A guard is the module (or the root module) whose CloudWatch alarms carry the tag
``ses-reputation-guard:guard = <name prefix>``; its reputation alarms are read as planned (threshold,
period, statistic, M of N, missing data, the fleet's Metrics Insights query, the scope, tier and
action tags), its sets with their own policy from its SSM parameters
``/<prefix>/policy/configuration-sets/<set>`` and its Region from its ``aws_region`` data source.

Why the planned alarms and not the function's ``POLICY_MANIFEST`` environment variable: in the plan of
a guard not yet applied that variable is unknown (the same environment map holds the topic ARNs AWS
assigns at apply, so Terraform leaves the whole map unknown), while every alarm attribute the backtest
and the estimate need is known in every plan and in the state; and the alarms are exactly what
CloudWatch will evaluate and bill. Reading the root's ``.tf`` files instead would mean evaluating HCL
(variables, locals, ``-var`` and ``.tfvars``): a second Terraform.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ses_guard_policy import contract

ALARM_TYPE: Final = "aws_cloudwatch_metric_alarm"
SET_PARAMETER: Final = re.compile(r"^/(?P<prefix>[^/]+)/policy/configuration-sets/(?P<name>[^/]+)$")
"""The name of a set's policy entry (``ses_guard_policy.manifest.configuration_sets_path``)."""
ROOT_MODULE: Final = "the root module"


class PlanError(ValueError):
    """Not ``terraform show -json`` output, no guard, several where one is needed, or a value the plan
    does not know; the message says which and what to do."""


@dataclass(frozen=True)
class PlannedResource:
    address: str
    type: str
    values: Mapping[str, Any]
    """The planned (or, from a state, current) attribute values; an attribute known only after apply is
    absent."""

    def get(self, attribute: str, source: str) -> Any:
        """The attribute's value; ``PlanError`` when the plan does not know it yet."""
        if attribute not in self.values:
            raise PlanError(
                f"{source}: {self.address}.{attribute} is known only after apply: plan with values known at plan "
                "time, or read the state after apply (terraform show -json > state.json)"
            )
        return self.values[attribute]


@dataclass(frozen=True)
class PlannedGuard:
    """One guard: its name prefix, the module holding it, its Region and every managed resource of that module."""

    name_prefix: str
    module: str
    """``module.ses_guard`` (the address of the module call), or ``the root module``."""
    region: str | None
    resources: tuple[PlannedResource, ...]
    source: str
    """The file, for messages."""

    def of_type(self, resource_type: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == resource_type]

    def reputation_alarms(self) -> list[PlannedResource]:
        """The alarms tagged with this guard (account, set and fleet; not the function's health alarms)."""
        return [a for a in self.of_type(ALARM_TYPE) if _tags(a).get(contract.TAG_GUARD) == self.name_prefix]

    def configuration_sets(self) -> list[str]:
        """The sets with their own policy: their SSM policy entries and their own alarms."""
        names = {
            match.group("name")
            for parameter in self.of_type("aws_ssm_parameter")
            if (match := SET_PARAMETER.match(str(parameter.values.get("name", ""))))
            and match.group("prefix") == self.name_prefix
        }
        names |= {
            name for alarm in self.reputation_alarms() if (name := _tags(alarm).get(contract.TAG_CONFIGURATION_SET))
        }
        return sorted(names)

    @property
    def where(self) -> str:
        return f"{self.source} ({self.module}, guard {self.name_prefix})"


def load(path: Path) -> list[PlannedGuard]:
    """Every guard in the ``terraform show -json`` document at ``path``, in module order."""
    source = f"--plan-json {path}"
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise PlanError(f"{source}: cannot read it ({exc.strerror})") from exc
    except ValueError as exc:
        raise PlanError(f"{source}: not valid JSON: {exc}") from exc
    return guards_of(document, source)


def guards_of(document: Any, source: str) -> list[PlannedGuard]:
    if not isinstance(document, dict) or not (
        isinstance(document.get("planned_values"), dict) or isinstance(document.get("values"), dict)
    ):
        raise PlanError(
            f"{source}: not `terraform show -json` output (no planned_values or values): write it with "
            "terraform show -json PLANFILE > plan.json"
        )
    tree = document.get("planned_values") or document.get("values") or {}
    by_module: dict[str, list[PlannedResource]] = {}
    for module, resource in _resources(tree.get("root_module")):
        if resource.get("mode") == "managed":
            by_module.setdefault(module, []).append(
                PlannedResource(str(resource.get("address")), str(resource.get("type")), resource.get("values") or {})
            )
    regions = _regions(document)
    guards = []
    for module, resources in by_module.items():
        prefixes = _prefixes(resources)
        if len(prefixes) > 1:
            raise PlanError(
                f"{source}: {module} holds {len(prefixes)} guards ({', '.join(prefixes)}): one guard per module "
                "(their functions, keys and dashboards cannot be told apart)"
            )
        guards += [PlannedGuard(prefix, module, regions.get(module), tuple(resources), source) for prefix in prefixes]
    if not guards:
        raise PlanError(
            f"{source}: no ses-reputation-guard in it (no alarm tagged {contract.TAG_GUARD}): plan a root that "
            "calls the module; if the alarms' tags are known only after apply, read the state after apply"
        )
    return guards


def select(guards: Sequence[PlannedGuard], name_prefix: str | None) -> PlannedGuard:
    """The one guard named ``name_prefix``, or the only one."""
    chosen = [g for g in guards if name_prefix is None or g.name_prefix == name_prefix]
    if len(chosen) == 1:
        return chosen[0]
    listed = ", ".join(f"{g.name_prefix} in {g.module}" for g in guards)
    source = guards[0].source
    if not chosen:
        raise PlanError(f"{source}: no guard {name_prefix!r}; the plan holds {listed}")
    raise PlanError(f"{source}: {len(chosen)} guards ({listed}): pass --name-prefix PREFIX to choose one")


# --- reading the document ---------------------------------------------------------------------------
def _resources(module: Any, address: str = ROOT_MODULE) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(module address, resource) for every resource of ``module`` and its child modules."""
    if not isinstance(module, dict):
        return
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield address, resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _resources(child, str(child.get("address", "?")))


def _regions(document: Mapping[str, Any]) -> dict[str, str]:
    """Module address -> the Region its ``aws_region`` data source read (at plan time, or in the state)."""
    found: dict[str, str] = {}
    trees = [document.get("planned_values"), document.get("values"), (document.get("prior_state") or {}).get("values")]
    for tree in trees:
        for module, resource in _resources((tree or {}).get("root_module")):
            if resource.get("mode") == "data" and resource.get("type") == "aws_region":
                values = resource.get("values") or {}
                region = values.get("region") or values.get("name")
                if isinstance(region, str) and region:
                    found.setdefault(module, region)
    return found


def _prefixes(resources: Sequence[PlannedResource]) -> list[str]:
    alarms = [r for r in resources if r.type == ALARM_TYPE]
    return sorted({str(_tags(a)[contract.TAG_GUARD]) for a in alarms if contract.TAG_GUARD in _tags(a)})


def _tags(resource: PlannedResource) -> Mapping[str, Any]:
    tags = resource.values.get("tags")
    return tags if isinstance(tags, dict) else {}
