"""The one place that imports the CDK (cdktf or CDK Terrain), constructs and the AWS provider bindings.

Two toolchains with the same Python API under different package names (docs/toolchains.md):
cdktf 0.21 (``cdktf``, ``cdktf_cdktf_provider_aws``; the default) and its community continuation
CDK Terrain (``cdktn``, ``cdktn_provider_aws``). ``SES_GUARD_TOOLCHAIN=cdktf|cdktn`` chooses;
unset, cdktf is used when installed, else cdktn. Type checking always sees the cdktf names.

The prebuilt provider package's ``__init__`` imports all ~2,200 resource submodules (about 27 s).
We register a bare package object first and import only the submodules we use (about 5 s: the
jsii assembly load), which keeps ``make synth`` and every test session fast.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

TOOLCHAIN_ENV = "SES_GUARD_TOOLCHAIN"


@dataclass(frozen=True)
class Toolchain:
    """One CDK distribution: its core package and its prebuilt AWS provider bindings."""

    name: str  # what SES_GUARD_TOOLCHAIN names, also the CLI's name
    core_package: str
    provider_package: str
    install_hint: str


TOOLCHAINS = {
    "cdktf": Toolchain("cdktf", "cdktf", "cdktf_cdktf_provider_aws", "`make venv` (pip install -e .)"),
    "cdktn": Toolchain("cdktn", "cdktn", "cdktn_provider_aws", "`make venv-cdktn` (pip install '.[cdktn]')"),
}


def toolchain_installed(toolchain: Toolchain) -> bool:
    return all(
        importlib.util.find_spec(name) is not None for name in (toolchain.core_package, toolchain.provider_package)
    )


def select_toolchain(
    environ: Mapping[str, str] = os.environ, installed: Callable[[Toolchain], bool] = toolchain_installed
) -> Toolchain:
    """The toolchain named by SES_GUARD_TOOLCHAIN, else the first installed (cdktf before cdktn)."""
    requested = environ.get(TOOLCHAIN_ENV, "").strip()
    if requested:
        if requested not in TOOLCHAINS:
            raise ValueError(f"{TOOLCHAIN_ENV}={requested!r} is not a toolchain: use one of {', '.join(TOOLCHAINS)}")
        chosen = TOOLCHAINS[requested]
        if not installed(chosen):
            raise ImportError(
                f"{TOOLCHAIN_ENV}={requested} but {chosen.core_package} and {chosen.provider_package} "
                f"are not both installed: run {chosen.install_hint}"
            )
        return chosen
    for candidate in TOOLCHAINS.values():
        if installed(candidate):
            return candidate
    hints = " or ".join(t.install_hint for t in TOOLCHAINS.values())
    raise ImportError(f"neither cdktf nor cdktn (with its AWS provider bindings) is installed: run {hints}")


TOOLCHAIN = select_toolchain()

if TOOLCHAIN.name == "cdktf":
    # jsii prints a Node.js end-of-life banner in every process otherwise (cdktf runs on the machine's Node 20).
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
elif "JSII_NODE" not in os.environ and (Path(sys.prefix) / "bin" / "node").is_file():
    # cdktn needs Node >= 22.19: `make venv-cdktn` links the Node 22 from npm into the environment.
    os.environ["JSII_NODE"] = str(Path(sys.prefix) / "bin" / "node")

# Only now: the first jsii import starts the Node process that every later one shares.
import constructs  # noqa: E402

if TYPE_CHECKING:
    import cdktf
else:  # the name stays `cdktf` for either toolchain: the API is the same
    cdktf = importlib.import_module(TOOLCHAIN.core_package)

_PROVIDER_PACKAGE = TOOLCHAIN.provider_package


def _register_bare_provider_package() -> None:
    if _PROVIDER_PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{_PROVIDER_PACKAGE} is not installed; run {TOOLCHAIN.install_hint}")
    package = types.ModuleType(_PROVIDER_PACKAGE)
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__file__ = spec.origin
    sys.modules[_PROVIDER_PACKAGE] = package


def _provider_module(name: str) -> Any:
    _register_bare_provider_package()
    return importlib.import_module(f"{_PROVIDER_PACKAGE}.{name}")


Construct = constructs.Construct
App = cdktf.App
TerraformStack = cdktf.TerraformStack
TerraformVariable = cdktf.TerraformVariable
TerraformVariableValidationConfig = cdktf.TerraformVariableValidationConfig
TerraformOutput = cdktf.TerraformOutput
TerraformLocal = cdktf.TerraformLocal
TerraformAsset = cdktf.TerraformAsset
TerraformIterator = cdktf.TerraformIterator
TerraformResourceLifecycle = cdktf.TerraformResourceLifecycle
Precondition = cdktf.Precondition
AssetType = cdktf.AssetType
LocalBackend = cdktf.LocalBackend
S3Backend = cdktf.S3Backend
Token = cdktf.Token
Fn = cdktf.Fn
Op = cdktf.Op
Testing = cdktf.Testing

_provider = _provider_module("provider")
_kms_key = _provider_module("kms_key")
_kms_alias = _provider_module("kms_alias")
_sns_topic = _provider_module("sns_topic")
_sns_topic_policy = _provider_module("sns_topic_policy")
_sns_topic_subscription = _provider_module("sns_topic_subscription")
_iam_policy_document = _provider_module("data_aws_iam_policy_document")
_caller_identity = _provider_module("data_aws_caller_identity")
_partition = _provider_module("data_aws_partition")
_region = _provider_module("data_aws_region")
_metric_alarm = _provider_module("cloudwatch_metric_alarm")
_log_group = _provider_module("cloudwatch_log_group")
_iam_role = _provider_module("iam_role")
_iam_role_policy = _provider_module("iam_role_policy")
_iam_role_policy_attachment = _provider_module("iam_role_policy_attachment")
_lambda_function = _provider_module("lambda_function")
_lambda_permission = _provider_module("lambda_permission")
_sqs_queue = _provider_module("sqs_queue")
_sesv2_configuration_set = _provider_module("sesv2_configuration_set")
_ssm_parameter = _provider_module("ssm_parameter")
_cloudwatch_dashboard = _provider_module("cloudwatch_dashboard")
_chatbot_slack = _provider_module("chatbot_slack_channel_configuration")
_chatbot_teams = _provider_module("chatbot_teams_channel_configuration")
_event_rule = _provider_module("cloudwatch_event_rule")
_event_target = _provider_module("cloudwatch_event_target")
_dynamodb_table = _provider_module("dynamodb_table")

AwsProvider = _provider.AwsProvider
KmsKey = _kms_key.KmsKey
KmsAlias = _kms_alias.KmsAlias
SnsTopic = _sns_topic.SnsTopic
SnsTopicPolicy = _sns_topic_policy.SnsTopicPolicy
SnsTopicSubscription = _sns_topic_subscription.SnsTopicSubscription
DataAwsIamPolicyDocument = _iam_policy_document.DataAwsIamPolicyDocument
PolicyStatement = _iam_policy_document.DataAwsIamPolicyDocumentStatement
PolicyPrincipals = _iam_policy_document.DataAwsIamPolicyDocumentStatementPrincipals
PolicyCondition = _iam_policy_document.DataAwsIamPolicyDocumentStatementCondition
DataAwsCallerIdentity = _caller_identity.DataAwsCallerIdentity
DataAwsPartition = _partition.DataAwsPartition
DataAwsRegion = _region.DataAwsRegion
CloudwatchMetricAlarm = _metric_alarm.CloudwatchMetricAlarm
CloudwatchMetricAlarmMetricQuery = _metric_alarm.CloudwatchMetricAlarmMetricQuery
CloudwatchLogGroup = _log_group.CloudwatchLogGroup
IamRole = _iam_role.IamRole
IamRolePolicy = _iam_role_policy.IamRolePolicy
IamRolePolicyAttachment = _iam_role_policy_attachment.IamRolePolicyAttachment
LambdaFunction = _lambda_function.LambdaFunction
LambdaFunctionEnvironment = _lambda_function.LambdaFunctionEnvironment
LambdaFunctionDeadLetterConfig = _lambda_function.LambdaFunctionDeadLetterConfig
LambdaFunctionTracingConfig = _lambda_function.LambdaFunctionTracingConfig
LambdaFunctionLoggingConfig = _lambda_function.LambdaFunctionLoggingConfig
LambdaPermission = _lambda_permission.LambdaPermission
SqsQueue = _sqs_queue.SqsQueue
Sesv2ConfigurationSet = _sesv2_configuration_set.Sesv2ConfigurationSet
Sesv2ReputationOptions = _sesv2_configuration_set.Sesv2ConfigurationSetReputationOptions
SsmParameter = _ssm_parameter.SsmParameter
CloudwatchDashboard = _cloudwatch_dashboard.CloudwatchDashboard
ChatbotSlackChannelConfiguration = _chatbot_slack.ChatbotSlackChannelConfiguration
ChatbotTeamsChannelConfiguration = _chatbot_teams.ChatbotTeamsChannelConfiguration
CloudwatchEventRule = _event_rule.CloudwatchEventRule
CloudwatchEventTarget = _event_target.CloudwatchEventTarget
DynamodbTable = _dynamodb_table.DynamodbTable
DynamodbTableAttribute = _dynamodb_table.DynamodbTableAttribute
DynamodbTablePointInTimeRecovery = _dynamodb_table.DynamodbTablePointInTimeRecovery
DynamodbTableServerSideEncryption = _dynamodb_table.DynamodbTableServerSideEncryption
DynamodbTableTtl = _dynamodb_table.DynamodbTableTtl

# What Token.as_any returns: a boolean (or any value) that Terraform resolves later.
IResolvable = cdktf.IResolvable

__all__ = [name for name in dir() if name[0].isupper()]
