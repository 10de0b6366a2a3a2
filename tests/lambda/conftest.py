"""Fixtures for the Lambda tests (helpers live in lambda_helpers.py, a uniquely named module)."""

from lambda_helpers import _aws_environment, aws

__all__ = ["_aws_environment", "aws"]
