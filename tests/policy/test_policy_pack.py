"""The checkov policy pack in policies/ against its fixtures, in HCL (*.tf) and Terraform JSON (*.tf.json).

checkov runs once per framework over tests/policy/fixtures (session cache); results are mapped back to
<policy>/<pass|fail> by file path. Resource addresses are compared without for_each instance keys, so
`aws_sesv2_configuration_set.brand["acme"]` counts as `aws_sesv2_configuration_set.brand`.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools.scan import checkov_bin

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
POLICIES = REPO / "policies"
FRAMEWORKS = ("terraform", "terraform_json")
CHECK_IDS = ("CKV_SESRG_1", "CKV_SESRG_2", "CKV_SESRG_3", "CKV_SESRG_4")

# (policy fixture dir, pass|fail) -> resources the check must report with that result, and nothing else
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("sesrg_1", "fail"): {
        "aws_ses_configuration_set.v1_default",
        "aws_ses_configuration_set.v1_disabled",
        "aws_sesv2_configuration_set.v2_no_options",
        "aws_sesv2_configuration_set.v2_disabled",
    },
    ("sesrg_1", "pass"): {
        "aws_ses_configuration_set.v1_enabled",
        "aws_sesv2_configuration_set.v2_enabled",
        "aws_sesv2_configuration_set.v2_tenant",
    },
    ("sesrg_2", "fail"): {
        "aws_sns_topic.managed_alias",
        "aws_sns_topic.managed_alias_arn",
        "aws_sns_topic.managed_alias_lookup",
    },
    ("sesrg_2", "pass"): {
        "aws_sns_topic.cmk_topic",
        "aws_sns_topic.cmk_alias_topic",
        "aws_sns_topic.plain_topic",
        "aws_sns_topic.unrelated_topic",
    },
    ("sesrg_3", "fail"): {
        "aws_ses_configuration_set.only_bounce",
        "aws_sesv2_configuration_set.unwatched",
        "aws_sesv2_configuration_set.wrong_namespace",
        "aws_sesv2_configuration_set.tenant_unmatched",
    },
    ("sesrg_3", "pass"): {
        "aws_ses_configuration_set.referenced",
        "aws_sesv2_configuration_set.literal",
        "aws_sesv2_configuration_set.brand",
        "aws_sesv2_configuration_set.tenant",
        "aws_sesv2_configuration_set.iterated",
    },
    ("sesrg_4", "fail"): {
        "aws_iam_role.fn_managed",
        "aws_iam_role.fn_inline",
        "aws_iam_role.fn_role_policy",
        "aws_iam_role.fn_attached",
        "aws_iam_role.fn_legacy",
        "aws_iam_role.fn_used",
    },
    # aws_iam_role.ec2_mailer (EC2 trust, AmazonSESFullAccess) is out of scope: no result at all
    ("sesrg_4", "pass"): {"aws_iam_role.guard_fn"},
}

# {(framework, policy dir, pass|fail): {"passed"|"failed": {resource, ...}}} for the policy's own check
Results = dict[tuple[str, str, str], dict[str, set[str]]]


def run_checkov(framework: str) -> list[dict[str, object]]:
    try:
        binary = checkov_bin()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    command = [
        binary,
        "-d",
        str(FIXTURES),
        "--framework",
        framework,
        "--external-checks-dir",
        str(POLICIES),
        "--check",
        ",".join(CHECK_IDS),
        "--compact",
        "-o",
        "json",
        "--skip-download",  # no call to the Prisma Cloud guidelines API (fails offline, slows every run)
    ]
    # cwd outside the repo: the project's .checkov.yaml (which skips these fixtures) must not apply.
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=FIXTURES.parent)
    assert proc.returncode in (0, 1), f"checkov failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    report = json.loads(proc.stdout)
    reports = report if isinstance(report, list) else [report]
    records: list[dict[str, object]] = []
    for item in reports:
        results = item.get("results", {})
        for key in ("passed_checks", "failed_checks"):
            records.extend({**record, "outcome": key.split("_")[0]} for record in results.get(key, []))
    return records


@pytest.fixture(scope="session")
def results() -> Results:
    collected: Results = defaultdict(lambda: {"passed": set(), "failed": set()})
    with ThreadPoolExecutor(max_workers=len(FRAMEWORKS)) as pool:  # one checkov process per framework
        runs = dict(zip(FRAMEWORKS, pool.map(run_checkov, FRAMEWORKS), strict=True))
    for framework, records in runs.items():
        for record in records:
            parts = Path(str(record["file_path"])).parts  # ("/", "sesrg_1", "fail", "main.tf")
            policy, kind = parts[-3], parts[-2]
            if str(record["check_id"]).lower().replace("ckv_", "") != policy:
                continue  # other policies' results on this fixture
            resource = re.sub(r"\[.*\]$", "", str(record["resource"]))
            collected[(framework, policy, kind)][str(record["outcome"])].add(resource)
    return collected


def assert_outcome(results: Results, framework: str, policy: str, kind: str) -> None:
    outcome = results[(framework, policy, kind)]
    expected = EXPECTED[(policy, kind)]
    if kind == "fail":
        assert outcome["failed"] == expected
        assert outcome["passed"] == set()
    else:
        assert outcome["passed"] == expected
        assert outcome["failed"] == set()


parametrize_framework = pytest.mark.parametrize("framework", FRAMEWORKS)


def test_every_fixture_exists_in_hcl_and_in_terraform_json() -> None:
    for policy, kind in EXPECTED:
        folder = FIXTURES / policy / kind
        assert (folder / "main.tf").is_file()
        assert isinstance(json.loads((folder / "main.tf.json").read_text()).get("resource"), dict)


def test_policy_folder_holds_no_json_file_that_checkov_would_load_as_a_policy() -> None:
    assert not list(POLICIES.rglob("*.json"))


@pytest.mark.slow
@parametrize_framework
def test_reputation_metrics_policy_flags_sets_without_metrics(results: Results, framework: str) -> None:
    assert_outcome(results, framework, "sesrg_1", "fail")


@pytest.mark.slow
@parametrize_framework
def test_reputation_metrics_policy_passes_v1_v2_and_for_each_sets_with_metrics(
    results: Results, framework: str
) -> None:
    assert_outcome(results, framework, "sesrg_1", "pass")


@pytest.mark.slow
@parametrize_framework
def test_alarm_topic_policy_flags_alarm_topics_on_the_aws_managed_sns_key(results: Results, framework: str) -> None:
    assert_outcome(results, framework, "sesrg_2", "fail")


@pytest.mark.slow
@parametrize_framework
def test_alarm_topic_policy_passes_customer_keys_plain_topics_and_topics_no_alarm_uses(
    results: Results, framework: str
) -> None:
    assert_outcome(results, framework, "sesrg_2", "pass")


@pytest.mark.slow
@parametrize_framework
def test_reputation_alarm_policy_flags_sets_missing_a_bounce_or_complaint_alarm(
    results: Results, framework: str
) -> None:
    assert_outcome(results, framework, "sesrg_3", "fail")


@pytest.mark.slow
@parametrize_framework
def test_reputation_alarm_policy_passes_sets_matched_by_reference_name_or_for_each(
    results: Results, framework: str
) -> None:
    assert_outcome(results, framework, "sesrg_3", "pass")


@pytest.mark.slow
@parametrize_framework
def test_lambda_ses_policy_flags_lambda_roles_granted_ses_star_or_ses_full_access(
    results: Results, framework: str
) -> None:
    assert_outcome(results, framework, "sesrg_4", "fail")


@pytest.mark.slow
@parametrize_framework
def test_lambda_ses_policy_passes_scoped_lambda_roles_and_ignores_other_roles(results: Results, framework: str) -> None:
    assert_outcome(results, framework, "sesrg_4", "pass")
