"""Ground floor: region codes and prefixes, unit ids, the area's tree and place names.

Imports nothing of safetywatch; every other package may import it.
"""

from safetywatch.regions.area import Area, Place, repeated
from safetywatch.regions.codes import (
    RegionCode,
    RegionPrefix,
    UnitId,
    covers,
    is_region_prefix,
    prefix_of,
)
from safetywatch.regions.levels import Level, ancestor_at, level_of

__all__ = [
    "Area",
    "Level",
    "Place",
    "RegionCode",
    "RegionPrefix",
    "UnitId",
    "ancestor_at",
    "covers",
    "is_region_prefix",
    "level_of",
    "prefix_of",
    "repeated",
]
