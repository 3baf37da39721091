"""Quarters are calendar quarters of the occurrence time in the configured time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safetywatch.accounting.periods import (
    INDEXED_YEARS,
    Quarter,
    month_by_conversion,
    month_index,
    month_of,
    month_start,
    quarter_by_conversion,
    quarter_of,
    recent_quarters,
)

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


#: Zones with DST at midnight, half- and quarter-hour offsets, skipped days and LMT.
AWKWARD_ZONES = [
    *(
        ZoneInfo(name)
        for name in (
            "Asia/Shanghai",
            "America/Santiago",
            "America/Havana",
            "America/Sao_Paulo",
            "Asia/Tehran",
            "Pacific/Apia",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
            "America/St_Johns",
            "Africa/Casablanca",
            "Europe/London",
            "UTC",
        )
    ),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=-12)),
]


@pytest.mark.parametrize("zone", AWKWARD_ZONES, ids=str)
def test_every_quarter_boundary_agrees_with_converting_to_local_time(zone):
    # Exhaustive over the precomputed years: a microsecond either side of each start,
    # and the years just outside them, where quarter_of converts instead.
    for year in range(INDEXED_YEARS.start - 1, INDEXED_YEARS.stop + 1):
        for number in (1, 2, 3, 4):
            start = Quarter(year, number).start(zone)
            for moment in (start - timedelta(microseconds=1), start, start + timedelta(hours=1)):
                assert quarter_of(moment, zone) == quarter_by_conversion(moment, zone), moment


@pytest.mark.parametrize("zone", AWKWARD_ZONES, ids=str)
def test_every_month_boundary_in_utc_agrees_with_converting_to_local_time(zone):
    # The instants a record carries are in UTC, and month_of looks a UTC day's month up:
    # a microsecond either side of each month start, asked twice (seen, then looked up).
    for year in range(INDEXED_YEARS.start - 1, INDEXED_YEARS.stop + 1):
        for month in range(1, 13):
            start = month_start(month_index(year, month), zone).astimezone(UTC)
            for moment in (start - timedelta(microseconds=1), start, start + timedelta(hours=1)):
                expected = month_by_conversion(moment, zone)
                assert month_of(moment, zone) == month_of(moment, zone) == expected, moment


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(AWKWARD_ZONES),
    st.datetimes(datetime(1890, 1, 1), datetime(2210, 1, 1), timezones=st.just(UTC)),
    st.sampled_from([0, 8, -5, 14]),
)
def test_any_instant_in_any_offset_agrees_with_converting_to_local_time(zone, moment, hours):
    moment = moment.astimezone(timezone(timedelta(hours=hours)))
    assert quarter_of(moment, zone) == quarter_by_conversion(moment, zone)
