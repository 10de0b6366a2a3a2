"""The alarm evaluation engine (ses_guard_policy.evaluation) against the CloudWatch User Guide.

Every case quotes the rule it encodes. Sources (Amazon CloudWatch User Guide, "Using Amazon
CloudWatch alarms"; text as published in the guide's source repository awsdocs/amazon-cloudwatch-
user-guide, doc_source/AlarmThatSendsEmail.md, last update 2023-05-17, and its 2019 revision for the
rows marked "2019 table"):
- EVAL  = section "Evaluating an alarm"
- TREAT = section "Configuring how CloudWatch alarms treat missing data"
- TABLE = section "How alarm state is evaluated when data is missing" (tables 1 and 2)
- EARLY = section "Avoiding premature transitions to alarm state"
- API   = CloudWatch API Reference, PutMetricAlarm, "ComparisonOperator"

Windows are written as in the guide: oldest first, most recent on the right; ``0`` is a
non-breaching datapoint, ``X`` a breaching one, ``-`` a missing one; the evaluation range is 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ses_guard_policy.evaluation import (
    ALARM,
    BREACHING,
    IGNORE,
    INSUFFICIENT_DATA,
    MISSING,
    NOT_BREACHING,
    OK,
    AlarmRule,
    PeriodSeries,
    align,
    evaluate,
    replay,
    to_series,
)

THRESHOLD = 1.0
SYMBOLS = {"0": 0.5, "X": 2.0, "-": None}
RETAIN = "retain"  # the guide's "Retain current state"


def window(text: str) -> list[float | None]:
    return [SYMBOLS[symbol] for symbol in text.split()]


def rule(n: int = 3, m: int = 3, treat: str = MISSING, comparison: str = "GreaterThanOrEqualToThreshold") -> AlarmRule:
    return AlarmRule(
        threshold=THRESHOLD,
        comparison=comparison,
        evaluation_periods=n,
        datapoints_to_alarm=m,
        treat_missing_data=treat,
        evaluation_range=5,
    )


@dataclass(frozen=True)
class Row:
    """One row of a guide table: the expected state under each missing-data treatment."""

    rule_quote: str
    points: str
    m: int
    missing: str
    ignore: str
    breaching: str
    not_breaching: str


ROWS = [
    # --- table 1: Datapoints to Alarm 3, Evaluation Periods 3 ------------------------------------
    Row(
        "TABLE 1 row 1, 0 - X - X: 'If some data points in the evaluation range are missing, but the total number "
        "of existing data points ... is equal to or more than the alarm's Evaluation Periods, CloudWatch evaluates "
        "the alarm state based on the most recent real data points'",
        "0 - X - X",
        3,
        OK,
        OK,
        OK,
        OK,
    ),
    Row(
        "TABLE 1 row 2, 0 - - - -: 'the alarm stays OK even if missing data is treated as breaching, because the "
        "one existing data point is not breaching, and this is evaluated along with two missing data points'",
        "0 - - - -",
        3,
        OK,
        OK,
        OK,
        OK,
    ),
    Row(
        "TABLE 1 row 3, - - - - -: 'If missing data points are considered breaching, the alarm goes into ALARM ... "
        "not breaching ... OK ... ignored, the alarm retains the current state ... missing ... INSUFFICIENT_DATA'",
        "- - - - -",
        3,
        INSUFFICIENT_DATA,
        RETAIN,
        ALARM,
        OK,
    ),
    Row(
        "TABLE 1 row 4, 0 X X - X: 'the alarm goes to ALARM state in all cases because the three most recent data "
        "points are breaching ... the setting for how to evaluate missing data is not needed'",
        "0 X X - X",
        3,
        ALARM,
        ALARM,
        ALARM,
        ALARM,
    ),
    Row(
        "TABLE 1 row 5, - - X - -: premature alarm state; EARLY: 'if the last few data points are - - X - -, the "
        "alarm goes into ALARM state even if missing data points are treated as missing'",
        "- - X - -",
        3,
        ALARM,
        RETAIN,
        ALARM,
        OK,
    ),
    Row(
        "2019 table row - - - - X: 'Insufficient data | Retain current state | ALARM | OK'; EARLY: 'the alarm does "
        "not go immediately into ALARM state when the data is either - - - - X or - - - X - and Datapoints to "
        "Alarm is 3'",
        "- - - - X",
        3,
        INSUFFICIENT_DATA,
        RETAIN,
        ALARM,
        OK,
    ),
    Row(
        "2019 table row X - - - -: 'the alarm goes to ALARM state even if missing data is treated as missing, "
        "because the oldest evaluated data point is breaching and there aren't any non-breaching data points'",
        "X - - - -",
        3,
        ALARM,
        RETAIN,
        ALARM,
        OK,
    ),
    Row(
        "EARLY: 'the alarm does not go immediately into ALARM state when the data is ... - - - X - and Datapoints "
        "to Alarm is 3' (the X is 2 periods old, fewer than M)",
        "- - - X -",
        3,
        INSUFFICIENT_DATA,
        RETAIN,
        ALARM,
        OK,
    ),
    # --- table 2: Datapoints to Alarm 2, Evaluation Periods 3 (M out of N) -----------------------
    Row(
        "TABLE 2 row 1, 0 - X - X: 'the alarm always goes to ALARM state because 2 of the 3 most recent data points "
        "are breaching'",
        "0 - X - X",
        2,
        ALARM,
        ALARM,
        ALARM,
        ALARM,
    ),
    Row(
        "TABLE 2 row 2, 0 0 X 0 X: 'the two oldest data points in the evaluation range are not needed because none "
        "of the 3 most recent data points are missing'",
        "0 0 X 0 X",
        2,
        ALARM,
        ALARM,
        ALARM,
        ALARM,
    ),
    Row(
        "TABLE 2 row 3, 0 - X - -: 'the alarm goes to ALARM state only if missing data is treated as breaching, in "
        "which case the two most recent missing data points are both treated as breaching'",
        "0 - X - -",
        2,
        OK,
        OK,
        ALARM,
        OK,
    ),
    Row(
        "TABLE 2 row 4, - - - - 0: 'these two missing data points that are treated as breaching provide the two "
        "necessary breaching data points to trigger the ALARM state'",
        "- - - - 0",
        2,
        OK,
        OK,
        ALARM,
        OK,
    ),
    Row(
        "TABLE 2 row 5, - - - X -: EARLY: 'If the oldest breaching data point during the evaluation range is at "
        "least as old as the value of Datapoints to Alarm, and all of the more recent data points are either "
        "breaching or missing, the alarm goes into ALARM state no matter the value of M'",
        "- - - X -",
        2,
        ALARM,
        RETAIN,
        ALARM,
        OK,
    ),
]


def _expected(cell: str, current: str) -> str:
    return current if cell == RETAIN else cell


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.points} M={r.m}" for r in ROWS])
@pytest.mark.parametrize("current", [OK, ALARM, INSUFFICIENT_DATA])
def test_missing_data_tables_of_the_user_guide_hold_for_every_treatment(row: Row, current: str) -> None:
    points = window(row.points)
    for treat, cell in ((MISSING, row.missing), (IGNORE, row.ignore), (BREACHING, row.breaching)):
        assert evaluate(points, rule(m=row.m, treat=treat), current) == _expected(cell, current), (
            treat,
            row.rule_quote,
        )
    assert evaluate(points, rule(m=row.m, treat=NOT_BREACHING), current) == row.not_breaching, row.rule_quote


@dataclass(frozen=True)
class Case:
    rule_quote: str
    points: str
    n: int
    m: int
    treat: str
    expected: str
    current: str = OK


CASES = [
    Case(
        "EVAL: 'Datapoints to Alarm is the number of data points within the Evaluation Periods that must be "
        "breaching ... The breaching data points don't have to be consecutive'",
        "X 0 X",
        3,
        2,
        MISSING,
        ALARM,
    ),
    Case(
        "EVAL: M out of N: one breaching datapoint of three is fewer than Datapoints to Alarm 2",
        "0 0 X",
        3,
        2,
        MISSING,
        OK,
        ALARM,
    ),
    Case(
        "EVAL: 'they must all be within the last number of data points equal to Evaluation Period' (the older "
        "breaching datapoints are outside the 3 most recent)",
        "X X 0 0 X",
        3,
        2,
        BREACHING,
        OK,
        ALARM,
    ),
    Case(
        "TABLE: 'If no data points in the evaluation range are missing, CloudWatch evaluates the alarm based on "
        "the most recent data points collected. The number of data points evaluated is equal to the Evaluation "
        "Periods'",
        "X X X X 0",
        1,
        1,
        BREACHING,
        OK,
        ALARM,
    ),
    Case(
        "TABLE: '... CloudWatch evaluates the alarm state based on the most recent real data points that were "
        "successfully retrieved, including the necessary extra data points from farther back in the evaluation "
        "range' (1 of 1: a breaching datapoint 3 periods ago, none since)",
        "- - X - -",
        1,
        1,
        IGNORE,
        ALARM,
    ),
    Case(
        "TREAT: 'ignore - The current alarm state is maintained' (the guard's setting: no datapoint in the "
        "range keeps ALARM)",
        "- - - - -",
        1,
        1,
        IGNORE,
        ALARM,
        ALARM,
    ),
    Case(
        "TREAT: 'missing - If all data points in the alarm evaluation range are missing, the alarm transitions "
        "to INSUFFICIENT_DATA'",
        "- - - - -",
        1,
        1,
        MISSING,
        INSUFFICIENT_DATA,
        ALARM,
    ),
    Case(
        "TABLE: 'all real data points in the evaluation range are included in the evaluation. CloudWatch uses "
        "missing data points only as few times as possible' (2 real breaching + 1 filled non-breaching = 2 of 3)",
        "- X - X -",
        3,
        2,
        NOT_BREACHING,
        ALARM,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.rule_quote[:40] for c in CASES])
def test_evaluation_follows_the_documented_rule(case: Case) -> None:
    assert evaluate(window(case.points), rule(n=case.n, m=case.m, treat=case.treat), case.current) == case.expected


COMPARISON_CASES = [
    ("GreaterThanOrEqualToThreshold", 1.0, ALARM),
    ("GreaterThanOrEqualToThreshold", 0.999999, OK),
    ("GreaterThanThreshold", 1.0, OK),
    ("GreaterThanThreshold", 1.000001, ALARM),
    ("LessThanThreshold", 1.0, OK),
    ("LessThanThreshold", 0.5, ALARM),
    ("LessThanOrEqualToThreshold", 1.0, ALARM),
]


@pytest.mark.parametrize(("comparison", "value", "expected"), COMPARISON_CASES)
def test_comparison_operator_treats_the_threshold_itself_as_documented(
    comparison: str, value: float, expected: str
) -> None:
    # API: ComparisonOperator "The arithmetic operation to use when comparing the specified Statistic and
    # Threshold. The specified Statistic value is used as the first operand." So value >= threshold
    # breaches GreaterThanOrEqualToThreshold exactly at the threshold, and GreaterThanThreshold does not.
    current = OK if expected == ALARM else ALARM
    assert evaluate([value], rule(n=1, m=1, comparison=comparison), current) == expected


def test_a_new_alarm_starts_in_insufficient_data_and_stays_there_under_ignore_without_data() -> None:
    # TREAT: "ignore - The current alarm state is maintained"; a new alarm's state is INSUFFICIENT_DATA
    # ("Metric alarm states": "The alarm has just started ...").
    start = datetime(2026, 1, 1, tzinfo=UTC)
    series = PeriodSeries(start, 3600, (None, None, None))
    result = replay(series, AlarmRule(threshold=0.04, treat_missing_data=IGNORE))
    assert result.states == (INSUFFICIENT_DATA,) * 3
    assert result.transitions == ()


def test_a_two_hour_spike_enters_alarm_in_its_first_hour_and_leaves_with_the_next_low_datapoint() -> None:
    # EVAL with 1 of 1 and TREAT ignore (the guard's alarms): the spike's first datapoint breaches;
    # the missing hour after the spike keeps ALARM; the next real low datapoint returns to OK.
    start = datetime(2026, 3, 1, tzinfo=UTC)
    values = (0.01, 0.012, 0.06, 0.07, None, 0.011, 0.01)
    result = replay(PeriodSeries(start, 3600, values), AlarmRule(threshold=0.04, treat_missing_data=IGNORE))
    assert [(t.at.hour, t.old, t.new, t.value) for t in result.transitions] == [
        (0, INSUFFICIENT_DATA, OK, 0.01),
        (2, OK, ALARM, 0.06),
        (5, ALARM, OK, 0.011),
    ]
    assert result.states == (OK, OK, ALARM, ALARM, ALARM, OK, OK)


def test_missing_treatment_reevaluates_old_datapoints_until_they_leave_the_evaluation_range() -> None:
    # TABLE note: "CloudWatch alarms might repeatedly re-evaluate the last set of data points for a period
    # of time after the metric has stopped flowing"; TREAT missing: all missing -> INSUFFICIENT_DATA.
    start = datetime(2026, 3, 1, tzinfo=UTC)
    values = (0.06, None, None, None, None)
    result = replay(PeriodSeries(start, 3600, values), AlarmRule(threshold=0.04, evaluation_range=3))
    assert result.states == (ALARM, ALARM, ALARM, INSUFFICIENT_DATA, INSUFFICIENT_DATA)


def test_datapoints_are_laid_on_the_period_grid_and_gaps_are_missing() -> None:
    start = datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    points = {datetime(2026, 3, 1, 1, tzinfo=UTC): 0.02, datetime(2026, 3, 1, 3, tzinfo=UTC): 0.03}
    series = to_series(points, start, datetime(2026, 3, 1, 4, tzinfo=UTC), 3600)
    assert series.start == datetime(2026, 3, 1, tzinfo=UTC)
    assert series.values == (None, 0.02, None, 0.03)
    assert series.timestamp(3) == datetime(2026, 3, 1, 3, tzinfo=UTC)
    assert align(datetime(2026, 3, 1, 5, 59, tzinfo=UTC), 7200) == datetime(2026, 3, 1, 4, tzinfo=UTC)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"datapoints_to_alarm": 4, "evaluation_periods": 3},
            "datapoints_to_alarm=4: must not exceed evaluation_periods=3",
        ),
        ({"period_seconds": 90}, "period_seconds=90: must be 10, 20, 30 or a multiple of 60"),
        ({"treat_missing_data": "skip"}, "treat_missing_data='skip': must be one of missing, ignore"),
        ({"comparison": ">="}, "comparison='>=': must be one of GreaterThanOrEqualToThreshold"),
        ({"period_seconds": 3600, "evaluation_periods": 169}, "must not exceed 604800 s"),
        ({"period_seconds": 300, "evaluation_periods": 289}, "must not exceed 86400 s"),
        ({"evaluation_range": 2, "evaluation_periods": 3, "datapoints_to_alarm": 1}, "evaluation_range=2"),
        ({"threshold": float("nan")}, "threshold=nan: must be a finite number"),
    ],
)
def test_invalid_alarm_settings_are_rejected_naming_the_value_and_the_rule(
    settings: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"threshold": 0.05, **settings}
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AlarmRule(**arguments)  # type: ignore[arg-type]


def test_replay_refuses_a_series_with_another_period() -> None:
    series = PeriodSeries(datetime(2026, 1, 1, tzinfo=UTC), 300, (0.1,))
    with pytest.raises(ValueError, match="series period 300 s differs from the alarm period 3600 s"):
        replay(series, AlarmRule(threshold=0.05))


def test_transition_times_are_period_starts_on_the_series_grid() -> None:
    start = datetime(2026, 5, 1, 6, tzinfo=UTC)
    series = PeriodSeries(start, 7200, (0.01, 0.09))
    [_, to_alarm] = replay(series, AlarmRule(threshold=0.05, period_seconds=7200)).transitions
    assert to_alarm.at == start + timedelta(hours=2)
