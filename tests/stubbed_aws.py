"""Shared helpers for the function and CLI tests: fixture events, a fake Lambda context, a fake clock,
stubbed AWS clients, and the checks several test files share (log lines, refusals, HTTP-level throttling).

Every AWS call goes through a real boto3 client with botocore's Stubber, which checks the
parameters (and our canned responses) against the AWS API model. No network, no real AWS.
"""

from __future__ import annotations

import contextlib
import json
import pathlib
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber

import ses_guard_lambda
from ses_guard_lambda import handler, notices
from ses_guard_lambda.budget import DEFAULT_BUDGET_SECONDS, Budget, Clock
from ses_guard_lambda.clients import RETRY_CONFIG, Clients
from ses_guard_lambda.cloudwatch_alarm import AlarmFacts, describe_alarm
from ses_guard_lambda.config import GuardConfig
from ses_guard_lambda.decision import Context
from ses_guard_lambda.events import AlarmEvent, parse_record, split_records
from ses_guard_policy import alarm_names, contract, manifest

EVENTS_DIR = pathlib.Path(__file__).resolve().parent / "events"
ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = "sesguard"
PAUSE_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-pause"
REPORT_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:{PREFIX}-notifications"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{PREFIX}-pause"
# The guard-level manifest the constructs put in the function's environment (defaults, fleet on).
MANIFEST_DOCUMENT: dict[str, Any] = {
    "format": manifest.FORMAT,
    "version": manifest.VERSION,
    "name_prefix": PREFIX,
    "alarm": {"period": 3600, "statistic": "Maximum", "evaluation_periods": 1, "datapoints_to_alarm": 1},
    "default_thresholds": {
        "bounce_warning": 0.02,
        "bounce_critical": 0.05,
        "complaint_warning": 0.0005,
        "complaint_critical": 0.001,
    },
    "account": {"action": "pause"},
    "fleet": {"action": "pause"},
    manifest.SETS_PATH_KEY: manifest.configuration_sets_path(PREFIX),
}
MANIFEST = manifest.parse(MANIFEST_DOCUMENT, source="tests")
# A set's entry of the deployed policy (its SSM parameter): pause, the default thresholds.
SET_ENTRY: dict[str, Any] = {"action": "pause", "enabled": True, "warning_alarms": True, "managed": True}
CONFIG = GuardConfig(name_prefix=PREFIX, pause_topic_arn=PAUSE_TOPIC, report_topic_arn=REPORT_TOPIC, manifest=MANIFEST)
# The account and Region the function runs in, as the decision sees them.
CTX = Context(account_id=ACCOUNT, region=REGION)
# The fixtures' alarms change state at 01:34:12.311 on 2026-11-28; "now" is a minute later.
EVENT_TIME = datetime(2026, 11, 28, 1, 34, 12, 311000, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 1, 35, 12, tzinfo=UTC)
FLEET_QUERY = (
    'SELECT MAX("{metric}") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
    'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC'
)


def alarm_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:cloudwatch:{REGION}:{account}:alarm:{name}"


def set_arn(name: str) -> str:
    return f"arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{name}"


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS_DIR / name).read_text())
    return data


def sns_message(event: dict[str, Any], index: int = 0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(event["Records"][index]["Sns"]["Message"])
    return message


def with_sns_message(event: dict[str, Any], message: dict[str, Any], index: int = 0) -> dict[str, Any]:
    event["Records"][index]["Sns"]["Message"] = json.dumps(message)
    return event


def parse_first(event: dict[str, Any]) -> AlarmEvent:
    """The first record of the invocation payload ``event``, parsed as the handler parses it."""
    kind, record = split_records(event)[0]
    return parse_record(kind, record)


def as_drill(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` (an SNS event) with its first record marked as a drill, as ``ses-guard drill`` sends it."""
    event["Records"][0]["Sns"]["MessageAttributes"] = {contract.DRILL_ATTRIBUTE: {"Type": "String", "Value": "true"}}
    return event


def fleet_contributor_event(configuration_set: str) -> dict[str, Any]:
    """The SNS fleet-contributor notification (events/sns_fleet_contributor.json) for ``configuration_set``."""
    event = load_event("sns_fleet_contributor.json")
    message = sns_message(event)
    message[contract.SNS_CONTRIBUTOR_ATTRIBUTES][contract.DIMENSION_CONFIGURATION_SET] = configuration_set
    return with_sns_message(event, message)


def tags(
    scope: str,
    configuration_set: str | None = None,
    *,
    tier: str = contract.TIER_CRITICAL,
    action: str = contract.ACTION_PAUSE,
    guard: str = PREFIX,
) -> dict[str, str]:
    result = {
        contract.TAG_GUARD: guard,
        contract.TAG_SCOPE: scope,
        contract.TAG_TIER: tier,
        contract.TAG_ACTION: action,
    }
    if configuration_set is not None:
        result[contract.TAG_CONFIGURATION_SET] = configuration_set
    return result


ACCOUNT_TAGS = tags(contract.SCOPE_ACCOUNT)
FLEET_TAGS = tags(contract.SCOPE_FLEET)


def tags_for(name: str) -> dict[str, str]:
    """The tags the constructs give the alarm called ``name`` (scope, set and tier from its shape)."""
    parsed = alarm_names.parse(name, PREFIX)
    assert parsed is not None, name
    return tags(parsed.scope, parsed.configuration_set, tier=parsed.tier)


@dataclass
class FakeContext:
    invoked_function_arn: str = FUNCTION_ARN
    aws_request_id: str = "0b6b9f3c-1111-4d2e-9c55-3f1e2d4c5b6a"
    function_name: str = f"{PREFIX}-pause"


@dataclass
class FakeClock:
    """Wall time fixed at ``start`` plus whatever was slept; sleeping only advances the clock."""

    start: datetime = NOW
    elapsed: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds

    @property
    def clock(self) -> Clock:
        return Clock(now=self.now, monotonic=self.monotonic, sleep=self.sleep)


SET_ALARM = f"{PREFIX}-set-marketing-complaint-critical"
ACCOUNT_ALARM = f"{PREFIX}-account-bounce-critical"
FLEET_ALARM = f"{PREFIX}-fleet-bounce-critical"
ALL_SOURCES = frozenset(contract.SOURCES)


def run_handler(
    event: Any,
    aws: Aws,
    config: GuardConfig = CONFIG,
    *,
    context: Any = None,
    clock: FakeClock | None = None,
    clients: Clients | None = None,
) -> dict[str, Any]:
    """The function's handler on ``event`` with the stubbed clients (or ``clients``) and a fake clock."""
    fake = clock or FakeClock()
    return handler.handle(
        event, context or FakeContext(), config=config, clients=clients or aws.clients, clock=fake.clock
    )


def make_budget(clock: FakeClock | None = None, seconds: float = DEFAULT_BUDGET_SECONDS) -> Budget:
    """A retry budget of ``seconds`` on ``clock`` (a new FakeClock by default), as an invocation has one."""
    fake = clock or FakeClock()
    return Budget(deadline=fake.monotonic() + seconds, clock=fake.clock)


def log_lines(output: str, event: str = "decision") -> list[dict[str, Any]]:
    """The function's JSON log lines in captured ``output`` whose ``event`` is ``event``."""
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [line for line in lines if line["event"] == event]


def policy_parameter(configuration_set: str) -> str:
    """The SSM parameter holding ``configuration_set``'s entry of the deployed policy."""
    return f"{manifest.configuration_sets_path(PREFIX)}{configuration_set}"


def alarm_description(
    name: str,
    *,
    state: str = "ALARM",
    threshold: float | None = None,
    statistic: str = "Maximum",
    period: int = 3600,
    evaluation_periods: int = 1,
    datapoints_to_alarm: int | None = None,
    operator: str = "GreaterThanOrEqualToThreshold",
    since: datetime = EVENT_TIME,
) -> dict[str, Any]:
    """DescribeAlarms' MetricAlarm for one of the guard's alarm shapes, as the constructs create it."""
    parsed = alarm_names.parse(name, PREFIX)
    assert parsed is not None, name
    alarm: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": alarm_arn(name),
        "StateValue": state,
        "StateReason": "Threshold Crossed",
        "StateTransitionedTimestamp": since,
        "StateUpdatedTimestamp": since,
        "EvaluationPeriods": evaluation_periods,
        "DatapointsToAlarm": datapoints_to_alarm or evaluation_periods,
        "Threshold": threshold if threshold is not None else deployed_threshold(parsed),
        "ComparisonOperator": operator,
        "TreatMissingData": "ignore",
    }
    if parsed.scope == contract.SCOPE_FLEET:
        query = {"Id": "q1", "Expression": FLEET_QUERY.format(metric=parsed.metric), "Period": period}
        alarm["Metrics"] = [{**query, "ReturnData": True}]
        return alarm
    dimensions = []
    if parsed.configuration_set is not None:
        dimensions = [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": parsed.configuration_set}]
    alarm.update(
        MetricName=parsed.metric,
        Namespace=contract.SES_NAMESPACE,
        Statistic=statistic,
        Dimensions=dimensions,
        Period=period,
    )
    return alarm


def deployed_threshold(name: alarm_names.AlarmName) -> float:
    """The threshold the test manifest (every set entry: defaults) deploys for an alarm of this name."""
    return MANIFEST.default_thresholds.of(contract.METRIC_SHORT_NAMES[name.metric], name.tier)


def evidence_query(name: str, configuration_set: str | None, *, stat: str = "Maximum", period: int = 3600) -> Any:
    """The MetricDataQueries the function sends for alarm ``name`` (and the contributor's set)."""
    parsed = alarm_names.parse(name, PREFIX)
    assert parsed is not None, name
    dimensions = (
        []
        if configuration_set is None
        else [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": configuration_set}]
    )
    metric = {"Namespace": contract.SES_NAMESPACE, "MetricName": parsed.metric, "Dimensions": dimensions}
    return [{"Id": "evidence", "MetricStat": {"Metric": metric, "Period": period, "Stat": stat}, "ReturnData": True}]


@dataclass
class Aws:
    """Real boto3 clients with Stubbers; `published` collects every sns.publish call's params."""

    sesv2: Any
    sns: Any
    cloudwatch: Any
    ssm: Any
    stubs: dict[str, Stubber] = field(default_factory=dict)
    published: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    @property
    def clients(self) -> Clients:
        return Clients(sesv2=self.sesv2, sns=self.sns, cloudwatch=self.cloudwatch, ssm=self.ssm)

    def reports(self) -> list[dict[str, Any]]:
        """Published messages with the per-protocol texts decoded (MessageStructure=json)."""
        return [{**p, "Texts": json.loads(p["Message"])} for p in self.published]

    def calls_to(self, operation: str) -> list[dict[str, Any]]:
        return [params for _, op, params in self.calls if op == operation]

    # --- CloudWatch -------------------------------------------------------------------------
    def expect_alarm(self, name: str, description: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """DescribeAlarms(AlarmNames=[name]) answering ``description`` (default: the constructs' alarm)."""
        alarms = [description if description is not None else alarm_description(name, **kwargs)]
        self.stubs["cloudwatch"].add_response(
            "describe_alarms",
            {"MetricAlarms": alarms, "CompositeAlarms": []},
            {"AlarmNames": [name], "AlarmTypes": ["MetricAlarm"]},
        )

    def expect_no_alarm(self, name: str) -> None:
        self.stubs["cloudwatch"].add_response(
            "describe_alarms",
            {"MetricAlarms": [], "CompositeAlarms": []},
            {"AlarmNames": [name], "AlarmTypes": ["MetricAlarm"]},
        )

    def expect_tags(self, name: str, alarm_tags: dict[str, str], account: str = ACCOUNT) -> None:
        self.stubs["cloudwatch"].add_response(
            "list_tags_for_resource",
            {"Tags": [{"Key": k, "Value": v} for k, v in alarm_tags.items()]},
            {"ResourceARN": alarm_arn(name, account)},
        )

    def expect_verified(
        self, name: str, alarm_tags: dict[str, str] | None = None, *, set_policy: bool | None = None, **kwargs: Any
    ) -> None:
        """DescribeAlarms then ListTagsForResource for one of our alarms, in ALARM; for a per-set alarm
        with the constructs' tags (or ``set_policy=True``) also the set's entry of the deployed policy."""
        self.expect_alarm(name, **kwargs)
        self.expect_tags(name, alarm_tags if alarm_tags is not None else tags_for(name))
        parsed = alarm_names.parse(name, PREFIX)
        if set_policy is None:
            set_policy = alarm_tags is None and kwargs.get("state", "ALARM") == "ALARM"
        if set_policy and parsed is not None and parsed.configuration_set is not None:
            self.expect_set_policy(parsed.configuration_set, SET_ENTRY)

    def expect_datapoints(
        self,
        name: str,
        values: Sequence[float],
        configuration_set: str | None = None,
        *,
        stat: str = "Maximum",
        period: int = 3600,
        end: datetime = NOW,
    ) -> None:
        """GetMetricData for the alarm's SES metric; ``values`` newest first, one per period."""
        stamps = [end - timedelta(seconds=period * (i + 1)) for i in range(len(values))]
        result = {"Id": "evidence", "Label": "evidence", "Timestamps": stamps, "Values": list(values)}
        self.stubs["cloudwatch"].add_response(
            "get_metric_data",
            {"MetricDataResults": [{**result, "StatusCode": "Complete"}], "Messages": []},
            {
                "MetricDataQueries": evidence_query(name, configuration_set, stat=stat, period=period),
                "StartTime": ANY,
                "EndTime": ANY,
                "ScanBy": "TimestampDescending",
            },
        )

    def expect_contributor_page(
        self,
        alarm: str,
        sets: Sequence[str],
        *,
        token: str | None = None,
        next_token: str | None = None,
        since: datetime = EVENT_TIME,
    ) -> None:
        """One page of DescribeAlarmContributors: asked for with ``token``, answering ``next_token``."""
        contributors = [
            {
                "ContributorId": f"p{i:015d}",
                "ContributorAttributes": {contract.DIMENSION_CONFIGURATION_SET: name},
                "StateReason": "Threshold Crossed",
                "StateTransitionedTimestamp": since,
            }
            for i, name in enumerate(sets)
        ]
        response: dict[str, Any] = {"AlarmContributors": contributors}
        if next_token is not None:
            response["NextToken"] = next_token
        params = {"AlarmName": alarm} if token is None else {"AlarmName": alarm, "NextToken": token}
        self.stubs["cloudwatch"].add_response("describe_alarm_contributors", response, params)

    def expect_contributors(self, alarm: str, sets: Sequence[str], since: datetime = EVENT_TIME) -> None:
        """DescribeAlarmContributors answered on one page."""
        self.expect_contributor_page(alarm, sets, since=since)

    # --- the deployed policy (SSM) ----------------------------------------------------------------
    def expect_set_policy(self, configuration_set: str, entry: dict[str, Any] | None = None) -> None:
        """GetParameter of the set's policy entry: ``entry``, or ParameterNotFound (no policy of its own)."""
        name = policy_parameter(configuration_set)
        params = {"Name": name, "WithDecryption": True}
        if entry is None:
            self.stubs["ssm"].add_client_error("get_parameter", "ParameterNotFound", name, expected_params=params)
            return
        self.expect_set_policy_text(configuration_set, json.dumps(entry))

    def expect_set_policy_text(self, configuration_set: str, value: str) -> None:
        """GetParameter of the set's policy entry answering the raw parameter ``value`` (any text)."""
        name = policy_parameter(configuration_set)
        parameter = {"Name": name, "Type": "SecureString", "Value": value, "Version": 1}
        params = {"Name": name, "WithDecryption": True}
        self.stubs["ssm"].add_response("get_parameter", {"Parameter": parameter}, params)

    def expect_set_policy_error(self, configuration_set: str, code: str, status: int = 400) -> None:
        """GetParameter of the set's policy entry failing with error ``code``."""
        name = policy_parameter(configuration_set)
        self.stubs["ssm"].add_client_error(
            "get_parameter",
            code,
            f"{code} for {name}",
            http_status_code=status,
            expected_params={"Name": name, "WithDecryption": True},
        )

    # --- SES ----------------------------------------------------------------------------------
    def expect_account(self, sending_enabled: bool = True, enforcement: str = "HEALTHY") -> None:
        self.stubs["sesv2"].add_response(
            "get_account",
            {
                "SendingEnabled": sending_enabled,
                "EnforcementStatus": enforcement,
                "ProductionAccessEnabled": True,
                "DedicatedIpAutoWarmupEnabled": False,
            },
            {},
        )

    def expect_set(
        self, name: str, sending_enabled: bool = True, reputation: bool = True, fresh_start: datetime | None = None
    ) -> None:
        options: dict[str, Any] = {"ReputationMetricsEnabled": reputation}
        if fresh_start is not None:
            options["LastFreshStart"] = fresh_start
        self.stubs["sesv2"].add_response(
            "get_configuration_set",
            {
                "ConfigurationSetName": name,
                "SendingOptions": {"SendingEnabled": sending_enabled},
                "ReputationOptions": options,
            },
            {"ConfigurationSetName": name},
        )

    def expect_set_tags(self, name: str, set_tags: dict[str, str] | None = None) -> None:
        self.stubs["sesv2"].add_response(
            "list_tags_for_resource",
            {"Tags": [{"Key": k, "Value": v} for k, v in (set_tags or {}).items()]},
            {"ResourceArn": set_arn(name)},
        )

    def expect_account_sending(self, enabled: bool) -> None:
        """PutAccountSendingAttributes turning the account's sending on or off."""
        self.stubs["sesv2"].add_response("put_account_sending_attributes", {}, {"SendingEnabled": enabled})

    def expect_set_sending(self, name: str, enabled: bool) -> None:
        """PutConfigurationSetSendingOptions turning one set's sending on or off."""
        params = {"ConfigurationSetName": name, "SendingEnabled": enabled}
        self.stubs["sesv2"].add_response("put_configuration_set_sending_options", {}, params)

    def expect_pause_account(self) -> None:
        self.expect_account_sending(False)

    def expect_pause_set(self, name: str) -> None:
        self.expect_set_sending(name, False)

    def expect_pause_tag(self, name: str, paused_at: Any = ANY, *, error: str | None = None) -> None:
        """TagResource marking the set the function just paused (``paused-by`` = the prefix, ``paused-at``);
        ``error``: the call fails with that code."""
        tagged = [
            {"Key": contract.TAG_PAUSED_BY, "Value": PREFIX},
            {"Key": contract.TAG_PAUSED_AT, "Value": paused_at},
        ]
        params = {"ResourceArn": set_arn(name), "Tags": tagged}
        if error is not None:
            self.stubs["sesv2"].add_client_error("tag_resource", error, f"{error} for {name}", expected_params=params)
            return
        self.stubs["sesv2"].add_response("tag_resource", {}, params)

    def expect_resume_account(self) -> None:
        self.expect_account_sending(True)

    def expect_resume_set(self, name: str) -> None:
        self.expect_set_sending(name, True)

    def throttle(self, service: str, operation: str, times: int = 1) -> None:
        code = "TooManyRequestsException" if service == "sesv2" else "Throttling"
        for _ in range(times):
            self.stubs[service].add_client_error(operation, code, "Rate exceeded", http_status_code=429)

    # --- SNS ----------------------------------------------------------------------------------
    def expect_publish(self) -> None:
        self.stubs["sns"].add_response(
            "publish",
            {"MessageId": "5e0f3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"},
            {"TopicArn": REPORT_TOPIC, "Subject": ANY, "Message": ANY, "MessageStructure": "json"},
        )

    # --- whole paths ------------------------------------------------------------------------------
    def expect_set_pause(self, name: str, configuration_set: str, value: float = 0.09, **alarm: Any) -> None:
        """A per-set alarm that checks out: describe, tags, its deployed policy, set state, evidence, pause, report."""
        self.expect_verified(name, **alarm)
        self.expect_set(configuration_set)
        self.expect_datapoints(name, [value], configuration_set)
        self.expect_pause_set(configuration_set)
        self.expect_pause_tag(configuration_set)
        self.expect_publish()

    def expect_account_pause(self, name: str, value: float = 0.09, **alarm: Any) -> None:
        self.expect_verified(name, **alarm)
        self.expect_account()
        self.expect_datapoints(name, [value])
        self.expect_pause_account()
        self.expect_publish()

    def expect_fleet_pause(
        self,
        configuration_set: str,
        name: str = f"{PREFIX}-fleet-bounce-critical",
    ) -> None:
        """A fleet contributor that checks out: no policy of its own in the deployed manifest."""
        self.expect_verified(name, FLEET_TAGS)
        self.expect_set_policy(configuration_set)
        self.expect_set_tags(configuration_set)
        self.expect_contributors(name, [configuration_set])
        self.expect_set(configuration_set)
        self.expect_datapoints(name, [0.14], configuration_set)
        self.expect_pause_set(configuration_set)
        self.expect_pause_tag(configuration_set)
        self.expect_publish()

    def assert_all_calls_made(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def assert_refused(aws: Aws, summary: dict[str, Any], reason: str) -> dict[str, Any]:
    """Nothing paused, one refusal with ``reason``, and the notice published to the notification topic."""
    aws.assert_all_calls_made()
    assert aws.calls_to("PutConfigurationSetSendingOptions") == aws.calls_to("PutAccountSendingAttributes") == []
    assert summary["paused"] == [] and summary["already_paused"] == []
    (refusal,) = summary["refused"]
    assert reason in refusal["reason"], refusal["reason"]
    (notice,) = aws.reports()
    assert notice["TopicArn"] == REPORT_TOPIC
    assert "REFUSED" in notice["Subject"] and len(notice["Subject"]) <= 100 and notice["Subject"].isascii()
    assert refusal["notice"] == "5e0f3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
    return notice


# --- the HTTP layer, for tests of botocore's own retries (the Stubber bypasses them) ------------------


class RawBody:
    """The minimal raw-body object botocore reads from an HTTP response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        body, self._body = self._body, b""
        return body


def ok_http_response(request: Any) -> AWSResponse:
    """HTTP 200 with an empty JSON object (for a ``before-send`` handler)."""
    return AWSResponse(request.url, 200, {"Content-Type": "application/json"}, RawBody(b"{}"))


def throttled_http_response(request: Any) -> AWSResponse:
    """HTTP 429 TooManyRequestsException, as SES answers when throttling (for a ``before-send`` handler)."""
    headers = {"x-amzn-ErrorType": "TooManyRequestsException", "Content-Type": "application/json"}
    return AWSResponse(request.url, 429, headers, RawBody(b'{"message": "Too many requests"}'))


def alarm_facts(name: str, **kwargs: Any) -> AlarmFacts:
    """What the function reads (``describe_alarm``) from ``alarm_description(name, **kwargs)``."""
    with stubbed_aws() as env:
        env.expect_alarm(name, **kwargs)
        facts = describe_alarm(env.cloudwatch, make_budget(), name)
    assert facts is not None, name
    return facts


def modules_imported_by(module: str) -> set[str]:
    """Modules that importing ``module`` loads, in a new interpreter whose path holds the function
    package only."""
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    lambda_src = str(pathlib.Path(ses_guard_lambda.__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": lambda_src, "PATH": "/usr/bin:/bin"},
    )
    return set(json.loads(result.stdout))


_BOTOCORE_SESSION = botocore.session.get_session()  # shared: API models are loaded once


def make_client(service: str) -> Any:
    return boto3.session.Session(botocore_session=_BOTOCORE_SESSION).client(
        service,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=RETRY_CONFIG,
    )


@pytest.fixture(autouse=True)
def _aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    notices.forget_all()  # the refusal notices a warm execution environment remembers
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials")


@contextlib.contextmanager
def stubbed_aws() -> Iterator[Aws]:
    """SES v2, SNS and CloudWatch clients with active Stubbers (the `aws` fixture; usable directly)."""
    clients = {name: make_client(name) for name in ("sesv2", "sns", "cloudwatch", "ssm")}
    env = Aws(**clients)
    for name in clients:
        client = getattr(env, name)
        stub = Stubber(client)
        stub.activate()
        env.stubs[name] = stub

        def record(params: dict[str, Any], model: Any, service: str = name, **_: Any) -> None:
            env.calls.append((service, model.name, dict(params)))

        client.meta.events.register("provide-client-params", record)

    def published(params: dict[str, Any], **_: Any) -> None:
        env.published.append(dict(params))

    env.sns.meta.events.register("provide-client-params.sns.Publish", published)
    try:
        yield env
    finally:
        for stub in env.stubs.values():
            stub.deactivate()


@pytest.fixture
def aws() -> Iterator[Aws]:
    with stubbed_aws() as env:
        yield env
