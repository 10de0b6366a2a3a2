"""The offline AWS environment: fake credentials aimed at a local emulator, never at a real account.

Every subprocess and boto3 client the tests and benchmarks point at moto_server gets its AWS settings
from here, so there is one place that decides what may reach AWS (nothing):

``offline_aws_env(endpoint_url, region=..., base=None)``
    ``base`` (``os.environ`` by default) without any variable that could select a real identity
    (profiles, session tokens, web identity, container credentials), plus fake keys, the Region,
    ``AWS_ENDPOINT_URL`` (every SDK and the Terraform AWS provider >= 5 honour it for all services,
    STS included), ``/dev/null`` as the shared config and credentials files, and no instance
    metadata lookups.
``emulator_client(service, endpoint_url, region=...)``
    A boto3 client with the same fake keys, aimed at the emulator.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

FAKE_ACCOUNT_ID = "123456789012"  # moto's default account (STS GetCallerIdentity answers it)
FAKE_ACCESS_KEY_ID = "testing"
FAKE_SECRET_ACCESS_KEY = "testing"
DEFAULT_REGION = "us-east-1"

# Parent-environment variables that could route a child process to a real AWS account.
REAL_IDENTITY_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def offline_aws_env(
    endpoint_url: str, *, region: str = DEFAULT_REGION, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A complete environment whose every AWS call goes to ``endpoint_url`` with fake keys."""
    env = dict(os.environ if base is None else base)
    for name in REAL_IDENTITY_VARIABLES:
        env.pop(name, None)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint_url,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            # No shared config/credentials files: nothing but the variables above may apply.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    return env


def emulator_client(
    service: str, endpoint_url: str, region: str = DEFAULT_REGION, *, account_id: str | None = None
) -> Any:
    """A client of the emulator; ``account_id``: requests land in that account (moto's multi-account header
    ``x-moto-account-id``, server mode), else in moto's default account."""
    import boto3

    client = boto3.client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=FAKE_ACCESS_KEY_ID,
        aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
    )
    return client if account_id is None else in_account(client, account_id)


def in_account(client: Any, account_id: str) -> Any:
    """``client`` with every request in ``account_id``: moto picks the account from the header
    ``x-moto-account-id`` (in-process and server alike)."""

    def add_header(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    client.meta.events.register("before-sign", add_header)
    return client
