"""ReputationGuard: the whole guard for one Region, composed from the smaller constructs.

    guard = ReputationGuard(stack, "guard", ReputationGuardProps(
        name_prefix="ses-guard",
        configuration_sets={
            "marketing": ConfigurationSetPolicy(),
            "transactional": ConfigurationSetPolicy(action="notify"),
        },
        notification_emails=["deliverability@example.com"],
    ))

Per-set resources iterate (``for_each``) over a JSON file of normalized set records that ships as
a stack asset and is read with ``jsondecode(file(...))``: synth time, output size and checkov scan
time do not grow with the number of sets, and Terraform addresses are keyed by set name.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ses_reputation_guard import lambda_package
from ses_reputation_guard._cdktf import (
    AssetType,
    Construct,
    DataAwsCallerIdentity,
    DataAwsPartition,
    DataAwsRegion,
    Op,
    TerraformAsset,
    TerraformLocal,
)
from ses_reputation_guard.account_alarms import AccountReputationAlarms, AccountReputationAlarmsProps
from ses_reputation_guard.alarm_settings import AlarmSettings, ResolvedAlarmSettings
from ses_reputation_guard.configuration_set_alarms import (
    ConfigurationSetReputationAlarms,
    ConfigurationSetReputationAlarmsProps,
)
from ses_reputation_guard.configuration_sets import ManagedConfigurationSets, ManagedConfigurationSetsProps
from ses_reputation_guard.encryption_key import GuardKey, GuardKeyProps
from ses_reputation_guard.function_health_alarms import FunctionHealthAlarms, FunctionHealthAlarmsProps
from ses_reputation_guard.guard_topic import GuardTopic, GuardTopicProps
from ses_reputation_guard.inputs import GuardInputs
from ses_reputation_guard.naming import local_reference, named, resource_address
from ses_reputation_guard.pause_function import PauseFunction, PauseFunctionProps
from ses_reputation_guard.policy import (
    AccountPolicy,
    ConfigurationSetPolicy,
    ReputationThresholds,
    normalized_set_record,
    validate_configuration_sets,
)
from ses_reputation_guard.validation import (
    ACTIONS,
    E164_PATTERN,
    EMAIL_PATTERN,
    LOG_RETENTION_DAYS,
    NAME_PREFIX_PATTERN,
    Problems,
    is_token,
)

_CACHE_DIR = Path(tempfile.gettempdir()) / "ses-reputation-guard"


@dataclass(frozen=True)
class ReputationGuardProps:
    """Everything a guard needs. Ratios are 0-1 (0.05 = 5 %), never percent."""

    name_prefix: str = "ses-guard"
    """Prefix of every AWS name: 2-32 lower-case letters, digits and '-'. Default ``ses-guard``."""
    account_policy: AccountPolicy = field(default_factory=AccountPolicy)
    """Account-wide alarms and action. Default: enabled, pause, default thresholds."""
    configuration_sets: Mapping[str, ConfigurationSetPolicy] = field(default_factory=dict)
    """Per-set policies keyed by set name (at most 10,000). Default none."""
    default_thresholds: ReputationThresholds = field(default_factory=ReputationThresholds)
    """Thresholds for the account and every set without its own. Default bounce 0.02/0.04,
    complaint 0.0005/0.0008 (warning/critical)."""
    notification_emails: Sequence[str] = ()
    """Email addresses subscribed to the notification topic (each must confirm). Default none."""
    notification_phone_numbers: Sequence[str] = ()
    """E.164 phone numbers (``+15555550100``) that receive SMS. Default none."""
    dry_run: bool = False
    """True: the function decides, logs and reports but never pauses. Default False."""
    alarm_settings: AlarmSettings = field(default_factory=AlarmSettings)
    """Evaluation settings of every reputation alarm."""
    log_retention_days: int = 365
    """Retention of the function's log group, days (a CloudWatch Logs value). Default 365."""
    reserved_concurrency: int = 2
    """Reserved concurrent executions of the function, 1-100, or -1 for no reservation. Default 2:
    pauses are rare, and a reserve keeps them running when the account's Lambda concurrency is
    exhausted. Use -1 in accounts whose concurrency quota is still 10 (AWS refuses any
    reservation there: "UnreservedConcurrentExecution below its minimum value")."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on every taggable resource. Default none."""

    def validate(self) -> None:
        """Raise ``GuardValidationError`` listing every invalid value, or return."""
        problems = Problems()
        problems.pattern(
            "name_prefix",
            self.name_prefix,
            NAME_PREFIX_PATTERN,
            "must be 2-32 characters: lower-case letters, digits and '-', starting with a letter",
        )
        self.default_thresholds.collect_problems("default_thresholds", problems)
        problems.choice("account_policy.action", self.account_policy.action, ACTIONS)
        if self.account_policy.thresholds is not None:
            self.account_policy.thresholds.collect_problems("account_policy.thresholds", problems)
        validate_configuration_sets(self.configuration_sets, problems)
        for email in self.notification_emails:
            problems.pattern("notification_emails item", email, EMAIL_PATTERN, "must be an email address")
        for phone in self.notification_phone_numbers:
            problems.pattern(
                "notification_phone_numbers item",
                phone,
                E164_PATTERN,
                "must be an E.164 phone number: '+', country code and number, 8-15 digits",
            )
        for name, values in (
            ("notification_emails", self.notification_emails),
            ("notification_phone_numbers", self.notification_phone_numbers),
        ):
            duplicates = sorted(value for value, seen in Counter(values).items() if seen > 1)
            if duplicates:
                problems.add(f"{name} lists {duplicates!r} more than once")
        self.alarm_settings.collect_problems(problems)
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            problems.add(
                f"log_retention_days={self.log_retention_days!r}: must be one of CloudWatch Logs' values "
                f"{', '.join(str(d) for d in LOG_RETENTION_DAYS)}"
            )
        if self.reserved_concurrency != -1:
            problems.integer("reserved_concurrency", self.reserved_concurrency, minimum=1, maximum=100)
        for key, value in self.tags.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.startswith("aws:"):
                problems.add(f"tags key {key!r}: must be 1-128 characters and not start with 'aws:'")
            if not isinstance(value, str) or len(value) > 256:
                problems.add(f"tags[{key!r}]={value!r}: must be a string of at most 256 characters")
        problems.raise_if_any("ReputationGuardProps")

    def normalized_configuration_sets(self) -> dict[str, dict[str, Any]]:
        return {
            name: normalized_set_record(policy, self.default_thresholds)
            for name, policy in sorted(self.configuration_sets.items())
        }


def _cached_file(name: str, data: bytes) -> Path:
    """A content-addressed file for cdktf to copy into the stack's assets (never in the output)."""
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = _CACHE_DIR / digest / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


class ReputationGuard(Construct):
    """Key, topics, alarms (account and per set), configuration sets, pause function, health alarms.

    Pass ``props`` (validated at synth) from a stack, or ``inputs`` (Terraform expressions) from the
    module generator. Created resources are read-only attributes so compositions can wire them.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        props: ReputationGuardProps | None = None,
        *,
        inputs: GuardInputs | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if (props is None) == (inputs is None):
            raise TypeError("ReputationGuard takes exactly one of props or inputs")
        if props is not None:
            props.validate()  # before creating anything: nothing is half-built
        p = construct_id.replace("-", "_")
        self.resource_prefix = p
        self.caller = named(DataAwsCallerIdentity(self, "caller"), p, "caller")
        self.partition_data = named(DataAwsPartition(self, "partition"), p, "partition")
        self.region_data = named(DataAwsRegion(self, "region"), p, "region")
        has_sets = True
        if props is not None:
            has_sets = bool(props.configuration_sets)
            inputs = self._inputs_from_props(props)
        assert inputs is not None
        self.props = props
        self.inputs = inputs
        self._build(inputs, has_sets)

    # --- stack mode -----------------------------------------------------------------------
    def _inputs_from_props(self, props: ReputationGuardProps) -> GuardInputs:
        p = self.resource_prefix
        sets_json = json.dumps(props.normalized_configuration_sets(), indent=1, sort_keys=True).encode()
        sets_asset = TerraformAsset(
            self,
            "configuration_sets_file",
            path=str(_cached_file("configuration_sets.json", sets_json)),
            type=AssetType.FILE,
        )
        zip_bytes = lambda_package.build_zip_bytes()
        zip_asset = TerraformAsset(
            self,
            "function_package",
            path=str(_cached_file(lambda_package.ZIP_NAME, zip_bytes)),
            type=AssetType.FILE,
        )
        sets_local = named(
            TerraformLocal(
                self,
                "configuration_sets_local",
                f'${{jsondecode(file("${{path.module}}/{sets_asset.path}"))}}',
            ),
            p,
            "configuration_sets",
        )
        package_local = named(
            TerraformLocal(self, "function_package_path", f"${{path.module}}/{zip_asset.path}"),
            p,
            "function_package_path",
        )
        thresholds = props.account_policy.thresholds or props.default_thresholds
        settings = props.alarm_settings
        return GuardInputs(
            name_prefix=props.name_prefix,
            account_enabled=props.account_policy.enabled,
            account_action=props.account_policy.action,
            account_warning_alarms=props.account_policy.warning_alarms,
            account_bounce_warning=thresholds.bounce_warning,
            account_bounce_critical=thresholds.bounce_critical,
            account_complaint_warning=thresholds.complaint_warning,
            account_complaint_critical=thresholds.complaint_critical,
            configuration_sets=local_reference(sets_local),
            notification_emails=list(props.notification_emails),
            notification_phone_numbers=list(props.notification_phone_numbers),
            dry_run=props.dry_run,
            alarm_period_seconds=settings.period_seconds,
            alarm_evaluation_periods=settings.evaluation_periods,
            alarm_datapoints_to_alarm=settings.datapoints_to_alarm,
            alarm_statistic=settings.statistic,
            log_retention_days=props.log_retention_days,
            reserved_concurrency=props.reserved_concurrency,
            lambda_package_path=local_reference(package_local),
            tags=dict(props.tags),
        )

    # --- one resource graph for both modes ------------------------------------------------
    def _build(self, inputs: GuardInputs, has_sets: bool) -> None:
        p = self.resource_prefix
        account_id = self.caller.account_id
        partition = self.partition_data.partition
        region = self.region_data.name
        tags = inputs.tags

        self.key = GuardKey(
            self,
            "key",
            GuardKeyProps(
                name_prefix=inputs.name_prefix,
                resource_prefix=p,
                account_id=account_id,
                partition=partition,
                region=region,
                tags=tags,
            ),
        )
        topic_common: dict[str, Any] = {
            "kms_key_arn": self.key.key.arn,
            "account_id": account_id,
            "partition": partition,
            "region": region,
            "tags": tags,
        }
        self.notification_topic = GuardTopic(
            self,
            "notifications",
            GuardTopicProps(
                topic_name=f"{inputs.name_prefix}-notifications",
                resource_prefix=f"{p}_notifications",
                email_addresses=inputs.notification_emails,
                # reputation alarms of both tiers and the guard's own health alarms
                publishing_alarm_names=[
                    f"{inputs.name_prefix}-account-*",
                    f"{inputs.name_prefix}-set-*",
                    f"{inputs.name_prefix}-function-errors",
                    f"{inputs.name_prefix}-dead-letters",
                ],
                phone_numbers=inputs.notification_phone_numbers,
                **topic_common,
            ),
        )
        self.pause_topic = GuardTopic(
            self,
            "pause",
            GuardTopicProps(
                topic_name=f"{inputs.name_prefix}-pause",
                resource_prefix=f"{p}_pause",
                # only critical reputation alarms
                publishing_alarm_names=[
                    f"{inputs.name_prefix}-account-*-critical",
                    f"{inputs.name_prefix}-set-*-critical",
                ],
                **topic_common,
            ),
        )
        notification_arn = self.notification_topic.topic.arn
        pause_arn = self.pause_topic.topic.arn
        settings = ResolvedAlarmSettings(
            period_seconds=inputs.alarm_period_seconds,
            evaluation_periods=inputs.alarm_evaluation_periods,
            datapoints_to_alarm=inputs.alarm_datapoints_to_alarm,
            statistic=inputs.alarm_statistic,
        )

        self.account_alarms = AccountReputationAlarms(
            self,
            "account_alarms",
            AccountReputationAlarmsProps(
                name_prefix=inputs.name_prefix,
                resource_prefix=p,
                enabled=inputs.account_enabled,
                action=inputs.account_action,
                warning_alarms=inputs.account_warning_alarms,
                thresholds={
                    "bounce": (inputs.account_bounce_warning, inputs.account_bounce_critical),
                    "complaint": (inputs.account_complaint_warning, inputs.account_complaint_critical),
                },
                settings=settings,
                notification_topic_arn=notification_arn,
                pause_topic_arn=pause_arn,
                tags=tags,
            ),
        )

        sets = inputs.configuration_sets
        self.configuration_sets: ManagedConfigurationSets | None = None
        self.configuration_set_alarms: ConfigurationSetReputationAlarms | None = None
        pausing_arns: str | None = None
        if has_sets:
            arn_prefix = named(
                TerraformLocal(
                    self,
                    "configuration_set_arn_prefix",
                    f"arn:{partition}:ses:{region}:{account_id}:configuration-set/",
                ),
                p,
                "configuration_set_arn_prefix",
            )
            local_names: dict[str, str] = {}
            for role, expression in (
                ("warning_sets", f"{{for name, s in {sets} : name => s if s.warning_alarms}}"),
                ("managed_sets", f"{{for name, s in {sets} : name => s if s.managed}}"),
                ("pausing_set_names", f'[for name, s in {sets} : name if s.action == "pause"]'),
            ):
                local_names[role] = local_reference(named(TerraformLocal(self, role, f"${{{expression}}}"), p, role))
            pausing_names = local_names["pausing_set_names"]
            prefix_ref = local_reference(arn_prefix)
            pausing_arns_local = named(
                TerraformLocal(
                    self,
                    "pausing_set_arns",
                    # IAM policies are size-limited: past the threshold, scope to this account's sets.
                    f"${{length({pausing_names}) > {inputs.set_arn_wildcard_threshold} ? "
                    f'["${{{prefix_ref}}}*"] : [for name in {pausing_names} : "${{{prefix_ref}}}${{name}}"]}}',
                ),
                p,
                "pausing_set_arns",
            )
            pausing_arns = local_reference(pausing_arns_local)
            self.configuration_sets = ManagedConfigurationSets(
                self,
                "configuration_sets",
                ManagedConfigurationSetsProps(
                    resource_prefix=p,
                    managed_sets_expression=local_names["managed_sets"],
                    tags=tags,
                    name_prefix=inputs.name_prefix,
                ),
            )
            self.configuration_set_alarms = ConfigurationSetReputationAlarms(
                self,
                "set_alarms",
                ConfigurationSetReputationAlarmsProps(
                    name_prefix=inputs.name_prefix,
                    resource_prefix=p,
                    sets_expression=sets,
                    warning_sets_expression=local_names["warning_sets"],
                    managed_sets_address=resource_address(self.configuration_sets.configuration_sets),
                    settings=settings,
                    notification_topic_arn=notification_arn,
                    pause_topic_arn=pause_arn,
                    tags=tags,
                ),
            )

        account_pause_allowed: Any
        if is_token(inputs.account_action):
            account_pause_allowed = Op.and_(inputs.account_enabled, Op.eq(inputs.account_action, "pause"))
        else:
            account_pause_allowed = inputs.account_enabled if inputs.account_action == "pause" else False
        self.function = PauseFunction(
            self,
            "function",
            PauseFunctionProps(
                name_prefix=inputs.name_prefix,
                resource_prefix=p,
                kms_key_arn=self.key.key.arn,
                account_id=account_id,
                partition=partition,
                region=region,
                notification_topic_arn=notification_arn,
                pause_topic_arn=pause_arn,
                package_path=f"${{{inputs.lambda_package_path}}}",
                package_path_expression=inputs.lambda_package_path,
                account_pause_allowed=account_pause_allowed,
                pausing_set_arns_expression=pausing_arns,
                dry_run=inputs.dry_run,
                log_retention_days=inputs.log_retention_days,
                reserved_concurrency=inputs.reserved_concurrency,
                tags=tags,
            ),
        )
        self.health_alarms = FunctionHealthAlarms(
            self,
            "health_alarms",
            FunctionHealthAlarmsProps(
                name_prefix=inputs.name_prefix,
                resource_prefix=p,
                function_name=self.function.function.function_name,
                dead_letter_queue_name=self.function.dead_letter_queue.name,
                notification_topic_arn=notification_arn,
                tags=tags,
            ),
        )
