"""The function zip against an older botocore than the development one (issue "[5 of 7]", item 4).

The Lambda Developer Guide ("Building Lambda functions with Python", "Runtime-included SDK versions",
https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html#python-sdk-included) publishes no fixed
version: the boto3 a Python runtime includes "depends on the runtime version and your AWS Region". So the
test takes a floor: boto3 1.29.0 / botocore 1.32.0, the release of 2023-11-14 that added ``python3.12`` to
Lambda's API (the day the runtime launched). It predates DescribeAlarmContributors (2025-09), the
``protocols`` model trait and ``smithy-rpc-v2-cbor``. The SDK is installed once into
``~/.cache/ses-guard/runtime-sdk-<botocore>`` (outside the repository; PyPI must be reachable the first time).

A subprocess whose ``sys.path`` holds only that SDK and the unzipped function package (``python -S``: no
site-packages) creates the CloudWatch client as the function does (``clients.make_client``) and calls
DescribeAlarmContributors, DescribeAlarms, ListTagsForResource and GetMetricData through the function's
own code. A ``before-send`` handler answers each request with CloudWatch's XML, so botocore's real
``query`` serializer and parser both run; the requests it saw are checked here.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile
from typing import Any
from urllib.parse import parse_qs

import pytest

from ses_reputation_guard import lambda_package

RUNTIME_BOTO3 = "1.29.0"
RUNTIME_BOTOCORE = "1.32.0"
CACHE = pathlib.Path.home() / ".cache" / "ses-guard"

_XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"
_CONTRIBUTOR = (
    "<member><ContributorId>{id}</ContributorId><ContributorAttributes><entry><key>ses:configuration-set</key>"
    "<value>{name}</value></entry></ContributorAttributes><StateReason>Threshold Crossed</StateReason>"
    "<StateTransitionedTimestamp>2026-11-28T01:34:12.311Z</StateTransitionedTimestamp></member>"
)
_ALARM = (
    "<member><AlarmName>sesguard-fleet-bounce-critical</AlarmName>"
    "<AlarmArn>arn:aws:cloudwatch:us-east-1:123456789012:alarm:sesguard-fleet-bounce-critical</AlarmArn>"
    "<StateValue>ALARM</StateValue><StateTransitionedTimestamp>2026-11-28T01:34:12.311Z</StateTransitionedTimestamp>"
    "<EvaluationPeriods>1</EvaluationPeriods><DatapointsToAlarm>1</DatapointsToAlarm><Threshold>0.05</Threshold>"
    "<ComparisonOperator>GreaterThanOrEqualToThreshold</ComparisonOperator><TreatMissingData>ignore</TreatMissingData>"
    '<Metrics><member><Id>q1</Id><Expression>SELECT MAX("Reputation.BounceRate") FROM SCHEMA("AWS/SES", '
    '"ses:configuration-set") GROUP BY "ses:configuration-set" ORDER BY MAX() DESC</Expression>'
    "<Period>3600</Period><ReturnData>true</ReturnData></member></Metrics></member>"
)
_RESULTS = {
    "DescribeAlarmContributors": [
        "<AlarmContributors>" + _CONTRIBUTOR.format(id="a29eb44b20c4362e", name="newsletter") + "</AlarmContributors>"
        "<NextToken>page2</NextToken>",
        "<AlarmContributors>" + _CONTRIBUTOR.format(id="b39eb44b20c4362f", name="promo") + "</AlarmContributors>",
    ],
    "DescribeAlarms": ["<MetricAlarms>" + _ALARM + "</MetricAlarms><CompositeAlarms/>"],
    "ListTagsForResource": ["<Tags><member><Key>guard</Key><Value>sesguard</Value></member></Tags>"],
    "GetMetricData": [
        "<MetricDataResults><member><Id>evidence</Id><Label>evidence</Label>"
        "<Timestamps><member>2026-11-28T00:35:12Z</member></Timestamps><Values><member>0.14</member></Values>"
        "<StatusCode>Complete</StatusCode></member></MetricDataResults><Messages/>"
    ],
}

# Runs in the subprocess: only the runtime SDK and the unzipped package are importable.
_SCRIPT = """
import json, sys
from datetime import datetime, timezone
from urllib.parse import parse_qs
import boto3, botocore
from botocore.awsrequest import AWSResponse
from ses_guard_lambda import clients, cloudwatch_alarm, ses_datapoints
from ses_guard_lambda.budget import Budget
from ses_guard_lambda.events import MetricRef

results, sdk_dir, package_dir, XMLNS = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
assert botocore.__file__.startswith(sdk_dir) and boto3.__file__.startswith(sdk_dir), botocore.__file__
assert clients.__file__.startswith(package_dir), clients.__file__
seen, served = [], {name: 0 for name in results}

class Body:
    def __init__(self, data): self._data = data
    def stream(self, **_): yield self._data
    def read(self, *_):
        data, self._data = self._data, b""
        return data

def answer(request, **_):
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    params = {k: v[0] for k, v in parse_qs(body).items()}
    content_type = request.headers.get("Content-Type")
    content_type = content_type.decode() if isinstance(content_type, bytes) else content_type
    seen.append({"url": request.url, "content_type": content_type, "params": params})
    action = params["Action"]
    result = results[action][served[action]]
    served[action] += 1
    xml = (f'<{action}Response xmlns="{XMLNS}"><{action}Result>{result}</{action}Result>'
           f'<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></{action}Response>')
    return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, Body(xml.encode()))

cloudwatch = clients.make_client("cloudwatch", "us-east-1")
cloudwatch.meta.events.register("before-send", answer)
budget = Budget(deadline=1e12)
name = "sesguard-fleet-bounce-critical"
listed, capped = ses_datapoints.list_contributors(cloudwatch, budget, name)
alarm = cloudwatch_alarm.describe_alarm(cloudwatch, budget, name)
tags = cloudwatch_alarm.fetch_tags(cloudwatch, budget, alarm.arn)
metric = MetricRef("AWS/SES", "Reputation.BounceRate", (("ses:configuration-set", "newsletter"),))
span = (datetime(2026, 11, 27, 22, tzinfo=timezone.utc), datetime(2026, 11, 28, 1, 35, tzinfo=timezone.utc))
points = ses_datapoints._datapoints(cloudwatch, budget, metric, "Maximum", 3600, span)
print(json.dumps({
    "botocore": botocore.__version__,
    "protocol": cloudwatch.meta.service_model.protocol,
    "contributors": [[c.contributor_id, c.configuration_set, c.since.isoformat()] for c in listed],
    "capped": capped,
    "alarm": [alarm.name, alarm.state, alarm.threshold, list(alarm.expressions)],
    "tags": tags,
    "points": {t.isoformat(): v for t, v in points.items()},
    "seen": seen,
}))
"""


def runtime_sdk() -> pathlib.Path:
    """The runtime's SDK, installed once into the cache (a temporary folder renamed when complete)."""
    target = CACHE / f"runtime-sdk-{RUNTIME_BOTOCORE}"
    if (target / "botocore" / "__init__.py").is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = CACHE / f"runtime-sdk-{RUNTIME_BOTOCORE}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    command += ["--target", str(partial), f"boto3=={RUNTIME_BOTO3}", f"botocore=={RUNTIME_BOTOCORE}"]
    installed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if installed.returncode != 0:
        pytest.fail(f"cannot install the runtime SDK (PyPI must be reachable once): {installed.stderr[-2000:]}")
    try:
        partial.rename(target)
    except OSError:  # another worker finished first
        shutil.rmtree(partial, ignore_errors=True)
    return target


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the subprocess saw and parsed (run once for the module)."""
    return run_with_runtime_sdk(tmp_path_factory.mktemp("runtime-sdk"))


def run_with_runtime_sdk(tmp_path: pathlib.Path) -> dict[str, Any]:
    sdk = runtime_sdk()
    package = tmp_path / "package"
    zipfile.ZipFile(io.BytesIO(lambda_package.build_zip_bytes())).extractall(package)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.pathsep.join((str(package), str(sdk))),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    }
    result = subprocess.run(
        [sys.executable, "-S", "-c", _SCRIPT, json.dumps(_RESULTS), str(sdk), str(package), _XMLNS],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    output: dict[str, Any] = json.loads(result.stdout)
    return output


def test_the_zipped_function_lists_alarm_contributors_with_the_runtimes_older_botocore(out: dict[str, Any]) -> None:
    assert out["botocore"] == RUNTIME_BOTOCORE and out["protocol"] == "query"
    assert out["contributors"] == [
        ["a29eb44b20c4362e", "newsletter", "2026-11-28T01:34:12.311000+00:00"],
        ["b39eb44b20c4362f", "promo", "2026-11-28T01:34:12.311000+00:00"],
    ]
    assert out["capped"] is False
    describe = [s["params"] for s in out["seen"] if s["params"]["Action"] == "DescribeAlarmContributors"]
    base = {
        "Action": "DescribeAlarmContributors",
        "Version": "2010-08-01",
        "AlarmName": "sesguard-fleet-bounce-critical",
    }
    assert describe == [base, {**base, "NextToken": "page2"}]


def test_describe_alarms_list_tags_and_get_metric_data_still_serialize_with_the_shipped_model(
    out: dict[str, Any],
) -> None:
    seen = {s["params"]["Action"]: s for s in out["seen"]}
    assert {s["url"] for s in out["seen"]} == {"https://monitoring.us-east-1.amazonaws.com/"}
    assert {s["content_type"] for s in out["seen"]} == {"application/x-www-form-urlencoded; charset=utf-8"}
    assert seen["DescribeAlarms"]["params"] == {
        "Action": "DescribeAlarms",
        "Version": "2010-08-01",
        "AlarmNames.member.1": "sesguard-fleet-bounce-critical",
        "AlarmTypes.member.1": "MetricAlarm",
    }
    metric_data = seen["GetMetricData"]["params"]
    assert metric_data["MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value"] == "newsletter"
    assert metric_data["MetricDataQueries.member.1.MetricStat.Stat"] == "Maximum"
    assert metric_data["StartTime"] == "2026-11-27T22:00:00Z" and metric_data["ScanBy"] == "TimestampDescending"
    assert out["alarm"][:3] == ["sesguard-fleet-bounce-critical", "ALARM", 0.05]
    assert "GROUP BY" in out["alarm"][3][0]
    assert out["tags"] == {"guard": "sesguard"}
    assert out["points"] == {"2026-11-28T00:35:12+00:00": 0.14}


def test_the_shipped_model_is_the_one_made_from_the_development_botocore() -> None:
    """Regenerate after a botocore upgrade or a new CloudWatch call: ``cloudwatch_model_text`` in
    ``ses_reputation_guard/lambda_package.py`` (docs/lambda.md, "Fleet delivery and the runtime's SDK")."""
    import botocore.loaders

    full = botocore.loaders.Loader().load_service_model("cloudwatch", "service-2")
    shipped = lambda_package.lambda_source_dir() / lambda_package.CLOUDWATCH_MODEL_PATH
    assert shipped.read_text() == lambda_package.cloudwatch_model_text(full)


def test_the_shipped_model_holds_every_cloudwatch_call_of_the_function() -> None:
    import re

    source = "".join(path.read_text() for path in lambda_package.source_files())
    called = set(re.findall(r"\bcloudwatch\.([a-z_]+)\b", source))
    called |= set(re.findall(r'getattr\(cloudwatch, "([a-z_]+)"', source))
    shipped = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() for name in lambda_package.SHIPPED_CLOUDWATCH_OPERATIONS}
    assert called <= shipped, f"add {sorted(called - shipped)} to SHIPPED_CLOUDWATCH_OPERATIONS and regenerate"


def test_the_requests_parse_as_the_query_protocol() -> None:
    """The helper above reads form bodies; a sanity check of that reading."""
    assert parse_qs("Action=X&Version=2010-08-01") == {"Action": ["X"], "Version": ["2010-08-01"]}
