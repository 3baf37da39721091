"""Incidents by day, so that alert evaluation and the register read a window rather
than a province's million incidents."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class DayIndex(Generic[T]):
    """Day buckets (proleptic ordinals of a datetime in its own offset) of rows, four
    bytes an entry.

    Only ever appended to: a bucket may name a row whose moment has since moved, or
    name it twice; reading filters on the current moment.
    """

    def __init__(self) -> None:
        self._days: dict[int, array[int]] = {}

    def add(self, row: int, moment: datetime) -> None:
        day = moment.toordinal()
        if (bucket := self._days.get(day)) is None:
            bucket = self._days[day] = array("i")
        bucket.append(row)

    def between(
        self,
        item_of: Callable[[int], T],
        moment_of: Callable[[T], datetime | None],
        start: datetime,
        end: datetime | None,
    ) -> Iterator[T]:
        """Items whose current moment lies in [start, end] (no end: from start on)."""
        # A day in one offset overlaps the neighbouring days of any other offset.
        first = start.toordinal() - 1
        last = end.toordinal() + 1 if end is not None else None
        for row in self._rows_within(first, last):
            item = item_of(row)
            moment = moment_of(item)
            if moment is not None and start <= moment and (end is None or moment <= end):
                yield item

    def touched_since(self, item_of: Callable[[int], T], start: datetime) -> Iterator[T]:
        """Items with any entry on or after the day of ``start`` (a day either side for
        other offsets), each once: what changed since, without a moment to compare."""
        return map(item_of, self._rows_within(start.toordinal() - 1, None))

    def _rows_within(self, first: int, last: int | None) -> Iterator[int]:
        """Each row of the buckets from day ``first`` to ``last`` once."""
        seen: set[int] = set()
        for day in sorted(self._days):
            if day < first or (last is not None and day > last):
                continue
            for row in self._days[day]:
                if row not in seen:
                    seen.add(row)
                    yield row
