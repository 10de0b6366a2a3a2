"""What a sweep run reads (``sweep_query``): the Metrics Insights series, each named by its dynamic label.
(Beyond the top 500: test_sweep_beyond.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ses_guard_lambda import sweep_query
from tests.stubbed_aws import make_budget


def test_each_group_by_series_is_read_by_the_set_name_its_dynamic_label_carries(sweep: Any) -> None:
    assert sweep_query.SET_LABEL == "${PROP('Dim.ses:configuration-set')}"
    sweep.expect_insights(sweep.bounce, {"alpha": sweep.points(0.1)}, next_token="t1")
    sweep.expect_insights(sweep.bounce, {"alpha": sweep.points(None, 0.2), "beta": sweep.points(0.3)}, token="t1")
    window = (sweep.now - timedelta(hours=9), sweep.now)
    found = sweep_query.insights_series(sweep.aws.cloudwatch, make_budget(), sweep.bounce, 3600, window)
    sweep.aws.assert_all_calls_made()
    assert list(found.series) == ["alpha", "beta"] and len(found.series["alpha"]) == 2 and found.calls == 2


def test_a_label_that_is_no_set_name_is_never_guessed_at(sweep: Any) -> None:
    labels = {"a": "${PROP('Dim.ses:configuration-set')}", "b": "Other set"}
    sweep.expect_insights(sweep.bounce, {"a": sweep.points(0.3), "b": sweep.points(0.3)}, labels=labels)
    window = (sweep.now - timedelta(hours=9), sweep.now)
    found = sweep_query.insights_series(sweep.aws.cloudwatch, make_budget(), sweep.bounce, 3600, window)
    assert found.series == {} and found.unreadable == list(labels.values())
