"""The names every part shares (ses_guard_policy.contract)."""

from __future__ import annotations

from ses_guard_policy import contract


def test_every_metric_has_the_short_name_its_alarm_names_use() -> None:
    assert set(contract.METRIC_SHORT_NAMES) == set(contract.REPUTATION_METRICS)
    assert sorted(contract.METRIC_SHORT_NAMES.values()) == [
        contract.METRIC_SHORT_BOUNCE,
        contract.METRIC_SHORT_COMPLAINT,
    ]


def test_the_alarm_name_shapes_name_their_scope_and_carry_the_same_fields() -> None:
    fields = {"prefix": "p", "metric": "bounce", "tier": "critical", "configuration_set": "s"}
    assert contract.ALARM_NAME_ACCOUNT.format(**fields) == "p-account-bounce-critical"
    assert contract.ALARM_NAME_SET.format(**fields) == "p-set-s-bounce-critical"
    assert contract.ALARM_NAME_FLEET.format(**fields) == "p-fleet-bounce-critical"


def test_the_tag_keys_share_the_guards_prefix_and_sns_is_always_a_source() -> None:
    tags = (
        contract.TAG_GUARD,
        contract.TAG_SCOPE,
        contract.TAG_CONFIGURATION_SET,
        contract.TAG_TIER,
        contract.TAG_ACTION,
    )
    assert all(tag.startswith(contract.TAG_PREFIX) for tag in tags) and len(set(tags)) == 5
    assert contract.SOURCES[0] == contract.SOURCE_SNS
    assert contract.SNS_CONTRIBUTOR_ID != contract.SNS_CONTRIBUTOR_ATTRIBUTES
