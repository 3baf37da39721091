"""Incidents by day, so that alert evaluation and the register read a window rather
than a province's million incidents."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class DayIndex(Generic[T]):
    """Day buckets (proleptic ordinals of a datetime in its own offset) of keys.

    Only ever appended to: a bucket may name a key whose moment has since moved, or
    name it twice; reading filters on the current moment.
    """

    def __init__(self) -> None:
        self._days: dict[int, list[str]] = {}

    def add(self, key: str, moment: datetime) -> None:
        day = moment.toordinal()
        if (bucket := self._days.get(day)) is None:
            bucket = self._days[day] = []
        bucket.append(key)

    def between(
        self,
        items: Mapping[str, T],
        moment_of: Callable[[T], datetime | None],
        start: datetime,
        end: datetime | None,
    ) -> Iterator[T]:
        """Items whose current moment lies in [start, end] (no end: from start on)."""
        # A day in one offset overlaps the neighbouring days of any other offset.
        first = start.toordinal() - 1
        last = end.toordinal() + 1 if end is not None else None
        seen: set[str] = set()
        for day in sorted(self._days):
            if day < first or (last is not None and day > last):
                continue
            for key in self._days[day]:
                item = items[key]
                moment = moment_of(item)
                if (
                    moment is not None
                    and start <= moment
                    and (end is None or moment <= end)
                    and key not in seen
                ):
                    seen.add(key)
                    yield item

    def touched_since(self, items: Mapping[str, T], start: datetime) -> Iterator[T]:
        """Items with any entry on or after the day of ``start`` (a day either side for
        other offsets), each once: what changed since, without a moment to compare."""
        first = start.toordinal() - 1
        seen: set[str] = set()
        for day in sorted(d for d in self._days if d >= first):
            for key in self._days[day]:
                if key not in seen:
                    seen.add(key)
                    yield items[key]
