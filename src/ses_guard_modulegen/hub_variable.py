"""Hub mode's input of the main module: the ``hub_policy`` variable, its validations and its members' entries.

``hub_policy`` is ``HubPolicy`` (``src/ses_reputation_guard/hub_policy.py``) as a Terraform value::

    hub_policy = {
      include_hub = true                       # optional, default true
      members = {                              # account id => entry, each account once by construction
        "222222222222" = {
          regions                      = ["us-east-1", "eu-west-1"]  # optional: [] = the hub's Region
          action                       = "pause"                     # optional: null = the sweep's
          account_action               = "notify"                    # optional: null = account_policy's
          evaluate_account             = null                        # optional: null = the sweep's
          protected_configuration_sets = []
          thresholds                   = { bounce_critical = 0.03 }  # optional, each null = the sweep's
        }
      }
    }

A map keyed by account id where the props hold a list of ``HubMember``: Terraform's ``for_each`` wants
the keys, and an account cannot be listed twice. Every validation is rendered from the rule the
constructs check (``rules.ACCOUNT_ID``, ``REGION_NAME``, ``HUB_MEMBER_REGIONS``,
``HUB_MEMBER_REGIONS_UNIQUE``, ``ACTION``, ``RATIO``, ``CONFIGURATION_SET_NAME``, ``AWS_PAUSE_LEVEL``).
``member_documents_hcl`` is each member's entry as the function reads it from its SSM parameter: the
same JSON text as ``HubPolicy.member_documents`` (``manifest.Member.to_document``, keys sorted, no
spaces; Terraform's ``jsonencode`` sorts keys and writes no spaces).

What needs the sweep (``hub_policy`` without ``sweep_policy``) crosses two variables, which a variable's
validation may not read before Terraform 1.9: it is a precondition of the ``guard-hub`` policy, rendered
by the constructs (``HubMembers``), in the words of ``hub_policy.HUB_NEEDS_SWEEP``.

``local_attributes`` is ``local.hub_policy``: ``enabled`` (``hub_policy != null``), ``include_hub``,
``member_documents`` and ``member_thresholds`` (each member's own, checked merged over the sweep's by a
precondition the constructs render), what ``guard_props.hub_props`` hands the constructs.
"""

from __future__ import annotations

from ses_guard_modulegen.conditions import breaks, holds
from ses_guard_modulegen.variable_kinds import (
    ModuleVariable,
    Validation,
    any_threshold_not_a_ratio,
    at_or_above_pause_level,
    message,
    one_of_actions,
    policy_attribute,
    template,
)
from ses_guard_policy import rules
from ses_reputation_guard.hub_policy import HubPolicy

VARIABLE = "hub_policy"
MEMBERS = f"merge(var.{VARIABLE}[*].members...)"
"""The members' map, empty when hub mode is off (null: the splat is empty, ``merge()`` is ``{}``): every
condition and message evaluates either way. No braces: python-hcl2 (checkov, tools/snapshot.py) misreads
a ``{`` in an error message's interpolation that also holds a string literal."""
MEMBER_TYPE = (
    "object({ regions = optional(list(string), []), action = optional(string), account_action = optional(string), "
    "evaluate_account = optional(bool), protected_configuration_sets = optional(list(string), []), "
    "thresholds = optional(object({ "
    + ", ".join(f"{name} = optional(number)" for name in rules.THRESHOLD_NAMES)
    + " }), {}) })"
)
TYPE = f"object({{ include_hub = optional(bool, true), members = optional(map({MEMBER_TYPE}), {{}}) }})"


def _each_member(condition: str) -> str:
    """HCL list of the account ids whose entry ``m`` (account ``a``) makes ``condition`` true."""
    return f"[for a, m in {MEMBERS} : a if {condition}]"


def member_region_pairs() -> str:
    """HCL list of ``<account>/<region>`` the hub sweeps (a member without Regions counts once: the hub's)."""
    return f'flatten([for a, m in {MEMBERS} : length(m.regions) == 0 ? [a] : [for r in m.regions : "${{a}}/${{r}}"]])'


def _failing(subject: str, condition: str, rule: rules.Rule, *, what: str = "the member(s)") -> Validation:
    """No member makes ``condition`` true; the message names them (``<subject> of <what> [..]: <sentence>.``)."""
    bad = _each_member(condition)
    return Validation(
        f"length({bad}) == 0",
        template(f"{VARIABLE}.members {subject} of {what} <bad>: {rule.sentence}.", bad=f"jsonencode({bad})"),
        rule,
    )


def validations() -> tuple[Validation, ...]:
    """``HubPolicy.collect_problems`` at plan, entry by entry; the merge of each member's thresholds over
    the sweep's is the function's to check again when it reads the entry (``manifest.parse_member_entry``)."""
    accounts = f"keys({MEMBERS})"
    bad_accounts = f"[for a in {accounts} : a if {breaks(rules.ACCOUNT_ID, 'a')}]"
    pairs = member_region_pairs()
    per_threshold_pause_level = tuple(
        _failing(
            f"thresholds.{name}",
            f"try({at_or_above_pause_level(f'm.thresholds.{name}', name)}, false)",
            rules.AWS_PAUSE_LEVEL,
        )
        for name in rules.THRESHOLD_NAMES
    )
    return (
        Validation(
            f"length({bad_accounts}) == 0",
            message(f"{VARIABLE}.members account id(s)", f"jsonencode({bad_accounts})", rules.ACCOUNT_ID.sentence),
            rules.ACCOUNT_ID,
        ),
        _failing(
            "regions",
            f"length([for r in m.regions : r if {breaks(rules.REGION_NAME, 'r')}]) > 0",
            rules.REGION_NAME,
        ),
        _failing(
            "regions", f"!({holds(rules.HUB_MEMBER_REGIONS_UNIQUE, 'm.regions')})", rules.HUB_MEMBER_REGIONS_UNIQUE
        ),
        Validation(
            holds(rules.HUB_MEMBER_REGIONS, pairs),
            template(
                f"{VARIABLE}.members names <count> member Regions: {rules.HUB_MEMBER_REGIONS.sentence}.",
                count=f"length({pairs})",
            ),
            rules.HUB_MEMBER_REGIONS,
        ),
        *(
            _failing(key, f"m.{key} != null && !{one_of_actions(f'm.{key}')}", rules.ACTION)
            for key in ("action", "account_action")
        ),
        _failing(
            "protected_configuration_sets",
            f"length([for n in m.protected_configuration_sets : n if {breaks(rules.CONFIGURATION_SET_NAME, 'n')}]) > 0",
            rules.CONFIGURATION_SET_NAME,
        ),
        _failing(
            "thresholds",
            any_threshold_not_a_ratio("m.thresholds"),
            rules.RATIO,
        ),
        *per_threshold_pause_level,
    )


def variable() -> ModuleVariable:
    return ModuleVariable(
        VARIABLE,
        TYPE,
        "Hub mode, on top of sweep_policy: each sweep run also covers the member accounts x Regions in members "
        "(account id => entry), assuming the role <name_prefix>-member there (the member module, one per "
        "member account). null (default) = off. include_hub (default true): the run also sweeps the hub's own "
        "account and Region. Per member, each optional: regions (default []: the hub's Region; at most "
        f"{rules.HUB_MEMBER_REGIONS_MAX} member account x Region pairs in all), action and account_action "
        '("pause" or "notify"; null: the sweep\'s action and account_policy\'s), evaluate_account (null: the '
        "sweep's), protected_configuration_sets, thresholds (ratios 0-1 over the sweep's, null keeps the "
        "sweep's). The member role must allow what the entry asks for (its pause scope, account_pause_allowed).",
        None,
        validations(),
        nullable=True,
    )


def member_documents_hcl() -> str:
    """HCL map: account id => the member's entry as JSON text, equal to ``HubPolicy.member_documents``
    (null values and an empty protected list left out, thresholds at the top level)."""
    thresholds = ", ".join(f"{name} = m.thresholds.{name}" for name in rules.THRESHOLD_NAMES)
    optional = (
        "action = m.action, account_action = m.account_action, evaluate_account = m.evaluate_account, " + thresholds
    )
    return (
        f"{{ for a, m in {MEMBERS} : a => jsonencode(merge(\n"
        "  { regions = m.regions },\n"
        f"  {{ for k, v in {{ {optional} }} : k => v if v != null }},\n"
        "  { for k, v in { protected_configuration_sets = m.protected_configuration_sets } :\n"
        "    k => v if length(v) > 0 },\n"
        ")) }"
    )


def local_attributes() -> dict[str, str]:
    """``local.hub_policy`` (HCL expressions by attribute): defined when hub mode is off too (``enabled =
    false``, no member)."""
    return {
        "enabled": f"var.{VARIABLE} != null",
        "include_hub": policy_attribute(VARIABLE, "include_hub", HubPolicy().include_hub),
        "member_documents": member_documents_hcl(),
        "member_thresholds": f"{{ for a, m in {MEMBERS} : a => m.thresholds }}",
    }
