"""What one applied revision makes of an incident: its grades, figures, lateness and
what it carries over from the revisions before (the replay's per-record work)."""

from __future__ import annotations

import sys
from datetime import tzinfo

from safetywatch.accounting.grade_tables import Grade
from safetywatch.accounting.grading import Grader
from safetywatch.accounting.incident import COMMON, NO_GRADES, IncidentState, Rare
from safetywatch.accounting.periods import month_of
from safetywatch.accounting.policy import (
    LATE_REPORT_AFTER,
    SUPPLEMENT_WINDOWS,
    graded_area,
    has_threat_figures,
    is_near_miss,
    reported_moment,
)
from safetywatch.accounting.record_store import RecordStore
from safetywatch.accounting.totals import yuan_to_fen
from safetywatch.events import FIRE_CATEGORIES, Category, StoredRecord

#: Iterating the Grade enum per record showed up in the replay profile.
_GRADES_ABOVE_ORDINARY = tuple(grade for grade in Grade if grade.rank > 0)

#: Categories graded by more than casualties, injuries and loss: fires by their area,
#: geological hazards also by their threat.
_GRADED_BY_MORE = frozenset({*FIRE_CATEGORIES, Category.GEOLOGICAL_HAZARD})


class RevisionReader:
    def __init__(self, zone: tzinfo, store: RecordStore, grader: Grader) -> None:
        self._zone = zone
        self._store = store
        self._grader = grader

    def _grades(self, record: StoredRecord, casualties: int) -> tuple[Grade, Grade | None, bool]:
        """The disaster grade by the table in force on the day, the threat grade of a
        geological 险情 (or None), and whether a fire's burned area stood in."""
        category, occurred_at = record.category, record.occurred_at
        area, by_burned = graded_area(record) if category in FIRE_CATEGORIES else (0.0, False)
        grade = self._grader.grade(
            category,
            occurred_at,
            casualties,
            record.serious_injuries,
            record.direct_loss_yuan,
            area,
        )
        threat = None
        if category is Category.GEOLOGICAL_HAZARD and has_threat_figures(record):
            threat = self._grader.threat_grade(
                record.threatened_people or 0, record.potential_loss_yuan or 0
            )
        return grade, threat, by_burned

    def state_for(
        self, record: StoredRecord, raw: bytes, previous: IncidentState | None
    ) -> IncidentState:
        # Plain tuples and locals: this runs per record (a named-tuple helper cost a sixth).
        deaths, missing, received_at, occurred_at = (
            record.deaths,
            record.missing,
            record.received_at,
            record.occurred_at,
        )
        casualties = deaths + missing
        if record.category in _GRADED_BY_MORE:
            grade, threat, by_burned = self._grades(record, casualties)
        else:  # inline: most records; a method call more cost the replay 0.15 µs
            grade, threat, by_burned = (
                self._grader.grade(
                    record.category,
                    occurred_at,
                    casualties,
                    record.serious_injuries,
                    record.direct_loss_yuan,
                    0.0,
                ),
                None,
                False,
            )
        alerting = grade if threat is None or threat.rank <= grade.rank else threat
        reached = _GRADES_ABOVE_ORDINARY[: alerting.rank]
        near_miss = is_near_miss(record)
        notable = reached or near_miss
        # The statistics take the highest revision received within the window, or the
        # first one when none was; a revision received later changes nothing there.
        in_window = received_at - occurred_at <= SUPPLEMENT_WINDOWS[record.category]
        figures = (
            deaths,
            missing,
            record.serious_injuries,
            record.minor_injuries,
            yuan_to_fen(record.direct_loss_yuan),
            casualties,
            missing,
        )
        if previous is None:
            first_received, first_reported, earlier_rare = (
                received_at,
                reported_moment(record),
                COMMON,
            )
            late_supplements, fatalities_in_window = 0, in_window
            grade_since = dict.fromkeys(reached, received_at) if reached else NO_GRADES
            near_miss_since = received_at if near_miss else None
            province_since = received_at if notable else None
        else:
            # Lateness is judged on the first report the log delivered (revision 1 in
            # any ordinary history) against the occurrence as the latest revision states.
            first_received, first_reported = previous.first_received_at, previous.reported_at
            earlier_rare, earlier = previous.rare, previous.grade_since
            grade_since = (
                {g: earlier.get(g, received_at) for g in reached} if reached else NO_GRADES
            )
            near_miss_since = (previous.near_miss_since or received_at) if near_miss else None
            province_since = (previous.province_since or received_at) if notable else None
            kept = previous.figures
            late_supplements = previous.late_supplements + (
                figures[:4] != kept[:4] and not in_window
            )
            fatalities_in_window = in_window or previous.fatalities_in_window
            if not in_window:
                figures = (*figures[:5], kept[5], kept[6])
        rare = COMMON
        if (
            late_supplements
            or not fatalities_in_window
            or threat
            or by_burned
            or record.final
            or record.unit_level
            or first_reported is not first_received
            or earlier_rare is not COMMON
        ):
            rare = Rare(
                earlier_rare.conflicts,
                late_supplements,
                fatalities_in_window,
                threat,
                by_burned,
                None if first_reported is first_received else first_reported,
                record.final,
                record.unit_level,
                earlier_rare.confirmations,
            )
        return IncidentState(  # positional, in field order: keywords cost 0.8 µs a record
            record.incident_id,
            self._store.append(raw),
            record.revision,
            record.retracted,
            record.category,
            sys.intern(record.region_code),
            occurred_at,
            figures,
            month_of(occurred_at, self._zone),
            grade,
            first_reported - occurred_at > LATE_REPORT_AFTER,  # late_report
            near_miss,
            first_received,
            grade_since,
            near_miss_since,
            province_since,
            received_at,
            rare,
        )
