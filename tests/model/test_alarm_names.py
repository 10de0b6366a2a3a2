"""The guard's alarm-name shapes (ses_guard_policy.alarm_names): built from the contract, parsed exactly."""

from __future__ import annotations

import pytest

from ses_guard_policy import alarm_names, contract

PREFIX = "sesguard"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("sesguard-account-bounce-critical", (contract.SCOPE_ACCOUNT, contract.METRIC_BOUNCE_RATE, "critical", None)),
        ("sesguard-set-a-b-complaint-warning", ("configuration-set", contract.METRIC_COMPLAINT_RATE, "warning", "a-b")),
        ("sesguard-fleet-complaint-critical", (contract.SCOPE_FLEET, contract.METRIC_COMPLAINT_RATE, "critical", None)),
    ],
)
def test_each_shape_parses_to_scope_metric_tier_and_set(name: str, expected: tuple[str, str, str, str | None]) -> None:
    parsed = alarm_names.parse(name, PREFIX)
    assert parsed is not None
    assert (parsed.scope, parsed.metric, parsed.tier, parsed.configuration_set) == expected


@pytest.mark.parametrize(
    "name",
    [
        "sesguard-account-bounce-critical\n",  # a trailing newline is another name
        "sesguard-account-bounce-severe",
        "other-account-bounce-critical",
        "sesguard-set--bounce-critical",  # no set name
        "sesguard-set-bad name-bounce-critical",
    ],
)
def test_names_of_no_shape_are_foreign(name: str) -> None:
    assert alarm_names.parse(name, PREFIX) is None


def test_the_set_alarm_prefix_is_what_every_alarm_of_the_set_starts_with() -> None:
    prefix = alarm_names.set_alarm_prefix(PREFIX, "marketing")
    assert prefix == "sesguard-set-marketing-"
    built = contract.ALARM_NAME_SET.format(
        prefix=PREFIX, configuration_set="marketing", metric="bounce", tier="critical"
    )
    assert built.startswith(prefix) and alarm_names.parse(built, PREFIX) is not None
