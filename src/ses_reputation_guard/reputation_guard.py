"""ReputationGuard: the whole guard for one Region, composed from the smaller constructs.

    guard = ReputationGuard(stack, "guard", ReputationGuardProps(
        name_prefix="ses-guard",
        configuration_sets={
            "marketing": ConfigurationSetPolicy(),
            "transactional": ConfigurationSetPolicy(action="notify"),
        },
        notification_emails=["deliverability@example.com"],
    ))

Per-set resources iterate (``for_each``) over the map of normalized set records. A stack ships the
map as a JSON file read with ``jsondecode(file(...))``: synth time, output size and checkov scan
time do not grow with the number of sets, and Terraform addresses are keyed by set name.

One mode, two kinds of values: every prop may be a Python value (validated at synth) or a Terraform
reference (checked by Terraform at plan). The generated module (``ses_guard_modulegen``) passes
references to its variables, the set map as a ``TerraformExpression`` and its own function package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_guard_policy import contract, manifest, rules
from ses_reputation_guard import lambda_package
from ses_reputation_guard._cdktf import (
    Construct,
    Fn,
    Op,
    Precondition,
    TerraformLocal,
    TerraformResourceLifecycle,
    Token,
)
from ses_reputation_guard.account_alarms import AccountReputationAlarms, AccountReputationAlarmsProps
from ses_reputation_guard.alarm_settings import AlarmSettings
from ses_reputation_guard.assets import shipped_file
from ses_reputation_guard.chat_notifications import (
    ChatNotifications,
    ChatNotificationsProps,
    SlackChannel,
    TeamsChannel,
    collect_channel_problems,
)
from ses_reputation_guard.configuration_set_alarms import (
    ConfigurationSetReputationAlarms,
    ConfigurationSetReputationAlarmsProps,
)
from ses_reputation_guard.configuration_set_map import ConfigurationSetMap, ConfigurationSetMapProps
from ses_reputation_guard.configuration_sets import NO_SETS, ManagedConfigurationSets, ManagedConfigurationSetsProps
from ses_reputation_guard.context import GuardContext
from ses_reputation_guard.dashboard import GuardDashboard, GuardDashboardProps, alarm_arns, alarm_arns_by_set
from ses_reputation_guard.encryption_key import GuardKey, GuardKeyProps
from ses_reputation_guard.expressions import Flag, TerraformExpression, all_of, any_of, equals
from ses_reputation_guard.fleet_alarm_invocation import FleetAlarmInvocation, FleetAlarmInvocationProps
from ses_reputation_guard.fleet_alarms import FleetReputationAlarms, FleetReputationAlarmsProps
from ses_reputation_guard.fleet_delivery import FleetContributorDelivery, FleetContributorDeliveryProps
from ses_reputation_guard.fleet_policy import FleetPolicy
from ses_reputation_guard.function_health_alarms import (
    DEAD_LETTERS_ALARM_SUFFIX,
    ERRORS_ALARM_SUFFIX,
    FunctionHealthAlarms,
    FunctionHealthAlarmsProps,
)
from ses_reputation_guard.guard_topic import GuardTopic, GuardTopicProps
from ses_reputation_guard.hub_members import HubMembers, HubMembersProps
from ses_reputation_guard.hub_policy import HUB_NEEDS_SWEEP, HubPolicy
from ses_reputation_guard.naming import resource_address
from ses_reputation_guard.pause_function import (
    ALARM_TIMEOUT_SECONDS,
    FUNCTION_NAME_SUFFIX,
    HUB_TIMEOUT_SECONDS,
    MEMORY_MB,
    SWEEP_MEMORY_MB,
    SWEEP_TIMEOUT_SECONDS,
    PauseFunction,
    PauseFunctionProps,
    function_log_group_name,
)
from ses_reputation_guard.pause_scope import collect_problems as collect_scope_problems
from ses_reputation_guard.policy import (
    AccountPolicy,
    ConfigurationSetPolicy,
    ReputationThresholds,
    normalized_set_record,
    validate_configuration_sets,
)
from ses_reputation_guard.policy_manifest import PolicyManifest, PolicyManifestProps, guard_document
from ses_reputation_guard.sweep_policy import SweepPolicy
from ses_reputation_guard.sweep_schedule import (
    SweepSchedule,
    SweepScheduleProps,
    sweep_state_table_arn,
    sweep_state_table_name,
)
from ses_reputation_guard.validation import Problems, is_token

SETS_FILE_NAME = "configuration_sets.json"


@dataclass(frozen=True)
class ReputationGuardProps:
    """Everything a guard needs. Ratios are 0-1 (0.05 = 5 %), never percent.

    Any value may instead be a Terraform reference of the same type (a cdktf token: ``Token.as_string``,
    ``as_number``, ``as_list``, ``as_string_map``; ``Token.as_any`` for booleans); validation then
    leaves it to Terraform. ``configuration_sets`` and ``function_package`` take whole expressions.
    """

    name_prefix: str = "ses-guard"
    """Prefix of every AWS name: 2-32 lower-case letters, digits and '-'. Default ``ses-guard``."""
    account_policy: AccountPolicy = field(default_factory=AccountPolicy)
    """Account-wide alarms and action. Default: enabled, pause, default thresholds."""
    configuration_sets: Mapping[str, ConfigurationSetPolicy] | TerraformExpression = field(default_factory=dict)
    """Per-set policies keyed by set name (at most 10,000). Default none. Or a ``TerraformExpression``
    of the normalized map (set name => the record ``policy.normalized_set_record`` builds, defaults
    applied): the per-set resources are then created for whatever the map holds at plan time."""
    default_thresholds: ReputationThresholds = field(default_factory=ReputationThresholds)
    """Thresholds for the account and every set without its own. Default bounce 0.02/0.04,
    complaint 0.0005/0.0008 (warning/critical)."""
    notification_emails: Sequence[str] = ()
    """Email addresses subscribed to the notification topic (each must confirm). Default none."""
    notification_phone_numbers: Sequence[str] = ()
    """E.164 phone numbers (``+15555550100``) that receive SMS. Default none."""
    dry_run: Flag = False
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
    function_package: TerraformExpression | None = None
    """Path of the function's deployment zip as a Terraform expression. Default None: the zip is
    built from ``lambda_src/ses_guard_lambda`` and shipped as a stack asset."""
    allow_configuration_set_deletion: bool = False
    """True: Terraform may delete the configuration sets the guard manages (a set removed from
    ``configuration_sets``, flipped to ``managed=False``, or ``destroy``). Default False: such a plan
    fails instead (``prevent_destroy``), because every send naming a deleted set fails. Opt in for
    the one deployment that deletes on purpose; to keep a set but stop managing it, see
    ``configuration_sets.py``."""
    pause_scope: str = rules.PAUSE_SCOPE_LISTED
    """Which configuration sets the function may pause (``pause_scope.py``): ``listed`` (default; one
    ARN per pausing set, while they fit IAM's policy size limit), ``tagged`` (sets tagged for this
    guard with the action ``pause``) or ``name-pattern:<pattern>`` (``name-pattern:tenant-*``).
    Whatever the scope, sets tagged ``action = notify`` are never paused."""
    fleet_policy: FleetPolicy | None = None
    """Fleet mode: Metrics Insights alarms over every configuration set of the Region, present and
    future; sets in ``configuration_sets`` are judged only by their own alarms (docs/fleet.md).
    Default None (off)."""
    sweep_policy: SweepPolicy | None = None
    """Sweep mode: a scheduled run judges every configuration set of the Region (and the account) with
    two Metrics Insights queries, no alarm needed; sets in ``configuration_sets`` are judged only by their
    own alarms (docs/sweep.md). Default None (off)."""
    hub_policy: HubPolicy | None = None
    """Hub mode, on top of an enabled ``sweep_policy``: each sweep run also covers the member accounts x
    Regions listed, through the role ``<name_prefix>-member`` in each member (``MemberRole``); the
    function's timeout becomes 900 s (docs/organization.md, "Deploying a hub"). Default None (off)."""
    protected_configuration_sets: Sequence[str] = ()
    """Sets never paused by any path (alarms, fleet, sweep), whatever the evidence: at most 25 names
    (``rules.PROTECTED_SETS_COUNT``). Default none. Per-set policies with action ``notify`` and the SES
    tag ``ses-reputation-guard:action = notify`` protect any number of sets."""
    dashboard: Flag = True
    """One CloudWatch dashboard, ``<name_prefix>-<region>-reputation``: rates against the thresholds
    and AWS's levels, the worst sets, every alarm's state, the function's health, how to resume
    (docs/dashboard.md). Default True; False opts out."""
    slack_channels: Sequence[SlackChannel] | TerraformExpression = ()
    """Slack channels that get the notification topic through AWS chat integration, its workspace
    authorized once in the AWS chat console (docs/dashboard.md). Default none."""
    teams_channels: Sequence[TeamsChannel] | TerraformExpression = ()
    """Microsoft Teams channels, likewise. Default none."""
    allow_thresholds_at_or_above_aws_review_level: Flag = False
    """True: thresholds (warning or critical; the defaults, the account's, a set's or the fleet's) at or
    above AWS's review level (bounce 0.05 = 5 %, complaint 0.001 = 0.1 %: AWS puts the account under
    review there) are accepted, for a guard meant to act only after AWS has started its review. Default
    False: refused, naming the value and what it would be read as a percentage (0.08 meant as 0.08 %).
    At or above AWS's pause level (bounce 0.1 = 10 %, complaint 0.005 = 0.5 %) a threshold is always
    refused: AWS may have paused sending before the guard acts (``rules.AWS_LEVELS``)."""
    allow_no_notification_targets: Flag = False
    """True: a guard without any notification target (``notification_emails``,
    ``notification_phone_numbers``, ``slack_channels`` and ``teams_channels`` all empty) is accepted, for
    people who subscribe to the notification topic some other way (its ARN is an output). Default False:
    refused, because nobody would hear of a warning, a pause or the guard failing
    (``rules.NOTIFICATION_TARGETS``)."""

    def validate(self) -> None:
        """Raise ``GuardValidationError`` listing every invalid value, or return."""
        problems = Problems()
        problems.pattern("name_prefix", self.name_prefix, rules.NAME_PREFIX)
        self.default_thresholds.collect_problems("default_thresholds", problems)
        self.account_policy.collect_problems(problems)
        if not isinstance(self.configuration_sets, TerraformExpression):
            validate_configuration_sets(self.configuration_sets, problems)
        problems.each_pattern("notification_emails", self.notification_emails, rules.EMAIL)
        problems.each_pattern("notification_phone_numbers", self.notification_phone_numbers, rules.E164_PHONE_NUMBER)
        self.alarm_settings.collect_problems(problems)
        problems.choice("log_retention_days", self.log_retention_days, rules.LOG_RETENTION)
        problems.whole_number("reserved_concurrency", self.reserved_concurrency, rules.RESERVED_CONCURRENCY)
        problems.tags("tags", self.tags)
        self._collect_scope_problems(problems)
        if self.fleet_policy is not None:
            self.fleet_policy.collect_problems(problems)
        if self.sweep_policy is not None:
            self.sweep_policy.collect_problems(problems)
        self._collect_hub_problems(problems)
        self._collect_protected_set_problems(problems)
        collect_channel_problems(self.slack_channels, self.teams_channels, problems)
        self._collect_level_problems(problems)
        self._collect_notification_problems(problems)
        problems.raise_if_any("ReputationGuardProps")

    def _collect_hub_problems(self, problems: Problems) -> None:
        """Hub mode runs on the sweep; each member's entry is checked as the function will read it."""
        policy = self.hub_policy
        if policy is None or policy.enabled is False:
            return
        sweep = self.sweep_policy
        if (sweep is None or sweep.enabled is False) and policy.enabled is True:
            problems.add(HUB_NEEDS_SWEEP)
        policy.collect_problems(
            problems,
            sweep=self._hub_sweep(),
            review_level_acknowledged=self.allow_thresholds_at_or_above_aws_review_level,
        )

    def _hub_sweep(self) -> manifest.Sweep | None:
        """The sweep as the model reads it, for checking the members' thresholds merged over its own; None
        without a sweep, or when its thresholds are tokens or invalid themselves (reported as the sweep's)."""
        sweep = self.sweep_policy
        if sweep is None:
            return None
        thresholds = sweep.thresholds or self.default_thresholds
        values = {name: getattr(thresholds, name) for name in rules.THRESHOLD_NAMES}
        if any(is_token(value) for value in values.values()) or is_token(sweep.action):
            return None
        try:
            parsed = manifest.parse_thresholds(values, None, "sweep_policy.thresholds", None)
        except manifest.ManifestError:
            return None
        return manifest.Sweep(str(sweep.action), parsed, manifest.Evaluation())

    def threshold_sources(self) -> list[tuple[str, ReputationThresholds]]:
        """Every thresholds object given, by the prop that holds it: the defaults, then the account's, each
        set's and the fleet's own (not those known only at plan time: an expression's sets)."""
        sources = [("default_thresholds", self.default_thresholds)]
        if self.account_policy.thresholds is not None:
            sources.append(("account_policy.thresholds", self.account_policy.thresholds))
        if not isinstance(self.configuration_sets, TerraformExpression):
            sources += [
                (f"configuration_sets[{name!r}].thresholds", policy.thresholds)
                for name, policy in self.configuration_sets.items()
                if isinstance(policy, ConfigurationSetPolicy) and policy.thresholds is not None
            ]
        if self.fleet_policy is not None and self.fleet_policy.thresholds is not None:
            sources.append(("fleet_policy.thresholds", self.fleet_policy.thresholds))
        if self.sweep_policy is not None and self.sweep_policy.thresholds is not None:
            sources.append(("sweep_policy.thresholds", self.sweep_policy.thresholds))
        return [(subject, t) for subject, t in sources if isinstance(t, ReputationThresholds)]

    def _collect_level_problems(self, problems: Problems) -> None:
        """AWS's pause level refuses a threshold; its review level too, unless acknowledged."""
        for subject, thresholds in self.threshold_sources():
            thresholds.collect_level_problems(subject, problems, self.allow_thresholds_at_or_above_aws_review_level)

    def _collect_protected_set_problems(self, problems: Problems) -> None:
        names = self.protected_configuration_sets
        if is_token(names):
            return
        problems.each_pattern("protected_configuration_sets", names, rules.CONFIGURATION_SET_NAME)
        if not rules.PROTECTED_SETS_COUNT.check(list(names)):
            problems.add(f"protected_configuration_sets has {len(names)} names: {rules.PROTECTED_SETS_COUNT.sentence}")

    def notification_targets(self) -> dict[str, Any]:
        """Each input of ``rules.NOTIFICATION_TARGETS`` (prop name => its value)."""
        return {name: getattr(self, name) for name in rules.NOTIFICATION_TARGETS.inputs}

    def notification_targets_known_at_synth(self) -> bool:
        """No target list and no opt-out is a Terraform reference (then the notification topic's
        precondition checks them at plan)."""
        values = (*self.notification_targets().values(), self.allow_no_notification_targets)
        return not any(_is_reference(value) for value in values)

    def _collect_notification_problems(self, problems: Problems) -> None:
        rule = rules.NOTIFICATION_TARGETS
        targets = self.notification_targets()
        if not self.notification_targets_known_at_synth():
            return
        if not rule.check([list(items) for items in targets.values()], bool(self.allow_no_notification_targets)):
            *first, last = targets
            problems.add(f"{', '.join(first)} and {last} are all empty: {rule.sentence}")

    def _collect_scope_problems(self, problems: Problems) -> None:
        sets = self.configuration_sets
        if isinstance(sets, TerraformExpression):
            collect_scope_problems(self.pause_scope, None, (), problems)
            return
        by_action = {
            action: sorted(name for name, policy in sets.items() if getattr(policy, "action", None) == action)
            for action in contract.ACTIONS
        }
        pausing, notify_only = by_action[contract.ACTION_PAUSE], by_action[contract.ACTION_NOTIFY]
        collect_scope_problems(self.pause_scope, pausing, notify_only, problems)

    def normalized_configuration_sets(self) -> dict[str, dict[str, Any]]:
        """The set map with defaults applied ({} when ``configuration_sets`` is an expression)."""
        if isinstance(self.configuration_sets, TerraformExpression):
            return {}
        return {
            name: normalized_set_record(policy, self.default_thresholds)
            for name, policy in sorted(self.configuration_sets.items())
        }


class ReputationGuard(Construct):
    """Key, topics, alarms (account and per set), configuration sets, pause function, health alarms.

    Created constructs are attributes so compositions can wire them: ``key``, ``notification_topic``,
    ``pause_topic``, ``account_alarms``, ``configuration_set_map`` / ``configuration_sets`` /
    ``configuration_set_alarms`` (None without sets), ``fleet_alarms`` / ``fleet_delivery`` /
    ``fleet_invocation`` (None without a fleet policy; the delivery also without EventBridge delivery of a
    pausing fleet, the invocation without its ``alarm-action`` delivery), ``function``,
    ``sweep_schedule`` (None without a sweep policy), ``hub_members`` (None without a hub policy),
    ``health_alarms``, ``dashboard`` (None when opted
    out), ``chat``; ``context`` is what they share.
    """

    def __init__(self, scope: Construct, construct_id: str, props: ReputationGuardProps) -> None:
        super().__init__(scope, construct_id)
        props.validate()  # before creating anything: nothing is half-built
        self.props = props
        self._pause_scope_local: TerraformExpression | None = None
        self.context = GuardContext.discover(
            self,
            name_prefix=props.name_prefix,
            resource_prefix=construct_id.replace("-", "_"),
            tags=props.tags if is_token(props.tags) else dict(props.tags),
        )
        self.key = GuardKey(
            self, "key", self.context, GuardKeyProps(log_group_names=[function_log_group_name(self.context)])
        )
        self.manifest = self._manifest()
        sets = self._set_map_expression()
        package = self._function_package_expression()
        self.notification_topic, self.pause_topic = self._topics()
        self._check_at_plan(sets)
        self.account_alarms = self._account_alarms()
        self.configuration_set_map: ConfigurationSetMap | None = None
        self.configuration_sets: ManagedConfigurationSets | None = None
        self.configuration_set_alarms: ConfigurationSetReputationAlarms | None = None
        if sets is not None:
            self._per_set_resources(sets)
        elif not props.allow_configuration_set_deletion:
            # no sets now, but sets managed before stay protected: the block (and its
            # prevent_destroy) must outlive the last set
            self.configuration_sets = self._managed_sets(NO_SETS)
        self.fleet_alarms = self._fleet_alarms()
        self.function = self._function(package)
        self.fleet_delivery = self._fleet_delivery()
        self.fleet_invocation = self._fleet_invocation()
        self.sweep_schedule = self._sweep_schedule()
        self.hub_members = self._hub_members()
        health = FunctionHealthAlarmsProps(
            function_name=self.function.function.function_name,
            dead_letter_queue_name=self.function.dead_letter_queue.name,
            notification_topic_arn=self.notification_topic.topic.arn,
        )
        self.health_alarms = FunctionHealthAlarms(self, "health_alarms", self.context, health)
        self.dashboard = self._dashboard(sets)
        self.chat = ChatNotifications(
            self,
            "chat",
            self.context,
            ChatNotificationsProps(
                topic_arns=[self.notification_topic.topic.arn],
                slack_channels=props.slack_channels,
                teams_channels=props.teams_channels,
            ),
        )

    # --- inputs: Python values become shipped files, expressions pass through ----------------
    def _manifest(self) -> PolicyManifest:
        """The deployed policy: the function's environment, per-set parameters and the stack asset."""
        sets = self.props.configuration_sets
        records = None if isinstance(sets, TerraformExpression) else self.props.normalized_configuration_sets()
        document = guard_document(self.props)
        hub = self._hub_policy()
        acknowledged = self.props.allow_thresholds_at_or_above_aws_review_level
        if acknowledged is not False:  # readers accept such thresholds only where the document says so
            document[manifest.REVIEW_LEVEL_KEY] = acknowledged
        return PolicyManifest(
            self,
            "manifest",
            self.context,
            PolicyManifestProps(
                guard_document=document,
                kms_key_arn=self.key.key.arn,
                sets=sets if isinstance(sets, TerraformExpression) else None,
                set_records=records,
                hub_members=None if hub is None else _member_entries(hub),
            ),
        )

    def _set_map_expression(self) -> TerraformExpression | None:
        """The normalized set map as an expression (read from the manifest asset); None without sets."""
        sets = self.props.configuration_sets
        if isinstance(sets, TerraformExpression):
            return sets
        if not sets or self.manifest.asset is None:
            return None
        path = f'"${{path.module}}/{self.manifest.asset.path}"'
        expression = self.context.local(self, "configuration_sets", f"${{jsondecode(file({path})).configuration_sets}}")
        self.manifest.add_set_parameters(expression)
        return expression

    def _function_package_expression(self) -> TerraformExpression:
        if self.props.function_package is not None:
            return self.props.function_package
        asset = shipped_file(self, "function_package", lambda_package.ZIP_NAME, lambda_package.build_zip_bytes())
        return self.context.local(self, "function_package_path", f"${{path.module}}/{asset.path}")

    # --- resources --------------------------------------------------------------------------
    def _topics(self) -> tuple[GuardTopic, GuardTopic]:
        context, props = self.context, self.props
        notifications = GuardTopic(
            self,
            "notifications",
            context,
            GuardTopicProps(
                name="notifications",
                kms_key_arn=self.key.key.arn,
                # reputation alarms of both tiers and the guard's own health alarms
                publishing_alarm_names=[
                    context.aws_name(suffix)
                    for suffix in (
                        "account-*",
                        "set-*",
                        *self._fleet_scopes("-*"),
                        ERRORS_ALARM_SUFFIX,
                        DEAD_LETTERS_ALARM_SUFFIX,
                    )
                ],
                email_addresses=_list(props.notification_emails),
                phone_numbers=_list(props.notification_phone_numbers),
            ),
        )
        pause = GuardTopic(
            self,
            "pause",
            context,
            GuardTopicProps(
                name="pause",
                kms_key_arn=self.key.key.arn,
                # only critical reputation alarms
                publishing_alarm_names=[
                    context.aws_name(f"{scope}-*-{contract.TIER_CRITICAL}")
                    for scope in ("account", "set", *self._fleet_scopes("", pause_topic=True))
                ],
                only_these_alarms_publish=True,
            ),
        )
        return notifications, pause

    # --- what only Terraform knows: checked at plan (the module) --------------------------------
    def _check_at_plan(self, sets: TerraformExpression | None) -> None:
        """The rules synth-time validation skipped because a value is a Terraform reference, as
        preconditions: AWS's review level on the pause topic, the notification targets on the
        notification topic. Python values were checked at synth: no precondition then."""
        review = self._review_level_check(sets)
        if review is not None:
            self.pause_topic.topic.lifecycle = TerraformResourceLifecycle(precondition=[review])
        targets = self._notification_targets_check()
        if targets is not None:
            self.notification_topic.topic.lifecycle = TerraformResourceLifecycle(precondition=[targets])

    def _review_level_check(self, sets: TerraformExpression | None) -> Precondition | None:
        """``rules.AWS_REVIEW_LEVEL`` over the thresholds in use, after defaults: the defaults, the
        account's and the fleet's, and each set's (a value equal to the default's is the default's)."""
        props, rule = self.props, rules.AWS_REVIEW_LEVEL
        acknowledged = props.allow_thresholds_at_or_above_aws_review_level
        defaults = props.default_thresholds
        resolved = {"account_policy": props.account_policy.thresholds or defaults}
        if props.fleet_policy is not None:
            resolved["fleet_policy"] = props.fleet_policy.thresholds or defaults
        if props.sweep_policy is not None:
            resolved["sweep_policy"] = props.sweep_policy.thresholds or defaults
        values = [getattr(t, name) for t in (defaults, *resolved.values()) for name in rules.THRESHOLD_NAMES]
        planned = any(is_token(value) for value in (acknowledged, *values)) or isinstance(
            props.configuration_sets, TerraformExpression
        )
        if acknowledged is True or not planned:
            return None
        names = rules.THRESHOLD_NAMES
        inputs = self.context.local(
            self,
            "review_level",
            {
                **({"acknowledged": acknowledged} if is_token(acknowledged) else {}),
                "levels": {name: rule.level(name) for name in names},
                "reached": {name: rule.reached(name) for name in names},
                "defaults": {name: getattr(defaults, name) for name in names},
                "resolved": {subject: {name: getattr(t, name) for name in names} for subject, t in resolved.items()},
            },
        ).text

        def offender(where: str, value: str) -> str:
            guess = rule.guess(f"${{{value} / 100}}", f"${{{value}}}")
            return f'"{where}=${{{value}}}: ${{{inputs}.reached[k]}}; {guess}"'

        parts = [
            f"[for k, v in {inputs}.defaults : {offender('default_thresholds.${k}', 'v')} if v >= {inputs}.levels[k]]",
            f"flatten([for source, t in {inputs}.resolved : [for k, v in t : {offender('${source}.${k}', 'v')} "
            f"if v >= {inputs}.levels[k] && v != {inputs}.defaults[k]]])",
        ]
        if sets is not None:
            parts.append(
                f"flatten([for name, s in {sets.text} : [for k, level in {inputs}.levels : "
                f"{offender('configuration_sets[${name}].${k}', 's[k]')} "
                f"if s[k] >= level && s[k] != {inputs}.defaults[k]]])"
            )
        offenders = self.context.local(self, "review_level_offenders", f"${{concat({', '.join(parts)})}}").text
        held = f"length({offenders}) == 0"
        if is_token(acknowledged):
            held = f"{inputs}.acknowledged || {held}"
        # no double quotes outside ${}: cdktf's HCL rendering does not escape them
        return Precondition(condition=f"${{{held}}}", error_message=f'${{join(" ", {offenders})}} {rule.sentence}.')

    def _notification_targets_check(self) -> Precondition | None:
        """``rules.NOTIFICATION_TARGETS`` when a target list or the opt-out is a Terraform reference."""
        props, rule = self.props, rules.NOTIFICATION_TARGETS
        opted_out = props.allow_no_notification_targets
        if opted_out is True or props.notification_targets_known_at_synth():
            return None
        counts = {name: _length(items) for name, items in props.notification_targets().items()}
        inputs = self.context.local(
            self,
            "notification_targets",
            {**({"opted_out": opted_out} if is_token(opted_out) else {}), "counts": counts},
        ).text
        held = f"anytrue([for count in values({inputs}.counts) : count > 0])"
        if is_token(opted_out):
            held = f"{inputs}.opted_out || {held}"
        *first, last = counts
        return Precondition(
            condition=f"${{{held}}}", error_message=f"{', '.join(first)} and {last} are all empty: {rule.sentence}."
        )

    def _account_alarms(self) -> AccountReputationAlarms:
        policy = self.props.account_policy
        return AccountReputationAlarms(
            self,
            "account_alarms",
            self.context,
            AccountReputationAlarmsProps(
                thresholds=policy.thresholds or self.props.default_thresholds,
                settings=self.props.alarm_settings,
                notification_topic_arn=self.notification_topic.topic.arn,
                pause_topic_arn=self.pause_topic.topic.arn,
                action=policy.action,
                enabled=policy.enabled,
                warning_alarms=policy.warning_alarms,
            ),
        )

    def _per_set_resources(self, sets: TerraformExpression) -> None:
        scope = self._pause_scope()
        set_map = ConfigurationSetMap(
            self,
            "set_map",
            self.context,
            ConfigurationSetMapProps(
                sets=sets,
                pause_scope=scope,
                check_at_plan=isinstance(self.props.configuration_sets, TerraformExpression)
                or isinstance(scope, TerraformExpression),
            ),
        )
        self.configuration_set_map = set_map
        self.configuration_sets = self._managed_sets(set_map.managed)
        self.configuration_set_alarms = ConfigurationSetReputationAlarms(
            self,
            "set_alarms",
            self.context,
            ConfigurationSetReputationAlarmsProps(
                sets=set_map.all,
                warning_sets=set_map.warning,
                settings=self.props.alarm_settings,
                notification_topic_arn=self.notification_topic.topic.arn,
                pause_topic_arn=self.pause_topic.topic.arn,
                managed_sets_address=resource_address(self.configuration_sets.configuration_sets),
            ),
        )

    def _pause_scope(self) -> str | TerraformExpression:
        """The scope, or (known only at plan time) the local that holds it, created once."""
        scope = self.props.pause_scope
        if not is_token(scope):
            return scope
        if self._pause_scope_local is None:
            self._pause_scope_local = self.context.local(self, "pause_scope", scope)
        return self._pause_scope_local

    def _managed_sets(self, managed: TerraformExpression) -> ManagedConfigurationSets:
        return ManagedConfigurationSets(
            self,
            "managed_sets",
            self.context,
            ManagedConfigurationSetsProps(
                managed_sets=managed, allow_deletion=self.props.allow_configuration_set_deletion
            ),
        )

    def _function(self, package: TerraformExpression) -> PauseFunction:
        context, props, set_map = self.context, self.props, self.configuration_set_map
        return PauseFunction(
            self,
            "function",
            self.context,
            PauseFunctionProps(
                kms_key_arn=self.key.key.arn,
                notification_topic_arn=self.notification_topic.topic.arn,
                pause_topic_arn=self.pause_topic.topic.arn,
                package=package,
                account_pause_allowed=self._account_pause_allowed(),
                pausing_set_arns=self._pausing_set_arns(),
                alarm_name_patterns=[
                    context.aws_name(f"{scope}-*") for scope in ("account", "set", *self._fleet_scopes(""))
                ],
                pause_scope=self._pause_scope(),
                notify_only_set_arns=set_map.notify_only_arns_in_scope if set_map else None,
                set_pause_checks=set_map.checks if set_map else (),
                policy_manifest=self.manifest.environment_value,
                policy_parameters_path=manifest.configuration_sets_path(context.name_prefix),
                dry_run=props.dry_run,
                log_retention_days=props.log_retention_days,
                reserved_concurrency=props.reserved_concurrency,
                **self._sweep_function_settings(),
                accepted_sources=self._accepted_sources(),
                protected_configuration_sets=_joined(props.protected_configuration_sets),
            ),
        )

    def _sweep_function_settings(self) -> dict[str, Any]:
        """Timeout, memory, the state table and its grant: a sweep run takes longer than an alarm's."""
        sweep = self.props.sweep_policy
        running: Flag = False if sweep is None else sweep.enabled
        if running is False:
            return {}
        hub = self._hub_policy()
        timeout = SWEEP_TIMEOUT_SECONDS if hub is None else _if(hub.enabled, HUB_TIMEOUT_SECONDS, SWEEP_TIMEOUT_SECONDS)
        return {
            "timeout_seconds": _if(running, timeout, ALARM_TIMEOUT_SECONDS),
            "memory_mb": _if(running, SWEEP_MEMORY_MB, MEMORY_MB),
            "sweep_state_table": _if(running, sweep_state_table_name(self.context), ""),
            "sweep_state_table_arn": sweep_state_table_arn(self.context),
            "sweep_enabled": running,
        }

    def _fleet_delivered_by(self, delivery: str) -> Flag:
        """The fleet's contributors reach the function by ``delivery`` (``eventbridge`` or ``alarm-action``,
        which need their own ``ACCEPTED_SOURCES`` and permissions): a fleet policy that pauses, delivered
        that way (each may be a token)."""
        policy = self.props.fleet_policy
        if policy is None:
            return False
        return all_of(
            policy.enabled,
            equals(policy.action, contract.ACTION_PAUSE),
            equals(policy.delivery, delivery),
        )

    def _accepted_sources(self) -> Any:
        """``ACCEPTED_SOURCES``: ``eventbridge`` or ``alarm-action`` as the fleet is delivered, else unset."""
        by_rule = self._fleet_delivered_by(contract.FLEET_DELIVERY_EVENTBRIDGE)
        by_action = self._fleet_delivered_by(contract.FLEET_DELIVERY_ALARM_ACTION)
        return _if(by_rule, contract.SOURCE_EVENTBRIDGE, _if(by_action, contract.SOURCE_ALARM_ACTION, ""))

    def _critical_fleet_alarm_names(self) -> dict[str, str]:
        """Metric short name -> the name of its critical fleet alarm."""
        prefix, critical = self.context.name_prefix, contract.TIER_CRITICAL
        return {
            metric: contract.ALARM_NAME_FLEET.format(prefix=prefix, metric=metric, tier=critical)
            for metric in contract.METRIC_SHORT_NAMES.values()
        }

    def _fleet_invocation(self) -> FleetAlarmInvocation | None:
        """Delivery ``alarm-action``: CloudWatch may invoke the function for each critical fleet alarm, and
        those alarms wait for their permission (no invocation before it may succeed)."""
        enabled = self._fleet_delivered_by(contract.FLEET_DELIVERY_ALARM_ACTION)
        if enabled is False or self.fleet_alarms is None:
            return None
        invocation = FleetAlarmInvocation(
            self,
            "fleet_invocation",
            self.context,
            FleetAlarmInvocationProps(
                alarm_names=self._critical_fleet_alarm_names(),
                function_name=self.function.function.function_name,
                enabled=enabled,
            ),
        )
        for metric, permission in invocation.permissions.items():
            alarm = self.fleet_alarms.alarms.get((metric, contract.TIER_CRITICAL))
            if alarm is not None:
                alarm.add_override("depends_on", [resource_address(permission)])
        return invocation

    def _fleet_delivery(self) -> FleetContributorDelivery | None:
        enabled = self._fleet_delivered_by(contract.FLEET_DELIVERY_EVENTBRIDGE)
        if enabled is False:
            return None
        names = list(self._critical_fleet_alarm_names().values())
        return FleetContributorDelivery(
            self,
            "fleet_delivery",
            self.context,
            FleetContributorDeliveryProps(
                alarm_names=names,
                function_arn=self.function.function.arn,
                function_name=self.function.function.function_name,
                enabled=enabled,
            ),
        )

    def _sweep_schedule(self) -> SweepSchedule | None:
        sweep = self.props.sweep_policy
        if sweep is None or sweep.enabled is False:
            return None
        return SweepSchedule(
            self,
            "sweep",
            self.context,
            SweepScheduleProps(
                function_arn=self.function.function.arn,
                function_name=self.function.function.function_name,
                kms_key_arn=self.key.key.arn,
                schedule_minutes=sweep.schedule_minutes,
                enabled=sweep.enabled,
            ),
        )

    def _hub_policy(self) -> HubPolicy | None:
        """The hub policy, None without one or when it is off (``enabled=False``)."""
        policy = self.props.hub_policy
        return None if policy is None or policy.enabled is False else policy

    def _hub_members(self) -> HubMembers | None:
        """The members' entries and the function's grant to list them and assume their roles; the function
        waits for both (its first run finds its members and may reach them)."""
        policy = self._hub_policy()
        if policy is None:
            return None
        members = HubMembers(
            self,
            "hub_members",
            self.context,
            HubMembersProps(
                member_documents=policy.member_documents(),
                kms_key_arn=self.key.key.arn,
                function_role=self.function.role.id,
                enabled=policy.enabled,
                checks=[*self._hub_sweep_checks(policy), *self._member_threshold_checks(policy)],
            ),
        )
        function = self.function.function
        waits_for = [members.policy, *([members.parameters] if members.parameters is not None else [])]
        function.depends_on = [*(function.depends_on or []), *(resource_address(element) for element in waits_for)]
        return members

    def _hub_sweep_checks(self, policy: HubPolicy) -> list[Precondition]:
        """Hub mode needs an enabled sweep: checked at plan when only Terraform knows either (at synth else)."""
        sweep = self.props.sweep_policy
        running: Flag = False if sweep is None else sweep.enabled
        hub_off: Flag = (not policy.enabled) if isinstance(policy.enabled, bool) else Op.not_(policy.enabled)
        held = any_of(hub_off, running)
        if isinstance(held, bool):
            return []
        return [Precondition(condition=held, error_message=f"{HUB_NEEDS_SWEEP}.")]

    def _member_threshold_checks(self, policy: HubPolicy) -> list[Precondition]:
        """Members known only to Terraform: each one's thresholds merged over the sweep's, as
        ``manifest.parse_member_entry`` reads them, in the same words: each warning below its critical, and
        (unless acknowledged) none of the member's own at or above AWS's review level."""
        sweep, given = self.props.sweep_policy, policy.member_thresholds
        if sweep is None or given is None:
            return []
        names, review = rules.THRESHOLD_NAMES, rules.AWS_REVIEW_LEVEL
        thresholds = sweep.thresholds or self.props.default_thresholds
        acknowledged = self.props.allow_thresholds_at_or_above_aws_review_level
        inputs = self.context.local(
            self,
            "hub_member_thresholds",
            {
                "acknowledged": acknowledged,
                "levels": {name: review.level(name) for name in names},
                "reached": {name: review.reached(name) for name in names},
                "sweep": {name: getattr(thresholds, name) for name in names},
                "members": given.interpolated,
            },
        ).text
        where = "hub_policy.members[${a}] thresholds merged over the sweep's"
        pairs = ", ".join(
            f'["{metric}_warning", "{metric}_critical", "{metric}"]' for metric in ("bounce", "complaint")
        )
        merged = [f"coalesce(t[p[{index}]], {inputs}.sweep[p[{index}]])" for index in (0, 1)]
        order = self.context.local(
            self,
            "hub_member_threshold_order",
            f"${{flatten([for a, t in {inputs}.members : [for p in [{pairs}] : "
            f'"{where}: ${{p[2]}} {rules.warning_below_critical(f"${{{merged[0]}}}", f"${{{merged[1]}}}")}." '
            f"if {merged[0]} >= {merged[1]}]])}}",
        ).text
        guess = review.guess("${v / 100}", "${v}")
        at_review = self.context.local(
            self,
            "hub_member_review_level_offenders",
            f"${{{inputs}.acknowledged ? [] : flatten([for a, t in {inputs}.members : [for k, v in t : "
            f'"{where}: ${{k}}=${{v}}: ${{{inputs}.reached[k]}}; {guess}" if try(v >= {inputs}.levels[k], false)]])}}',
        ).text
        return [
            Precondition(condition=f"${{length({order}) == 0}}", error_message=f'${{join(" ", {order})}}'),
            Precondition(
                condition=f"${{length({at_review}) == 0}}",
                error_message=f'${{join(" ", {at_review})}} {review.sentence}.',
            ),
        ]

    def _dashboard(self, sets: TerraformExpression | None) -> GuardDashboard | None:
        if self.props.dashboard is False:
            return None
        guard_alarms = [
            *self.account_alarms.alarms.values(),
            *(self.fleet_alarms.alarms.values() if self.fleet_alarms else ()),
        ]
        health = (self.health_alarms.errors_alarm, self.health_alarms.dead_letters_alarm)
        set_alarms = self.configuration_set_alarms.alarms.values() if self.configuration_set_alarms else ()
        return GuardDashboard(
            self,
            "dashboard",
            self.context,
            GuardDashboardProps(
                account_thresholds=self.account_alarms.props.thresholds,
                function_name=self.health_alarms.props.function_name,
                dead_letter_queue_name=self.health_alarms.props.dead_letter_queue_name,
                alarm_arns=[alarm_arns(alarm) for alarm in (*guard_alarms, *health)],
                configuration_sets=sets,
                set_alarm_arns=[alarm_arns_by_set(alarms) for alarms in set_alarms],
                period_seconds=self.props.alarm_settings.period_seconds,
                statistic=self.props.alarm_settings.statistic,
                enabled=self.props.dashboard,
            ),
        )

    def _fleet_scopes(self, suffix: str, *, pause_topic: bool = False) -> tuple[str, ...]:
        """``("fleet" + suffix,)`` when fleet mode is on: the fleet alarms' names may publish. To the
        pause topic only when their delivery may be ``sns`` (with ``eventbridge`` or ``alarm-action`` they
        never publish there)."""
        policy = self.props.fleet_policy
        direct = (contract.FLEET_DELIVERY_EVENTBRIDGE, contract.FLEET_DELIVERY_ALARM_ACTION)
        if policy is None or (pause_topic and not is_token(policy.delivery) and policy.delivery in direct):
            return ()
        return (f"{contract.SCOPE_FLEET}{suffix}",)

    def _fleet_alarms(self) -> FleetReputationAlarms | None:
        policy = self.props.fleet_policy
        if policy is None:
            return None
        sets = self.props.configuration_sets
        explicit = TerraformExpression(f"keys({sets.text})") if isinstance(sets, TerraformExpression) else sorted(sets)
        return FleetReputationAlarms(
            self,
            "fleet_alarms",
            self.context,
            FleetReputationAlarmsProps.from_policy(
                policy,
                default_thresholds=self.props.default_thresholds,
                explicit_sets=explicit,
                notification_topic_arn=self.notification_topic.topic.arn,
                pause_topic_arn=self.pause_topic.topic.arn,
                # known before the function exists (the alarms are created first): its name is fixed
                function_arn=self.context.arn("lambda", f"function:{self.context.aws_name(FUNCTION_NAME_SUFFIX)}"),
            ),
        )

    def _pausing_set_arns(self) -> TerraformExpression | None:
        """Sets the function may pause: the per-set ARNs, or every set of this account and Region when a
        fleet alarm or the sweep may pause (sets unknown at deploy time); the Deny on notify-tagged sets
        stays."""
        per_set = self.configuration_set_map.pausing_arns if self.configuration_set_map else None
        wide = self._region_wide_pausing()
        if wide is False:
            return per_set
        role = "fleet_pausing_set_arns" if self.props.fleet_policy is not None else "sweep_pausing_set_arns"
        every_set = [self.context.arn("ses", "configuration-set/*")]
        if wide is True:
            return self.context.local(self, role, every_set)
        # a local holding the per-set list: a reference cdktf renders inside the conditional
        otherwise = (
            self.context.create(self, TerraformLocal, "per_set_pausing_arns", expression=per_set.interpolated).as_list
            if per_set
            else []
        )
        return self.context.local(self, role, Fn.conditional(wide, every_set, otherwise))

    def _region_wide_pausing(self) -> Flag:
        """A fleet policy (its action) or a running sweep (its action) may pause sets unknown at deploy time."""
        fleet, sweep = self.props.fleet_policy, self.props.sweep_policy
        pause = contract.ACTION_PAUSE
        fleet_pauses: Flag = False if fleet is None else equals(fleet.action, pause)
        sweep_pauses: Flag = False if sweep is None else all_of(sweep.enabled, equals(sweep.action, pause))
        return any_of(fleet_pauses, sweep_pauses)

    def _account_pause_allowed(self) -> Flag:
        """True, False, or a token: the account's action is ``pause`` and something judges the account:
        its alarms (``account_policy.enabled``) or a running sweep that evaluates it."""
        policy, sweep = self.props.account_policy, self.props.sweep_policy
        sweep_judges: Flag = False if sweep is None else all_of(sweep.enabled, sweep.evaluate_account)
        return all_of(any_of(policy.enabled, sweep_judges), equals(policy.action, contract.ACTION_PAUSE))


def _member_entries(policy: HubPolicy) -> dict[str, dict[str, Any]] | None:
    """Account id => the member's entry (the stack asset's ``hub.members``); None while they are a token."""
    if isinstance(policy.members, TerraformExpression):
        return None
    return {member.account_id: member.to_member().to_document() for member in policy.listed_members()}


def _is_reference(value: Any) -> bool:
    """A Terraform expression or token (a list of chat channels is Python's: jsii cannot take it)."""
    if isinstance(value, TerraformExpression):
        return True
    if isinstance(value, list | tuple) and not all(isinstance(item, str) for item in value):
        return False
    return is_token(value)


def _if(condition: Flag, then: Any, otherwise: Any) -> Any:
    """``then`` or ``otherwise`` when ``condition`` is a Python boolean, else Terraform's conditional."""
    if isinstance(condition, bool):
        return then if condition else otherwise
    chosen = Fn.conditional(condition, then, otherwise)
    return Token.as_string(chosen) if isinstance(then, str) else Token.as_number(chosen)


def _joined(names: Sequence[str]) -> Any:
    """The names comma-separated (``PROTECTED_CONFIGURATION_SETS``); ``join(",", ...)`` for a list token."""
    if is_token(names):
        return Fn.join(",", names)
    return ",".join(names)


def _length(items: Any) -> Any:
    """How many items a list holds: a number, or a token when Terraform knows the list."""
    if isinstance(items, TerraformExpression):
        return f"${{length({items.text})}}"
    return Fn.length_of(items) if _is_reference(items) else len(items)


def _list(values: Sequence[str]) -> list[str]:
    """A Python list of the values; a list token stays the token."""
    return values if isinstance(values, list) else list(values)
