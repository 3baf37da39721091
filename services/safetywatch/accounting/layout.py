"""An incident as the ledger keeps it: generated from ``accounting/fields.py`` by
``python -m dev.generate``. Do not edit; change the declaration and generate again.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import msgspec

from safetywatch.accounting.rare import COMMON, Rare
from safetywatch.events import Category, Grade

#: The name of this layout: checkpoints and the compiled table carry it.
LAYOUT = "685267ec12713670"

#: An incident's figures, in the order of ``fields.FIGURES``.
Figures = tuple[int, int, int, int, int, int, int, int, int, int, int, int, int, int]
FIGURE_COUNT = 14
INCIDENTS = 0
THREATS = 1
FIRE_OUTBREAKS = 2
DEATHS = 3
MISSING = 4
SERIOUS_INJURIES = 5
MINOR_INJURIES = 6
DIRECT_LOSS_FEN = 7
DAMAGED_AREA = 8
LATE_REPORTS = 9
NEAR_MISSES = 10
LATE_SUPPLEMENTS = 11
FATALITIES = 12
FATALITIES_MISSING = 13

#: The totals' figures the read API and the metrics show, in order: (name, help).
PUBLIC_FIGURES: tuple[tuple[str, str], ...] = (
    (
        "incidents",
        "Incidents (not retracted), latest revision; geological threats count in threats",
    ),
    ("threats", "Geological threats (地质灾害险情): threat figures, no casualty, no loss"),
    (
        "fire_outbreaks",
        "Forest and grassland fires below the regulation's minimum (火情): not fires",
    ),
    ("deaths", "Deaths"),
    ("missing", "Missing persons"),
    ("serious_injuries", "Serious injuries"),
    ("minor_injuries", "Minor injuries"),
    ("direct_loss_yuan", "Direct economic loss in yuan"),
    ("damaged_area_ha", "Forest and grassland damaged by fires (受害森林、草原面积), hectares"),
    ("late_reports", "Incidents first reported late (迟报): after 1 h, 2 h for natural disasters"),
    (
        "near_misses",
        "Incidents flagged as near misses (较大涉险, Order 21 art. 26): 10 at risk, 3 trapped or missing, 500 evacuated, serious pollution, a key site endangered",
    ),
    (
        "late_supplements",
        "Revisions that changed casualty figures after the supplementary window (补报超期)",
    ),
    (
        "fatalities",
        "Deaths and missing as the statistics count them: within the supplementary window",
    ),
)
#: The figures of ``Totals.to_json``, in order.
FIGURE_NAMES = (
    "incidents",
    "threats",
    "fire_outbreaks",
    "deaths",
    "missing",
    "serious_injuries",
    "minor_injuries",
    "direct_loss_yuan",
    "damaged_area_ha",
    "late_reports",
    "near_misses",
    "late_supplements",
    "fatalities",
)


def figures(
    *,
    incidents: int,
    threats: int,
    fire_outbreaks: int,
    deaths: int,
    missing: int,
    serious_injuries: int,
    minor_injuries: int,
    direct_loss_fen: int,
    damaged_area: int,
    late_reports: int,
    near_misses: int,
    late_supplements: int,
    fatalities: int,
    fatalities_missing: int,
) -> Figures:
    """An incident's figures, each by its name."""
    return (
        incidents,
        threats,
        fire_outbreaks,
        deaths,
        missing,
        serious_injuries,
        minor_injuries,
        direct_loss_fen,
        damaged_area,
        late_reports,
        near_misses,
        late_supplements,
        fatalities,
        fatalities_missing,
    )


class IncidentFields(msgspec.Struct, gc=False, eq=False):
    """What the ledger keeps of an incident (``IncidentState`` adds what it derives).
    A msgspec struct: a revision makes one, and a compiled class builds it in a
    fraction of a dataclass's time; never in a reference cycle, so not tracked by gc."""

    incident_id: str
    #: where the record store keeps the latest revision's body
    ref: int
    #: the latest applied revision
    revision: int
    #: the latest revision retracts the report (it counts nowhere)
    retracted: bool
    #: the statistical category
    category: Category
    #: the reporting region (GB/T 2260)
    region_code: str
    #: a road traffic or fire accident not of business (非生产经营性): counted apart
    non_business: bool
    #: imported history (its first revision's origin is import): counted, but it opens no reporting chain, raises no per-incident alert and is never 迟报
    imported: bool
    #: the month index of occurred_at in the area's zone
    month: int
    #: the official grade: of the figures the statistics count, frozen when the window closes
    grade: Grade
    #: the grade of the latest figures, beside the official
    current_grade: Grade
    #: when it occurred, as the latest revision states
    occurred_at: datetime
    #: when the log first delivered a report of it
    first_received_at: datetime
    #: when the latest applied revision was received
    last_received_at: datetime
    #: since when every revision is a near miss
    near_miss_since: datetime | None
    #: since when every revision requires the province (较大 and up, or a near miss)
    province_since: datetime | None
    #: when it first reached each grade it holds
    grade_since: Mapping[Grade, datetime]
    figures: Figures
    #: what few incidents have (``rare.py``); most share ``COMMON``
    rare: Rare = COMMON


_Fields = TypeVar("_Fields", bound=IncidentFields)


def incident_of(
    kind: type[_Fields],
    *,
    incident_id: str,
    ref: int,
    revision: int,
    retracted: bool,
    category: Category,
    region_code: str,
    non_business: bool,
    imported: bool,
    month: int,
    grade: Grade,
    current_grade: Grade,
    occurred_at: datetime,
    first_received_at: datetime,
    last_received_at: datetime,
    near_miss_since: datetime | None,
    province_since: datetime | None,
    grade_since: Mapping[Grade, datetime],
    figures: Figures,
    rare: Rare = COMMON,
) -> _Fields:
    """An incident of ``kind`` (``IncidentState``), each field by its name. A function:
    a compiled caller passes its keywords in place, where a class, or a class's
    method, receives them in a dict (the replay makes one state a record)."""
    return kind(
        incident_id,
        ref,
        revision,
        retracted,
        category,
        region_code,
        non_business,
        imported,
        month,
        grade,
        current_grade,
        occurred_at,
        first_received_at,
        last_received_at,
        near_miss_since,
        province_since,
        grade_since,
        figures,
        rare,
    )


@dataclass(slots=True)
class Totals:
    """The sum of each figure over some incidents; ``records``, how many incidents
    were summed (a 险情 is one, and not among the ``incidents``): a cell with none is
    empty."""

    records: int = 0
    incidents: int = 0
    threats: int = 0
    fire_outbreaks: int = 0
    deaths: int = 0
    missing: int = 0
    serious_injuries: int = 0
    minor_injuries: int = 0
    direct_loss_fen: int = 0
    damaged_area: int = 0
    late_reports: int = 0
    near_misses: int = 0
    late_supplements: int = 0
    fatalities: int = 0
    fatalities_missing: int = 0

    def add(self, other: Totals, sign: int = 1) -> None:
        self.records += sign * other.records
        self.incidents += sign * other.incidents
        self.threats += sign * other.threats
        self.fire_outbreaks += sign * other.fire_outbreaks
        self.deaths += sign * other.deaths
        self.missing += sign * other.missing
        self.serious_injuries += sign * other.serious_injuries
        self.minor_injuries += sign * other.minor_injuries
        self.direct_loss_fen += sign * other.direct_loss_fen
        self.damaged_area += sign * other.damaged_area
        self.late_reports += sign * other.late_reports
        self.near_misses += sign * other.near_misses
        self.late_supplements += sign * other.late_supplements
        self.fatalities += sign * other.fatalities
        self.fatalities_missing += sign * other.fatalities_missing

    def count(self, figures: Figures, sign: int = 1) -> None:
        """Add (+1) or withdraw (-1) one incident."""
        self.records += sign
        self.incidents += sign * figures[INCIDENTS]
        self.threats += sign * figures[THREATS]
        self.fire_outbreaks += sign * figures[FIRE_OUTBREAKS]
        self.deaths += sign * figures[DEATHS]
        self.missing += sign * figures[MISSING]
        self.serious_injuries += sign * figures[SERIOUS_INJURIES]
        self.minor_injuries += sign * figures[MINOR_INJURIES]
        self.direct_loss_fen += sign * figures[DIRECT_LOSS_FEN]
        self.damaged_area += sign * figures[DAMAGED_AREA]
        self.late_reports += sign * figures[LATE_REPORTS]
        self.near_misses += sign * figures[NEAR_MISSES]
        self.late_supplements += sign * figures[LATE_SUPPLEMENTS]
        self.fatalities += sign * figures[FATALITIES]
        self.fatalities_missing += sign * figures[FATALITIES_MISSING]

    def counts(self) -> tuple[int, ...]:
        return (
            self.records,
            self.incidents,
            self.threats,
            self.fire_outbreaks,
            self.deaths,
            self.missing,
            self.serious_injuries,
            self.minor_injuries,
            self.direct_loss_fen,
            self.damaged_area,
            self.late_reports,
            self.near_misses,
            self.late_supplements,
            self.fatalities,
            self.fatalities_missing,
        )

    def is_zero(self) -> bool:
        return not any(self.counts())

    @property
    def direct_loss_yuan(self) -> float:
        return self.direct_loss_fen / 100

    @property
    def damaged_area_ha(self) -> float:
        return self.damaged_area / 100

    def to_json(self) -> dict[str, Any]:
        """The contract's ``T`` object (§5)."""
        return {
            "incidents": self.incidents,
            "threats": self.threats,
            "fire_outbreaks": self.fire_outbreaks,
            "deaths": self.deaths,
            "missing": self.missing,
            "serious_injuries": self.serious_injuries,
            "minor_injuries": self.minor_injuries,
            "direct_loss_yuan": self.direct_loss_yuan,
            "damaged_area_ha": self.damaged_area_ha,
            "late_reports": self.late_reports,
            "near_misses": self.near_misses,
            "late_supplements": self.late_supplements,
            "fatalities": self.fatalities,
        }


class RowCodes(Protocol):
    """What a row's indexes and moments mean: the table that keeps the rows."""

    categories: tuple[Category, ...]
    grades: tuple[Grade, ...]
    category_index: Mapping[Category, int]
    grade_index: Mapping[Grade, int]
    regions: list[str]

    def region(self, code: str) -> int: ...
    def moment(self, moment: datetime | None) -> tuple[int, int]: ...
    def moment_of(self, at: int, offset: int) -> Any: ...
    def grade_moments(self, since: Mapping[Grade, datetime]) -> tuple[int, ...]: ...
    def grade_since(self, moments: list[int]) -> Mapping[Grade, datetime]: ...


#: An incident's row: a flags byte, the fields, the figures (little-endian, unpadded);
#: ``native/layout.h`` is the same row for the compiled table.
ROW = struct.Struct("<BqiBiiBBqHqHqHqHqHqHqHqHiiiiqiiii")
RETRACTED_BIT = 1
NON_BUSINESS_BIT = 2
IMPORTED_BIT = 4
INCIDENTS_BIT = 8
THREATS_BIT = 16
FIRE_OUTBREAKS_BIT = 32
LATE_REPORTS_BIT = 64
NEAR_MISSES_BIT = 128


def row_values(state: IncidentFields, codes: RowCodes) -> tuple[Any, ...]:
    """The values ``ROW`` packs for ``state``."""
    figures = state.figures
    flags = 0
    if state.retracted:
        flags |= RETRACTED_BIT
    if state.non_business:
        flags |= NON_BUSINESS_BIT
    if state.imported:
        flags |= IMPORTED_BIT
    if figures[INCIDENTS]:
        flags |= INCIDENTS_BIT
    if figures[THREATS]:
        flags |= THREATS_BIT
    if figures[FIRE_OUTBREAKS]:
        flags |= FIRE_OUTBREAKS_BIT
    if figures[LATE_REPORTS]:
        flags |= LATE_REPORTS_BIT
    if figures[NEAR_MISSES]:
        flags |= NEAR_MISSES_BIT
    return (
        flags,
        state.ref,
        state.revision,
        codes.category_index[state.category],
        codes.region(state.region_code),
        state.month,
        codes.grade_index[state.grade],
        codes.grade_index[state.current_grade],
        *codes.moment(state.occurred_at),
        *codes.moment(state.first_received_at),
        *codes.moment(state.last_received_at),
        *codes.moment(state.near_miss_since),
        *codes.moment(state.province_since),
        *codes.grade_moments(state.grade_since),
        figures[DEATHS],
        figures[MISSING],
        figures[SERIOUS_INJURIES],
        figures[MINOR_INJURIES],
        figures[DIRECT_LOSS_FEN],
        figures[DAMAGED_AREA],
        figures[LATE_SUPPLEMENTS],
        figures[FATALITIES],
        figures[FATALITIES_MISSING],
    )


#: The fields and figures of ``IncidentFields`` after its id, before ``rare``.
StateParts = tuple[
    int,
    int,
    bool,
    Category,
    str,
    bool,
    bool,
    int,
    Grade,
    Grade,
    datetime,
    datetime,
    datetime,
    datetime | None,
    datetime | None,
    Mapping[Grade, datetime],
    Figures,
]


def state_parts(values: tuple[Any, ...], codes: RowCodes) -> StateParts:
    """The fields and figures of ``IncidentFields`` (after ``incident_id``, before
    ``rare``) from the values ``ROW`` unpacked."""
    (
        flags,
        ref,
        revision,
        category,
        region_code,
        month,
        grade,
        current_grade,
        occurred_at_at,
        occurred_at_offset,
        first_received_at_at,
        first_received_at_offset,
        last_received_at_at,
        last_received_at_offset,
        near_miss_since_at,
        near_miss_since_offset,
        province_since_at,
        province_since_offset,
        *grade_since,
        deaths,
        missing,
        serious_injuries,
        minor_injuries,
        direct_loss_fen,
        damaged_area,
        late_supplements,
        fatalities,
        fatalities_missing,
    ) = values
    return (
        ref,
        revision,
        bool(flags & RETRACTED_BIT),
        codes.categories[category],
        codes.regions[region_code],
        bool(flags & NON_BUSINESS_BIT),
        bool(flags & IMPORTED_BIT),
        month,
        codes.grades[grade],
        codes.grades[current_grade],
        codes.moment_of(occurred_at_at, occurred_at_offset),
        codes.moment_of(first_received_at_at, first_received_at_offset),
        codes.moment_of(last_received_at_at, last_received_at_offset),
        codes.moment_of(near_miss_since_at, near_miss_since_offset),
        codes.moment_of(province_since_at, province_since_offset),
        codes.grade_since(grade_since),
        (
            1 if flags & INCIDENTS_BIT else 0,
            1 if flags & THREATS_BIT else 0,
            1 if flags & FIRE_OUTBREAKS_BIT else 0,
            deaths,
            missing,
            serious_injuries,
            minor_injuries,
            direct_loss_fen,
            damaged_area,
            1 if flags & LATE_REPORTS_BIT else 0,
            1 if flags & NEAR_MISSES_BIT else 0,
            late_supplements,
            fatalities,
            fatalities_missing,
        ),
    )
