"""The guard's inputs as Terraform sees them: Python values or unresolved tokens.

``ReputationGuard`` builds every resource from a ``GuardInputs``. A cdktf stack fills it from
validated Python props (``ReputationGuardProps``); the generated Terraform module fills it with
``var.*`` references (``ModuleInputs``). One resource graph, two front doors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GuardInputs:
    """Every field is a Python value or a Terraform token of the same type."""

    name_prefix: str
    """Prefix of every AWS name (alarms, topics, function, key alias)."""
    account_enabled: bool | Any
    """Create the account-wide alarms."""
    account_action: str
    """``pause`` or ``notify`` for the account's critical alarms."""
    account_warning_alarms: bool | Any
    account_bounce_warning: float
    account_bounce_critical: float
    account_complaint_warning: float
    account_complaint_critical: float
    configuration_sets: Any
    """Terraform expression (no ``${}``) of a map: set name -> normalized record
    (``action``, ``managed``, ``warning_alarms`` and the four thresholds)."""
    notification_emails: Sequence[str] | Any
    notification_phone_numbers: Sequence[str] | Any
    dry_run: bool | Any
    alarm_period_seconds: int | Any
    alarm_evaluation_periods: int | Any
    alarm_datapoints_to_alarm: int | Any
    alarm_statistic: str
    log_retention_days: int | Any
    reserved_concurrency: int | Any
    lambda_package_path: str
    """Terraform expression (no ``${}``) of the Lambda zip's path, e.g. ``"${path.module}/x.zip"``
    as a quoted HCL string, or a ``local.*`` reference."""
    tags: Mapping[str, str] | Any
    """Tags on every resource that supports them."""
    set_arn_wildcard_threshold: int = 50
    """Above this many pausing sets the function's IAM scope is ``configuration-set/*`` (IAM policy
    size limits), otherwise one ARN per set."""
