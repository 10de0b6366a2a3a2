"""Fixtures of the operator tool's tests (plain helpers are in ``tests/cli/support.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from tests.stubbed_aws import make_client


@pytest.fixture
def cloudwatch_stub() -> Iterator[tuple[Any, Stubber]]:
    """The operator's CloudWatch client and its active Stubber; every stubbed response must be used."""
    client = make_client("cloudwatch")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()
