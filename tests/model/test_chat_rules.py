"""Chat notification inputs (ses_guard_policy.chat_rules): the ids Slack and Teams issue, and nothing else."""

from __future__ import annotations

import pytest

from ses_guard_policy import chat_rules


@pytest.mark.parametrize(
    ("rule", "good", "bad"),
    [
        (chat_rules.SLACK_TEAM_ID, "T01ABCDEF", "t01abcdef"),
        (chat_rules.SLACK_CHANNEL_ID, "C01ABCDEF", "#deliverability"),
        (chat_rules.TEAMS_GUID, "01234567-89ab-cdef-0123-456789abcdef", "0123"),
        (chat_rules.TEAMS_CHANNEL_ID, "19%3aabc%40thread.tacv2", "19:abc@thread.tacv2"),
        (chat_rules.CHAT_CHANNEL_LABEL, "ops-eu", "ops eu"),
    ],
    ids=lambda value: getattr(value, "name", None),
)
def test_each_id_rule_takes_the_issued_form_and_refuses_a_look_alike(
    rule: chat_rules.PatternRule, good: str, bad: str
) -> None:
    assert rule.check(good) and not rule.check(bad)


def test_a_platform_takes_at_most_ten_channels_each_label_once() -> None:
    assert chat_rules.CHAT_CHANNEL_COUNT.check(["c"] * 10) and not chat_rules.CHAT_CHANNEL_COUNT.check(["c"] * 11)
    assert chat_rules.CHAT_LABELS_UNIQUE.duplicates(["ops", "Ops", "ops"]) == ["ops"]  # case matters here
