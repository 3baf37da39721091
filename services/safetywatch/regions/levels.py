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


def level_of(code: str) -> Level:
    """The administrative level a GB/T 2260 code names: 520000 a province, 520200 a
    (prefecture-level) city, 520201 a county; 000000 the whole country."""
    if code == "000000":
        return Level.NATIONAL
    if code.endswith("0000"):
        return Level.PROVINCE
    if code.endswith("00"):
        return Level.CITY
    return Level.COUNTY


def ancestor_at(code: str, level: Level) -> str:
    """The code of the division at ``level`` that contains ``code`` (itself when it is
    at that level or above): 520201 → 520200 (city), 520000 (province)."""
    if level is Level.COUNTY:
        return code
    if level is Level.CITY:
        return code if level_of(code).rank >= Level.CITY.rank else code[:4] + "00"
    if level is Level.PROVINCE:
        return code if level_of(code).rank >= Level.PROVINCE.rank else code[:2] + "0000"
    return "000000"
