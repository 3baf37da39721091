"""What one applied revision makes of an incident: its grades, its figures, whether it
was reported late, and what it carries over from the revisions before.

Each rule reads as the regulation states it (the rules themselves are in ``policy.py``
and ``grading.py``); this runs once for every applied record of the replay.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from safetywatch.accounting.deadlines import first_report_limit
from safetywatch.accounting.grading import Grader
from safetywatch.accounting.incident import IncidentState
from safetywatch.accounting.layout import figures, incident_of
from safetywatch.accounting.periods import month_of
from safetywatch.accounting.policy import (
    SURELY_OPEN,
    graded_area,
    has_threat_figures,
    hundredths,
    is_near_miss,
    is_non_business,
    is_threat,
    record_casualties,
    reported_moment,
    supplement_window_end,
    yuan_to_fen,
)
from safetywatch.accounting.rare import COMMON, NO_GRADES, Rare
from safetywatch.accounting.record_store import RecordStore
from safetywatch.events import FIRE_CATEGORIES, Category, Grade, Origin, StoredRecord

_GRADES_ABOVE_ORDINARY = tuple(grade for grade in Grade if grade.rank > 0)


@dataclass
class Grades:
    """What grading says of one revision; never changed once made. The ordinary ones are
    shared, so that one is built only for a fire or a threat (a dataclass's ``__init__``
    is Python even compiled, docs/performance.md)."""

    #: The disaster grade, by the table in force on the day it occurred.
    grade: Grade
    #: A geological threat's grade (险情), None without threat figures.
    threat: Grade | None = None
    #: A fire graded by its burned area because no damaged area was reported.
    by_burned_area: bool = False
    #: A fire below its regulation's minimum (火情): not counted as a fire.
    below_minimum: bool = False
    #: A fire's graded area in 0.01 ha (the ``damaged_area`` figure); 0 for the others.
    area: int = 0

    def alerting_with(self, grade: Grade) -> Grade:
        """The higher of ``grade`` (the official disaster grade) and the threat's: what
        the grade rule and the reporting chain go by."""
        threat = self.threat
        return grade if threat is None or threat.rank <= grade.rank else threat


#: The grades of most revisions (no threat, no burned area standing in): shared.
_ORDINARY_GRADES = {grade: Grades(grade) for grade in Grade}


class _NoEarlierRevision(NamedTuple):
    """What a first revision has before it: nothing, read as an earlier state is."""

    near_miss_since: datetime | None = None
    province_since: datetime | None = None
    grade_since: Mapping[Grade, datetime] = NO_GRADES
    grade: Grade = Grade.ORDINARY
    late_supplements: int = 0
    fatalities_in_window: bool = False
    fatalities: int = 0
    fatalities_missing: int = 0
    rare: Rare = COMMON


EARLIER_NONE = _NoEarlierRevision()


class RevisionReader:
    def __init__(self, zone: tzinfo, store: RecordStore, grader: Grader) -> None:
        self._zone = zone
        self._store = store
        self._grader = grader

    def grades(self, record: StoredRecord) -> Grades:
        """A fire is graded by its area, a geological hazard also by its threat; every
        category by its casualties (the missing with the dead), injuries and loss."""
        category = record.category
        if category in FIRE_CATEGORIES:
            return self._fire_grades(record)
        grade = self._grader.grade(
            category,
            record.occurred_at,
            record.deaths + record.missing,
            record.serious_injuries,
            record.direct_loss_yuan,
            0.0,
        )
        if category is Category.GEOLOGICAL_HAZARD and has_threat_figures(record):
            threat = self._grader.threat_grade(
                record.threatened_people or 0, record.potential_loss_yuan or 0
            )
            return Grades(grade, threat)
        return _ORDINARY_GRADES[grade]

    def _supplement(
        self,
        record: StoredRecord,
        true_at: datetime,
        previous: IncidentState | None,
        earlier: IncidentState | _NoEarlierRevision,
    ) -> tuple[bool, int]:
        """Whether the revision's figures were true (``true_at``) within the supplementary
        window, and the late supplements (超期补报: changed casualties received after it
        closed)."""
        if record.origin is Origin.IMPORT and record.figures_as_of is None:
            # Imported history: the bureau's statistics as it kept them, never 补报超期.
            return True, earlier.late_supplements
        # The window lasts its days at least (less a daylight-saving change): a revision
        # true and received within them is in it, and the calendar is read only after.
        occurred_at, surely_open = record.occurred_at, SURELY_OPEN[record.category]
        if true_at - occurred_at < surely_open and record.received_at - occurred_at < surely_open:
            return True, earlier.late_supplements
        closes = supplement_window_end(record, self._zone)
        in_window = true_at.timestamp() < closes
        changed = previous is not None and record_casualties(record) != previous.casualties
        late = changed and record.received_at.timestamp() >= closes
        return in_window, earlier.late_supplements + late

    def _fire_grades(self, record: StoredRecord) -> Grades:
        area, by_burned_area = graded_area(record)
        grade = self._grader.grade_or_below(
            record.category,
            record.occurred_at,
            record.deaths + record.missing,
            record.serious_injuries,
            record.direct_loss_yuan,
            area,
        )
        if grade is None:  # below Decree 822's minimum: 火情
            return Grades(Grade.ORDINARY, None, by_burned_area, True, hundredths(area))
        return Grades(grade, None, by_burned_area, False, hundredths(area))

    def state_for(
        self, record: StoredRecord, raw: bytes, previous: IncidentState | None
    ) -> IncidentState:
        received_at, occurred_at = record.received_at, record.occurred_at
        earlier: IncidentState | _NoEarlierRevision = previous or EARLIER_NONE
        unit_reported = reported_moment(record)
        true_at = record.figures_as_of or unit_reported  # policy.figures_true_at
        in_window, late_supplements = self._supplement(record, true_at, previous, earlier)
        # 补报 (Decree 493 art. 13): the first figures and any true within the window count.
        counted = in_window or previous is None
        grades = self.grades(record)
        grade = grades.grade if counted else earlier.grade
        reached = _GRADES_ABOVE_ORDINARY[: grades.alerting_with(grade).rank]
        near_miss, threat, outbreak = is_near_miss(record), is_threat(record), grades.below_minimum
        # When it first reached each grade: a downgrade drops the grades above.
        grade_since = (
            {g: earlier.grade_since.get(g, received_at) for g in reached} if reached else NO_GRADES
        )
        first = _first_report(record, unit_reported, previous)
        fatalities_in_window = in_window or earlier.fatalities_in_window
        state = incident_of(
            IncidentState,
            incident_id=record.incident_id,
            ref=self._store.append(raw),
            revision=record.revision,
            retracted=record.retracted,
            category=record.category,
            region_code=record.region_code,  # the table keeps one string per region
            non_business=is_non_business(record),
            imported=first.imported,
            month=month_of(occurred_at, self._zone),
            grade=grade,
            current_grade=grades.grade,
            occurred_at=occurred_at,
            first_received_at=first.received_at,
            last_received_at=received_at,
            near_miss_since=(earlier.near_miss_since or received_at) if near_miss else None,
            province_since=(earlier.province_since or received_at)
            if reached or near_miss
            else None,
            grade_since=grade_since,
            figures=figures(
                incidents=int(not (threat or outbreak)),
                threats=int(threat),
                fire_outbreaks=int(outbreak),
                deaths=record.deaths,
                missing=record.missing,
                serious_injuries=record.serious_injuries,
                minor_injuries=record.minor_injuries,
                direct_loss_fen=yuan_to_fen(record.direct_loss_yuan),
                damaged_area=0 if outbreak else grades.area,
                late_reports=int(first.late),
                near_misses=int(near_miss),
                late_supplements=late_supplements,
                fatalities=record.deaths + record.missing if counted else earlier.fatalities,
                fatalities_missing=record.missing if counted else earlier.fatalities_missing,
            ),
        )
        state.rare = _rare(record, grades, earlier.rare, first, fatalities_in_window)
        return state


class _FirstReport:
    # A class with its own __init__: compiled, it is built natively, where a dataclass's
    # __init__ is the Python the dataclasses module writes (docs/performance.md).
    def __init__(
        self, received_at: datetime, reported_at: datetime, late: bool, imported: bool
    ) -> None:
        self.received_at = received_at
        self.reported_at = reported_at
        self.late = late
        self.imported = imported


def _first_report(
    record: StoredRecord, reported_at: datetime, previous: IncidentState | None
) -> _FirstReport:
    """When the log first delivered a report of the incident, when the unit made it
    (``reported_at`` for a first revision), whether that was late (迟报), against the
    occurrence as the revision states it, and whether the incident is imported history
    (as its first revision said: the past is recorded, never 迟报)."""
    if previous is None:
        received, reported = record.received_at, reported_at
        imported = record.origin is Origin.IMPORT
    else:
        received, reported = previous.first_received_at, previous.reported_at
        imported = previous.imported
    limit = first_report_limit(record.category, record.occurred_at)
    late = not imported and reported - record.occurred_at > limit
    return _FirstReport(received, reported, late, imported)


def _rare(
    record: StoredRecord,
    grades: Grades,
    earlier: Rare,
    first: _FirstReport,
    fatalities_in_window: bool,
) -> Rare:
    """What few incidents have; the one shared COMMON for all the others. The unit's
    own moment of the first report is kept only where it differs from the receipt."""
    first_reported_at = None if first.reported_at is first.received_at else first.reported_at
    if (
        earlier is COMMON
        and first_reported_at is None
        and fatalities_in_window
        and grades.threat is None
        and not grades.by_burned_area
        and not record.final
        and record.unit_level is None
    ):
        return COMMON
    return earlier._replace(
        fatalities_in_window=fatalities_in_window,
        threat_grade=grades.threat,
        graded_by_burned_area=grades.by_burned_area,
        first_reported_at=first_reported_at,
        final=record.final,
        unit_level=record.unit_level,
    )
