"""The policy pack's copy of the policy model (policies/sesrg/ses_guard_policy) equals the source."""

from __future__ import annotations

from tools.sync_policy_model import COPY, rendered


def test_the_pack_holds_an_exact_copy_of_every_model_module() -> None:
    copied = {path.name: path.read_text() for path in sorted(COPY.glob("*.py"))}
    assert copied == rendered(), "run `python tools/sync_policy_model.py` (make synth does) and commit the copy"
