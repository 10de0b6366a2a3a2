"""Fixtures for the Lambda tests (helpers live in tests/stubbed_aws.py, a uniquely named module)."""

from tests.stubbed_aws import _aws_environment, aws

__all__ = ["_aws_environment", "aws"]
