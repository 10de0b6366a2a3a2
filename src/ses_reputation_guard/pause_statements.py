"""The IAM statements that let a role pause configuration sets: one scope logic for both roles.

``FunctionRole`` (the guard's own account and Region) and ``MemberRole`` (a member account, every
Region) grant the same thing over the same ``pause_scope`` (``pause_scope.py``: ``listed``, ``tagged``,
``name-pattern:<pattern>``, or an expression of one known at plan time), and deny the same thing: pausing
a set tagged ``ses-reputation-guard:action = notify``. The statements differ only by what the
``GuardContext`` says (partition, account, Region, name prefix), so each builder takes the context, the
construct the locals it may need are created in (``scope``), and the pause scope.
"""

from __future__ import annotations

import json
from typing import Any

from ses_guard_policy import contract, rules
from ses_reputation_guard._cdktf import Construct, PolicyCondition, PolicyStatement, Token
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.pause_scope import is_name_pattern, name_pattern
from ses_reputation_guard.validation import is_token


def set_pause_grant(
    scope: Construct, context: GuardContext, pause_scope: str | TerraformExpression, arns: TerraformExpression
) -> list[Any]:
    """Pause, read and tag the sets of ``pause_scope``; ``arns`` the ``listed`` scope's ARNs (a list
    expression; not read by the other scopes)."""
    every_set = context.arn("ses", "configuration-set/*")
    resources: Any
    conditions: list[Any] = []
    if isinstance(pause_scope, TerraformExpression):
        # ARNs read from locals: a reference stays intact inside the conditional, where a
        # data-source token inside a string would lose its ${}.
        s, pattern = pause_scope.text, f'trimprefix({pause_scope.text}, "{rules.PAUSE_SCOPE_NAME_PATTERN}")'
        every_set_local = context.local(scope, "every_configuration_set_arn", every_set).text
        pattern_set_local = context.local(
            scope, "pattern_configuration_set_arn", context.arn("ses", "configuration-set/") + f"${{{pattern}}}"
        ).text
        resources = Token.as_list(
            f'${{{s} == "{rules.PAUSE_SCOPE_LISTED}" ? {arns.text} : '
            f'({s} == "{rules.PAUSE_SCOPE_TAGGED}" ? [{every_set_local}] : [{pattern_set_local}])}}'
        )
        conditions = tag_conditions(scope, context, tagged=f'{s} == "{rules.PAUSE_SCOPE_TAGGED}"')
    elif pause_scope == rules.PAUSE_SCOPE_TAGGED:
        resources, conditions = [every_set], tag_conditions(scope, context, tagged=None)
    elif is_name_pattern(pause_scope):
        resources = [context.arn("ses", f"configuration-set/{name_pattern(pause_scope)}")]
    else:
        resources = Token.as_list(arns.interpolated)
    return [
        PolicyStatement(
            sid="PauseAndReadGuardedConfigurationSets",
            actions=["ses:GetConfigurationSet", "ses:PutConfigurationSetSendingOptions"],
            resources=resources,
            condition=conditions or None,
        ),
        # Read-only: a fleet contributor's set is left alone when tagged notify. ListTagsForResource
        # takes no aws:ResourceTag condition (Service Authorization Reference): same sets, no tag test.
        PolicyStatement(
            sid="ReadGuardedConfigurationSetTags", actions=["ses:ListTagsForResource"], resources=resources
        ),
        pause_tag_grant(context, resources),
    ]


def pause_tag_grant(context: GuardContext, resources: Any) -> Any:
    """Mark a set the function paused (``ses-guard status`` finds it by the tag): the sets it may
    pause, only the two pause tag keys (``aws:TagKeys``), ``paused-by`` its own prefix
    (``aws:RequestTag``). TagResource takes no aws:ResourceTag condition (Service Authorization
    Reference: aws:TagKeys, aws:RequestTag, ses:ApiVersion), so the tagged scope names every set of
    this account and Region without a tag test, as ListTagsForResource does."""
    return PolicyStatement(
        sid="TagConfigurationSetsItPauses",
        actions=["ses:TagResource"],
        resources=resources,
        condition=[
            PolicyCondition(
                test="ForAllValues:StringEquals", variable="aws:TagKeys", values=list(contract.PAUSE_TAG_KEYS)
            ),
            PolicyCondition(
                test="StringEquals",
                variable=f"aws:RequestTag/{contract.TAG_PAUSED_BY}",
                values=[context.name_prefix],
            ),
        ],
    )


def tag_conditions(scope: Construct, context: GuardContext, *, tagged: str | None) -> list[Any]:
    """Sets tagged for this guard with the action ``pause``. ``tagged`` an HCL condition (scope
    known at plan time): the same keys, made vacuous (``StringLikeIfExists`` ``*``) unless it holds."""
    wanted = {contract.TAG_GUARD: context.name_prefix, contract.TAG_ACTION: contract.ACTION_PAUSE}
    if tagged is None:
        return [
            PolicyCondition(test="StringEquals", variable=f"aws:ResourceTag/{key}", values=[value])
            for key, value in wanted.items()
        ]
    wanted_text = {key: json.dumps(value) for key, value in wanted.items()}
    name_prefix = context.name_prefix
    if is_token(name_prefix):  # a local keeps the reference intact inside the conditional
        wanted_text[contract.TAG_GUARD] = context.local(scope, "set_tag_name_prefix", name_prefix).text
    return [
        PolicyCondition(
            test=f'${{{tagged} ? "StringEquals" : "StringLikeIfExists"}}',
            variable=f"aws:ResourceTag/{key}",
            values=Token.as_list(f'${{{tagged} ? [{value}] : ["*"]}}'),
        )
        for key, value in wanted_text.items()
    ]


def notify_only_deny(context: GuardContext) -> Any:
    """Never pause a set tagged ``action = notify``, whatever the scope and the number of sets: defense in
    depth, IAM refuses the pause whatever alarm (or hub) asks for it."""
    return PolicyStatement(
        sid="NeverPauseNotifyOnlySets",
        effect="Deny",
        actions=["ses:PutConfigurationSetSendingOptions"],
        resources=[context.arn("ses", "configuration-set/*")],
        condition=[
            PolicyCondition(
                test="StringEquals",
                variable=f"aws:ResourceTag/{contract.TAG_ACTION}",
                values=[contract.ACTION_NOTIFY],
            )
        ],
    )
