"""The function's configuration: its environment (docs/lambda.md, "Environment"), including the
guard-level policy manifest (``POLICY_MANIFEST``, ``ses_guard_policy.manifest``).

Every check uses the shared rules of ``ses_guard_policy.rules`` (patterns matched with ``fullmatch``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from ses_guard_policy import contract, rules
from ses_guard_policy.manifest import Manifest, ManifestError, parse_json

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


class ConfigError(ValueError):
    """The environment of the function (or its policy manifest) is incomplete or invalid."""


@dataclass(frozen=True)
class GuardConfig:
    """The function's settings, read from its environment (``from_env``)."""

    name_prefix: str
    """The guard's prefix: its alarms are ``<prefix>-...`` and tagged with it."""
    pause_topic_arn: str
    """The only topic whose SNS records may pause."""
    report_topic_arn: str
    """Where reports and refusal notices go."""
    dry_run: bool = False
    """Verify and report, never write to SES. Default False."""
    log_level: str = "INFO"
    """``rules.LOG_LEVEL``. Default INFO."""
    protected_sets: frozenset[str] = frozenset()
    """Sets never paused, whatever an alarm says. Default none."""
    accepted_sources: frozenset[str] = frozenset({contract.SOURCE_SNS})
    """Delivery paths accepted; SNS from the pause topic always. Default SNS only."""
    manifest: Manifest | None = field(default=None, compare=False)
    """The deployed policy (guard level); None when the environment holds none."""
    sweep_state_table: str | None = None
    """The DynamoDB table of the sweep's lock and open episodes (``SWEEP_STATE_TABLE``); None without a sweep."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GuardConfig:
        env = os.environ if environ is None else environ
        required = (contract.ENV_GUARD_NAME_PREFIX, contract.ENV_PAUSE_TOPIC_ARN, contract.ENV_REPORT_TOPIC_ARN)
        missing = [name for name in required if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(f"missing environment variable(s): {', '.join(missing)}")
        prefix = env[contract.ENV_GUARD_NAME_PREFIX].strip()
        if not rules.NAME_PREFIX.check(prefix):
            raise ConfigError(f"{contract.ENV_GUARD_NAME_PREFIX}={prefix!r}: {rules.NAME_PREFIX.sentence}")
        return cls(
            name_prefix=prefix,
            pause_topic_arn=env[contract.ENV_PAUSE_TOPIC_ARN].strip(),
            report_topic_arn=env[contract.ENV_REPORT_TOPIC_ARN].strip(),
            dry_run=parse_bool(contract.ENV_DRY_RUN, env.get(contract.ENV_DRY_RUN, "false")),
            log_level=parse_log_level(env.get(contract.ENV_LOG_LEVEL, "INFO")),
            protected_sets=parse_set_list(
                contract.ENV_PROTECTED_CONFIGURATION_SETS,
                env.get(contract.ENV_PROTECTED_CONFIGURATION_SETS, ""),
            ),
            accepted_sources=parse_sources(env.get(contract.ENV_ACCEPTED_SOURCES, "")),
            manifest=parse_manifest(env.get(contract.ENV_POLICY_MANIFEST, "")),
            sweep_state_table=parse_table_name(env.get(contract.ENV_SWEEP_STATE_TABLE, "")),
        )

    def is_protected(self, configuration_set: str) -> bool:
        """In PROTECTED_CONFIGURATION_SETS, ignoring case: SES documents no case rule for set names,
        so a name that differs only by case might be the same set; protection wins the doubt."""
        folded = configuration_set.casefold()
        return any(folded == name.casefold() for name in self.protected_sets)


def parse_bool(name: str, value: str) -> bool:
    normalized = value.strip().lower()
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def parse_log_level(value: str) -> str:
    normalized = value.strip().upper() or "INFO"
    if not rules.LOG_LEVEL.check(normalized):
        raise ConfigError(f"{contract.ENV_LOG_LEVEL}={value!r}: {rules.LOG_LEVEL.sentence}")
    return normalized


def parse_set_list(name: str, value: str) -> frozenset[str]:
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    bad = sorted(n for n in names if not is_valid_set_name(n))
    if bad:
        raise ConfigError(
            f"{name} holds invalid configuration set name(s): {', '.join(map(repr, bad))} "
            f"({rules.CONFIGURATION_SET_NAME.sentence})"
        )
    return names


def parse_sources(value: str) -> frozenset[str]:
    """ACCEPTED_SOURCES: SNS from the pause topic is always accepted; the others only when listed."""
    sources = {part.strip().lower() for part in value.split(",") if part.strip()}
    unknown = sorted(sources - set(contract.SOURCES))
    if unknown:
        raise ConfigError(
            f"{contract.ENV_ACCEPTED_SOURCES} holds unknown source(s) {unknown}; known: {list(contract.SOURCES)}"
        )
    return frozenset(sources | {contract.SOURCE_SNS})


# DynamoDB table names: 3-255 letters, digits, '_', '-' and '.' (DynamoDB Developer Guide, "Naming rules").
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


def parse_table_name(value: str) -> str | None:
    """SWEEP_STATE_TABLE: a DynamoDB table name, or None when unset (no sweep deployed)."""
    name = value.strip()
    if not name:
        return None
    if not _TABLE_NAME.fullmatch(name):
        raise ConfigError(
            f"{contract.ENV_SWEEP_STATE_TABLE}={value!r}: must be 3-255 letters, digits, '_', '-' or '.' "
            "(a DynamoDB table name)"
        )
    return name


def is_valid_set_name(name: str) -> bool:
    return rules.CONFIGURATION_SET_NAME.check(name)


def parse_manifest(value: str) -> Manifest | None:
    """The guard-level manifest of ``POLICY_MANIFEST``; None when the variable is unset or empty."""
    if not value.strip():
        return None
    return _parse_manifest(value)


@lru_cache(maxsize=4)  # parsed once per execution environment
def _parse_manifest(value: str) -> Manifest:
    try:
        return parse_json(value, source=contract.ENV_POLICY_MANIFEST)
    except ManifestError as exc:
        raise ConfigError(str(exc)) from None
