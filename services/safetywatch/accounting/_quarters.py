"""Calendar quarters in the configured time zone, labelled like ``2022Q1``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

_LABEL = re.compile(r"^(\d{4})Q([1-4])$")


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
        return cls(int(match[1]), int(match[2]))

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
    local = moment.astimezone(zone)
    return _shared(local.year, (local.month - 1) // 3 + 1)


def recent_quarters(now: datetime, zone: tzinfo, count: int) -> list[Quarter]:
    """The current quarter and the ``count - 1`` before it, newest first."""
    current = quarter_of(now, zone)
    return [current.previous(n) for n in range(count)]
