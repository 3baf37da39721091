"""What the ledger keeps of each incident, declared once.

An incident's *fields* say what it is (its revision, category, region, grade and the
moments the reporting rules read); its *figures* are what it adds to every count it is
in: a period's totals are the number of incidents and the sum of each figure. Every other
form of these two tables is generated from them by ``python -m dev.generate`` and kept
equal by its drift check:

- ``accounting/layout.py``: the state's fields (``IncidentFields``), the figures as a
  tuple with a keyword-only builder, the totals a period sums (``Totals``), the figure
  names of the read API, and the row an incident is kept in (one ``struct`` format);
- ``native/layout.h``: the same row and figures for the compiled table, which reads and
  writes the very bytes the Python table does (a checkpoint of one is read by the other);
- the figures' table in ``docs/contract.md``'s sibling, ``docs/figures.md``.

Adding a counted figure is one line in ``FIGURES`` and the rule that fills it
(``docs/adding-a-figure.md`` has the steps, and a test follows them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a field or figure is held in a row, and what it reads back as."""

    INT32 = "int32"
    INT64 = "int64"
    #: A bit of the row's flags; reads back as a bool (a field) or 0 or 1 (a figure).
    FLAG = "flag"
    #: An index into the categories, the grades, the regions seen (1 or 4 bytes).
    CATEGORY = "category"
    GRADE = "grade"
    REGION = "region"
    #: An aware datetime: microseconds since the epoch and the index of its UTC offset.
    MOMENT = "moment"
    #: A moment or None.
    OPTIONAL_MOMENT = "optional moment"
    #: For each grade above ordinary, the moment the incident first reached it (or none).
    GRADE_MOMENTS = "grade moments"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    meaning: str


@dataclass(frozen=True)
class Figure:
    """A counted figure: each incident adds its value to the totals of every count it is
    in (retracted incidents count nowhere)."""

    name: str
    kind: Kind
    unit: str
    meaning: str
    #: Its name in the read API's totals and as a metric (``safetywatch_<public>``); None
    #: for a figure only the bulletin's wording reads.
    public: str | None
    #: What the metric's help says.
    help: str = ""
    #: The public value is the count divided by this (losses are counted in fen).
    scale: int = 1


FIELDS: tuple[Field, ...] = (
    Field("ref", Kind.INT64, "where the record store keeps the latest revision's body"),
    Field("revision", Kind.INT32, "the latest applied revision"),
    Field("retracted", Kind.FLAG, "the latest revision retracts the report (it counts nowhere)"),
    Field("category", Kind.CATEGORY, "the statistical category"),
    Field("region_code", Kind.REGION, "the reporting region (GB/T 2260)"),
    Field(
        "non_business",
        Kind.FLAG,
        "a road traffic or fire accident not of business (非生产经营性): counted apart",
    ),
    Field(
        "imported",
        Kind.FLAG,
        "imported history (its first revision's origin is import): counted, but it opens no "
        "reporting chain, raises no per-incident alert and is never 迟报",
    ),
    Field("month", Kind.INT32, "the month index of occurred_at in the area's zone"),
    Field(
        "grade",
        Kind.GRADE,
        "the official grade: of the figures the statistics count, frozen when the window closes",
    ),
    Field("current_grade", Kind.GRADE, "the grade of the latest figures, beside the official"),
    Field("occurred_at", Kind.MOMENT, "when it occurred, as the latest revision states"),
    Field("first_received_at", Kind.MOMENT, "when the log first delivered a report of it"),
    Field("last_received_at", Kind.MOMENT, "when the latest applied revision was received"),
    Field("near_miss_since", Kind.OPTIONAL_MOMENT, "since when every revision is a near miss"),
    Field(
        "province_since",
        Kind.OPTIONAL_MOMENT,
        "since when every revision requires the province (较大 and up, or a near miss)",
    ),
    Field("grade_since", Kind.GRADE_MOMENTS, "when it first reached each grade it holds"),
)

#: How an incident is counted (contract §3, §7): into the cell of its month, region,
#: category, grade and whether it is counted apart from the work-safety statistics (a
#: flag), where its figures are summed; an incident whose ``COUNTS_NOWHERE`` flag is set
#: (a retraction) is in no cell.
CELL_KEY = ("month", "region_code", "category", "grade", "non_business")
COUNTS_NOWHERE = "retracted"

FIGURES: tuple[Figure, ...] = (
    Figure(
        "incidents",
        Kind.FLAG,
        "起",
        "1 for an accident or disaster (灾情); 0 for a geological threat (险情) or a fire "
        "below its regulation's minimum (火情)",
        "incidents",
        "Incidents (not retracted), latest revision; geological threats count in threats",
    ),
    Figure(
        "threats",
        Kind.FLAG,
        "处",
        "险情: 1 for a geological report with threat figures and no casualty or loss",
        "threats",
        "Geological threats (地质灾害险情): threat figures, no casualty, no loss",
    ),
    Figure(
        "fire_outbreaks",
        Kind.FLAG,
        "起",
        "火情: 1 for a forest or grassland fire below its regulation's minimum (Decree 822 "
        "art. 45: 0.067 ha of forest, 10 ha of grassland, no death, no serious injury)",
        "fire_outbreaks",
        "Forest and grassland fires below the regulation's minimum (火情): not fires",
    ),
    Figure("deaths", Kind.INT32, "人", "死亡 deaths", "deaths", "Deaths"),
    Figure("missing", Kind.INT32, "人", "失踪 missing", "missing", "Missing persons"),
    Figure(
        "serious_injuries",
        Kind.INT32,
        "人",
        "重伤 serious injuries",
        "serious_injuries",
        "Serious injuries",
    ),
    Figure(
        "minor_injuries",
        Kind.INT32,
        "人",
        "轻伤 minor injuries",
        "minor_injuries",
        "Minor injuries",
    ),
    Figure(
        "direct_loss_fen",
        Kind.INT64,
        "分",
        "直接经济损失 direct economic loss, in fen so that revisions add and withdraw exactly",
        "direct_loss_yuan",
        "Direct economic loss in yuan",
        scale=100,
    ),
    Figure(
        "damaged_area",
        Kind.INT32,
        "0.01公顷",
        "受害森林/草原面积: the area a forest or grassland fire is graded by (the damaged "
        "area, or the burned area where none is reported), in hundredths of a hectare; 0 for "
        "a 火情",
        "damaged_area_ha",
        "Forest and grassland damaged by fires (受害森林、草原面积), hectares",
        scale=100,
    ),
    Figure(
        "late_reports",
        Kind.FLAG,
        "起",
        "迟报: 1 when the first report was made later than its kind's limit after the "
        "occurrence (1 h by Decree 493; 2 h for natural disasters: docs/deadlines.md)",
        "late_reports",
        "Incidents first reported late (迟报): after 1 h, 2 h for natural disasters",
    ),
    Figure(
        "near_misses",
        Kind.FLAG,
        "起",
        "较大涉险 (安监总局令第21号 art. 26): 1 when any of its criteria is met",
        "near_misses",
        "Incidents flagged as near misses (较大涉险, Order 21 art. 26): 10 at risk, "
        "3 trapped or missing, 500 evacuated, serious pollution, a key site endangered",
    ),
    Figure(
        "late_supplements",
        Kind.INT32,
        "次",
        "超期补报: revisions that changed the casualties after the supplementary window",
        "late_supplements",
        "Revisions that changed casualty figures after the supplementary window (补报超期)",
    ),
    Figure(
        "fatalities",
        Kind.INT32,
        "人",
        "统计死亡: deaths and missing as the statistics count them, within the window",
        "fatalities",
        "Deaths and missing as the statistics count them: within the supplementary window",
    ),
    Figure(
        "fatalities_missing",
        Kind.INT32,
        "人",
        "the missing among the fatalities (a bulletin says 含下落不明 when there are)",
        None,
    ),
)
