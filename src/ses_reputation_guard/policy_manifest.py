"""PolicyManifest: the guard's deployed policy (``ses_guard_policy.manifest``) where its readers find it.

- ``environment_value``: the guard-level document (no per-set entries, a few hundred bytes) for the
  function's environment, ``POLICY_MANIFEST``: a JSON string in a stack, ``jsonencode(...)`` of the
  variables in the generated module. Changing it takes ``lambda:UpdateFunctionConfiguration``.
- ``parameters``: one SSM SecureString parameter per configuration set with its own policy,
  ``/<name_prefix>/policy/configuration-sets/<set>``, encrypted with the guard's key, ``for_each`` over
  the set map (so 10,000 sets stay one block). The function reads a set's entry when an alarm or a
  fleet contributor names it; a missing parameter means the set has no policy of its own. Changing
  one takes ``ssm:PutParameter`` on that path and the key's ``kms:Encrypt``: neither is a CloudWatch
  permission, so rewriting an alarm cannot change the policy it is judged by.
- ``asset``: the whole document, ``policy_manifest.json``, beside a synthesized stack (Python props
  only), read by ``ses-guard backtest --stack`` and ``ses-guard estimate``.

A hub guard's (``HubPolicy``) document has a ``hub`` section: in the environment without its members
(the function lists their parameters, ``HubMembers``), in the asset with them. When only Terraform knows
whether hub mode is on (the generated module's ``hub_policy != null``), the section is an
``OptionalSection``: present or absent (never null, so a guard without a hub keeps its environment as it
was), ``jsonencode(merge(local.<prefix>_manifest, local.<prefix>_manifest_hub))``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ses_guard_policy import evaluation, hub, manifest, rules
from ses_reputation_guard._cdktf import (
    Construct,
    Fn,
    TerraformAsset,
    TerraformLocal,
    Token,
)
from ses_reputation_guard.assets import shipped_file
from ses_reputation_guard.context import GuardChild, GuardContext
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.secure_entries import secure_entries
from ses_reputation_guard.validation import is_token


@dataclass(frozen=True)
class OptionalSection:
    """A top-level section of the document present only when ``enabled`` (a Terraform token) holds."""

    enabled: Any
    """A boolean token."""
    value: Mapping[str, Any]
    """The section (values may be tokens)."""


@dataclass(frozen=True)
class PolicyManifestProps:
    guard_document: Mapping[str, Any]
    """The guard-level document (``guard_document``); values may be Terraform tokens."""
    kms_key_arn: str
    """The guard's key: encrypts the per-set parameters."""
    sets: TerraformExpression | None = None
    """The normalized set map (name => record); None without sets. Default None."""
    set_records: Mapping[str, Mapping[str, Any]] | None = None
    """The same map as Python values, for the stack asset; None when only Terraform knows it. Default None."""
    hub_members: Mapping[str, Mapping[str, Any]] | None = None
    """A hub's members (account id => entry, ``manifest.Member.to_document``), for the stack asset's
    ``hub.members``; None without a hub or when only Terraform knows them. Default None."""


class PolicyManifest(GuardChild[PolicyManifestProps]):
    """``environment_value`` (str or token), ``parameters`` (the for_each block or None), ``asset`` (or None)."""

    def __init__(self, scope: Construct, construct_id: str, context: GuardContext, props: PolicyManifestProps) -> None:
        super().__init__(scope, construct_id, context, props)
        optional = {key: v for key, v in props.guard_document.items() if isinstance(v, OptionalSection)}
        document = self._resolvable({k: v for k, v in props.guard_document.items() if k not in optional})
        python = not optional and not any(is_token(value) for value in _leaves(document))
        self.environment_value: Any = (
            json.dumps(document, sort_keys=True, separators=(",", ":")) if python else self._encoded(document, optional)
        )
        self.asset: TerraformAsset | None = None
        if python and props.set_records is not None and (props.hub_members is not None or "hub" not in document):
            self.asset = self._asset(document, props.set_records)
        self.parameters: Any = None
        if props.sets is not None:
            self.add_set_parameters(props.sets)

    def add_set_parameters(self, sets: TerraformExpression) -> None:
        """One parameter per set of ``sets`` (a stack's map is read from the asset, so it comes later)."""
        self.parameters = self._parameters(sets)

    def _encoded(self, document: dict[str, Any], optional: Mapping[str, OptionalSection]) -> Any:
        """``jsonencode(local.<prefix>_manifest)``: the document as a local keeps the module readable. Each
        optional section is a local of its own, ``{<key> = {...}}`` or ``{}``, merged in."""
        local = self.context.create(self, TerraformLocal, "manifest", expression=document)
        if not optional:
            return Fn.jsonencode(local.as_any_map)
        sections = [
            self.context.create(
                self,
                TerraformLocal,
                f"manifest_{key}",
                expression=Fn.conditional(
                    section.enabled, {key: self._resolvable(section.value, f"manifest_{key}")}, {}
                ),
            ).as_any_map
            for key, section in optional.items()
        ]
        return Fn.jsonencode(Fn.merge([local.as_any_map, *sections]))

    def _resolvable(self, document: Mapping[str, Any], path: str = "manifest") -> dict[str, Any]:
        """``document`` with each ``TerraformExpression`` (a boolean such as the module's
        ``exclude_explicit_sets``) behind a local that ``jsonencode`` keeps typed."""
        resolved: dict[str, Any] = {}
        for key, value in document.items():
            if isinstance(value, Mapping):
                resolved[key] = self._resolvable(value, f"{path}_{key}")
            elif isinstance(value, TerraformExpression):
                local = self.context.create(self, TerraformLocal, f"{path}_{key}", expression=value.interpolated)
                resolved[key] = local.as_boolean
            else:
                resolved[key] = value
        return resolved

    def _asset(self, document: dict[str, Any], set_records: Mapping[str, Mapping[str, Any]]) -> TerraformAsset:
        full = {key: value for key, value in document.items() if key != manifest.SETS_PATH_KEY}
        full["configuration_sets"] = {name: dict(record) for name, record in sorted(set_records.items())}
        if self.props.hub_members is not None and "hub" in full:
            members = {account: dict(entry) for account, entry in sorted(self.props.hub_members.items())}
            full["hub"] = {**full["hub"], "members": members}
        manifest.parse(full, source="(the constructs' own manifest)")  # what readers will accept
        data = (json.dumps(full, indent=1, sort_keys=True) + "\n").encode()
        return shipped_file(self, "manifest_file", manifest.FILE_NAME, data)

    def _parameters(self, sets: TerraformExpression) -> Any:
        return secure_entries(
            self,
            self.context,
            "set_policies",
            entries=Token.as_any_map(sets.interpolated),
            path=manifest.configuration_sets_path(self.context.name_prefix),
            value=lambda iterator: Fn.jsonencode(iterator.value),
            description="ses-reputation-guard: this configuration set's policy (the function judges its alarms by it)",
            kms_key_arn=self.props.kms_key_arn,
            component="set-policy",
        )


def guard_document(props: Any) -> dict[str, Any]:
    """The guard-level manifest of ``ReputationGuardProps`` (values may be tokens: the module's variables)."""
    settings, account, fleet = props.alarm_settings, props.account_policy, props.fleet_policy
    document: dict[str, Any] = {
        "format": manifest.FORMAT,
        "version": manifest.VERSION,
        "name_prefix": props.name_prefix,
        "alarm": {
            "period": settings.period_seconds,
            "statistic": settings.statistic,
            "evaluation_periods": settings.evaluation_periods,
            "datapoints_to_alarm": settings.datapoints_to_alarm,
            "treat_missing_data": evaluation.IGNORE,
            "comparison": "GreaterThanOrEqualToThreshold",
        },
        "default_thresholds": _thresholds(props.default_thresholds),
        "account": {
            "action": account.action,
            "enabled": account.enabled,
            "warning_alarms": account.warning_alarms,
            **_thresholds(account.thresholds or props.default_thresholds),
        },
        manifest.SETS_PATH_KEY: manifest.configuration_sets_path(props.name_prefix),
        "fleet": None,
    }
    if fleet is not None:
        document["fleet"] = {
            "action": fleet.action,
            "enabled": fleet.enabled,
            "warning_alarms": fleet.warning_alarms,
            "period": fleet.period_seconds,
            "evaluation_periods": fleet.evaluation_periods,
            "datapoints_to_alarm": fleet.datapoints_to_alarm,
            "exclude_explicit_sets": fleet.exclude_explicit_sets,
            **_thresholds(fleet.thresholds or props.default_thresholds),
        }
    sweep = props.sweep_policy
    if sweep is not None:  # absent rather than null: a guard without a sweep keeps its manifest as it was
        document["sweep"] = sweep_document(sweep, props.default_thresholds)
    hub_policy = getattr(props, "hub_policy", None)
    if hub_policy is not None and hub_policy.enabled is not False:
        # absent rather than null, as the sweep; the members are not in the environment
        section = {"members_path": hub.members_path(props.name_prefix), "include_hub": hub_policy.include_hub}
        document["hub"] = section if hub_policy.enabled is True else OptionalSection(hub_policy.enabled, section)
    return document


def sweep_document(sweep: Any, default_thresholds: Any) -> dict[str, Any]:
    """The manifest's ``sweep`` section, keyed as ``manifest.Sweep.to_document`` writes it (values may be tokens)."""
    return {
        "action": sweep.action,
        "enabled": sweep.enabled,
        "warning_notices": sweep.warning_notices,
        **_thresholds(sweep.thresholds or default_thresholds),
        "period": sweep.period_seconds,
        "evaluation_periods": sweep.evaluation_periods,
        "datapoints_to_alarm": sweep.datapoints_to_alarm,
        "schedule_minutes": sweep.schedule_minutes,
        "evaluate_account": sweep.evaluate_account,
    }


def _thresholds(thresholds: Any) -> dict[str, Any]:
    return {name: getattr(thresholds, name) for name in rules.THRESHOLD_NAMES}


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    return [value]
