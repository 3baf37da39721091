"""Quarters are calendar quarters of the occurrence time in the configured time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from safetywatch.accounting import Quarter, quarter_of, recent_quarters

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_spec_example_late_evening_in_shanghai_is_still_q1():
    moment = datetime(2022, 3, 31, 23, 30, tzinfo=timezone(timedelta(hours=8)))
    assert quarter_of(moment, SHANGHAI) == Quarter(2022, 1)


def test_spec_example_same_utc_afternoon_is_q2_in_shanghai():
    moment = datetime(2022, 3, 31, 16, 30, tzinfo=UTC)
    assert quarter_of(moment, SHANGHAI) == Quarter(2022, 2)


@pytest.mark.parametrize(
    ("year", "month", "before", "after"),
    [
        (2022, 1, Quarter(2021, 4), Quarter(2022, 1)),
        (2022, 4, Quarter(2022, 1), Quarter(2022, 2)),
        (2022, 7, Quarter(2022, 2), Quarter(2022, 3)),
        (2022, 10, Quarter(2022, 3), Quarter(2022, 4)),
    ],
)
def test_quarter_changes_exactly_at_local_midnight(year, month, before, after):
    midnight = datetime(year, month, 1, tzinfo=SHANGHAI)
    assert quarter_of(midnight - timedelta(microseconds=1), SHANGHAI) == before
    assert quarter_of(midnight, SHANGHAI) == after


def test_the_offset_the_unit_wrote_does_not_matter_only_the_instant():
    same_instant = [
        datetime(2022, 6, 30, 16, 0, tzinfo=UTC),
        datetime(2022, 7, 1, 0, 0, tzinfo=timezone(timedelta(hours=8))),
        datetime(2022, 6, 30, 12, 0, tzinfo=timezone(timedelta(hours=-4))),
    ]
    assert {quarter_of(moment, SHANGHAI) for moment in same_instant} == {Quarter(2022, 3)}


def test_another_configured_zone_moves_the_boundary():
    moment = datetime(2022, 3, 31, 16, 30, tzinfo=UTC)
    assert quarter_of(moment, ZoneInfo("UTC")) == Quarter(2022, 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        quarter_of(datetime(2022, 1, 1), SHANGHAI)


@pytest.mark.parametrize("label", ["2022Q1", "1999Q4"])
def test_labels_round_trip(label):
    assert Quarter.parse(label).label == label


@pytest.mark.parametrize("label", ["2022Q0", "2022Q5", "2022-Q1", "22Q1", "2022q1", ""])
def test_malformed_labels_are_refused(label):
    with pytest.raises(ValueError, match="quarter"):
        Quarter.parse(label)


def test_previous_crosses_years():
    assert Quarter(2022, 1).previous() == Quarter(2021, 4)
    assert Quarter(2022, 2).previous(5) == Quarter(2021, 1)


def test_recent_quarters_are_the_current_one_and_those_before_it():
    now = datetime(2022, 1, 1, 0, 0, tzinfo=SHANGHAI)
    assert [q.label for q in recent_quarters(now, SHANGHAI, 3)] == ["2022Q1", "2021Q4", "2021Q3"]


def test_quarter_start_is_local_midnight_of_its_first_day():
    assert Quarter(2022, 3).start(SHANGHAI) == datetime(2022, 7, 1, tzinfo=SHANGHAI)
