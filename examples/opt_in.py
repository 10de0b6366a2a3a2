"""What an operator opts into for one deployment, through the environment (never the default).

``SES_GUARD_ALLOW_CONFIGURATION_SET_DELETION=true``: Terraform may delete the configuration sets a
guard manages. Without it a plan that would delete one (the set removed from a stack, flipped to
``managed=False``, or ``cdktf destroy``) fails and changes nothing, because every send naming a
deleted set fails. Set it for the one command that deletes on purpose::

    SES_GUARD_ALLOW_CONFIGURATION_SET_DELETION=true npx cdktf destroy per-set
"""

from __future__ import annotations

import os
from collections.abc import Mapping

ALLOW_CONFIGURATION_SET_DELETION = "SES_GUARD_ALLOW_CONFIGURATION_SET_DELETION"


def configuration_set_deletion_allowed(environ: Mapping[str, str] | None = None) -> bool:
    """True only for an explicit ``true``; a value that is neither true nor false is refused."""
    value = (os.environ if environ is None else environ).get(ALLOW_CONFIGURATION_SET_DELETION, "").strip().lower()
    if value not in ("", "true", "false"):
        raise ValueError(f"{ALLOW_CONFIGURATION_SET_DELETION}={value!r}: must be 'true' or 'false'")
    return value == "true"
