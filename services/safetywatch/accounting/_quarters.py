"""Calendar quarters in the configured time zone, labelled like ``2022Q1``."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache
from itertools import pairwise

from safetywatch.events import EARLIEST_MOMENT, LATEST_MOMENT

_LABEL = re.compile(r"([0-9]{4})Q([1-4])")

#: Years a period may name: those of the instants a report may carry.
SUPPORTED_YEARS = range(EARLIEST_MOMENT.year, LATEST_MOMENT.year)


def check_year(year: int) -> int:
    if year not in SUPPORTED_YEARS:
        raise ValueError(
            f"year {year} is outside {SUPPORTED_YEARS.start}-{SUPPORTED_YEARS.stop - 1}"
        )
    return year


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, label: str) -> Quarter:
        """``"2022Q1"`` → ``Quarter(2022, 1)``; ValueError for anything else."""
        match = _LABEL.fullmatch(label)
        if match is None:
            raise ValueError(f"{label!r} is not a quarter like 2022Q1")
        return cls(check_year(int(match[1])), int(match[2]))

    @property
    def label(self) -> str:
        return f"{self.year}Q{self.number}"

    def __str__(self) -> str:
        return self.label

    def previous(self, count: int = 1) -> Quarter:
        index = self.year * 4 + (self.number - 1) - count
        return Quarter(index // 4, index % 4 + 1)

    def start(self, zone: tzinfo) -> datetime:
        """The first instant of the quarter in ``zone``."""
        return datetime(self.year, 3 * (self.number - 1) + 1, 1, tzinfo=zone)


@lru_cache(maxsize=1024)
def _shared(year: int, number: int) -> Quarter:
    # A million incidents then hold a few dozen Quarter objects, not a million.
    return Quarter(year, number)


def quarter_of(moment: datetime, zone: tzinfo) -> Quarter:
    """The calendar quarter that ``moment`` (an aware datetime) falls in, seen from ``zone``."""
    if moment.tzinfo is None:
        raise ValueError("quarter_of needs an aware datetime")
    # The replay asks this for every record: a bisect over the zone's quarter starts
    # took half the time of converting the moment to local time.
    starts = _QUARTER_STARTS.get(zone) or _quarter_starts(zone)
    index = bisect_right(starts.instants, moment.timestamp()) - 1
    if 0 <= index < len(starts.quarters) - 1:
        return starts.quarters[index]
    return quarter_by_conversion(moment, zone)


def quarter_by_conversion(moment: datetime, zone: tzinfo) -> Quarter:
    """The definition: the quarter of the moment's local date in ``zone``."""
    local = moment.astimezone(zone)
    return _shared(local.year, (local.month - 1) // 3 + 1)


#: Years whose quarter starts are precomputed; moments outside are converted.
INDEXED_YEARS = range(1900, 2201)


@dataclass(frozen=True, slots=True)
class _Starts:
    quarters: list[Quarter]
    #: POSIX timestamps of each quarter's first instant. Whole seconds, and a moment's
    #: timestamp keeps microsecond resolution up to year 2500: comparisons are exact.
    instants: list[float]


_QUARTER_STARTS: dict[tzinfo, _Starts] = {}


def _quarter_starts(zone: tzinfo) -> _Starts:
    quarters = [_shared(year, number) for year in INDEXED_YEARS for number in (1, 2, 3, 4)]
    # Local midnight on the first day; in a DST gap fold=0 gives the transition instant,
    # the first one whose local date is that day.
    instants = [quarter.start(zone).timestamp() for quarter in quarters]
    if any(later <= earlier for earlier, later in pairwise(instants)):
        raise ValueError(f"quarter starts in {zone} do not increase")
    starts = _QUARTER_STARTS[zone] = _Starts(quarters, instants)
    return starts


def recent_quarters(now: datetime, zone: tzinfo, count: int) -> list[Quarter]:
    """The current quarter and the ``count - 1`` before it, newest first."""
    current = quarter_of(now, zone)
    return [current.previous(n) for n in range(count)]
