"""The deployed policy as the function reads it (``ses_guard_policy.manifest``): never from an alarm.

The guard-level part comes with the environment (``POLICY_MANIFEST``, parsed once per execution
environment by ``config``); a set's own entry is an SSM SecureString parameter under the manifest's
``configuration_sets_path``, read when an alarm or a fleet contributor names the set and cached for
the invocation. A missing parameter means the set has no policy of its own (the fleet judges it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from ses_guard_policy import manifest

from .budget import Budget, error_code


class PolicyReadError(RuntimeError):
    """A set's parameter exists but cannot be read as a policy entry (the record fails, loudly)."""


@dataclass
class DeployedPolicy:
    """The guard's manifest and the per-set entries read so far in this invocation."""

    guard: manifest.Manifest
    ssm: Any
    budget: Budget
    _sets: dict[str, manifest.Target | None] = field(default_factory=dict)

    def set_policy(self, configuration_set: str) -> manifest.Target | None:
        """The set's own policy, or None when the set has none (no parameter under the manifest's path)."""
        if configuration_set not in self._sets:
            self._sets[configuration_set] = self._read(configuration_set)
        return self._sets[configuration_set]

    def parameter_name(self, configuration_set: str) -> str:
        path = self.guard.configuration_sets_path or manifest.configuration_sets_path(self.guard.name_prefix)
        return f"{path}{configuration_set}"

    def _read(self, configuration_set: str) -> manifest.Target | None:
        name = self.parameter_name(configuration_set)
        try:
            response = self.budget.call(self.ssm.get_parameter, Name=name, WithDecryption=True)
        except ClientError as exc:
            if error_code(exc) == "ParameterNotFound":
                return None
            raise
        text = str(response.get("Parameter", {}).get("Value", ""))
        try:
            document = json.loads(text)
            return manifest.parse_set_entry(document, configuration_set, self.guard.default_thresholds, source=name)
        except (ValueError, manifest.ManifestError) as exc:
            raise PolicyReadError(f"parameter {name} is not a policy entry: {exc}") from None
