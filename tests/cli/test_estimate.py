"""ses-guard estimate: the pure estimate over counts, the readers of stacks (their policy manifest), of
Terraform plans (a module root's, planned for real) and of module configurations, the report and the command
line. The price table itself: test_pricing.py."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from ses_guard_cli import stack_manifest
from ses_guard_cli.estimate import (
    GUARD_DASHBOARDS,
    GUARD_FUNCTIONS,
    GUARD_HEALTH_ALARMS,
    GUARD_KMS_KEYS,
    Composition,
    EstimateError,
    composition_from_manifest,
    composition_from_module_config,
    composition_from_stack,
    compositions_from_outdir,
    compositions_from_plan,
    estimate,
    mode_composition,
    render,
    render_comparison,
)
from ses_guard_cli.exit_codes import EXIT_INPUT_ERROR, EXIT_OK, EXIT_USAGE
from ses_guard_cli.pricing import API_QUOTAS, PRICES
from ses_guard_policy import manifest, rules
from tests.cli.support import DEFAULTS, manifest_document, run_cli, write_stack
from tests.conftest import ROOT, SynthOutput


def run_estimate(*args: str) -> tuple[int, str, str]:
    return run_cli("estimate", *args)


def test_each_part_is_priced_from_the_one_table() -> None:
    result = estimate(
        Composition(
            "c", standard_alarms=46, metrics_insights_alarms=4, fleet_sets=250, dashboards=1, kms_keys=1, functions=1
        )
    )
    priced = {line.part: line.monthly_usd for line in result.lines}
    assert priced["standard alarms"] == pytest.approx(46 * PRICES["standard_alarm"].usd)
    assert priced["Metrics Insights: metrics analyzed"] == pytest.approx(4 * 250 * 0.10)
    assert priced["dashboards"] == pytest.approx(3.00)
    assert priced["KMS keys"] == pytest.approx(1.00)
    assert priced["Lambda functions at idle"] == 0
    assert result.confirmed_usd == pytest.approx(4.60 + 3.00 + 1.00)
    assert result.assumed_usd == pytest.approx(100.00)  # the unconfirmed Metrics Insights rate, kept apart


def test_times_are_alarms_over_the_default_request_quotas() -> None:
    result = estimate(Composition("c", standard_alarms=36, metrics_insights_alarms=0))
    assert result.create_seconds == pytest.approx(36 / API_QUOTAS["PutMetricAlarm"].per_second)
    assert result.refresh_seconds == pytest.approx(36 / API_QUOTAS["DescribeAlarms"].per_second)
    assert result.destroy_seconds == pytest.approx(36 / API_QUOTAS["DeleteAlarms"].per_second)


def test_per_set_mode_at_10000_sets_matches_the_issue_figures() -> None:
    """40,000 per-set alarms: about $4,000 a month, at least 3.7 hours to create, about 75 minutes to refresh."""
    result = estimate(mode_composition("per-set", 10_000))
    c = result.composition
    assert c.standard_alarms == 40_000 + 4 + GUARD_HEALTH_ALARMS
    assert c.metrics_insights_alarms == 0
    assert 4_000 <= result.confirmed_usd <= 4_010
    assert result.create_seconds / 3600 == pytest.approx(3.7, abs=0.05)
    assert result.refresh_seconds / 60 == pytest.approx(74.1, abs=0.5)


def test_fleet_mode_alarms_and_times_do_not_grow_with_the_sets() -> None:
    small, large = (estimate(mode_composition("fleet", n)) for n in (10, 10_000))
    for result in (small, large):
        assert result.composition.metrics_insights_alarms == 4
        assert result.composition.standard_alarms == 4 + GUARD_HEALTH_ALARMS
    assert small.create_seconds == large.create_seconds < 5
    assert small.refresh_seconds == large.refresh_seconds < 2
    assert large.composition.metrics_analyzed == 4 * 10_000
    assert large.assumed_usd == pytest.approx(4_000.0)  # priced per metric analyzed: the rate decides


def test_a_query_analyzes_at_most_10000_metrics() -> None:
    c = Composition("c", standard_alarms=0, metrics_insights_alarms=2, fleet_sets=25_000)
    assert c.metrics_analyzed == 2 * rules.METRICS_INSIGHTS_METRICS_MATCHED_MAX


def test_the_report_marks_every_figure_that_rests_on_an_unconfirmed_rate() -> None:
    assert not PRICES["metrics_insights_metric_analyzed"].confirmed
    text = render(estimate(mode_composition("fleet", 100)))
    assert "x assumed rate $0.10" in text
    assert "at an assumed rate $40.00" in text
    assert "4 of 200 per account and Region (this guard only" in text


def test_the_assumed_rate_caveat_stands_right_before_each_figure_it_qualifies() -> None:
    """Read left to right, nobody meets an assumed-rate figure before being told it is one."""
    result = estimate(mode_composition("fleet", 100))
    lines = render(result).splitlines()
    [item] = [line for line in lines if line.strip().startswith("Metrics Insights: metrics analyzed")]
    [total] = [line for line in lines if line.strip().startswith("monthly list price")]
    rate = f"${PRICES['metrics_insights_metric_analyzed'].usd:.2f}"
    assert item.split(" x ", 1)[1].startswith(f"assumed rate {rate}")  # before the rate and the month's figure
    assert item.endswith(f"= ${result.assumed_usd:>10,.2f}/month")
    assert total.endswith(f": ${result.confirmed_usd:,.2f} + at an assumed rate ${result.assumed_usd:,.2f}")


def test_the_report_says_what_it_assumed_before_any_figure(tmp_path: Path) -> None:
    guard = manifest_document(
        account={"action": "pause"},
        configuration_sets={"a": {"action": "pause"}, "b": {"action": "notify"}},
        fleet={"action": "pause"},
    )
    text = render(estimate(composition_from_stack(write_stack(tmp_path / "app", guard))))
    lines = text.splitlines()
    assert lines[0] == "app:"
    assert lines[1].startswith("  assumed: the fleet queries analyze 2 configuration sets, as many as the stack names")
    assert not re.search(r"\d", "\n".join(lines[:1])) and "$" not in "\n".join(lines[:2])


def test_comparison_table_has_one_row_per_mode_and_size() -> None:
    table = render_comparison([10, 1_000, 10_000]).splitlines()
    assert len(table) == 2 + 6
    assert table[-2].startswith("| 10,000 | per-set | 40,006 | 0 | 0 | 4,004.60 |")
    assert table[-1].startswith("| 10,000 | fleet | 6 | 4 | 40,000 | 4.60 | 4,000.00 |")


@pytest.mark.parametrize("document", ["docs/fleet.md", "README.md"])
def test_the_tables_in_the_docs_are_what_the_estimate_prints(document: str) -> None:
    docs = (Path(__file__).resolve().parents[2] / document).read_text()
    assert render_comparison([10, 1_000, 10_000]) in docs


def test_the_stack_reader_counts_two_critical_alarms_per_set_and_two_warning_alarms_per_set_with_warnings(
    synth: SynthOutput,
) -> None:
    records = synth.configuration_sets("per-set")
    warning_sets = sum(1 for record in records.values() if record["warning_alarms"])
    c = composition_from_stack(synth.stack_dir("per-set"))
    assert c.standard_alarms == 2 * len(records) + 2 * warning_sets + 4 + GUARD_HEALTH_ALARMS
    assert (c.metrics_insights_alarms, c.fleet_sets) == (0, 0)


def test_the_fixed_parts_of_a_guard_match_a_synthesized_stack(synth: SynthOutput) -> None:
    config = synth.config("account-wide")
    c = composition_from_stack(synth.stack_dir("account-wide"))
    assert c.kms_keys == GUARD_KMS_KEYS == len(config["resource"]["aws_kms_key"])
    assert c.functions == GUARD_FUNCTIONS == len(config["resource"]["aws_lambda_function"])
    assert c.dashboards == GUARD_DASHBOARDS == len(config["resource"]["aws_cloudwatch_dashboard"])
    names = {a["alarm_name"] for a in config["resource"]["aws_cloudwatch_metric_alarm"].values()}
    health = {n for n in names if n.endswith(("-function-errors", "-dead-letters"))}
    assert len(health) == GUARD_HEALTH_ALARMS


def test_a_fleet_only_manifest_counts_metrics_insights_alarms_and_assumes_only_the_sets_it_names() -> None:
    document = {
        "name_prefix": "g",
        "default_thresholds": dict(DEFAULTS),
        "account": {"action": "notify", "enabled": False},
        "fleet": {"action": "pause"},
    }
    guard = manifest.parse(document, source="test")
    c, notes = composition_from_manifest(guard, "fleet-only")
    assert (c.standard_alarms, c.metrics_insights_alarms) == (GUARD_HEALTH_ALARMS, 4)
    assert c.fleet_sets == 0  # it names none; the SES maximum would be 10,000 sets nobody said exist
    assert notes == [
        "the fleet queries analyze 0 configuration sets, as many as the stack names (how many sets publish "
        "reputation metrics in the Region is not in it): pass --fleet-sets N for that number (at most 10,000)"
    ]
    c, notes = composition_from_manifest(guard, "fleet-only", fleet_sets=120)
    assert (c.metrics_analyzed, notes) == (480, [])  # a count given is no assumption


def test_the_stack_reader_reads_the_manifest_the_stack_ships(synth: SynthOutput) -> None:
    c = composition_from_stack(synth.stack_dir("per-set"))
    assert c.standard_alarms == 4 * 3 + 4 + 2  # three sets, the account, the function's two
    assert c.metrics_insights_alarms == 0


def test_a_stack_folder_with_a_fleet_manifest_counts_its_fleet_alarms_and_says_what_it_assumed(
    tmp_path: Path,
) -> None:
    guard = manifest_document(
        account={"action": "pause", "warning_alarms": False},
        configuration_sets={"vip": {"action": "notify"}},
        fleet={"action": "pause", "warning_alarms": False},
    )
    c = composition_from_stack(write_stack(tmp_path / "fleet", guard))
    assert (c.name, c.standard_alarms, c.metrics_insights_alarms) == ("fleet", 4 + 2 + GUARD_HEALTH_ALARMS, 2)
    assert c.dashboards == 0  # the stack's cdk.tf.json declares none
    assert c.fleet_sets == 1
    assert c.notes == (
        "the fleet queries analyze 1 configuration set, as many as the stack names (how many sets publish "
        "reputation metrics in the Region is not in it): pass --fleet-sets N for that number (at most 10,000)",
    )
    assert composition_from_stack(tmp_path / "fleet", fleet_sets=50).fleet_sets == 50


def test_module_config_reader_applies_the_module_defaults(tmp_path: Path) -> None:
    path = tmp_path / "guard.tfvars.json"
    path.write_text(
        json.dumps(
            {
                "account_policy": {"action": "notify", "warning_alarms": False},
                "configuration_sets": {"a": {}, "b": {"warning_alarms": False}, "c": {"action": "notify"}},
                "fleet_policy": {"action": "pause"},
            }
        )
    )
    c = composition_from_module_config(path, fleet_sets=500)
    # sets: 3 x 2 critical + 2 x 2 warning; account: 2 critical; health 2
    assert c.standard_alarms == 6 + 4 + 2 + GUARD_HEALTH_ALARMS
    assert (c.metrics_insights_alarms, c.fleet_sets) == (4, 500)
    assert c.dashboards == GUARD_DASHBOARDS
    path.write_text(
        json.dumps(
            {"account_policy": {"enabled": False}, "fleet_policy": {"warning_alarms": False}, "dashboard": False}
        )
    )
    c = composition_from_module_config(path)
    assert (c.standard_alarms, c.metrics_insights_alarms, c.dashboards) == (GUARD_HEALTH_ALARMS, 2, 0)
    assert c.fleet_sets == 0
    assert c.notes[0].startswith("the fleet queries analyze 0 configuration sets, as many as the configuration names")


def test_the_command_prints_one_estimate_per_stack_and_the_price_sources(synth: SynthOutput) -> None:
    code, out, err = run_estimate("--stack-dir", str(synth.outdir))
    assert (code, err) == (EXIT_OK, "")
    for stack in synth.stacks():
        guarded = bool(stack_manifest.manifest_paths(synth.stack_dir(stack)))
        assert (f"\n{stack}:\n" in f"\n{out}") is guarded, stack  # a member stack holds no guard: left out
    assert "Source: aws.amazon.com/cloudwatch/pricing" in out
    assert "UNCONFIRMED" in out
    assert "hub: 2 member account(s), 3 member Region(s)" in out


def test_a_stack_without_a_manifest_is_one_error_saying_to_synthesize_it_again(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "old")
    code, out, err = run_estimate("--stack", str(stack))
    assert (code, out) == (EXIT_INPUT_ERROR, "")
    hint = "run `make synth` (or `cdktf synth`) with this version"
    assert err == f"error: {stack}: no guard with a policy_manifest.json: {hint}\n"


def test_a_stack_with_two_guards_is_one_error_naming_both_prefixes(tmp_path: Path) -> None:
    stack = write_stack(
        tmp_path / "two",
        manifest_document("mail-eu", account={"action": "pause"}),
        manifest_document("mail-us", account={"action": "pause"}),
    )
    code, _, err = run_estimate("--stack", str(stack))
    assert code == EXIT_INPUT_ERROR
    assert err == (f"error: {stack}: 2 guards (mail-eu, mail-us) with a policy_manifest.json: one guard per stack\n")


def test_a_stack_whose_manifest_breaks_a_rule_is_one_error_naming_the_value_and_the_rule(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "bad", manifest_document(account={"action": "pause", "bounce_warning": 0.05}))
    code, _, err = run_estimate("--stack", str(stack))
    assert code == EXIT_INPUT_ERROR
    path = stack / "assets" / "a" / "b" / "policy_manifest.json"
    assert err == (
        f"error: policy {path} [account]: bounce warning threshold 0.05 must be below critical threshold 0.04\n"
    )


def test_a_module_config_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.tfvars.json"
    path.write_text('["not", "an", "object"]')
    with pytest.raises(EstimateError, match="must hold a JSON object of module variables, got list"):
        composition_from_module_config(path)
    path.write_text('{"configuration_sets": ["a"]}')
    with pytest.raises(EstimateError, match="configuration_sets must be a JSON object"):
        composition_from_module_config(path)


def test_a_stack_whose_cdk_tf_json_is_not_json_is_one_error(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "s", manifest_document(account={"action": "pause"}))
    (stack / "cdk.tf.json").write_text("{")
    code, out, err = run_estimate("--stack", str(stack))
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith(f"error: {stack / 'cdk.tf.json'}: not valid JSON: ")


# --- what `make synth` prints ----------------------------------------------------------------------
def _make_synth_estimate_args(outdir: Path) -> list[str]:
    """The arguments the Makefile's synth target gives `ses_guard_cli estimate`, its output folder replaced."""
    makefile = (ROOT / "Makefile").read_text()
    synth = makefile.split("\nsynth:", 1)[1].split("\n\n", 1)[0]
    [line] = [line for line in synth.splitlines() if "ses_guard_cli estimate" in line]
    args = shlex.split(line.split("ses_guard_cli", 1)[1])[1:]
    return [str(outdir) if arg == "cdktf.out" else arg for arg in args]


def test_make_synth_prints_no_four_figure_sum_for_the_small_examples_and_explains_each_assumption(
    synth: SynthOutput,
) -> None:
    """The examples name two or three sets each: an estimate in the thousands would be one for sets nobody has."""
    code, out, err = run_estimate(*_make_synth_estimate_args(synth.outdir))
    assert (code, err) == (EXIT_OK, "")
    assert re.findall(r"\$ *\d{1,3}(?:,\d{3})+(?:\.\d+)?", out) == []
    fleet = out.split("\nfleet:\n", 1)[1].split("\n\n", 1)[0]
    assert fleet.splitlines()[0].startswith("  assumed: the fleet queries analyze 2 configuration sets")
    assert re.search(r"x assumed rate \$0\.10 +=  ?\$ +0\.80/month", fleet)


# --- a Terraform plan of a module root (terraform show -json) --------------------------------------
@pytest.mark.slow
def test_a_module_roots_plan_is_priced_from_its_planned_resources_like_the_same_stack(
    module_plans: dict[str, Path], synth: SynthOutput
) -> None:
    [per_set] = compositions_from_plan(module_plans["terraform_module"])
    assert per_set.name == "module.ses_guard (ses-guard-tf)"
    # three sets x 4, the account's 4, the function's 2
    assert (per_set.standard_alarms, per_set.metrics_insights_alarms, per_set.notes) == (18, 0, ())
    assert (per_set.dashboards, per_set.kms_keys, per_set.functions) == (1, 1, 1)
    [fleet] = compositions_from_plan(module_plans["terraform_module_fleet"])
    [stack] = [c for c in compositions_from_outdir(synth.outdir) if c.name == "fleet"]  # the same policy in cdktf
    counted = ("standard_alarms", "metrics_insights_alarms", "fleet_sets", "dashboards", "kms_keys", "functions")
    assert [getattr(fleet, part) for part in counted] == [getattr(stack, part) for part in counted]
    assert fleet.fleet_sets == 2 and fleet.notes[0].startswith(
        "the fleet queries analyze 2 configuration sets, as many as the plan names"
    )
    [counted_sets] = compositions_from_plan(module_plans["terraform_module_fleet"], fleet_sets=300)
    assert (counted_sets.metrics_analyzed, counted_sets.notes) == (4 * 300, ())


@pytest.mark.slow
def test_the_command_prices_a_plan_json(module_plans: dict[str, Path]) -> None:
    code, out, err = run_estimate("--plan-json", str(module_plans["terraform_module_fleet"]), "--no-sources")
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith("module.ses_guard (ses-guard-fleet):\n  assumed: the fleet queries analyze 2 configuration")
    assert "monthly list price (us-east-1, before free tiers): $5.40 + at an assumed rate $0.80" in out
