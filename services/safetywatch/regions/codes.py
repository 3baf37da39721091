"""Region codes (GB/T 2260), region-code prefixes and unit ids: the words every other
package uses for "where" and "who". ASCII digits only: Python's ``\\d`` also matches
full-width and other digits ("５２０２"), which are no code at all."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

REGION_CODE_PATTERN = r"^[0-9]{6}$"
#: 2 digits a province, 4 a prefecture-level city, 6 a county-level division.
REGION_PREFIX_PATTERN = r"^(?:[0-9]{2}|[0-9]{4}|[0-9]{6})$"
UNIT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"

RegionCode = Annotated[str, StringConstraints(pattern=REGION_CODE_PATTERN)]
RegionPrefix = Annotated[str, StringConstraints(pattern=REGION_PREFIX_PATTERN)]
UnitId = Annotated[str, StringConstraints(pattern=UNIT_ID_PATTERN)]

_PREFIX = re.compile(REGION_PREFIX_PATTERN)


def is_region_prefix(text: str) -> bool:
    return _PREFIX.fullmatch(text) is not None


def prefix_of(code: str) -> str:
    """The shortest prefix that selects a region and what lies under it:
    520200 → 5202 (the city), 520000 → 52 (the province), 520201 → 520201."""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def covers(prefix: str, code: str) -> bool:
    """Whether ``prefix`` ("" for everything) selects the region ``code``."""
    return code.startswith(prefix)
