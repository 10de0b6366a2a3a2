"""AWS clients, created lazily and cached for the life of the execution environment.

botocore's standard retry mode handles transient errors and a first round of throttling; longer
throttling is retried within the invocation's time budget (``budget.py``).

The zip ships the CloudWatch API model the function needs (``data/``: DescribeAlarmContributors, of
2025-09, is missing from the botocore of older Lambda runtimes), spoken over the ``query`` protocol that
every botocore speaks. Each session puts that folder first on botocore's data path (``AWS_DATA_PATH``), so
the CloudWatch client is the same whatever botocore the runtime includes (docs/lambda.md, "Fleet delivery
and the runtime's SDK"); the other services come from the runtime's botocore.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

from ses_guard_policy import contract

# Standard retry mode: exponential backoff with jitter, retries throttling (429 TooManyRequests)
# and transient errors; 5 attempts in all. (In botocore's Config, "max_attempts" counts retries
# only, so max_attempts=5 would mean 6 attempts; "total_max_attempts" is the AWS-wide meaning.)
MAX_ATTEMPTS = 5
RETRY_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}, connect_timeout=5, read_timeout=10
)


@dataclass(frozen=True)
class Clients:
    """The clients the handler uses; tests build one from stubbed clients."""

    sesv2: Any
    sns: Any
    cloudwatch: Any
    ssm: Any = None
    """Reads the per-set entries of the deployed policy (``deployed_policy``)."""
    dynamodb: Any = None
    """The sweep's state table (``sweep_state``); None where no sweep runs (tests of the alarm path)."""
    sts: Any = None
    """A hub's AssumeRole into its members (``hub_run``), created on a hub's first run; None elsewhere."""


_lock = threading.Lock()
_cached: Clients | None = None


def region_from_env() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


# Models shipped in the zip, searched before botocore's own (botocore's loader, "data_path").
MODEL_DIR = Path(__file__).resolve().parent / "data"


def core_session() -> botocore.session.Session:
    """A botocore session that reads the shipped models first (then ``AWS_DATA_PATH``, then its own)."""
    core = botocore.session.get_session()
    configured = core.get_config_variable("data_path")
    core.set_config_variable("data_path", os.pathsep.join(filter(None, (str(MODEL_DIR), configured))))
    return core


def make_session() -> boto3.session.Session:
    """A boto3 session over ``core_session``."""
    return boto3.session.Session(botocore_session=core_session())


def make_client(service: str, region: str | None = None, config: Config = RETRY_CONFIG) -> Any:
    """A client for the function: CloudWatch from the shipped model (its four operations only)."""
    return make_session().client(service, region_name=region or region_from_env(), config=config)


def make_sdk_client(service: str, region: str | None = None, config: Config = RETRY_CONFIG) -> Any:
    """A client from the installed SDK's own models, for the operator tool (``ses-guard``), which calls
    operations the function's trimmed CloudWatch model leaves out (ListMetrics, GetMetricStatistics...)."""
    return boto3.session.Session().client(service, region_name=region or region_from_env(), config=config)


def member_clients(credentials: Any, region: str, hub: Clients) -> Clients:
    """A hub member's clients in ``region`` from AssumeRole's ``Credentials``: SES and CloudWatch there (the
    shipped CloudWatch model too); the hub's own topic, parameters and state table. One botocore session
    serves every member (its loader parses each service model once per execution environment; the keys
    are the client's own)."""
    keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    core = _members_session()
    return Clients(
        sesv2=core.create_client("sesv2", region_name=region, config=RETRY_CONFIG, **keys),
        sns=hub.sns,
        cloudwatch=core.create_client("cloudwatch", region_name=region, config=RETRY_CONFIG, **keys),
        ssm=hub.ssm,
        dynamodb=hub.dynamodb,
        sts=hub.sts,
    )


_members_core: botocore.session.Session | None = None
_sts: Any = None


def sts_client() -> Any:
    """A hub's STS client, created on its first run and kept for the execution environment (a guard
    without members never creates it)."""
    global _sts  # noqa: PLW0603 - one per execution environment, as the clients
    with _lock:
        if _sts is None:
            _sts = make_client("sts")
        return _sts


def _members_session() -> botocore.session.Session:
    global _members_core  # noqa: PLW0603 - one per execution environment, as the clients
    with _lock:
        if _members_core is None:
            _members_core = core_session()
        return _members_core


def default_clients() -> Clients:
    """Clients for the Region in AWS_REGION, created on first use."""
    global _cached  # noqa: PLW0603 - one cache per execution environment
    with _lock:
        if _cached is None:
            _cached = Clients(
                sesv2=make_client("sesv2"),
                sns=make_client("sns"),
                cloudwatch=make_client("cloudwatch"),
                ssm=make_client("ssm"),
                # only where a sweep runs: the alarm path's cold start does not pay for a client it never uses
                dynamodb=make_client("dynamodb") if os.environ.get(contract.ENV_SWEEP_STATE_TABLE) else None,
            )
        return _cached
