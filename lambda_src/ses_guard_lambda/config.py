"""The Lambda's configuration, read from its environment (docs/design.md, "Lambda environment")."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from . import contract

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
_LOG_LEVELS = frozenset({"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})
_SET_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ConfigError(ValueError):
    """The environment of the function is incomplete or invalid."""


@dataclass(frozen=True)
class GuardConfig:
    name_prefix: str
    pause_topic_arn: str
    report_topic_arn: str
    dry_run: bool = False
    log_level: str = "INFO"
    protected_sets: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GuardConfig:
        env = os.environ if environ is None else environ
        missing = [
            name
            for name in (
                contract.ENV_GUARD_NAME_PREFIX,
                contract.ENV_PAUSE_TOPIC_ARN,
                contract.ENV_REPORT_TOPIC_ARN,
            )
            if not env.get(name, "").strip()
        ]
        if missing:
            raise ConfigError(f"missing environment variable(s): {', '.join(missing)}")
        return cls(
            name_prefix=env[contract.ENV_GUARD_NAME_PREFIX].strip(),
            pause_topic_arn=env[contract.ENV_PAUSE_TOPIC_ARN].strip(),
            report_topic_arn=env[contract.ENV_REPORT_TOPIC_ARN].strip(),
            dry_run=parse_bool(contract.ENV_DRY_RUN, env.get(contract.ENV_DRY_RUN, "false")),
            log_level=parse_log_level(env.get(contract.ENV_LOG_LEVEL, "INFO")),
            protected_sets=parse_set_list(
                contract.ENV_PROTECTED_CONFIGURATION_SETS,
                env.get(contract.ENV_PROTECTED_CONFIGURATION_SETS, ""),
            ),
        )


def parse_bool(name: str, value: str) -> bool:
    normalized = value.strip().lower()
    if normalized in _TRUE:
        return True
    if normalized in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def parse_log_level(value: str) -> str:
    normalized = value.strip().upper() or "INFO"
    if normalized not in _LOG_LEVELS:
        raise ConfigError(f"{contract.ENV_LOG_LEVEL} must be one of {sorted(_LOG_LEVELS)}, got {value!r}")
    return normalized


def parse_set_list(name: str, value: str) -> frozenset[str]:
    names = frozenset(part.strip() for part in value.split(",") if part.strip())
    bad = sorted(n for n in names if not is_valid_set_name(n))
    if bad:
        raise ConfigError(f"{name} holds invalid configuration set name(s): {', '.join(map(repr, bad))}")
    return names


def is_valid_set_name(name: str) -> bool:
    """SES configuration set names: 1-64 letters, digits, '_' and '-'."""
    return bool(_SET_NAME.match(name))
