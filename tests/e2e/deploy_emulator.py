"""The SES emulator server (tests/e2e/ses_emulator.py) plus what a full guard deployment needs.

Run as a script, exactly like ``ses_emulator.py`` (same flags, same "listening" line), so
``moto_server.start_moto_server`` can launch it (the e2e conftest points
``moto_server.EMULATOR_SCRIPT`` here). On top of the SES extension it:

* loads AWS managed IAM policies (``MOTO_IAM_LOAD_MANAGED_POLICIES=true``): the guard attaches
  ``arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess``, which exists in every real account, and
  moto 5.2.5 answers ``NoSuchEntity`` without it;
* keeps a Lambda function's ``DeadLetterConfig``. moto 5.2.5 accepts it in ``CreateFunction`` /
  ``UpdateFunctionConfiguration`` but drops it, so ``GetFunction`` never returns it and Terraform
  plans to add ``dead_letter_config`` on every run (a perpetual diff that AWS does not have). AWS
  returns ``"DeadLetterConfig": {"TargetArn": ...}`` once set; an empty ``TargetArn`` removes it.

Both are emulator gaps, not behaviour of the guard: each patch restores what AWS documents.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

# Must be set before moto's IAM backend is first created (it reads the setting then).
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root

from moto.awslambda.models import LambdaFunction

from tests.e2e import ses_emulator

_MARKER = "_ses_guard_e2e_dlq_patch"


def _dead_letter_target(value: Any) -> str | None:
    if isinstance(value, dict):
        target = value.get("TargetArn")
        return target or None
    return None


def install_lambda_dead_letter_config() -> None:
    """Make moto's Lambda remember ``DeadLetterConfig`` (idempotent)."""
    if getattr(LambdaFunction, _MARKER, False):
        return
    original_init = LambdaFunction.__init__
    original_get = LambdaFunction.get_configuration
    original_update = LambdaFunction.update_configuration

    def patched_init(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        self._dead_letter_target = _dead_letter_target(spec.get("DeadLetterConfig"))

    def patched_get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config: dict[str, Any] = original_get(self, *args, **kwargs)
        target = getattr(self, "_dead_letter_target", None)
        if target:
            config["DeadLetterConfig"] = {"TargetArn": target}
        return config

    def patched_update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            self._dead_letter_target = _dead_letter_target(config_updates["DeadLetterConfig"])
        result: dict[str, Any] = original_update(self, config_updates)
        target = getattr(self, "_dead_letter_target", None)
        if target:
            result["DeadLetterConfig"] = {"TargetArn": target}
        return result

    LambdaFunction.__init__ = patched_init  # type: ignore[method-assign]
    LambdaFunction.get_configuration = patched_get_configuration  # type: ignore[method-assign]
    LambdaFunction.update_configuration = patched_update_configuration  # type: ignore[method-assign]
    setattr(LambdaFunction, _MARKER, True)


def main(argv: list[str] | None = None) -> int:
    install_lambda_dead_letter_config()
    return int(ses_emulator.main(argv))


if __name__ == "__main__":
    sys.exit(main())
