"""SES emulator: a small, loud extension of moto 5.2.5 for ses-reputation-guard's tests.

moto 5.2.5 gets the SES operations this project depends on wrong or not at all (docs/emulator.md lists
each gap, the AWS page the patch follows and the test that checks it):

* sesv2 ``GetConfigurationSet`` returns ``SendingOptions: {"SendingEnabled": {"SendingEnabled": ...}}``
  (the stored dict is wrapped a second time), so boto3 reports ``False`` for every set and the
  Terraform AWS provider fails with "expected Enabled to be of type *bool". It also returns empty
  ``{}`` blocks for options that were never set (Terraform would then plan to remove them), stale
  creation-time ``Tags``, and the v1 error ``ConfigurationSetDoesNotExist`` instead of the v2
  ``NotFoundException`` (404) that the provider relies on to notice a deleted set.
* sesv2 ``PutConfigurationSetSendingOptions``, ``PutConfigurationSetReputationOptions``,
  ``PutAccountSendingAttributes`` and ``GetAccount`` are not implemented.
* SES v1 ``UpdateConfigurationSetSendingEnabled``, ``UpdateAccountSendingEnabled`` and
  ``GetAccountSendingEnabled`` are not implemented.

Two gaps outside SES that a full deployment of the guard hits are restored here too, so the
emulator stays one module:

* moto 5.2.5 drops a Lambda function's ``DeadLetterConfig`` (accepted by ``CreateFunction`` /
  ``UpdateFunctionConfiguration``, never returned), so Terraform planned to add
  ``dead_letter_config`` on every run, a perpetual diff AWS does not have. Kept and returned as
  AWS does (``{"TargetArn": ...}``; an empty ``TargetArn`` removes it).
* AWS managed IAM policies (the guard attaches ``AWSXRayDaemonWriteAccess``) exist only with
  ``MOTO_IAM_LOAD_MANAGED_POLICIES=true``; server mode sets it before moto's IAM backend starts.

And two CloudWatch gaps the fleet alarms and the sweep depend on (logic in the helper modules
``ses_emulator_insights.py`` and ``ses_emulator_contributors.py``, which cite the AWS pages):

* GetMetricData ignores a Metrics Insights query (``Expression: "SELECT ..."``) and sums every
  datapoint of the account per period. The subset the project sends is now evaluated as the User
  Guide's "Query components and syntax in CloudWatch Metrics Insights"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html),
  "Metrics Insights quotas"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-limits.html)
  and the GetMetricData API reference
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html) describe
  it; anything outside the subset is a ValidationError naming the part. Requests without such a query
  keep moto's path; one such query may sit next to MetricStat queries.
* DescribeAlarmContributors (API reference,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmContributors.html)
  is not implemented. It is added to ``CloudWatchResponse``, so both protocols moto's CloudWatch
  dispatch understands reach it: JSON (``X-Amz-Target: GraniteServiceVersion20100801.<Op>``, which
  botocore 1.44 picks from the model's ``protocols`` list) and query (``Action=<Op>``). Contributors
  are computed from the alarm's query and the stored datapoints with ``ses_guard_policy.evaluation``;
  :func:`set_alarm_contributors` (or ``POST /_ses_emulator/alarm-contributors``) overrides them.

This module monkeypatches moto's classes at install time (methods added to / replaced on
``moto.sesv2.responses.SESV2Response`` and ``moto.ses.responses.EmailResponse``). Monkeypatching
rather than subclassing is deliberate: moto's URL map (``moto/sesv2/urls.py``) holds bound methods
of instances created at import time, and its server builds handlers from those maps, so a subclass
would have to re-register every URL; patching the classes makes both modes pick the changes up.

State lives on moto's v1 backend object (``moto.ses.models.SESBackend``, one per account and
Region), which the v2 backend already shares as ``core_backend``. v1 and v2 therefore read and
write the SAME flags, as they do on AWS, and moto's own reset (``mock_aws`` enter/exit, or
``POST /moto-api/reset`` on the server) clears them.

Usage, in-process::

    from tests.e2e import ses_emulator
    ses_emulator.install()              # idempotent; asserts the moto version
    with mock_aws():
        ...boto3 calls...
        ses_emulator.set_enforcement_status("SHUTDOWN")   # test hook (AWS-imposed pause)

As a server (moto_server with the extension, bound to loopback)::

    python -m tests.e2e.ses_emulator --port 0       # 0 = pick a free port
    # prints "ses_emulator listening on http://127.0.0.1:PORT" once it accepts connections

or in a thread of the current process: ``handle = ses_emulator.start_server(0); handle.stop()``.
A server also accepts ``POST /_ses_emulator/enforcement-status`` with a JSON body
``{"status": "SHUTDOWN", "account_id": "...", "region": "...", "sending_enabled": false}``
(all but ``status`` optional), the HTTP form of :func:`set_enforcement_status`, and
``POST /_ses_emulator/alarm-contributors`` with ``{"alarm_name": ..., "contributors": [...] | null,
"account_id": ..., "region": ...}``, the HTTP form of :func:`set_alarm_contributors`.
See ``tests/e2e/moto_server.py`` for the pytest-friendly subprocess helper and docs/emulator.md.

Fidelity choices (from the AWS API model / docs, not from observed AWS behaviour):

* A configuration set sends by default; ``ReputationMetricsEnabled`` defaults to false.
* Re-enabling sending on a paused configuration set (v1 or v2) stamps
  ``ReputationOptions.LastFreshStart`` with the current time: AWS documents that disabling and
  re-enabling a set gives its reputation metrics a "fresh start". No other path sets it.
* ``GetAccount`` reports ``EnforcementStatus`` HEALTHY and ``SendingEnabled`` true by default.
  The hook :func:`set_enforcement_status` sets PROBATION or SHUTDOWN; SHUTDOWN is an AWS-imposed
  pause (``SendingEnabled`` false). The sesv2 model says of ``PutAccountSendingAttributes``: "If
  Amazon Web Services paused your account's ability to send email, you can't use this operation to
  resume" and lists only ``BadRequestException``/``TooManyRequestsException``, so resuming under
  SHUTDOWN raises ``BadRequestException`` (HTTP 400). v1 ``UpdateAccountSendingEnabled`` models no
  errors; the emulator raises ``AccountSendingPausedException`` (the v1 error for a paused account).
  Pausing under SHUTDOWN is accepted (the account is already paused) unless the fault-injection flag
  ``reject_account_sending_changes=True`` is given, which makes every account pause/resume fail with
  the same errors: use it to exercise a handler's failure path. That flag is NOT AWS behaviour.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

import moto
from moto.awslambda.models import LambdaFunction
from moto.cloudwatch.exceptions import ValidationError
from moto.cloudwatch.models import CloudWatchBackend, cloudwatch_backends
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, EmptyResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.ses.exceptions import ConfigurationSetDoesNotExist, SesError
from moto.ses.models import ConfigurationSet, SESBackend, ses_backends
from moto.ses.responses import EmailResponse
from moto.ses.utils import get_arn
from moto.sesv2 import urls as sesv2_urls
from moto.sesv2.responses import SESV2Response
from werkzeug.serving import make_server

if __package__:
    from . import ses_emulator_contributors as contributors
    from . import ses_emulator_insights as insights
    from .ses_emulator_sts import install_assume_role_checks
else:  # run as a script (moto_server.py starts tests/e2e/ses_emulator.py): tests/e2e is on sys.path
    import ses_emulator_contributors as contributors  # type: ignore[no-redef,import-not-found]
    import ses_emulator_insights as insights  # type: ignore[no-redef,import-not-found]
    from ses_emulator_sts import install_assume_role_checks  # type: ignore[no-redef,import-not-found]

#: The moto release whose internals this module patches. Anything else fails loudly in install():
#: the patches reach into private attributes (ConfigurationSet.enabled, SESBackend.config_sets,
#: SESV2Response._get_param, ...) that a moto upgrade may rename, fix or implement natively.
PATCHED_MOTO_VERSION = "5.2.5"

ENFORCEMENT_STATUSES = ("HEALTHY", "PROBATION", "SHUTDOWN")
CONTROL_PATH = "/_ses_emulator/enforcement-status"
CONTRIBUTORS_CONTROL_PATH = "/_ses_emulator/alarm-contributors"
DEFAULT_REGION = "us-east-1"

_INSTALL_LOCK = threading.Lock()
# The "installed" marker lives on a moto class, not in this module, so that importing this file
# under two module names (``tests.e2e.ses_emulator`` and ``ses_emulator``, as pytest may) cannot
# patch twice.
_MARKER = "_ses_reputation_guard_emulator_installed"


# --------------------------------------------------------------------------------------------------
# Errors, shaped like the sesv2 API model (rest-json: {"__type": ..., "message": ...} + status code)
# --------------------------------------------------------------------------------------------------
class SesV2NotFoundError(JsonRESTError):
    """sesv2 NotFoundException, HTTP 404. The provider's read treats it as "resource is gone"."""

    code = 404

    def __init__(self, message: str):
        super().__init__("NotFoundException", message)


class SesV2BadRequestError(JsonRESTError):
    """sesv2 BadRequestException, HTTP 400: the only modeled client error of PutAccountSendingAttributes."""

    code = 400

    def __init__(self, message: str):
        super().__init__("BadRequestException", message)


class AccountSendingPausedError(SesError):
    """SES v1 error for a paused account; used for v1 UpdateAccountSendingEnabled under SHUTDOWN."""

    code = "AccountSendingPausedException"


# --------------------------------------------------------------------------------------------------
# State helpers (all state sits on moto's v1 SESBackend / ConfigurationSet objects)
# --------------------------------------------------------------------------------------------------
def _account(backend: SESBackend) -> dict[str, Any]:
    """Account-level sending state of one (account, Region), created lazily with AWS's defaults.

    Lazy rather than patched into SESBackend.__init__ so that backends created before install()
    (or recreated by moto's reset) still work.
    """
    state: dict[str, Any] | None = getattr(backend, "_ses_emulator_account", None)
    if state is None:
        state = {
            "sending_enabled": True,
            "enforcement_status": "HEALTHY",
            "reject_account_sending_changes": False,
        }
        backend._ses_emulator_account = state  # type: ignore[attr-defined]
    return state


def _config_set(backend: SESBackend, name: str, *, v2: bool) -> ConfigurationSet:
    """Look a set up, raising the error of the API version that asked (v2 NotFound, v1 DoesNotExist)."""
    config_set = backend.config_sets.get(name)
    if config_set is None:
        if v2:
            raise SesV2NotFoundError(f"Configuration set <{name}> does not exist.")
        raise ConfigurationSetDoesNotExist(f"Configuration set <{name}> does not exist.")
    return config_set


def _cs_sending_enabled(config_set: ConfigurationSet) -> bool:
    """moto keeps v2 SendingOptions as a dict in ``ConfigurationSet.enabled`` ({} when not given)."""
    stored = config_set.enabled
    if isinstance(stored, dict):
        return bool(stored.get("SendingEnabled", True))
    return bool(stored)


def _set_cs_sending_enabled(config_set: ConfigurationSet, enabled: bool) -> None:
    """Set a set's sending flag; a paused -> sending transition is AWS's documented "fresh start"."""
    was_enabled = _cs_sending_enabled(config_set)
    config_set.enabled = {"SendingEnabled": bool(enabled)}  # keep moto's own storage format
    if enabled and not was_enabled:
        if config_set.reputation_options is None:
            config_set.reputation_options = {}
        config_set.reputation_options["LastFreshStart"] = time.time()


def _cs_arn(backend: SESBackend, name: str) -> str:
    return get_arn(backend, "ses", f"configuration-set/{name}")


def _set_account_sending(backend: SESBackend, enabled: bool, *, v2: bool) -> None:
    state = _account(backend)
    shutdown = state["enforcement_status"] == "SHUTDOWN"
    if (shutdown and enabled) or state["reject_account_sending_changes"]:
        message = (
            "Sending for this account was paused by AWS (enforcement status "
            f"{state['enforcement_status']}); it cannot be resumed with this operation."
        )
        if v2:
            raise SesV2BadRequestError(message)
        raise AccountSendingPausedError(message)
    state["sending_enabled"] = bool(enabled)


def _backend_for(account_id: str, region: str) -> SESBackend:
    return ses_backends[account_id][region]


# --------------------------------------------------------------------------------------------------
# Test hook
# --------------------------------------------------------------------------------------------------
def set_enforcement_status(
    status: str,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
    sending_enabled: bool | None = None,
    reject_account_sending_changes: bool = False,
) -> None:
    """Simulate AWS's enforcement decision for one account and Region (in this process).

    ``status``: HEALTHY, PROBATION or SHUTDOWN. SHUTDOWN pauses account sending (AWS-imposed) unless
    ``sending_enabled`` says otherwise; HEALTHY/PROBATION leave the flag alone unless given.
    ``reject_account_sending_changes``: fault injection, makes every account pause/resume fail.
    Works in-process (inside ``mock_aws``) and for a server started in this process; for a server
    in another process, POST the same fields as JSON to ``CONTROL_PATH`` (see moto_server.py).
    """
    if status not in ENFORCEMENT_STATUSES:
        raise ValueError(f"status must be one of {ENFORCEMENT_STATUSES}, not {status!r}")
    state = _account(_backend_for(account_id, region))
    state["enforcement_status"] = status
    state["reject_account_sending_changes"] = bool(reject_account_sending_changes)
    if sending_enabled is not None:
        state["sending_enabled"] = bool(sending_enabled)
    elif status == "SHUTDOWN":
        state["sending_enabled"] = False


# --------------------------------------------------------------------------------------------------
# sesv2 (rest-json) handlers, installed on SESV2Response. moto routes every /v2/... request to
# SESV2Response.dispatch, which finds the operation from the botocore model and calls the method
# named after it in snake_case; a missing method is moto's NotImplementedError.
# --------------------------------------------------------------------------------------------------
def _v2_get_configuration_set(self: SESV2Response) -> str:
    # Replaces moto's version: builds the GetConfigurationSet output shape properly (see header).
    backend = self.sesv2_backend.core_backend
    name = self._get_param("ConfigurationSetName")
    config_set = _config_set(backend, name, v2=True)
    reputation = {"ReputationMetricsEnabled": False, **(config_set.reputation_options or {})}
    body: dict[str, Any] = {
        "ConfigurationSetName": name,
        "ReputationOptions": reputation,
        "SendingOptions": {"SendingEnabled": _cs_sending_enabled(config_set)},
        "Tags": backend.tagger.list_tags_for_resource(_cs_arn(backend, name)).get("Tags", []),
    }
    # AWS omits option blocks that were never set; the provider maps {} to a block Terraform would
    # then plan to remove on every run.
    for key, value in (
        ("TrackingOptions", config_set.tracking_options),
        ("DeliveryOptions", config_set.delivery_options),
        ("SuppressionOptions", config_set.suppression_options),
        ("VdmOptions", config_set.vdm_options),
    ):
        if value:
            body[key] = value
    return json.dumps(body)


def _v2_delete_configuration_set(self: SESV2Response) -> str:
    # moto raises KeyError (HTTP 500) for an unknown set and keeps its tags for a future namesake.
    backend = self.sesv2_backend.core_backend
    name = self._get_param("ConfigurationSetName")
    _config_set(backend, name, v2=True)
    backend.delete_configuration_set(name)
    backend.tagger.delete_all_tags_for_resource(_cs_arn(backend, name))
    return "{}"


def _v2_put_configuration_set_sending_options(self: SESV2Response) -> str:
    backend = self.sesv2_backend.core_backend
    config_set = _config_set(backend, self._get_param("ConfigurationSetName"), v2=True)
    # The model marks SendingEnabled optional; an absent value means false in AWS's JSON handling.
    _set_cs_sending_enabled(config_set, bool(self._get_param("SendingEnabled", False)))
    return "{}"


def _v2_put_configuration_set_reputation_options(self: SESV2Response) -> str:
    # Called by the Terraform provider when reputation_options changes on update.
    backend = self.sesv2_backend.core_backend
    config_set = _config_set(backend, self._get_param("ConfigurationSetName"), v2=True)
    if config_set.reputation_options is None:
        config_set.reputation_options = {}
    config_set.reputation_options["ReputationMetricsEnabled"] = bool(self._get_param("ReputationMetricsEnabled", False))
    return "{}"


def _v2_get_account(self: SESV2Response) -> str:
    state = _account(self.sesv2_backend.core_backend)
    # Values besides SendingEnabled/EnforcementStatus are plausible sandbox defaults.
    return json.dumps(
        {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": state["enforcement_status"],
            "ProductionAccessEnabled": False,
            "SendQuota": {"Max24HourSend": 200.0, "MaxSendRate": 1.0, "SentLast24Hours": 0.0},
            "SendingEnabled": state["sending_enabled"],
            "SuppressionAttributes": {"SuppressedReasons": []},
        }
    )


def _v2_put_account_sending_attributes(self: SESV2Response) -> str:
    enabled = bool(self._get_param("SendingEnabled", False))
    _set_account_sending(self.sesv2_backend.core_backend, enabled, v2=True)
    return "{}"


# --------------------------------------------------------------------------------------------------
# SES v1 (query) handlers, installed on EmailResponse (which uses moto's ActionResult serializer).
# --------------------------------------------------------------------------------------------------
def _v1_update_configuration_set_sending_enabled(self: EmailResponse) -> Any:
    config_set = _config_set(self.backend, self._get_param("ConfigurationSetName"), v2=False)
    _set_cs_sending_enabled(config_set, self._get_bool_param("Enabled", False))
    return EmptyResult()


def _v1_update_account_sending_enabled(self: EmailResponse) -> Any:
    _set_account_sending(self.backend, self._get_bool_param("Enabled", False), v2=False)
    return EmptyResult()


def _v1_get_account_sending_enabled(self: EmailResponse) -> Any:
    return ActionResult({"Enabled": _account(self.backend)["sending_enabled"]})


_V2_PATCHES = {
    "get_configuration_set": _v2_get_configuration_set,  # replaces moto's (wrong shape)
    "delete_configuration_set": _v2_delete_configuration_set,  # replaces moto's (500 on missing)
    "put_configuration_set_sending_options": _v2_put_configuration_set_sending_options,
    "put_configuration_set_reputation_options": _v2_put_configuration_set_reputation_options,
    "get_account": _v2_get_account,
    "put_account_sending_attributes": _v2_put_account_sending_attributes,
}
_V1_PATCHES = {
    "update_configuration_set_sending_enabled": _v1_update_configuration_set_sending_enabled,
    "update_account_sending_enabled": _v1_update_account_sending_enabled,
    "get_account_sending_enabled": _v1_get_account_sending_enabled,
}
#: Handlers moto 5.2.5 already has and we replace; every other patched name must be absent in moto,
#: otherwise moto has started implementing it and this module needs a review.
_REPLACED = {"get_configuration_set", "delete_configuration_set"}

#: Server mode only: moto's server turns ``moto/sesv2/urls.py`` regexes into Flask rules, and its
#: catch-all "/v2/.*" becomes a LITERAL path there, so every sesv2 URI without an explicit entry is a
#: Flask 404 (in-process ``mock_aws`` matches the regex and does not need these). URIs from the
#: sesv2 model of the operations patched above.
_V2_EXTRA_URL_PATHS = (
    "{0}/v2/email/account$",  # GetAccount
    "{0}/v2/email/account/sending$",  # PutAccountSendingAttributes
    "{0}/v2/email/configuration-sets/(?P<ConfigurationSetName>[^/]+)/sending$",
    "{0}/v2/email/configuration-sets/(?P<ConfigurationSetName>[^/]+)/reputation-options$",
)


_LAMBDA_DLQ_MARKER = "_ses_guard_e2e_dlq_patch"


def _dead_letter_target(value: Any) -> str | None:
    if isinstance(value, dict):
        target = value.get("TargetArn")
        return target or None
    return None


def install_lambda_dead_letter_config() -> None:
    """Make moto's Lambda remember ``DeadLetterConfig`` (idempotent)."""
    if getattr(LambdaFunction, _LAMBDA_DLQ_MARKER, False):
        return
    original_init = LambdaFunction.__init__
    original_get = LambdaFunction.get_configuration
    original_update = LambdaFunction.update_configuration

    def patched_init(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        original_init(self, account_id, spec, *args, **kwargs)
        self._dead_letter_target = _dead_letter_target(spec.get("DeadLetterConfig"))

    def patched_get_configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        config: dict[str, Any] = original_get(self, *args, **kwargs)
        target = getattr(self, "_dead_letter_target", None)
        if target:
            config["DeadLetterConfig"] = {"TargetArn": target}
        return config

    def patched_update_configuration(self: Any, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            self._dead_letter_target = _dead_letter_target(config_updates["DeadLetterConfig"])
        result: dict[str, Any] = original_update(self, config_updates)
        target = getattr(self, "_dead_letter_target", None)
        if target:
            result["DeadLetterConfig"] = {"TargetArn": target}
        return result

    LambdaFunction.__init__ = patched_init  # type: ignore[method-assign]
    LambdaFunction.get_configuration = patched_get_configuration  # type: ignore[method-assign]
    LambdaFunction.update_configuration = patched_update_configuration  # type: ignore[method-assign]
    setattr(LambdaFunction, _LAMBDA_DLQ_MARKER, True)


_METRIC_DATA_MARKER = "_ses_guard_e2e_metric_series_patch"
# moto's own CloudWatchBackend.get_metric_data, kept on the class when the series patch is installed:
# the equivalence test runs the pre-index scan over it (tests/e2e/test_ses_emulator.py).
_MOTO_GET_METRIC_DATA = "_ses_guard_e2e_moto_get_metric_data"
_METRIC_DATA_LOCK = threading.Lock()


def _series_of_query(metric: dict[str, Any]) -> insights.SeriesKey:
    dimensions = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
    return metric["Namespace"], metric["MetricName"], tuple(dimensions)


def _series_of_datum(datum: Any) -> insights.SeriesKey:
    return datum.namespace, datum.name, insights.dimension_key(datum.dimensions)


def install_exact_metric_series() -> None:
    """Make moto's GetMetricData read one metric series per MetricStat, as CloudWatch does (idempotent).

    A CloudWatch metric is namespace + name + the exact set of dimensions: ``Reputation.BounceRate``
    without dimensions (the account) and with ``ses:configuration-set=marketing`` are two series.
    moto 5.2.5 returns every series of the name for a query without dimensions, and ignores the
    namespace for a query with dimensions, so one set's datapoints would pass for the account's. Each
    MetricStat query now runs over its own series only; a request that also holds expressions keeps
    moto's behaviour (they reference each other's results).

    How: moto's ``get_metric_data`` reads every datapoint through ``self.get_all_metrics()``
    (``metric_data + aws_metric_data``). For each query, that method is shadowed on the backend
    instance by the query's series and moto's own code runs over it, so statistics, timestamps,
    ordering, Label/Id and ReturnData stay moto's. The series comes from the datapoint index of
    ses_emulator_insights.py (``stored_datums``: namespace + name + exact dimensions -> moto's datapoint
    objects in storage order), plus the matching ones of ``aws_metric_data`` (moto's computed metrics,
    read once per request as moto does), so a query touches only its own datapoints instead of all of
    them (500 queries over 480,000 stored datapoints took minutes; docs/emulator.md, "Speed").
    """
    if getattr(CloudWatchBackend, _METRIC_DATA_MARKER, False):
        return
    original = CloudWatchBackend.get_metric_data
    setattr(CloudWatchBackend, _MOTO_GET_METRIC_DATA, original)

    def patched(self: Any, queries: list[dict[str, Any]], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        if any("MetricStat" not in query for query in queries):
            return original(self, queries, *args, **kwargs)
        wanted = [_series_of_query(query["MetricStat"]["Metric"]) for query in queries]
        stored = insights.stored_datums(self, wanted)
        computed: dict[insights.SeriesKey, list[Any]] = {}
        for datum in self.aws_metric_data:  # a property: computed from other services on each read
            computed.setdefault(_series_of_datum(datum), []).append(datum)
        results: list[dict[str, Any]] = []
        for query, key in zip(queries, wanted, strict=True):
            series = stored[key] + computed.get(key, [])
            with _METRIC_DATA_LOCK:  # the server may answer requests from several threads
                self.get_all_metrics = lambda series=series: series
                try:
                    results += original(self, [query], *args, **kwargs)
                finally:
                    del self.get_all_metrics
        return results

    CloudWatchBackend.get_metric_data = patched  # type: ignore[method-assign]
    setattr(CloudWatchBackend, _METRIC_DATA_MARKER, True)


# --------------------------------------------------------------------------------------------------
# CloudWatch Metrics Insights in GetMetricData, and DescribeAlarmContributors
# (tests/e2e/ses_emulator_insights.py and ses_emulator_contributors.py hold the logic and cite AWS)
# --------------------------------------------------------------------------------------------------
_INSIGHTS_MARKER = "_ses_guard_e2e_metrics_insights_patch"


def _check_insights_request(queries: list[dict[str, Any]], insights_queries: list[dict[str, Any]]) -> None:
    if len(insights_queries) > 1:
        raise ValidationError(
            f"A GetMetricData request can hold only one Metrics Insights query, not {len(insights_queries)} "
            f"(User Guide, Metrics Insights quotas: {insights.QUOTAS_PAGE})."
        )
    if any("MetricStat" not in q and q not in insights_queries for q in queries):
        raise insights.refuse("metric math expressions in the same request as a Metrics Insights query")
    if not insights_queries[0].get("Period"):
        raise insights.refuse("the query has no Period (the emulator needs one to bucket observations)")


def _check_time_range(start: Any, end: Any) -> None:
    # moto's own messages for MetricStat queries.
    if start > end:
        raise ValidationError("The parameter EndTime must be greater than StartTime.")
    if start == end:
        raise ValidationError("The parameter StartTime must not equal parameter EndTime.")


def install_metrics_insights() -> None:
    """Answer Metrics Insights queries in GetMetricData (idempotent); other requests keep moto's path."""
    if getattr(CloudWatchBackend, _INSIGHTS_MARKER, False):
        return
    previous = CloudWatchBackend.get_metric_data

    def patched(
        self: Any, queries: list[dict[str, Any]], start_time: Any, end_time: Any, scan_by: str = "TimestampAscending"
    ) -> list[dict[str, Any]]:
        chosen = [q for q in queries if insights.is_insights_expression(q.get("Expression"))]
        if not chosen:
            return previous(self, queries=queries, start_time=start_time, end_time=end_time, scan_by=scan_by)
        _check_insights_request(queries, chosen)
        start, end = start_time.replace(microsecond=0), end_time.replace(microsecond=0)
        _check_time_range(start, end)
        others = [q for q in queries if q not in chosen]
        results = previous(self, queries=others, start_time=start, end_time=end, scan_by=scan_by) if others else []
        query = chosen[0]
        if query.get("ReturnData", True) is False:
            return list(results)
        result = insights.evaluate(self, query["Expression"], start, end, int(query["Period"]))
        return [*results, *insights.metric_data_results(result, query["Id"], query.get("Label"), scan_by)]

    original_put = CloudWatchBackend.put_metric_data

    def put_and_index(self: Any, namespace: str, metric_data: list[dict[str, Any]]) -> None:
        original_put(self, namespace, metric_data)
        insights.metric_index(self)  # index while storing, so a query does not pay for 480,000 at once

    CloudWatchBackend.get_metric_data = patched  # type: ignore[method-assign]
    CloudWatchBackend.put_metric_data = put_and_index  # type: ignore[method-assign]
    setattr(CloudWatchBackend, _INSIGHTS_MARKER, True)


def _cw_describe_alarm_contributors(self: CloudWatchResponse) -> Any:
    name = self._get_param("AlarmName")
    backend = self.cloudwatch_backend  # per account (x-moto-account-id / MOTO_ACCOUNT_ID) and Region
    alarm = backend.alarms.get(name)
    if alarm is None:
        raise contributors.AlarmNotFoundError(name)
    found = contributors.contributors(backend, alarm)
    items, next_token = contributors.page(found, name, self._get_param("NextToken"))
    result: dict[str, Any] = {"AlarmContributors": items}
    if next_token:
        result["NextToken"] = next_token
    return ActionResult(result)


_CLOUDWATCH_PATCHES = {"describe_alarm_contributors": _cw_describe_alarm_contributors}


def set_alarm_contributors(
    alarm_name: str,
    alarm_contributors: list[dict[str, Any]] | None,
    *,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region: str = DEFAULT_REGION,
) -> None:
    """Test hook: make DescribeAlarmContributors report exactly ``alarm_contributors`` for one alarm.

    Each entry needs ``ContributorAttributes`` ({dimension: value}); ``ContributorId`` (default: the
    emulator's hash of the attributes), ``StateReason`` and ``StateTransitionedTimestamp`` (datetime,
    ISO string or epoch seconds; default now) are optional. ``None`` goes back to computing them.
    Works in-process and for a server in this process; for a server in another process, POST the
    same fields as JSON to ``CONTRIBUTORS_CONTROL_PATH`` (``MotoServer.set_alarm_contributors``).
    """
    contributors.set_overrides(cloudwatch_backends[account_id][region], alarm_name, alarm_contributors)


def check_moto_version(version: str | None = None) -> None:
    """Raise RuntimeError unless moto is the release these patches were written against."""
    found = version if version is not None else moto.__version__
    if found != PATCHED_MOTO_VERSION:
        raise RuntimeError(
            f"tests/e2e/ses_emulator.py patches moto {PATCHED_MOTO_VERSION} internals but moto "
            f"{found} is installed. Re-check each patch against the new moto (some gaps may be "
            "fixed upstream), then update PATCHED_MOTO_VERSION."
        )


def install() -> None:
    """Apply the patches (idempotent, thread-safe). Call before ``mock_aws()`` or a server starts."""
    with _INSTALL_LOCK:
        if getattr(SESV2Response, _MARKER, False):
            return
        check_moto_version()
        for cls, patches in (
            (SESV2Response, _V2_PATCHES),
            (EmailResponse, _V1_PATCHES),
            (CloudWatchResponse, _CLOUDWATCH_PATCHES),
        ):
            for name, func in patches.items():
                if name not in _REPLACED and hasattr(cls, name):
                    raise RuntimeError(f"moto now implements {cls.__name__}.{name}; review the patch")
                setattr(cls, name, func)
        for path in _V2_EXTRA_URL_PATHS:
            sesv2_urls.url_paths.setdefault(path, SESV2Response.dispatch)
        install_lambda_dead_letter_config()
        install_exact_metric_series()
        install_metrics_insights()
        install_assume_role_checks()
        setattr(SESV2Response, _MARKER, True)


def is_installed() -> bool:
    return bool(getattr(SESV2Response, _MARKER, False))


# --------------------------------------------------------------------------------------------------
# Server mode
# --------------------------------------------------------------------------------------------------
def _control_enforcement_status(payload: dict[str, Any]) -> None:
    set_enforcement_status(
        payload["status"],
        account_id=payload.get("account_id", DEFAULT_ACCOUNT_ID),
        region=payload.get("region", DEFAULT_REGION),
        sending_enabled=payload.get("sending_enabled"),
        reject_account_sending_changes=payload.get("reject_account_sending_changes", False),
    )


def _control_alarm_contributors(payload: dict[str, Any]) -> None:
    set_alarm_contributors(
        payload["alarm_name"],
        payload["contributors"],
        account_id=payload.get("account_id", DEFAULT_ACCOUNT_ID),
        region=payload.get("region", DEFAULT_REGION),
    )


_CONTROL_HANDLERS = {
    CONTROL_PATH: _control_enforcement_status,
    CONTRIBUTORS_CONTROL_PATH: _control_alarm_contributors,
}


def _with_control_endpoint(app: Any) -> Any:
    """WSGI middleware: serves the test-hook paths (_CONTROL_HANDLERS), passes the rest to moto."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        handler = _CONTROL_HANDLERS.get(environ.get("PATH_INFO", ""))
        if handler is None:
            return app(environ, start_response)
        body: dict[str, Any]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = json.loads(environ["wsgi.input"].read(length) or b"{}")
            if environ.get("REQUEST_METHOD") != "POST":
                raise ValueError("use POST")
            handler(payload)
            status, body = "200 OK", {"ok": True}
        except (KeyError, ValueError, TypeError) as exc:
            status, body = "400 Bad Request", {"ok": False, "error": str(exc)}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return wsgi


def make_wsgi_server(host: str = "127.0.0.1", port: int = 0) -> Any:
    """Install the patches and build (not start) a threaded werkzeug server running moto's app.

    Same construction as moto.server.ThreadedMotoServer, plus the control endpoint. Port 0 binds a
    free port; read it back from ``server.server_address``.
    """
    install()
    app = _with_control_endpoint(DomainDispatcherApplication(create_backend_app))
    return make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)


@dataclass
class ServerHandle:
    """A running in-thread server. ``endpoint_url`` is what boto3 / AWS_ENDPOINT_URL want."""

    server: Any
    thread: threading.Thread
    host: str
    port: int

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def start_server(port: int = 0, host: str = "127.0.0.1") -> ServerHandle:
    """Start moto_server with the extension in a daemon thread of THIS process.

    It shares moto's global state with the process: entering/leaving ``mock_aws()`` resets the
    server's data too. For isolation use the subprocess helper in tests/e2e/moto_server.py.
    """
    server = make_wsgi_server(host, port)
    thread = threading.Thread(target=server.serve_forever, name="ses-emulator", daemon=True)
    thread.start()
    return ServerHandle(server=server, thread=thread, host=host, port=server.server_address[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="moto_server with the ses-reputation-guard SES extension")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    args = parser.parse_args(argv)
    # Before moto's IAM backend is first created (it reads the setting then): see module docstring.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    server = make_wsgi_server(args.host, args.port)
    host, port = server.server_address[:2]
    # The helper in moto_server.py waits for this exact line to learn the port.
    print(f"ses_emulator listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
