"""Months, quarters, years and month ranges in the configured time zone.

Every count is kept by month (a month index: year × 12 + month − 1); a quarter, a year
or a range like "1—11月" is a run of months. Labels: ``2026-11``, ``2026Q4``, ``2026``,
``2026-01..2026-11``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise

from safetywatch.events import EARLIEST_MOMENT, LATEST_MOMENT

#: Years a period may name: those of the instants a report may carry.
SUPPORTED_YEARS = range(EARLIEST_MOMENT.year, LATEST_MOMENT.year)
#: A month range is at most this long (ten years).
MAX_RANGE_MONTHS = 120


def check_year(year: int) -> int:
    if year not in SUPPORTED_YEARS:
        raise ValueError(
            f"year {year} is outside {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}"
        )
    return year


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """``"2022Q1"`` → ``Quarter(2022, 1)``; ValueError for anything else."""
        match = _QUARTER.fullmatch(label)
        if match is None:
            raise ValueError(f"{label!r} is not a quarter like 2022Q1")
        return cls(check_year(int(match[1])), int(match[2]))

    @classmethod
    def of_month(cls, index: int) -> Quarter:
        return _shared(index // 12, index % 12 // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def first_month(self) -> int:
        return month_index(self.year, 3 * (self.number - 1) + 1)

    def previous(self, count: int = 1) -> Quarter:
        index = self.year * 4 + (self.number - 1) - count
        return Quarter(index // 4, index % 4 + 1)

    def start(self, zone: tzinfo) -> datetime:
        """The first instant of the quarter in ``zone``."""
        return month_start(self.first_month, zone)


@lru_cache(maxsize=4096)
def _shared(year: int, number: int) -> Quarter:
    return Quarter(year, number)


def month_start(index: int, zone: tzinfo) -> datetime:
    """Local midnight on the month's first day; in a DST gap the transition instant
    (fold=0), the first one whose local date is that day."""
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=zone)


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


_QUARTER = re.compile(r"([0-9]{4})Q([1-4])")
_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"[0-9]{4}")
_RANGE = re.compile(r"([0-9]{4}-[0-9]{2})\.\.([0-9]{4}-[0-9]{2})")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A run of whole months, first and last included."""

    first: int
    last: int
    kind: PeriodKind

    @classmethod
    def parse(cls, label: str) -> Period:
        """``2026-11``, ``2026Q4``, ``2026`` or ``2026-01..2026-11``; ValueError otherwise."""
        if (quarter := _QUARTER.fullmatch(label)) is not None:
            return cls.of_quarter(Quarter(check_year(int(quarter[1])), int(quarter[2])))
        if (month := _MONTH.fullmatch(label)) is not None:
            return cls.month(month_index(check_year(int(month[1])), int(month[2])))
        if _YEAR.fullmatch(label) is not None:
            return cls.year(check_year(int(label)))
        if (span := _RANGE.fullmatch(label)) is not None:
            first, last = cls.parse(span[1]), cls.parse(span[2])
            if first.kind is not PeriodKind.MONTH or last.kind is not PeriodKind.MONTH:
                raise ValueError(f"{label!r}: a range joins two months like 2026-01..2026-11")
            if not 0 <= last.first - first.first < MAX_RANGE_MONTHS:
                raise ValueError(
                    f"{label!r}: a range runs forward, at most {MAX_RANGE_MONTHS} months"
                )
            return cls(first.first, last.first, PeriodKind.RANGE)
        raise ValueError(
            f"{label!r} is not a period: 2026-11 (month), 2026Q4 (quarter), 2026 (year) "
            "or 2026-01..2026-11 (months)"
        )

    @classmethod
    def month(cls, index: int) -> Period:
        return cls(index, index, PeriodKind.MONTH)

    @classmethod
    def of_quarter(cls, quarter: Quarter) -> Period:
        return cls(quarter.first_month, quarter.first_month + 2, PeriodKind.QUARTER)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(month_index(year, 1), month_index(year, 12), PeriodKind.YEAR)

    @classmethod
    def year_to_date(cls, index: int) -> Period:
        """January to the month ``index`` of the same year ("1—11月")."""
        return cls(index - index % 12, index, PeriodKind.RANGE)

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.QUARTER:
            return Quarter.of_month(self.first).label
        if self.kind is PeriodKind.YEAR:
            return f"{self.first // 12:04d}"
        if self.kind is PeriodKind.MONTH:
            return month_label(self.first)
        return f"{month_label(self.first)}..{month_label(self.last)}"

    def __str__(self) -> str:
        return self.label

    @property
    def quarter(self) -> Quarter | None:
        return Quarter.of_month(self.first) if self.kind is PeriodKind.QUARTER else None

    def shifted(self, months: int) -> Period:
        return Period(self.first + months, self.last + months, self.kind)

    def same_period_last_year(self) -> Period:
        return self.shifted(-12)

    def previous(self) -> Period:
        """The period of equal length that ends right before this one."""
        return self.shifted(-self.length)

    def start(self, zone: tzinfo) -> datetime:
        return month_start(self.first, zone)

    def end(self, zone: tzinfo) -> datetime:
        """The first instant after the period."""
        return month_start(self.last + 1, zone)


def month_of(moment: datetime, zone: tzinfo) -> int:
    """The month index that ``moment`` (an aware datetime) falls in, seen from ``zone``."""
    if moment.tzinfo is UTC:
        # The replay asks this for every record, and a record's moments are in UTC: the
        # month of a UTC day wholly inside one month of the zone is looked up.
        months = _MONTH_OF_UTC_DAY.get(zone)
        if months is None:
            months = _MONTH_OF_UTC_DAY[zone] = {}
        day = moment.toordinal()
        month = months.get(day, _UNSEEN)
        if month == _UNSEEN:
            month = months[day] = _month_of_utc_day(day, zone)
        if month != _MONTH_STARTS_THAT_DAY:
            return month
    elif moment.tzinfo is None:
        raise ValueError("month_of needs an aware datetime")
    return _month_by_bisect(moment, zone)


#: What ``_MONTH_OF_UTC_DAY`` says of a UTC day: not seen yet, or a month starts in it.
_UNSEEN, _MONTH_STARTS_THAT_DAY = 0, -1

#: The month of each UTC day ``month_of`` has seen, per zone (by the day's ordinal).
_MONTH_OF_UTC_DAY: dict[tzinfo, dict[int, int]] = {}


def _month_of_utc_day(day: int, zone: tzinfo) -> int:
    """The month a whole UTC day lies in, seen from ``zone``; or that a month starts in
    it (there the moment decides)."""
    first = datetime.fromordinal(day).replace(tzinfo=UTC)
    month = _month_by_bisect(first, zone)
    last = first + timedelta(days=1, microseconds=-1)
    return month if _month_by_bisect(last, zone) == month else _MONTH_STARTS_THAT_DAY


def _month_by_bisect(moment: datetime, zone: tzinfo) -> int:
    # A bisect over the zone's month starts took half the time of converting the
    # moment to local time.
    starts = _MONTH_STARTS.get(zone) or _month_starts(zone)
    index = bisect_right(starts, moment.timestamp()) - 1
    if 0 <= index < len(starts) - 1:
        # One int object per month, not per incident: a month index is above the small
        # ints CPython shares, and a million incidents would hold 32 MB of equal ones.
        return _INDEXED_MONTHS[index]
    return month_by_conversion(moment, zone)


def month_by_conversion(moment: datetime, zone: tzinfo) -> int:
    """The definition: the month of the moment's local date in ``zone``."""
    local = moment.astimezone(zone)
    return month_index(local.year, local.month)


def quarter_of(moment: datetime, zone: tzinfo) -> Quarter:
    """The calendar quarter that ``moment`` falls in, seen from ``zone``."""
    return Quarter.of_month(month_of(moment, zone))


def quarter_by_conversion(moment: datetime, zone: tzinfo) -> Quarter:
    return Quarter.of_month(month_by_conversion(moment, zone))


#: Years whose month starts are precomputed; moments outside are converted.
INDEXED_YEARS = range(1900, 2201)
INDEXED_FIRST_MONTH = month_index(INDEXED_YEARS.start, 1)
_INDEXED_MONTHS = list(range(INDEXED_FIRST_MONTH, month_index(INDEXED_YEARS.stop, 1)))

#: POSIX timestamps of each month's first instant, per zone. Whole seconds, and a
#: moment's timestamp keeps microsecond resolution up to year 2500: comparisons are exact.
_MONTH_STARTS: dict[tzinfo, list[float]] = {}


def _month_starts(zone: tzinfo) -> list[float]:
    last = month_index(INDEXED_YEARS.stop - 1, 12)
    instants = [month_start(m, zone).timestamp() for m in range(INDEXED_FIRST_MONTH, last + 1)]
    if any(later <= earlier for earlier, later in pairwise(instants)):
        raise ValueError(f"month starts in {zone} do not increase")
    _MONTH_STARTS[zone] = instants
    return instants


#: POSIX timestamps of each day's first instant (local midnight), per zone, over the
#: indexed years: whole seconds, like the month starts.
_DAY_STARTS: dict[tzinfo, list[float]] = {}


def _day_starts(zone: tzinfo) -> list[float]:
    """Each local midnight of the indexed years: a day is 86,400 s within a month whose
    UTC offset does not change; a month whose offset changes is converted day by day."""
    instants: list[float] = []
    for month in range(INDEXED_FIRST_MONTH, month_index(INDEXED_YEARS.stop, 1)):
        first, following = month_start(month, zone), month_start(month + 1, zone)
        days = (following.replace(tzinfo=None) - first.replace(tzinfo=None)).days
        if first.utcoffset() == following.utcoffset():
            base = first.timestamp()
            instants.extend(base + 86_400 * day for day in range(days))
        else:
            instants.extend(
                datetime.combine(first.date() + timedelta(days=day), time(), zone).timestamp()
                for day in range(days)
            )
    if any(later <= earlier for earlier, later in pairwise(instants)):
        raise ValueError(f"day starts in {zone} do not increase")
    _DAY_STARTS[zone] = instants
    return instants


def end_of_day_after(moment: datetime, days: int, zone: tzinfo) -> float:
    """The POSIX time of 24:00 (local) of the ``days``-th day after the local date of
    ``moment``: a period of days counted as the Civil Code counts one (民法典 arts. 201
    and 203: the first day is not counted, the last ends at 24:00)."""
    starts = _DAY_STARTS.get(zone) or _day_starts(zone)
    day = bisect_right(starts, moment.timestamp()) - 1
    if day >= 0 and day + days + 1 < len(starts):
        return starts[day + days + 1]
    local = moment.astimezone(zone).date() + timedelta(days=days + 1)
    return datetime.combine(local, time(), zone).timestamp()


def recent_quarters(now: datetime, zone: tzinfo, count: int) -> list[Quarter]:
    """The current quarter and the ``count - 1`` before it, newest first."""
    current = quarter_of(now, zone)
    return [current.previous(n) for n in range(count)]


#: Every month a report may name: the register's period when none is asked for.
ALL_TIME = Period(
    month_index(SUPPORTED_YEARS.start, 1),
    month_index(SUPPORTED_YEARS.stop - 1, 12),
    PeriodKind.RANGE,
)
