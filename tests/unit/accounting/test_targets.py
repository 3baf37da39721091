"""Control targets: the share used against the time progress (by months), under, at and
over the progress, a target of zero, and periods that are not January to a month."""

from __future__ import annotations

from safetywatch.accounting.layout import Totals
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.accounting.summary import Summary
from safetywatch.accounting.targets import TargetFigure, TargetKey, progress_all, progress_of
from safetywatch.events import Category, Grade

CITY = "520200"
TARGETS = {TargetKey(CITY, 2026): {TargetFigure.DEATHS: 24, TargetFigure.SERIOUS_ACCIDENTS: 0}}


def with_deaths(period: Period, fatalities: int, grade: Grade = Grade.ORDINARY) -> Summary:
    summary = Summary(period, "5202")
    totals = Totals(incidents=1, fatalities=fatalities)
    summary.count("520201", Category.COAL_MINE, grade, False, totals)
    return summary


def test_under_at_and_over_the_time_progress():
    # January to March: 3/12 = 25% of 24 = 6 deaths allowed by the progress.
    q1 = Period.parse("2026-01..2026-03")
    under = progress_of(TargetFigure.DEATHS, with_deaths(q1, 5), TARGETS, CITY).to_json()
    assert under == {
        "target": 24,
        "value": 5,
        "share_percent": 20.8,
        "time_progress_percent": 25.0,
        "time_progress_basis": "months",
        "expected_by_progress": 6.0,
        "points_above_progress": -4.2,
        "above_progress_by": -1.0,
    }
    at = progress_of(TargetFigure.DEATHS, with_deaths(q1, 6), TARGETS, CITY).to_json()
    assert (at["points_above_progress"], at["above_progress_by"]) == (0.0, 0.0)
    over = progress_of(TargetFigure.DEATHS, with_deaths(q1, 30), TARGETS, CITY).to_json()
    assert (over["share_percent"], over["points_above_progress"]) == (125.0, 100.0)
    year = progress_of(TargetFigure.DEATHS, with_deaths(Period.year(2026), 6), TARGETS, CITY)
    assert year.to_json()["time_progress_percent"] == 100.0


def test_a_target_of_zero_has_no_share_and_counts_relatively_serious_and_above():
    summary = with_deaths(Period.year(2026), 3, Grade.RELATIVELY_SERIOUS)
    serious = progress_of(TargetFigure.SERIOUS_ACCIDENTS, summary, TARGETS, CITY)
    assert serious.value == 1
    assert serious.to_json()["share_percent"] is None
    assert serious.to_json()["points_above_progress"] is None


def test_a_period_not_from_january_or_a_region_without_targets_says_why():
    q2 = with_deaths(Period.of_quarter(Quarter(2026, 2)), 1)
    assert progress_of(TargetFigure.DEATHS, q2, TARGETS, CITY).to_json() == {
        "target": None,
        "value": 1,
        "reason": "2026Q2 is not a year or January to a month of one",
    }
    county = progress_all(with_deaths(Period.year(2026), 1), TARGETS, "520201")
    assert [p.reason for p in county] == [
        "no deaths target for 2026",
        "no serious_accidents target for 2026",
    ]
