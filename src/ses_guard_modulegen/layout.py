"""Which file and section of the module each rendered block goes to: resources split by concern.

``main.tf`` holds what everything shares (the inputs with defaults applied, the account / partition /
Region lookups, the KMS key); then one file per concern. A block is placed by the first section
whose rule matches its type and name; a resource type no section knows stops the generator, so a
new kind of resource gets a deliberate place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ses_guard_modulegen.hcl_style import body_items, item_name, tidy_block

_HEADER = re.compile(r'^(resource|data|locals)\b\s*(?:"([^"]+)"\s*"([^"]+)")?')


@dataclass(frozen=True)
class ModuleBlock:
    kind: str
    """``resource``, ``data`` or ``locals``."""
    type: str
    """Resource or data source type (``aws_sns_topic``); empty for ``locals``."""
    name: str
    text: str

    @classmethod
    def parse(cls, text: str) -> ModuleBlock:
        match = _HEADER.match(text.strip())
        if match is None:
            raise ValueError(f"not a resource, data or locals block: {text[:80]!r}")
        return cls(match.group(1), match.group(2) or "", match.group(3) or "", text.strip())


@dataclass(frozen=True)
class Section:
    file: str
    title: str
    kinds: tuple[str, ...]
    types: tuple[str, ...] = ()
    """Resource/data types this section takes (any, when empty)."""
    name_pattern: str = ""
    """Regular expression the block's name must contain (any, when empty)."""

    def takes(self, block: ModuleBlock) -> bool:
        return (
            block.kind in self.kinds
            and (not self.types or block.type in self.types)
            and re.search(self.name_pattern, block.name) is not None
        )


_TOPIC_TYPES = ("aws_sns_topic", "aws_sns_topic_policy", "aws_sns_topic_subscription", "aws_iam_policy_document")
_FUNCTION_TYPES = (
    "aws_cloudwatch_log_group",
    "aws_sqs_queue",
    "aws_lambda_function",
    "aws_lambda_permission",
    "aws_sns_topic_subscription",
)
# What an EventBridge rule needs to start the function (fleet delivery, the sweep schedule)
_EVENT_TYPES = ("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_lambda_permission")
SECTIONS = (
    Section("main.tf", "Where the guard runs, and the names and lists derived from its inputs", ("locals", "data"),
            ("", "aws_caller_identity", "aws_partition", "aws_region")),
    Section("main.tf", "Customer managed key: topics, dead-letter queue, logs\n(CloudWatch alarms cannot publish "
            "to topics encrypted with the AWS managed SNS key)", ("resource",), ("aws_kms_key", "aws_kms_alias")),
    Section("notifications.tf", "Notification topic: every alarm and every report of the function; people "
            "subscribe here", ("resource", "data"), _TOPIC_TYPES, "notifications"),
    Section("notifications.tf", "Pause topic: critical alarms whose action is pause; its only subscriber is "
            "the function", ("resource", "data"), _TOPIC_TYPES, "pause_topic"),
    Section("notifications.tf", "Chat channels (AWS chat integration): the notification topic in Slack or Teams",
            ("resource",), ("aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration")),
    Section("configuration_sets.tf", "Configuration sets the module manages (reputation metrics on; a pause "
            "survives apply)", ("resource",), ("aws_sesv2_configuration_set",)),
    Section("alarms.tf", "Account-wide reputation alarms (no dimension)", ("resource",),
            ("aws_cloudwatch_metric_alarm",), "^guard_account_"),
    Section("alarms.tf", "Per-configuration-set reputation alarms (dimension ses:configuration-set)", ("resource",),
            ("aws_cloudwatch_metric_alarm",), "^guard_set_"),
    Section("alarms.tf", "Alarms on the guard itself: function errors and dead letters", ("resource",),
            ("aws_cloudwatch_metric_alarm",), "errors|dead_letters"),
    Section("alarms.tf", "Fleet alarms: Metrics Insights queries grouped by configuration set", ("resource",),
            ("aws_cloudwatch_metric_alarm",), "fleet"),
    Section("alarms.tf", "Fleet delivery: an EventBridge rule (fleet_policy.delivery = \"eventbridge\") or the "
            "critical fleet alarms\nthemselves (\"alarm-action\") hand each set crossing a critical fleet alarm to "
            "the function",
            ("resource",), _EVENT_TYPES, "fleet"),
    Section("alarms.tf", "Other alarms", ("resource",), ("aws_cloudwatch_metric_alarm",)),
    Section("dashboard.tf", "Dashboard: reputation rates against the thresholds and AWS's levels, alarm states",
            ("resource", "locals"), ("aws_cloudwatch_dashboard", ""), "dashboard"),
    Section("function.tf", "Pause function: its code, logs, dead-letter queue and pause-topic subscription",
            ("resource",), _FUNCTION_TYPES),
    Section("sweep.tf", "Sweep mode: the schedule that starts a run over every configuration set of the Region, and "
            "the run's state\n(the run lock and the open warning episodes)", ("resource",),
            (*_EVENT_TYPES, "aws_dynamodb_table"), "sweep"),
    Section("hub.tf", "Hub mode (hub_policy): each member account's entry where the function reads it, and the "
            "function's right to list\nthe entries and assume <name_prefix>-member in each member account",
            ("resource", "data"), ("aws_ssm_parameter", "aws_iam_role_policy", "aws_iam_policy_document"), "hub"),
    Section("policy.tf", "The deployed policy: one SSM SecureString entry per configuration set with its own "
            "policy\n(the function judges alarms by these and by the POLICY_MANIFEST environment variable)",
            ("resource",), ("aws_ssm_parameter",)),
    Section("iam.tf", "The function's role: read alarms and SES state, pause only what the policy allows",
            ("resource", "data"), ("aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment",
                                   "aws_iam_policy_document")),
)  # fmt: skip
MODULE_TF_FILES = tuple(dict.fromkeys(section.file for section in SECTIONS))


def section_of(block: ModuleBlock) -> Section:
    """The first section that takes the block, sections with a name rule (the more specific) first."""
    for section in (*(s for s in SECTIONS if s.name_pattern), *(s for s in SECTIONS if not s.name_pattern)):
        if section.takes(block):
            return section
    raise ValueError(
        f"no file of the module takes {block.kind} {block.type} {block.name}: add a Section to "
        "ses_guard_modulegen.layout.SECTIONS"
    )


def _split_locals(block: ModuleBlock) -> list[ModuleBlock]:
    """A ``locals`` block as one block per section its values belong to (named like the first value)."""
    if block.kind != "locals":
        return [block]
    pieces: dict[Section, list[str]] = {}
    for item in body_items(block.text[block.text.index("{") + 1 : block.text.rindex("}")]):
        name = item_name(item)
        pieces.setdefault(section_of(ModuleBlock("locals", "", name, "")), []).append(item)
    return [
        ModuleBlock("locals", "", item_name(items[0]), "locals {\n" + "\n".join(items) + "\n}")
        for items in pieces.values()
    ]


def banner(title: str) -> str:
    """A section comment; each line of ``title`` becomes one comment line."""
    rule = "# " + "-" * 98
    lines = "\n".join(f"# {line}" for line in title.splitlines())
    return f"{rule}\n{lines}\n{rule}"


def arrange(blocks: Iterable[ModuleBlock], leading: dict[str, list[str]] | None = None) -> dict[str, str]:
    """File name => its blocks, tidied, under one banner per section, sections in ``SECTIONS`` order.

    ``leading`` holds extra text per file that goes first (the generator's own locals).
    """
    by_section: dict[Section, list[str]] = {section: [] for section in SECTIONS}
    for piece in (piece for block in blocks for piece in _split_locals(block)):
        by_section[section_of(piece)].append(tidy_block(piece.text))
    files: dict[str, list[str]] = {name: list((leading or {}).get(name, [])) for name in MODULE_TF_FILES}
    for section, texts in by_section.items():
        if texts:
            files[section.file].append(banner(section.title) + "\n\n" + "\n\n".join(texts))
    return {name: "\n\n".join(parts) + "\n" for name, parts in files.items() if parts}
