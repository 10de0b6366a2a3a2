"""The function's configuration: its environment (docs/lambda.md, "Environment") and the optional
per-set policy table shipped in the package (``contract.POLICY_TABLE_FILE``).

Every check uses the shared rules of ``ses_guard_policy.rules`` (patterns matched with ``fullmatch``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ses_guard_policy import contract, rules

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})
DEFAULT_POLICY_TABLE = Path(__file__).resolve().parent / contract.POLICY_TABLE_FILE


class ConfigError(ValueError):
    """The environment of the function (or its policy table) is incomplete or invalid."""


@dataclass(frozen=True)
class GuardConfig:
    name_prefix: str
    pause_topic_arn: str
    report_topic_arn: str
    dry_run: bool = False
    log_level: str = "INFO"
    protected_sets: frozenset[str] = frozenset()
    accepted_sources: frozenset[str] = frozenset({contract.SOURCE_SNS})
    set_policies: Mapping[str, str] | None = field(default=None, compare=False)
    """Sets with their own policy, from the package's table; None when no table is shipped."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, policy_table: Path | None = None) -> GuardConfig:
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
            set_policies=load_policy_table(policy_table or DEFAULT_POLICY_TABLE),
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


def is_valid_set_name(name: str) -> bool:
    return rules.CONFIGURATION_SET_NAME.check(name)


def load_policy_table(path: Path) -> Mapping[str, str] | None:
    """The shipped per-set policy table, or None when the package holds none."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return _read_policy_table(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)  # read once per execution environment (keyed by mtime and size)
def _read_policy_table(path: str, _mtime_ns: int, _size: int) -> Mapping[str, str]:
    where = f"policy table {path}"
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where} cannot be read as JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != contract.POLICY_TABLE_FORMAT:
        raise ConfigError(f"{where} must be an object with format {contract.POLICY_TABLE_FORMAT}")
    sets = document.get("configuration_sets")
    if not isinstance(sets, dict):
        raise ConfigError(f"{where}: 'configuration_sets' must map set names to an action")
    for name, action in sets.items():
        if not isinstance(name, str) or not is_valid_set_name(name):
            raise ConfigError(f"{where}: {name!r}: {rules.CONFIGURATION_SET_NAME.sentence}")
        if not rules.ACTION.check(action):
            raise ConfigError(f"{where}: set {name!r} action={action!r}: {rules.ACTION.sentence}")
    return dict(sets)
