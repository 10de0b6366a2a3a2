"""``ses-guard backtest``: policy files, synthesized stacks, history reading, the guard's pause replay,
the report and the plots. AWS calls go through botocore's Stubber (exact request shapes) or moto."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ses_guard_cli import backtest, cli, plots
from ses_guard_cli.backtest_history import (
    MAX_QUERIES_PER_CALL,
    SeriesKey,
    discover_sets,
    fetch_history,
    history_window,
    metric_data_queries,
)
from ses_guard_cli.backtest_policy import (
    SCOPE_FLEET,
    PolicyError,
    WhatIf,
    apply_what_if,
    load_policy_file,
    policy_from_document,
)
from ses_guard_cli.backtest_replay import decide_pauses, needed_series, run_policy
from ses_guard_cli.backtest_report import comparison_text
from ses_guard_cli.backtest_stack import load_stack
from ses_guard_policy import contract
from ses_guard_policy.evaluation import ALARM, OK, PeriodSeries
from tests.conftest import SynthOutput

REGION = "us-east-1"
BOUNCE, COMPLAINT = contract.METRIC_BOUNCE_RATE, contract.METRIC_COMPLAINT_RATE
DEFAULTS = {"bounce_warning": 0.02, "bounce_critical": 0.04, "complaint_warning": 0.0005, "complaint_critical": 0.0008}
START = datetime(2026, 6, 1, tzinfo=UTC)


def document(**tables: Any) -> dict[str, Any]:
    return {"label": "test", "default_thresholds": dict(DEFAULTS), **tables}


def series(*values: float | None, start: datetime = START) -> PeriodSeries:
    return PeriodSeries(start, 3600, tuple(values))


# --- policy files ----------------------------------------------------------------------------------
def test_policy_file_expands_to_four_alarms_per_target_with_inherited_and_own_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'label = "prod"\n[default_thresholds]\n'
        + "".join(f"{k} = {v}\n" for k, v in DEFAULTS.items())
        + '[account]\naction = "notify"\n[configuration_sets.marketing]\naction = "pause"\nbounce_critical = 0.03\n'
    )
    policy = load_policy_file(path)
    by_name = {a.name: a for a in policy.alarms}
    assert len(policy.alarms) == 8
    assert by_name["prod-set-marketing-bounce-critical"].rule.threshold == 0.03
    assert by_name["prod-set-marketing-bounce-critical"].pauses
    assert by_name["prod-set-marketing-complaint-warning"].rule.threshold == 0.0005
    assert not by_name["prod-account-bounce-critical"].pauses  # account action notify
    assert {a.rule.treat_missing_data for a in policy.alarms} == {"ignore"}
    assert {a.statistic for a in policy.alarms} == {"Maximum"}


def test_json_policy_reads_like_toml_and_fleet_excludes_sets_with_their_own_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    sets = {"vip": {"action": "pause", "bounce_critical": 0.02, "bounce_warning": 0.01}}
    path.write_text(json.dumps(document(configuration_sets=sets, fleet={"action": "pause", "warning_alarms": False})))
    policy = load_policy_file(path)
    fleet = [a for a in policy.alarms if a.scope == SCOPE_FLEET]
    assert [a.name for a in fleet] == ["test-fleet-bounce-critical", "test-fleet-complaint-critical"]
    assert all(a.excluded_sets == {"vip"} for a in fleet)


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"acount": {"action": "pause"}}, "unknown key 'acount'; allowed: label, alarm"),
        ({"account": {"action": "stop"}}, "action='stop': must be one of pause, notify"),
        (
            {"account": {"action": "pause", "bounce_critical": 5}},
            "bounce_critical=5: must be a ratio strictly between 0 and 1",
        ),
        (
            {"account": {"action": "pause", "bounce_warning": 0.05}},
            "bounce_warning=0.05 must be below bounce_critical=0.04",
        ),
        (
            {"configuration_sets": {"bad name": {"action": "pause"}}},
            "configuration set 'bad name': configuration set names",
        ),
        (
            {"account": {"action": "pause"}, "alarm": {"datapoints_to_alarm": 3}},
            "datapoints_to_alarm=3: must not exceed evaluation_periods=1",
        ),
        ({"account": {"action": "pause"}, "alarm": {"statistic": "p99"}}, "statistic='p99': must be one of Maximum"),
        ({"account": {"action": "pause"}, "alarm": {"treat_missing_data": "skip"}}, "treat_missing_data='skip'"),
        ({}, "nothing to replay"),
    ],
)
def test_bad_policy_files_fail_with_one_error_naming_the_value_and_the_rule(
    tables: dict[str, Any], message: str
) -> None:
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        policy_from_document(document(**tables), source="p.toml")


def test_default_thresholds_must_be_complete() -> None:
    incomplete = {k: v for k, v in DEFAULTS.items() if k != "complaint_critical"}
    with pytest.raises(PolicyError, match="complaint_critical is missing"):
        policy_from_document({"default_thresholds": incomplete, "account": {"action": "pause"}}, source="p")


def test_policy_file_with_another_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("label: x\n")
    with pytest.raises(PolicyError, match=r"must end in \.toml or \.json"):
        load_policy_file(path)


def test_what_if_changes_every_matching_alarm_and_validates_the_result() -> None:
    policy = policy_from_document(document(account={"action": "pause"}), source="p")
    candidate = apply_what_if(
        policy, WhatIf(thresholds={"bounce_critical": 0.03}, evaluation_periods=3, datapoints_to_alarm=2)
    )
    changed = {a.name: a.rule for a in candidate.alarms}
    assert changed["test-account-bounce-critical"].threshold == 0.03
    assert changed["test-account-bounce-warning"].threshold == 0.02
    assert {(r.evaluation_periods, r.datapoints_to_alarm) for r in changed.values()} == {(3, 2)}
    with pytest.raises(PolicyError, match="datapoints_to_alarm=4: must not exceed evaluation_periods=1"):
        apply_what_if(policy, WhatIf(datapoints_to_alarm=4))


# --- synthesized stacks ----------------------------------------------------------------------------
def test_per_set_stack_of_make_synth_reads_as_its_configuration_set_records(synth: SynthOutput) -> None:
    policy = load_stack(synth.stack_dir("per-set"))
    records = synth.configuration_sets("per-set")
    set_alarms = [a for a in policy.alarms if a.scope == contract.SCOPE_CONFIGURATION_SET]
    assert {a.configuration_set for a in set_alarms} == set(records)
    for alarm in set_alarms:
        record = records[alarm.configuration_set or ""]
        assert alarm.rule.threshold == record[f"{alarm.metric_short}_{alarm.tier}"]
        assert alarm.pauses == (alarm.tier == "critical" and record["action"] == "pause")
        assert (alarm.statistic, alarm.rule.treat_missing_data, alarm.rule.comparison) == (
            "Maximum",
            "ignore",
            "GreaterThanOrEqualToThreshold",
        )
    account = [a for a in policy.alarms if a.scope == contract.SCOPE_ACCOUNT]
    assert len(account) == 4


def _write_stack(directory: Path, alarms: dict[str, Any], locals_: dict[str, Any] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    config = {"resource": {"aws_cloudwatch_metric_alarm": alarms}, "locals": locals_ or {}}
    (directory / "cdk.tf.json").write_text(json.dumps(config))
    return directory


def _alarm(**fields: Any) -> dict[str, Any]:
    base = {
        "alarm_name": "g-account-bounce-critical",
        "namespace": "AWS/SES",
        "metric_name": BOUNCE,
        "statistic": "Maximum",
        "period": 3600,
        "evaluation_periods": 1,
        "threshold": 0.04,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "treat_missing_data": "ignore",
        "tags": {contract.TAG_TIER: "critical", contract.TAG_ACTION: "pause", contract.TAG_SCOPE: "account"},
    }
    return base | fields


def test_stack_fleet_alarm_from_a_metrics_insights_query_excludes_the_stacks_own_sets(tmp_path: Path) -> None:
    query = (
        'SELECT MAX("Reputation.ComplaintRate") FROM SCHEMA("AWS/SES", "ses:configuration-set") '
        'GROUP BY "ses:configuration-set" ORDER BY MAX() DESC'
    )
    fleet = _alarm(
        alarm_name="g-fleet-complaint-critical", metric_query=[{"id": "q", "expression": query, "period": 3600}]
    )
    for key in ("namespace", "metric_name", "statistic", "period"):
        fleet.pop(key)
    fleet["tags"] = {contract.TAG_TIER: "critical", contract.TAG_ACTION: "pause", contract.TAG_SCOPE: "fleet"}
    asset = tmp_path / "stack" / "assets" / "a" / "b" / "configuration_sets.json"
    asset.parent.mkdir(parents=True)
    asset.write_text(json.dumps({"vip": {"action": "notify", "bounce_critical": 0.02, "warn": True}}))
    per_set = _alarm(
        alarm_name="g-set-${each.key}-bounce-critical",
        threshold="${each.value.bounce_critical}",
        for_each="${local.warned}",
        tags={
            contract.TAG_TIER: "critical",
            contract.TAG_ACTION: "${each.value.action}",
            contract.TAG_SCOPE: "configuration-set",
            contract.TAG_CONFIGURATION_SET: "${each.key}",
        },
    )
    locals_ = {
        "sets": '${jsondecode(file("${path.module}/assets/a/b/configuration_sets.json"))}',
        "warned": "${{for name, s in local.sets : name => s if s.warn}}",
    }
    policy = load_stack(_write_stack(tmp_path / "stack", {"fleet": fleet, "vip": per_set}, locals_))
    by_scope = {a.scope: a for a in policy.alarms}
    assert by_scope[SCOPE_FLEET].metric == COMPLAINT and by_scope[SCOPE_FLEET].excluded_sets == {"vip"}
    vip = by_scope[contract.SCOPE_CONFIGURATION_SET]
    assert (vip.name, vip.rule.threshold, vip.action, vip.pauses) == (
        "g-set-vip-bounce-critical",
        0.02,
        "notify",
        False,
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"threshold": "${var.bounce}"}, r"threshold = '\$\{var.bounce\}': needs a literal value"),
        ({"for_each": "${var.sets}"}, "only a reference to a local value is understood"),
        (
            {"tags": {contract.TAG_TIER: "critical", contract.TAG_ACTION: "pause"}},
            "tag ses-reputation-guard:scope = None",
        ),
        ({"datapoints_to_alarm": 2}, "datapoints_to_alarm=2: must not exceed evaluation_periods=1"),
        ({"count": "${var.on ? 1 : 0}"}, "count = .*only a literal 0 or 1 is understood"),
    ],
)
def test_stack_alarm_the_backtest_cannot_read_is_an_error_naming_the_resource(
    tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    stack = _write_stack(tmp_path / "s", {"odd": _alarm(**fields)})
    with pytest.raises(PolicyError, match=r"aws_cloudwatch_metric_alarm\.odd.*" + message):
        load_stack(stack)


def test_stack_alarm_with_count_0_does_not_exist(tmp_path: Path) -> None:
    stack = _write_stack(tmp_path / "s", {"on": _alarm(), "off": _alarm(alarm_name="g-off", count=0)})
    assert [a.name for a in load_stack(stack).alarms] == ["g-account-bounce-critical"]


def test_missing_stack_folder_says_to_synthesize(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="run `make synth`"):
        load_stack(tmp_path / "nope")


# --- history -------------------------------------------------------------------------------------------
@pytest.fixture
def stubbed_cloudwatch() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("cloudwatch", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_history_follows_next_token_and_lays_datapoints_on_the_hour_grid(
    stubbed_cloudwatch: tuple[Any, Stubber],
) -> None:
    client, stub = stubbed_cloudwatch
    key = SeriesKey(BOUNCE, None, "Maximum", 3600)
    end = START + timedelta(hours=4)
    request = {
        "MetricDataQueries": metric_data_queries([key]),
        "StartTime": START,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    first = {
        "Id": "q0",
        "Timestamps": [START, START + timedelta(hours=1)],
        "Values": [0.01, 0.05],
        "StatusCode": "PartialData",
    }
    stub.add_response("get_metric_data", {"MetricDataResults": [first], "NextToken": "t1"}, request)
    second = {"Id": "q0", "Timestamps": [START + timedelta(hours=3)], "Values": [0.02], "StatusCode": "Complete"}
    stub.add_response("get_metric_data", {"MetricDataResults": [second]}, {**request, "NextToken": "t1"})
    history = fetch_history(client, [key], START, end)
    assert history[key].values == (0.01, 0.05, None, 0.02)
    query = request["MetricDataQueries"][0]["MetricStat"]  # type: ignore[index]
    assert query["Metric"]["Dimensions"] == [] and query["Stat"] == "Maximum" and query["Period"] == 3600


def test_history_asks_for_at_most_500_series_per_call_with_the_set_dimension(
    stubbed_cloudwatch: tuple[Any, Stubber],
) -> None:
    client, stub = stubbed_cloudwatch
    keys = [SeriesKey(BOUNCE, f"set-{i:03d}", "Maximum", 3600) for i in range(MAX_QUERIES_PER_CALL + 1)]
    ordered = sorted(keys, key=SeriesKey.sort_key)
    end = START + timedelta(hours=1)
    for batch in (ordered[:MAX_QUERIES_PER_CALL], ordered[MAX_QUERIES_PER_CALL:]):
        request = {
            "MetricDataQueries": metric_data_queries(batch),
            "StartTime": START,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        stub.add_response("get_metric_data", {"MetricDataResults": []}, request)
    history = fetch_history(client, keys, START, end)
    assert len(history) == MAX_QUERIES_PER_CALL + 1
    dimension = metric_data_queries([keys[0]])[0]["MetricStat"]["Metric"]["Dimensions"]
    assert dimension == [{"Name": "ses:configuration-set", "Value": "set-000"}]


def test_set_discovery_keeps_only_series_with_exactly_the_set_dimension(
    stubbed_cloudwatch: tuple[Any, Stubber],
) -> None:
    client, stub = stubbed_cloudwatch
    dimension = [{"Name": "ses:configuration-set"}]
    listed = [
        {"Namespace": "AWS/SES", "MetricName": BOUNCE, "Dimensions": [{"Name": "ses:configuration-set", "Value": "b"}]},
        {"Namespace": "AWS/SES", "MetricName": BOUNCE, "Dimensions": [{"Name": "ses:configuration-set", "Value": "a"}]},
        {
            "Namespace": "AWS/SES",
            "MetricName": BOUNCE,
            "Dimensions": [{"Name": "ses:configuration-set", "Value": "a"}, {"Name": "x", "Value": "y"}],
        },
    ]
    stub.add_response(
        "list_metrics", {"Metrics": listed}, {"Namespace": "AWS/SES", "MetricName": BOUNCE, "Dimensions": dimension}
    )
    stub.add_response(
        "list_metrics",
        {"Metrics": listed[1:2]},
        {"Namespace": "AWS/SES", "MetricName": COMPLAINT, "Dimensions": dimension},
    )
    assert discover_sets(client) == ["a", "b"]


def test_history_window_goes_back_as_far_as_cloudwatch_keeps_each_period() -> None:
    end = datetime(2026, 6, 30, 12, 40, tzinfo=UTC)
    start, last, clipped = history_window(end, None, 3600)
    assert (last, last - start, clipped) == (datetime(2026, 6, 30, 12, tzinfo=UTC), timedelta(days=455), False)
    start, last, clipped = history_window(end, 100, 300)
    assert (last, last - start, clipped) == (datetime(2026, 6, 30, 12, 40, tzinfo=UTC), timedelta(days=63), True)


# --- the guard's decisions -------------------------------------------------------------------------
def test_a_pause_lasts_until_resumed_and_notify_targets_are_never_paused() -> None:
    policy = policy_from_document(
        document(account={"action": "pause"}, configuration_sets={"quiet": {"action": "notify"}}), source="p"
    )
    spike = series(0.01, 0.06, 0.01, 0.07, 0.01)
    calm = series(0.0001, 0.0001, 0.0001, 0.0001, 0.0001)
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): spike,
        SeriesKey(COMPLAINT, None, "Maximum", 3600): calm,
        SeriesKey(BOUNCE, "quiet", "Maximum", 3600): spike,
        SeriesKey(COMPLAINT, "quiet", "Maximum", 3600): calm,
    }
    outcome = run_policy(policy, history, [])
    assert [(p.target, p.at.hour, p.already_paused) for p in outcome.pauses] == [
        ("account", 1, False),
        ("account", 3, True),
    ]
    quiet = [
        a
        for a in outcome.alarms
        if a.target == "configuration-set:quiet" and a.alarm.tier == "critical" and a.alarm.metric == BOUNCE
    ]
    assert [t.new for t in quiet[0].replay.transitions] == [OK, ALARM, OK, ALARM, OK]


def test_fleet_contributors_cover_discovered_sets_without_their_own_policy() -> None:
    policy = policy_from_document(
        document(configuration_sets={"vip": {"action": "notify"}}, fleet={"action": "pause", "warning_alarms": False}),
        source="p",
    )
    keys = needed_series([policy], ["vip", "new-customer"])
    assert SeriesKey(BOUNCE, "new-customer", "Maximum", 3600) in keys
    history = {key: series(0.0, 0.09, None, None, None, None) for key in keys}
    outcome = run_policy(policy, history, ["vip", "new-customer"])
    paused = sorted({p.target for p in outcome.first_pauses})
    assert paused == ["configuration-set:new-customer"]
    contributor = next(a for a in outcome.alarms if a.alarm.scope == SCOPE_FLEET and a.alarm.metric == BOUNCE)
    # Metrics Insights: 3-hour window, contributors are OK or ALARM only.
    assert contributor.replay.rule.range_periods == 3
    assert set(contributor.replay.states) <= {OK, ALARM}


def test_comparison_names_pauses_gained_lost_and_moved() -> None:
    policy = policy_from_document(
        document(account={"action": "pause"}, configuration_sets={"m": {"action": "pause"}}), source="p"
    )
    candidate = apply_what_if(policy, WhatIf(thresholds={"bounce_critical": 0.03}))
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): series(0.035, 0.05),
        SeriesKey(COMPLAINT, None, "Maximum", 3600): series(0.0, 0.0),
        SeriesKey(BOUNCE, "m", "Maximum", 3600): series(0.035, 0.0),
        SeriesKey(COMPLAINT, "m", "Maximum", 3600): series(0.0, 0.0),
    }
    text = comparison_text(run_policy(policy, history, []), run_policy(candidate, history, []))
    assert "~ account: 2026-06-01 01:00 -> 2026-06-01 00:00 (1 h earlier)" in text
    assert "+ configuration-set:m: paused 2026-06-01 00:00 only with the candidate" in text


def test_decide_pauses_orders_events_across_alarms_by_time() -> None:
    policy = policy_from_document(document(account={"action": "pause"}), source="p")
    history = {
        SeriesKey(BOUNCE, None, "Maximum", 3600): series(0.0, 0.0, 0.09),
        SeriesKey(COMPLAINT, None, "Maximum", 3600): series(0.0, 0.002, 0.0),
    }
    pauses = decide_pauses(run_policy(policy, history, []).alarms)
    assert [(p.alarm, p.already_paused) for p in pauses] == [
        ("test-account-complaint-critical", False),
        ("test-account-bounce-critical", True),
    ]


# --- the command -------------------------------------------------------------------------------------
def _put_history(cloudwatch: Any, end: datetime, spike_hours: set[int], hours: int = 72) -> None:
    data = []
    base = end - timedelta(hours=hours)
    for hour in range(hours):
        moment = base + timedelta(hours=hour, minutes=17)
        rate = 0.07 if hour in spike_hours else 0.012
        data += [
            {"MetricName": BOUNCE, "Timestamp": moment, "Value": rate},
            {"MetricName": COMPLAINT, "Timestamp": moment, "Value": 0.0002},
        ]
    for offset in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="AWS/SES", MetricData=data[offset : offset + 500])


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_command_reports_the_pause_of_a_spike_and_writes_report_summary_and_png(aws_env: None, tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(document(account={"action": "pause"})))
    end = datetime(2026, 6, 10, tzinfo=UTC)
    out, err = io.StringIO(), io.StringIO()
    with mock_aws():
        _put_history(boto3.client("cloudwatch", region_name=REGION), end, spike_hours={30, 31})
        code = cli.main(
            [
                "backtest",
                "--region",
                REGION,
                "--policy",
                str(policy),
                "--end",
                end.isoformat(),
                "--days",
                "3",
                "--out",
                str(tmp_path / "out"),
            ],
            stdout=out,
            stderr=err,
        )
    assert code == 0, err.getvalue()
    text = out.getvalue()
    assert "2026-06-08 06:00  account by test-account-bounce-critical (value 0.07, threshold 0.04)" in text
    assert "2026-06-08 08:00    account  bounce critical  ALARM -> OK" in text
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "![account](backtest-account.png)" in summary
    width, height = _png_size(tmp_path / "out" / "backtest-account.png")
    assert (width, height) == (int(plots.SIZE_INCHES[0] * plots.DPI), int(plots.SIZE_INCHES[1] * plots.DPI))


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_command_with_a_bad_policy_exits_2_with_one_error_line(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(document(account={"action": "maybe"})))
    err = io.StringIO()
    code = cli.main(["backtest", "--region", REGION, "--policy", str(policy)], stdout=io.StringIO(), stderr=err)
    assert code == cli.EXIT_USAGE
    assert err.getvalue().strip().splitlines() == [
        f"error: policy {policy} [account]: action='maybe': must be one of pause, notify"
    ]


def test_command_reports_a_cloudwatch_error_with_exit_1(
    tmp_path: Path, stubbed_cloudwatch: tuple[Any, Stubber]
) -> None:
    client, stub = stubbed_cloudwatch
    stub.add_client_error("get_metric_data", service_error_code="AccessDenied", service_message="not allowed")
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(document(account={"action": "pause"})))
    args = cli.build_parser().parse_args(["backtest", "--region", REGION, "--policy", str(policy), "--days", "1"])
    err = io.StringIO()
    code = backtest.run(args, out=io.StringIO(), err=err, cloudwatch_factory=lambda region: client)
    assert code == cli.EXIT_AWS_ERROR
    assert (
        "error: reading CloudWatch history in us-east-1 failed" in err.getvalue() and "AccessDenied" in err.getvalue()
    )


def test_what_if_flags_and_a_candidate_file_exclude_each_other(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(document(account={"action": "pause"})))
    err = io.StringIO()
    argv = [
        "backtest",
        "--region",
        REGION,
        "--policy",
        str(policy),
        "--candidate",
        str(policy),
        "--bounce-critical",
        "0.03",
    ]
    assert cli.main(argv, stdout=io.StringIO(), stderr=err) == cli.EXIT_USAGE
    assert "exclude each other" in err.getvalue()


def test_what_if_ratio_flag_rejects_a_percentage() -> None:
    err = io.StringIO()
    sys_stderr, sys.stderr = sys.stderr, err
    try:
        code = cli.main(["backtest", "--region", REGION, "--policy", "p.json", "--bounce-critical", "5"])
    finally:
        sys.stderr = sys_stderr
    assert code == cli.EXIT_USAGE
    assert "'5': must be a ratio strictly between 0 and 1" in err.getvalue()


def test_cli_startup_imports_neither_matplotlib_nor_the_plots_of_a_run() -> None:
    code = "import sys, ses_guard_cli.cli; assert 'matplotlib' not in sys.modules, 'matplotlib imported at CLI start'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_function_package_never_imports_the_plotting_code() -> None:
    package = Path(contract.__file__).parent
    offenders = [
        p.name for p in package.rglob("*.py") if "matplotlib" in p.read_text() or "ses_guard_cli" in p.read_text()
    ]
    assert offenders == []


def test_plots_show_changed_candidate_thresholds_pause_markers_and_cap_the_targets() -> None:
    sets = {name: {"action": "pause"} for name in ("a", "b", "c")}
    policy = policy_from_document(document(account={"action": "notify"}, configuration_sets=sets), source="p")
    candidate = apply_what_if(policy, WhatIf(thresholds={"bounce_critical": 0.03}))
    calm, spike = series(0.0, 0.0), series(0.0, 0.05)
    history = {key: calm for key in needed_series([policy], [])} | {SeriesKey(BOUNCE, "c", "Maximum", 3600): spike}
    outcomes = [run_policy(policy, history, []), run_policy(candidate, history, [])]
    drawn, left_out = plots.target_plots(outcomes, limit=2)
    assert ([p.target for p in drawn], left_out) == (["account", "configuration-set:c"], 2)
    bounce = drawn[1].panels[0]
    assert [(line.label, line.value) for line in bounce.lines] == [
        ("AWS review level", 0.05),
        ("test warning", 0.02),
        ("test critical", 0.04),
        ("what-if critical", 0.03),
    ]
    assert [(m.label, m.at.hour) for m in bounce.pauses] == [("test: paused", 1), ("what-if: paused", 1)]
    assert bounce.alarm_spans == ((START + timedelta(hours=1), START + timedelta(hours=2)),)
    assert drawn[1].file_name == "backtest-configuration-set-c.png"
