"""GuardTopic: encrypted, only this account's guard alarms publish, TLS only, optional subscribers."""

from __future__ import annotations

from ses_reputation_guard._cdktf import TerraformVariable, Token
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.guard_topic import GuardTopic, GuardTopicProps
from tests.constructs.support import (
    ACCOUNT,
    CONTEXT,
    KEY_ARN,
    PREFIX,
    REGION,
    TAGS,
    resources,
    statement,
    statements,
    synthesized,
)

ALARMS = [f"{PREFIX}-account-*", f"{PREFIX}-set-*"]


def topic(stack, **props) -> GuardTopic:
    return GuardTopic(
        stack,
        "topic",
        CONTEXT,
        GuardTopicProps(name="alerts", kms_key_arn=KEY_ARN, publishing_alarm_names=ALARMS, **props),
    )


TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-alerts"
POLICY = "${data.aws_iam_policy_document.guard_alerts_topic_policy_document.json}"


def test_topic_uses_the_customer_managed_key_and_the_guards_name(stack):
    assert topic(stack).arn == TOPIC_ARN
    assert resources(synthesized(stack), "aws_sns_topic") == {
        "guard_alerts_topic": {
            "name": f"{PREFIX}-alerts",
            "kms_master_key_id": KEY_ARN,
            "policy": POLICY,
            "tags": {**TAGS, COMPONENT_TAG: "alerts-topic"},
        }
    }


def test_the_topic_is_created_with_its_policy_so_the_first_refresh_finds_what_the_apply_stored(stack):
    # Set only by aws_sns_topic_policy, the topic's state would hold SNS's default policy and the
    # refresh would read the guard's: "changed outside of Terraform" (tests/module/test_module_no_drift.py).
    # The policy names the topic by its ARN, known in advance: no reference to the topic, no cycle.
    topic(stack)
    config = synthesized(stack)
    assert resources(config, "aws_sns_topic")["guard_alerts_topic"]["policy"] == POLICY
    assert {s["sid"]: s["resources"] for s in statements(config, "guard_alerts_topic_policy_document")} == {
        "GuardAlarmsOfThisAccountPublish": [TOPIC_ARN],
        "DenyInsecureTransport": [TOPIC_ARN],
    }
    # The same document stays in aws_sns_topic_policy: deleting one puts the default policy back.
    assert resources(config, "aws_sns_topic_policy")["guard_alerts_topic_policy"] == {
        "arn": "${aws_sns_topic.guard_alerts_topic.arn}",
        "policy": POLICY,
    }


def test_only_cloudwatch_alarms_of_this_account_and_guard_may_publish(stack):
    topic(stack)
    config = synthesized(stack)
    allow = statement(config, "guard_alerts_topic_policy_document", "GuardAlarmsOfThisAccountPublish")
    assert allow["effect"] == "Allow"
    assert allow["actions"] == ["sns:Publish"]
    assert allow["principals"] == [{"identifiers": ["cloudwatch.amazonaws.com"], "type": "Service"}]
    assert allow["resources"] == [TOPIC_ARN]
    assert allow["condition"] == [
        {"test": "StringEquals", "values": [ACCOUNT], "variable": "aws:SourceAccount"},
        {
            "test": "ArnLike",
            "values": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}" for name in ALARMS],
            "variable": "aws:SourceArn",
        },
    ]
    policy = resources(config, "aws_sns_topic_policy")["guard_alerts_topic_policy"]
    assert policy["policy"] == POLICY


def test_a_topic_for_pausing_refuses_publishing_by_anyone_but_its_alarms(stack):
    topic(stack, only_these_alarms_publish=True)
    deny = statement(synthesized(stack), "guard_alerts_topic_policy_document", "NobodyElsePublishes")
    assert deny["effect"] == "Deny"
    assert deny["principals"] == [{"identifiers": ["*"], "type": "*"}]
    assert deny["actions"] == ["sns:Publish"]
    # people and roles carry no aws:SourceArn, so a negated condition denies them too
    assert deny["condition"] == [
        {
            "test": "ArnNotLike",
            "values": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}" for name in ALARMS],
            "variable": "aws:SourceArn",
        }
    ]


def test_a_topic_people_read_has_no_publish_deny(stack):
    topic(stack)
    sids = [s["sid"] for s in statements(synthesized(stack), "guard_alerts_topic_policy_document")]
    assert sids == ["GuardAlarmsOfThisAccountPublish", "DenyInsecureTransport"]


def test_topic_refuses_every_request_without_tls(stack):
    topic(stack)
    deny = statement(synthesized(stack), "guard_alerts_topic_policy_document", "DenyInsecureTransport")
    assert deny["effect"] == "Deny"
    assert deny["principals"] == [{"identifiers": ["*"], "type": "*"}]
    assert deny["actions"] == ["sns:*"]
    assert deny["condition"] == [{"test": "Bool", "values": ["false"], "variable": "aws:SecureTransport"}]


def test_people_subscribe_by_email_and_sms_one_block_per_protocol_keyed_by_endpoint(stack):
    topic(stack, email_addresses=["a@example.com", "b@example.com"], phone_numbers=["+15555550100"])
    subscriptions = resources(synthesized(stack), "aws_sns_topic_subscription")
    assert set(subscriptions) == {"guard_alerts_email", "guard_alerts_sms"}
    email = subscriptions["guard_alerts_email"]
    assert (email["protocol"], email["endpoint"]) == ("email", "${each.value}")
    assert email["for_each"] == '${toset(["a@example.com", "b@example.com"])}'
    assert subscriptions["guard_alerts_sms"]["protocol"] == "sms"


def test_no_subscription_blocks_without_endpoints(stack):
    topic(stack)
    assert resources(synthesized(stack), "aws_sns_topic_subscription") == {}


def test_endpoint_lists_known_only_at_plan_time_still_get_a_subscription_block(stack):
    emails = Token.as_list(TerraformVariable(stack, "emails", type="list(string)").value)
    topic(stack, email_addresses=emails)
    assert resources(synthesized(stack), "aws_sns_topic_subscription")["guard_alerts_email"]["for_each"] == (
        "${toset(var.emails)}"
    )
