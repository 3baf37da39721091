"""The supplementary window (补报, Decree 493 art. 13) judged by when a revision's figures
were true, counted in calendar days as the Civil Code counts a period (arts. 201, 203),
and the official grade frozen with the figures it counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from safetywatch.accounting.chain import ChainRules, chain_of
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, end_of_day_after
from safetywatch.events.grades import Grade
from safetywatch.events.report import IncidentRecord
from safetywatch.regions.levels import Level
from tests.reports import record

ZONE = ZoneInfo("Asia/Shanghai")
OCCURRED = "2026-03-01T10:00:00+08:00"
FIRST_RECEIVED = datetime.fromisoformat("2026-03-01T10:30:00+08:00")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def first(incident_id: str, **fields: Any) -> IncidentRecord:
    """The first report of an accident at OCCURRED, half an hour after it."""
    fields.setdefault("category", "coal_mine")
    return record(incident_id, 1, FIRST_RECEIVED, occurred_at=OCCURRED, **fields)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(ZONE, chain=ChainRules())


def test_a_death_true_within_the_window_counts_though_its_report_came_after(ledger):
    """The issue's case: a third victim died on 03-30, the 补报 arrived on 04-02."""
    ledger.apply(first("520201-W1", deaths=2))
    supplement = record(
        "520201-W1",
        2,
        category="coal_mine",
        occurred_at=OCCURRED,
        deaths=3,
        figures_as_of="2026-03-30T18:00:00+08:00",
        received_at=at("2026-04-02T09:00:00+08:00"),
    )
    ledger.apply(supplement)
    state = ledger.incident("520201-W1")
    assert state is not None
    assert state.fatalities == 3  # true on the 29th day: official
    assert state.grade is Grade.RELATIVELY_SERIOUS  # 3 deaths: 较大, and official
    assert state.late_supplements == 1  # but it arrived after the window: flagged
    assert ledger.summary(Period.parse("2026-03")).totals.fatalities == 3


@pytest.mark.parametrize(
    ("true_at", "counted"),
    [
        ("2026-03-31T23:59:00+08:00", True),  # the 30th day after 03-01, before 24:00
        ("2026-04-01T00:00:00+08:00", False),  # 24:00 of the 30th day: closed
    ],
)
def test_the_window_closes_at_24_00_of_the_30th_day_after_the_accident(ledger, true_at, counted):
    ledger.apply(first("520201-W2", deaths=2))
    ledger.apply(
        record(
            "520201-W2",
            2,
            category="coal_mine",
            occurred_at=OCCURRED,
            deaths=3,
            figures_as_of=true_at,
            received_at=at("2026-04-05T09:00:00+08:00"),
        )
    )
    state = ledger.incident("520201-W2")
    assert state is not None
    assert state.fatalities == (3 if counted else 2)


def test_the_grade_is_frozen_with_the_figures_when_the_window_closes(ledger):
    """A third death on day 31 leaves the statistics at two deaths and the official grade
    一般: no 较大 in the bulletin, no province on the chain; the incident shows 较大 as
    its current grade beside it."""
    ledger.apply(first("520201-W3", deaths=2))
    day_31 = at("2026-04-01T08:00:00+08:00")
    ledger.apply(
        record(
            "520201-W3", 2, category="coal_mine", occurred_at=OCCURRED, deaths=3, received_at=day_31
        )
    )
    state = ledger.incident("520201-W3")
    assert state is not None
    assert (state.grade, state.current_grade) == (Grade.ORDINARY, Grade.RELATIVELY_SERIOUS)
    assert state.fatalities == 2
    assert [step.level for step in chain_of(state, ChainRules(), day_31)] == [
        Level.COUNTY,
        Level.CITY,
    ]
    summary = ledger.summary(Period.parse("2026-03"))
    assert summary.by_grade[Grade.RELATIVELY_SERIOUS] == 0
    assert summary.by_grade[Grade.ORDINARY] == 1


def test_a_seven_day_window_for_road_traffic(ledger):
    ledger.apply(first("520201-W4", deaths=1, category="road_traffic"))
    for revision, deaths, received in (
        (2, 2, "2026-03-08T23:59:00"),
        (3, 4, "2026-03-09T00:00:00"),
    ):
        ledger.apply(
            record(
                "520201-W4",
                revision,
                at(received + "+08:00"),
                category="road_traffic",
                occurred_at=OCCURRED,
                deaths=deaths,
            )
        )
    state = ledger.incident("520201-W4")
    assert state is not None
    assert (state.fatalities, state.late_supplements) == (2, 1)
    assert (state.grade, state.current_grade) == (Grade.ORDINARY, Grade.RELATIVELY_SERIOUS)


@pytest.mark.parametrize(
    ("moment", "days", "closes"),
    [
        # Shanghai: 24:00 of the 30th day after the local date.
        ("2026-03-01T00:00:00+08:00", 30, "2026-04-01T00:00:00+08:00"),
        ("2026-03-01T23:59:59+08:00", 30, "2026-04-01T00:00:00+08:00"),
        # 2026-03-01T20:00Z is already 03-02 in Shanghai.
        ("2026-03-01T20:00:00+00:00", 7, "2026-03-10T00:00:00+08:00"),
    ],
)
def test_the_end_of_the_nth_day_is_local_midnight(moment, days, closes):
    assert end_of_day_after(at(moment), days, ZONE) == at(closes).timestamp()


def test_a_window_across_a_change_of_summer_time_ends_at_local_midnight():
    new_york = ZoneInfo("America/New_York")  # summer time from 2026-03-08
    closes = end_of_day_after(at("2026-03-01T12:00:00-05:00"), 30, new_york)
    assert datetime.fromtimestamp(closes, new_york).isoformat() == "2026-04-01T00:00:00-04:00"
