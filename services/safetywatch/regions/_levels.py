"""The levels of government a report passes through (Decree 493 art. 9–10)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    # Lowest first: ``Level.rank`` follows this order.
    COUNTY = "county"
    CITY = "city"
    PROVINCE = "province"
    NATIONAL = "national"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def zh(self) -> str:
        return _ZH[self]

    @property
    def above(self) -> Level | None:
        """The next level up, None for the national one."""
        levels = list(Level)
        return levels[self.rank + 1] if self.rank + 1 < len(levels) else None


_RANK = {level: rank for rank, level in enumerate(Level)}
_ZH = {
    Level.COUNTY: "县级",
    Level.CITY: "市级",
    Level.PROVINCE: "省级",
    Level.NATIONAL: "国家",
}
