"""PolicyManifest: the guard's policy for the function, and one SSM parameter per configuration set."""

from __future__ import annotations

import json

from ses_guard_policy import manifest
from ses_reputation_guard import ReputationGuardProps, ReputationThresholds, SweepPolicy
from ses_reputation_guard.context import COMPONENT_TAG
from ses_reputation_guard.expressions import TerraformExpression
from ses_reputation_guard.policy_manifest import PolicyManifest, PolicyManifestProps, guard_document
from tests.constructs.support import CONTEXT, KEY_ARN, TAGS, resources, synthesized


def test_the_set_parameters_are_tagged_with_what_they_are_so_their_tags_are_never_empty(stack):
    # Empty tags are null in the state after create and {} after the refresh: "changed outside of
    # Terraform" on the first plan after the apply (tests/module/test_module_no_drift.py).
    sets = TerraformExpression("local.sets")
    PolicyManifest(stack, "manifest", CONTEXT, PolicyManifestProps({"format": 1}, kms_key_arn=KEY_ARN, sets=sets))
    parameters = resources(synthesized(stack), "aws_ssm_parameter")["guard_set_policies"]
    assert parameters["for_each"] == "${local.sets}"
    assert parameters["tags"] == {**TAGS, COMPONENT_TAG: "set-policy"}


# --- the sweep section (issue "[5 of 7]") ------------------------------------------------------------------
SWEEP = SweepPolicy(
    action="notify",
    thresholds=ReputationThresholds(bounce_warning=0.01, bounce_critical=0.03),
    warning_notices=False,
    schedule_minutes=30,
    period_seconds=1800,
    evaluation_periods=3,
    datapoints_to_alarm=2,
    evaluate_account=False,
)


def test_the_sweep_section_has_exactly_the_keys_the_model_writes_and_parses_back_to_the_same_policy():
    document = guard_document(ReputationGuardProps(sweep_policy=SWEEP))
    section = document["sweep"]
    assert tuple(section) == manifest.SWEEP_KEYS
    assert section == {
        "action": "notify",
        "enabled": True,
        "warning_notices": False,
        "bounce_warning": 0.01,
        "bounce_critical": 0.03,
        "complaint_warning": 0.0005,
        "complaint_critical": 0.0008,
        "period": 1800,
        "evaluation_periods": 3,
        "datapoints_to_alarm": 2,
        "schedule_minutes": 30,
        "evaluate_account": False,
    }
    parsed = manifest.parse(json.loads(json.dumps(document)), source="test")
    assert parsed.sweep is not None
    assert parsed.sweep.to_document() == section  # round trip: what the function and the backtest read
    assert parsed.to_document()["sweep"] == section


def test_the_sweep_section_takes_the_default_thresholds_when_the_policy_has_none():
    defaults = ReputationThresholds(bounce_warning=0.015, bounce_critical=0.03)
    section = guard_document(ReputationGuardProps(default_thresholds=defaults, sweep_policy=SweepPolicy()))["sweep"]
    assert (section["bounce_warning"], section["bounce_critical"]) == (0.015, 0.03)
    assert manifest.parse(guard_document(ReputationGuardProps(sweep_policy=SweepPolicy())), source="t").sweep


def test_a_guard_without_a_sweep_writes_no_sweep_key_so_its_manifest_stays_as_it_was():
    document = guard_document(ReputationGuardProps())
    assert "sweep" not in document
    assert manifest.parse(document, source="test").sweep is None
