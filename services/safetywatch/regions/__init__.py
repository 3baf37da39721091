"""Ground floor: region codes and prefixes, unit ids, the area's tree and place names.

Imports nothing of safetywatch; every other package may import it.
"""

from safetywatch.regions._area import Area, Place, Region, repeated
from safetywatch.regions._codes import (
    REGION_CODE_PATTERN,
    REGION_PREFIX_PATTERN,
    UNIT_ID_PATTERN,
    RegionCode,
    RegionPrefix,
    UnitId,
    covers,
    is_region_prefix,
    prefix_of,
)
from safetywatch.regions._levels import Level, ancestor_at, level_of

__all__ = [
    "REGION_CODE_PATTERN",
    "REGION_PREFIX_PATTERN",
    "UNIT_ID_PATTERN",
    "Area",
    "Level",
    "Place",
    "Region",
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
