"""The area a deployment watches: a tree of regions with names, and its time zone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from safetywatch.regions.codes import RegionCode, covers, prefix_of
from safetywatch.regions.levels import Level, level_of


def repeated(values: list[str]) -> list[str]:
    """The values that occur more than once, sorted."""
    return sorted({value for value in values if values.count(value) > 1})


@dataclass(frozen=True, slots=True)
class Place:
    """How people name the area a region prefix selects: "全市"/"the city", or a county."""

    zh: str
    en: str


#: How a bulletin names the whole area, by the level of its root region.
_WHOLE = {
    Level.CITY: Place(zh="全市", en="the city"),
    Level.PROVINCE: Place(zh="全省", en="the province"),
    Level.NATIONAL: Place(zh="全国", en="the country"),
}


class Region(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: RegionCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    name_en: str = ""
    parent: RegionCode | None = None

    @property
    def prefix(self) -> str:
        """The code prefix that covers the region: 520200 → 5202, 520000 → 52."""
        return prefix_of(self.code)


class Area(BaseModel):
    """Regions (exactly one without a parent: the area itself) and the time zone in which
    dates, months and quarters are counted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time_zone: str = "Asia/Shanghai"
    regions: Annotated[list[Region], Field(min_length=1)]

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {name!r} (an IANA name like Asia/Shanghai)"
            ) from None
        return name

    @model_validator(mode="after")
    def _one_tree(self) -> Area:
        codes = [region.code for region in self.regions]
        if duplicates := repeated(codes):
            index = codes.index(duplicates[0], codes.index(duplicates[0]) + 1)
            raise ValueError(
                f"regions[{index}].code: {duplicates[0]} is listed already, as "
                f"regions[{codes.index(duplicates[0])}]"
            )
        for index, region in enumerate(self.regions):
            if region.parent is not None and region.parent not in codes:
                raise ValueError(
                    f"regions[{index}].parent: {region.parent} ({region.code}'s parent) is "
                    "not listed"
                )
        roots = [region.code for region in self.regions if region.parent is None]
        if len(roots) != 1:
            raise ValueError(
                f"regions: exactly one region must have no parent (the area itself), found {roots}"
            )
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def root(self) -> Region:
        return next(region for region in self.regions if region.parent is None)

    @cached_property
    def region_codes(self) -> frozenset[str]:
        return frozenset(region.code for region in self.regions)

    @cached_property
    def regions_by_code(self) -> dict[str, Region]:
        return {region.code: region for region in self.regions}

    @cached_property
    def counties(self) -> list[Region]:
        """Every region but the area itself, by code."""
        return sorted((r for r in self.regions if r.parent is not None), key=lambda r: r.code)

    @cached_property
    def regions_by_prefix(self) -> dict[str, Region]:
        # Looked up for every alert a notification names: a scan of a country's 2,790
        # counties per alert would cost more than the evaluation itself.
        return {region.prefix: region for region in reversed(self.regions)}

    def region(self, code: str) -> Region | None:
        return self.regions_by_code.get(code)

    def name_of(self, code: str) -> str:
        region = self.region(code)
        return region.name if region else code

    def series_region(self, code: str) -> str:
        """The region whose per-region series a code's counts and capped alerts go to:
        the code itself here; an area whose metrics count by city or province says."""
        return code

    def selects_any(self, prefix: str) -> bool:
        """Whether the prefix selects at least one configured region."""
        return any(covers(prefix, code) for code in self.region_codes)

    def place_for(self, prefix: str) -> Place:
        """How a bulletin names the area a region prefix selects."""
        root = self.root
        if prefix in ("", root.prefix):
            return _WHOLE.get(level_of(root.code), _WHOLE[Level.CITY])
        region = self.region(prefix) or self.regions_by_prefix.get(prefix)
        if region is not None:
            return Place(zh=region.name, en=region.name_en or region.name)
        return Place(zh=f"{prefix}地区", en=f"region {prefix}")
