"""AWS clients, created lazily and cached for the life of the execution environment.

botocore's standard retry mode handles transient errors and a first round of throttling; longer
throttling is retried within the invocation's time budget (``budget.py``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

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


_lock = threading.Lock()
_cached: Clients | None = None


def region_from_env() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None


def make_client(service: str, region: str | None = None, config: Config = RETRY_CONFIG) -> Any:
    return boto3.session.Session().client(service, region_name=region or region_from_env(), config=config)


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
            )
        return _cached
