"""The one place that imports cdktf, constructs and the AWS provider bindings.

A later move to CDK Terrain (``cdktn``, ``cdktn-provider-aws``) is a rename here and nowhere else.

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
from typing import Any

# jsii prints a Node.js end-of-life banner in every process otherwise.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import cdktf
import constructs

_PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"


def _register_bare_provider_package() -> None:
    if _PROVIDER_PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(_PROVIDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{_PROVIDER_PACKAGE} is not installed; run `make venv`")
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

__all__ = [name for name in dir() if name[0].isupper()]
