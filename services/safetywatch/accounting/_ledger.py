"""The aggregator's state: every incident's latest revision and the running counts.

A pure, deterministic function of the records applied in log order: no I/O, no
clock. Each applied revision first withdraws the incident's previous contribution
and then adds its new one, so month, grade and counts always reflect exactly the
latest revision. Counts are kept by month; a quarter, a year or a range of months is
the sum of its months.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from safetywatch.accounting._day_index import DayIndex
from safetywatch.accounting._delays import DelayHistogram
from safetywatch.accounting._grade_tables import Grade
from safetywatch.accounting._grading import Grader
from safetywatch.accounting._incident import NO_GRADES, IncidentState, Outcome
from safetywatch.accounting._periods import Period, month_of, month_start
from safetywatch.accounting._policy import (
    LATE_REPORT_AFTER,
    SUPPLEMENT_WINDOWS,
    graded_area,
    has_threat_figures,
    is_near_miss,
    reported_moment,
)
from safetywatch.accounting._records import MemoryRecordStore, RecordStore
from safetywatch.accounting._summary import Summary
from safetywatch.accounting._totals import Totals, yuan_to_fen
from safetywatch.events import FIRE_CATEGORIES, Category, IncidentRecord, StoredRecord

#: Iterating the Grade enum per record showed up in the replay profile.
_GRADES_ABOVE_ORDINARY = tuple(grade for grade in Grade if grade.rank > 0)

#: Categories graded by more than casualties, injuries and loss: fires by their area,
#: geological hazards also by their threat.
_GRADED_BY_MORE = frozenset({*FIRE_CATEGORIES, Category.GEOLOGICAL_HAZARD})

CellKey = tuple[str, Category, Grade]  # region_code, category, grade


def _same_content(a: IncidentRecord, b: IncidentRecord) -> bool:
    # A field unit's retry is the same report received twice: the gateway's stamps differ,
    # and a report queued again is stamped again by the client (reported_at).
    ignored = {"received_at", "unit_id", "reported_at"}
    return a.model_dump(exclude=ignored) == b.model_dump(exclude=ignored)


class Ledger:
    """Latest-revision-wins state of every incident and the counts it contributes."""

    def __init__(
        self, zone: tzinfo, store: RecordStore | None = None, grader: Grader | None = None
    ) -> None:
        self._zone = zone
        self._store = store if store is not None else MemoryRecordStore()
        self._grader = grader if grader is not None else Grader(zone)
        #: How long reports took from the unit to the gateway: network trouble, apart
        #: from late reporting.
        self.delivery_delays = DelayHistogram()
        self._incidents: dict[str, IncidentState] = {}
        self._cells: dict[int, dict[CellKey, Totals]] = {}  # by month index
        self._by_occurred_day: DayIndex[IncidentState] = DayIndex()
        self._by_received_day: DayIndex[IncidentState] = DayIndex()

    def __len__(self) -> int:
        return len(self._incidents)

    def apply(self, record: StoredRecord, raw: bytes | None = None) -> Outcome:
        """Apply one record in log order; ``raw`` is its JSON as the log holds it
        (needed unless ``record`` is an ``IncidentRecord``, which can write it)."""
        if raw is None:
            if not isinstance(record, IncidentRecord):
                raise TypeError("apply needs the raw record for a fast-path record")
            raw = record.to_json_bytes()
        current = self._incidents.get(record.incident_id)
        if current is not None:
            if record.revision < current.revision:
                return Outcome.STALE
            if record.revision == current.revision:
                if _same_content(IncidentRecord.model_validate_json(raw), self.record_of(current)):
                    return Outcome.DUPLICATE
                current.conflicts += 1
                return Outcome.CONFLICT
        # Everything that depends on the record's content is computed before anything
        # changes: a record the rules cannot handle leaves the ledger as it was.
        state = self._state_for(record, raw, previous=current)
        if current is not None:
            self._move(current, sign=-1)
        self._incidents[record.incident_id] = state
        self._move(state, sign=1)
        if record.reported_at is not None:
            self.delivery_delays.observe(record)
        if current is None or current.occurred_at.toordinal() != state.occurred_at.toordinal():
            self._by_occurred_day.add(record.incident_id, state.occurred_at)
        # Every alert moment is the received_at of an applied revision: indexing each
        # revision by its receipt day finds every incident alerting since any day.
        self._by_received_day.add(record.incident_id, record.received_at)
        return Outcome.APPLIED

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

    def _state_for(
        self, record: StoredRecord, raw: bytes, previous: IncidentState | None
    ) -> IncidentState:
        # Spelled out in plain tuples: this runs for every record of the replay, and a
        # helper returning a named tuple cost it a sixth of its time.
        deaths, missing, received_at, occurred_at = (
            record.deaths, record.missing, record.received_at, record.occurred_at
        )  # fmt: skip
        casualties = deaths + missing
        if record.category in _GRADED_BY_MORE:
            grade, threat, by_burned = self._grades(record, casualties)
        else:  # inline: most records; a method call more cost the replay 0.15 µs
            grade, threat, by_burned = self._grader.grade(
                record.category, occurred_at, casualties, record.serious_injuries,
                record.direct_loss_yuan, 0.0,
            ), None, False  # fmt: skip
        alerting = grade if threat is None or threat.rank <= grade.rank else threat
        reached = _GRADES_ABOVE_ORDINARY[: alerting.rank]
        near_miss = is_near_miss(record)
        # The statistics take the highest revision received within the window, or the
        # first one when none was; a revision received later changes nothing there.
        in_window = received_at - occurred_at <= SUPPLEMENT_WINDOWS[record.category]
        figures = (deaths, missing, record.serious_injuries, record.minor_injuries,
                   yuan_to_fen(record.direct_loss_yuan), casualties, missing)  # fmt: skip
        if previous is None:
            first_received, first_reported = received_at, reported_moment(record)
            conflicts = late_supplements = 0
            grade_since = dict.fromkeys(reached, received_at) if reached else NO_GRADES
            near_miss_since = received_at if near_miss else None
            fatalities_in_window = in_window
        else:
            # Lateness is judged on the first report the log delivered (revision 1 in
            # any ordinary history) against the occurrence as the latest revision states.
            first_received, conflicts = previous.first_received_at, previous.conflicts
            first_reported = previous.reported_at
            earlier = previous.grade_since
            grade_since = (
                {g: earlier.get(g, received_at) for g in reached} if reached else NO_GRADES
            )
            near_miss_since = (previous.near_miss_since or received_at) if near_miss else None
            kept = previous.figures
            late_supplements = previous.late_supplements + (
                figures[:4] != kept[:4] and not in_window
            )
            fatalities_in_window = in_window or previous.fatalities_in_window
            if not in_window:
                figures = (*figures[:5], kept[5], kept[6])
        # Positional, in field order: keyword arguments cost the replay 0.8 µs a record.
        return IncidentState(
            record.incident_id, self._store.append(raw), record.revision, record.retracted,
            record.category, sys.intern(record.region_code), occurred_at, figures,
            month_of(occurred_at, self._zone), grade,
            first_reported - occurred_at > LATE_REPORT_AFTER,  # late_report
            near_miss, first_received, conflicts, late_supplements, grade_since,
            near_miss_since, fatalities_in_window, threat, by_burned,
            first_reported,
        )  # fmt: skip

    def _move(self, state: IncidentState, sign: int) -> None:
        """Deposit (+1) or withdraw (-1) the incident's contribution to its cell.

        A retracted incident counts nowhere.
        """
        if state.retracted:
            return
        key = (state.region_code, state.category, state.grade)
        cells = self._cells.get(state.month)
        if cells is None:
            cells = self._cells[state.month] = {}
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Totals()
        cell.count_incident(
            state.figures, state.late_report, state.near_miss, state.late_supplements, sign
        )
        # Every contribution counts one incident, so a cell no incident contributes
        # to any more holds exact zeros (integers, losses in fen): drop it.
        if cell.incidents == 0:
            del cells[key]
            if not cells:
                del self._cells[state.month]

    # -- queries ---------------------------------------------------------------

    def incident(self, incident_id: str) -> IncidentState | None:
        return self._incidents.get(incident_id)

    def record_of(self, state: IncidentState) -> IncidentRecord:
        """The incident's latest applied record, read back from the record store."""
        return IncidentRecord.model_validate_json(self._store.read(state.ref))

    def incidents(self) -> Iterator[IncidentState]:
        return iter(self._incidents.values())

    def occurred_between(self, start: datetime, end: datetime) -> Iterator[IncidentState]:
        """Incidents with ``start <= occurred_at <= end``, retracted ones included."""
        return self._by_occurred_day.between(self._incidents, _occurred, start, end)

    def alerting_since(self, start: datetime) -> Iterator[IncidentState]:
        """Incidents whose ``latest_alert_moment`` is ``start`` or later: the only ones a
        per-incident rule holding for at most ``now - start`` can alert on at ``now``."""
        return self._by_received_day.between(self._incidents, _alert_moment, start, None)

    def cells(self, period: Period) -> dict[CellKey, Totals]:
        """Counts of a period by (region, category, grade), summed over its months;
        absent cells are zero."""
        if period.length == 1:
            return dict(self._cells.get(period.first, {}))
        summed: dict[CellKey, Totals] = {}
        for month in period.months:
            for key, totals in self._cells.get(month, {}).items():
                if (cell := summed.get(key)) is None:
                    cell = summed[key] = Totals()
                cell.add(totals)
        return summed

    def totals_between(
        self, start: datetime, end: datetime, region_prefix: str = ""
    ) -> dict[Category, Totals]:
        """Counts by category of the incidents that occurred in [start, end): whole months
        from the cells, the partial months at either end incident by incident."""
        by_category = {category: Totals() for category in Category}
        first, last = month_of(start, self._zone), month_of(end, self._zone)
        whole = [m for m in range(first, last) if month_start(m, self._zone) >= start]
        for month in whole:
            for (region, category, _), totals in self._cells.get(month, {}).items():
                if region.startswith(region_prefix):
                    by_category[category].add(totals)
        edges = (
            [
                (start, month_start(whole[0], self._zone)),
                (month_start(whole[-1] + 1, self._zone), end),
            ]
            if whole
            else [(start, end)]
        )
        for edge_start, edge_end in edges:
            for state in self.occurred_between(edge_start, edge_end):
                if (
                    state.occurred_at < edge_end
                    and not state.retracted
                    and state.region_code.startswith(region_prefix)
                ):
                    by_category[state.category].count_incident(
                        state.figures, state.late_report, state.near_miss, state.late_supplements, 1
                    )
        return by_category

    def regions_seen(self) -> set[str]:
        return {region for cells in self._cells.values() for region, _, _ in cells}

    def summary(
        self, period: Period, region_prefix: str = "", known_regions: Iterable[str] = ()
    ) -> Summary:
        summary = Summary(period=period, region_prefix=region_prefix)
        for region in known_regions:
            if region.startswith(region_prefix):
                summary.by_region.setdefault(region, Totals())
        for (region, category, grade), totals in self.cells(period).items():
            if region.startswith(region_prefix):
                summary.count(region, category, grade, totals)
        return summary


def _occurred(state: IncidentState) -> datetime:
    return state.occurred_at


def _alert_moment(state: IncidentState) -> datetime | None:
    return state.latest_alert_moment
