"""``ses-guard backtest`` against the emulator: synthetic SES reputation history with past timestamps
(PutMetricData into AWS/SES, which moto accepts and AWS reserves for SES itself), read back with
GetMetricData by the real console script in a subprocess, replayed, reported and plotted.

moto 5.2.5 facts this test relies on or works around (docs/backtest.md, "Emulator"):
- PutMetricData accepts timestamps days in the past and the AWS/SES namespace; GetMetricData returns
  hourly Maximum / Average over them, aligned to the hour.
- moto's GetMetricData for a metric WITHOUT dimensions also returns every dimensioned series of that
  name; the emulator extension reads one series per MetricStat, as CloudWatch does (docs/emulator.md).
  The per-set scenario still runs in its own Region, which keeps the two scenarios independent.
- ListMetrics may list one series several times (once per distinct timestamp put); discovery de-duplicates.
- GetMetricData ignores MaxDatapoints and never pages: paging is tested with Stubber
  (tests/cli/test_backtest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ses_guard_policy import contract
from tests.e2e.moto_server import MotoServer, terraform_env

pytestmark = pytest.mark.e2e

US = "us-east-1"
EU = "eu-west-1"
THRESHOLDS = {
    "bounce_warning": 0.02,
    "bounce_critical": 0.04,
    "complaint_warning": 0.0005,
    "complaint_critical": 0.0008,
}
HISTORY_HOURS = 10 * 24
SPIKE_HOURS_AGO = 5 * 24  # the spike's first hour starts this many hours before the current hour
PAUSE_COLOUR = (0xD6, 0x27, 0x28)  # plots.POLICY_COLOURS[0][0], the deployed policy's critical colour


def _now_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _put_history(server: MotoServer, region: str, configuration_set: str | None, spike_start: datetime) -> None:
    """Hourly bounce and complaint rates for 10 days, bounce 6.5 % and 7.5 % for two hours from spike_start."""
    cloudwatch = server.boto3_client("cloudwatch", region)
    dimensions = (
        []
        if configuration_set is None
        else [{"Name": contract.DIMENSION_CONFIGURATION_SET, "Value": configuration_set}]
    )
    first = _now_hour() - timedelta(hours=HISTORY_HOURS)
    data: list[dict[str, Any]] = []
    for hour in range(HISTORY_HOURS):
        moment = first + timedelta(hours=hour)
        bounce = {0: 0.065, 1: 0.075}.get(
            int((moment - spike_start).total_seconds() // 3600), 0.011 + (hour % 5) / 1000
        )
        for metric, value in ((contract.METRIC_BOUNCE_RATE, bounce), (contract.METRIC_COMPLAINT_RATE, 0.0002)):
            # Two samples per hour: the alarm's Maximum statistic must pick the larger one.
            data.append(
                {
                    "MetricName": metric,
                    "Dimensions": dimensions,
                    "Timestamp": moment + timedelta(minutes=12),
                    "Value": value,
                }
            )
            data.append(
                {
                    "MetricName": metric,
                    "Dimensions": dimensions,
                    "Timestamp": moment + timedelta(minutes=41),
                    "Value": value / 2,
                }
            )
    for offset in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace=contract.SES_NAMESPACE, MetricData=data[offset : offset + 500])


def _backtest(server: MotoServer, tmp_path: Path, region: str, *arguments: str) -> str:
    env = terraform_env(server.endpoint_url, tmp_path, region=region)
    command = [sys.executable, "-m", "ses_guard_cli", "backtest", "--region", region, "--days", "14", *arguments]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _assert_non_trivial_png(path: Path) -> None:
    from matplotlib import image

    assert path.stat().st_size > 20_000, f"{path} is only {path.stat().st_size} bytes"
    pixels = image.imread(path)
    height, width = pixels.shape[:2]
    assert (width, height) == (1100, 650)
    rgb = (pixels[:, :, :3] * 255).round().astype(int).reshape(-1, 3)
    colours = {tuple(c) for c in rgb.tolist()}
    assert len(colours) > 50, f"{path} has only {len(colours)} colours"
    assert PAUSE_COLOUR in colours, f"{path} shows no pause marker"


def test_backtest_finds_the_account_spike_and_names_the_pause_time(fresh_emulator: MotoServer, tmp_path: Path) -> None:
    spike = _now_hour() - timedelta(hours=SPIKE_HOURS_AGO)
    _put_history(fresh_emulator, US, None, spike)
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps({"label": "deployed", "default_thresholds": THRESHOLDS, "account": {"action": "pause"}})
    )
    out = tmp_path / "report"
    text = _backtest(
        fresh_emulator, tmp_path, US, "--policy", str(policy), "--bounce-critical", "0.08", "--out", str(out)
    )

    when = spike.strftime("%Y-%m-%d %H:%M")
    after = (spike + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    assert f"{when}  account by deployed-account-bounce-critical (value 0.065, threshold 0.04)" in text
    assert f"{after}    account  bounce critical  ALARM -> OK" in text
    assert "Would-be pauses (what-if): none" in text
    assert f"- account: paused {when} only with deployed" in text
    assert (out / "report.txt").read_text() in text
    assert "![account](backtest-account.png)" in (out / "summary.md").read_text()
    _assert_non_trivial_png(out / "backtest-account.png")


def test_backtest_of_a_per_set_policy_pauses_only_the_spiking_set(fresh_emulator: MotoServer, tmp_path: Path) -> None:
    spike = _now_hour() - timedelta(hours=SPIKE_HOURS_AGO)
    _put_history(fresh_emulator, EU, "marketing", spike)
    _put_history(fresh_emulator, EU, "transactional", spike - timedelta(days=3))
    _put_history(fresh_emulator, EU, "newcomer", spike - timedelta(days=2))  # in no policy: the fleet's
    policy = tmp_path / "policy.toml"
    policy.write_text(
        'label = "sets"\n[default_thresholds]\n'
        + "".join(f"{key} = {value}\n" for key, value in THRESHOLDS.items())
        + '[configuration_sets.marketing]\naction = "pause"\n'
        + '[configuration_sets.transactional]\naction = "notify"\n'
        + '[fleet]\naction = "pause"\nwarning_alarms = false\n'
    )
    out = tmp_path / "report"
    text = _backtest(fresh_emulator, tmp_path, EU, "--policy", str(policy), "--out", str(out))

    assert f"{spike:%Y-%m-%d %H:%M}  configuration-set:marketing by sets-set-marketing-bounce-critical" in text
    newcomer = spike - timedelta(days=2)
    assert f"{newcomer:%Y-%m-%d %H:%M}  configuration-set:newcomer by sets-fleet-bounce-critical" in text
    # transactional is notify-only and has its own policy, so the fleet alarm does not judge it either.
    assert "Would-be pauses (sets): 2" in text
    assert "configuration-set:transactional  bounce critical  OK -> ALARM" in text
    for target in ("configuration-set-marketing", "configuration-set-transactional", "configuration-set-newcomer"):
        assert (out / f"backtest-{target}.png").stat().st_size > 20_000
    _assert_non_trivial_png(out / "backtest-configuration-set-marketing.png")
