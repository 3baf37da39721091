"""The aggregator's state: every incident's latest revision and the running counts.

A pure, deterministic function of the records applied in log order: no I/O, no
clock. Each applied revision first withdraws the incident's previous contribution
and then adds its new one, so month, grade and counts always reflect exactly the
latest revision. Counts are kept by month; a quarter, a year or a range of months is
the sum of its months.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo
from operator import attrgetter

from safetywatch.accounting.cells import CellCounts, CellKey
from safetywatch.accounting.chain import ChainRules, timeliness
from safetywatch.accounting.day_index import DayIndex
from safetywatch.accounting.delays import DelayHistogram
from safetywatch.accounting.grading import Grader
from safetywatch.accounting.incident import IncidentState, Outcome
from safetywatch.accounting.layout import Totals
from safetywatch.accounting.periods import Period, month_of, month_start
from safetywatch.accounting.rare import Confirmed
from safetywatch.accounting.record_store import MemoryRecordStore, RecordStore
from safetywatch.accounting.revisions import RevisionReader
from safetywatch.accounting.snapshot import LedgerSnapshot
from safetywatch.accounting.storage import PYTHON_STORAGE, LedgerStorage
from safetywatch.accounting.summary import Summary
from safetywatch.events import (
    Category,
    ConfirmationRecord,
    IncidentRecord,
    StoredRecord,
)
from safetywatch.regions import Level


def _same_content(a: IncidentRecord, b: IncidentRecord) -> bool:
    # A field unit's retry is the same report received twice: the gateway's stamps differ,
    # and a report queued again is stamped again by the client (reported_at).
    ignored = {"received_at", "unit_id", "reported_at"}
    return a.model_dump(exclude=ignored) == b.model_dump(exclude=ignored)


class Ledger:
    """Latest-revision-wins state of every incident and the counts it contributes."""

    def __init__(
        self,
        zone: tzinfo,
        store: RecordStore | None = None,
        grader: Grader | None = None,
        chain: ChainRules | None = None,
        storage: LedgerStorage = PYTHON_STORAGE,
    ) -> None:
        self._zone = zone
        #: What incidents and counts are kept in (a checkpoint is read into the same).
        self.storage = storage
        self.chain = chain if chain is not None else ChainRules()
        #: On-time and late confirmations by (month, region, level, on time), like the cells.
        self._timeliness: dict[tuple[int, str, Level, bool], int] = {}
        #: Confirmations that came before any report of their incident (only written
        #: straight into the topic: the gateway checks the incident exists).
        self._early_confirmations: dict[str, list[ConfirmationRecord]] = {}
        self._store = store if store is not None else MemoryRecordStore()
        self._revisions = RevisionReader(
            zone, self._store, grader if grader is not None else Grader(zone)
        )
        #: How long reports took from the unit to the gateway: network trouble, apart
        #: from late reporting.
        self.delivery_delays = DelayHistogram()
        self._incidents = storage.incidents()
        self._by_occurred_day: DayIndex[IncidentState] = DayIndex()
        self._by_received_day: DayIndex[IncidentState] = DayIndex()

    def __len__(self) -> int:
        return len(self._incidents)

    @property
    def zone(self) -> tzinfo:
        """The area's time zone: days, months and the supplementary window are its."""
        return self._zone

    def apply(self, record: StoredRecord, raw: bytes | None = None) -> Outcome:
        """Apply one record in log order; ``raw`` is its JSON as the log holds it
        (needed unless ``record`` is an ``IncidentRecord``, which can write it)."""
        if raw is None:
            if not isinstance(record, IncidentRecord):
                raise TypeError("apply needs the raw record for a fast-path record")
            raw = record.to_json_bytes()
        incidents = self._incidents
        row = incidents.row_of(record.incident_id)
        current = None
        if row is not None:
            current = incidents.state(row)
            if record.revision <= current.revision:
                return self._repeated(record, raw, current, row)
        # Everything that depends on the record's content is computed before anything
        # changes: a record the rules cannot handle leaves the ledger as it was.
        state = self._revisions.state_for(record, raw, current)
        if row is None:
            row = incidents.add(state)
            if self._early_confirmations:
                self._take_early_confirmations(state, row)
        elif current is not None:
            self._count_timeliness(current, sign=-1)
            incidents.put(row, state)  # the counts move with the row
        self._count_timeliness(state, sign=1)
        if record.reported_at is not None:
            self.delivery_delays.observe(record)
        if current is None or current.occurred_at.toordinal() != state.occurred_at.toordinal():
            self._by_occurred_day.add(row, state.occurred_at)
        # Every alert moment is the received_at of an applied revision: indexing each
        # revision by its receipt day finds every incident alerting since any day.
        self._by_received_day.add(row, record.received_at)
        return Outcome.APPLIED

    def _repeated(
        self, record: StoredRecord, raw: bytes, current: IncidentState, row: int
    ) -> Outcome:
        """An older revision, a retry of the applied one, or another report under its
        number (the first one wins)."""
        if record.revision < current.revision:
            return Outcome.STALE
        if _same_content(IncidentRecord.model_validate_json(raw), self.record_of(current)):
            return Outcome.DUPLICATE
        current.count_conflict()
        self._incidents.set_rare(row, current.rare)
        return Outcome.CONFLICT

    def snapshot(self) -> LedgerSnapshot:
        return LedgerSnapshot(
            self.storage.kind,
            self._incidents,
            self._by_occurred_day,
            self._by_received_day,
            self._timeliness,
            self._early_confirmations,
            self.delivery_delays,
        )

    def restore(self, snapshot: LedgerSnapshot) -> None:
        """Take over a snapshot's state (into an empty ledger over the store its
        references point into)."""
        if len(self._incidents):
            raise ValueError("restore needs an empty ledger")
        self._incidents = snapshot.incidents
        self._by_occurred_day, self._by_received_day = (
            snapshot.by_occurred_day,
            snapshot.by_received_day,
        )
        self._timeliness = snapshot.timeliness
        self._early_confirmations = snapshot.early_confirmations
        self.delivery_delays = snapshot.delivery_delays

    def _take_early_confirmations(self, state: IncidentState, row: int) -> None:
        for early in self._early_confirmations.pop(state.incident_id, ()):
            confirmed = {early.level: Confirmed(early.received_at, early.unit_id)}
            state.rare = state.rare._replace(confirmations={**confirmed, **state.confirmations})
            self._incidents.set_rare(row, state.rare)
            self._by_received_day.add(row, early.received_at)

    def apply_confirmation(self, confirmation: ConfirmationRecord) -> Outcome:
        """A level confirmed an incident (签收并上报): the first confirmation of a level
        counts; a repeat, by the same unit or another of that level, changes nothing."""
        row = self._incidents.row_of(confirmation.incident_id)
        if row is None:
            self._early_confirmations.setdefault(confirmation.incident_id, []).append(confirmation)
            return Outcome.APPLIED
        state = self._incidents.state(row)
        if confirmation.level in state.confirmations:
            return Outcome.DUPLICATE
        self._count_timeliness(state, sign=-1)
        confirmed = Confirmed(confirmation.received_at, confirmation.unit_id)
        confirmations = {**state.confirmations, confirmation.level: confirmed}
        state.rare = state.rare._replace(confirmations=confirmations)
        self._incidents.set_rare(row, state.rare)
        self._count_timeliness(state, sign=1)
        self._by_received_day.add(row, confirmation.received_at)
        return Outcome.APPLIED

    def _count_timeliness(self, state: IncidentState, sign: int) -> None:
        """Deposit (+1) or withdraw (-1) the incident's confirmations in the timeliness
        counts (its figures move with its row). A retracted incident counts nowhere."""
        if state.rare.confirmations and not state.retracted:
            for level, on_time in timeliness(state, self.chain):
                slot = (state.month, state.region_code, level, on_time)
                self._timeliness[slot] = self._timeliness.get(slot, 0) + sign

    # -- queries ---------------------------------------------------------------

    def incident(self, incident_id: str) -> IncidentState | None:
        return self._incidents.get(incident_id)

    def record_of(self, state: IncidentState) -> IncidentRecord:
        """The incident's latest applied record, read back from the record store."""
        return IncidentRecord.model_validate_json(self._store.read(state.ref))

    def incidents(self) -> Iterator[IncidentState]:
        return self._incidents.states()

    def occurred_between(self, start: datetime, end: datetime) -> Iterator[IncidentState]:
        """Incidents with ``start <= occurred_at <= end``, retracted ones included."""
        return self._by_occurred_day.between(self._incidents.state, _occurred, start, end)

    def alerting_since(self, start: datetime) -> Iterator[IncidentState]:
        """Incidents whose ``latest_alert_moment`` is ``start`` or later: the only ones a
        per-incident rule holding for at most ``now - start`` can alert on at ``now``."""
        return self._by_received_day.between(self._incidents.state, _alert_moment, start, None)

    def cells(self, period: Period) -> dict[CellKey, Totals]:
        """Counts of a period by (region, category, grade, apart), summed over its months;
        absent cells are zero."""
        if period.length == 1:
            return self._month_totals(period.first)
        summed: dict[CellKey, Totals] = {}
        for month in period.months:
            for key, totals in self._month_totals(month).items():
                if (cell := summed.get(key)) is None:
                    cell = summed[key] = Totals()
                cell.add(totals)
        return summed

    def totals_between(
        self, start: datetime, end: datetime, region_prefix: str = ""
    ) -> dict[Category, Totals]:
        """Counts by category of the incidents that occurred in [start, end), as the
        official statistics count them (not the non-business accidents counted apart):
        whole months from the cells, the partial months at either end incident by
        incident."""
        by_category = {category: Totals() for category in Category}
        first, last = month_of(start, self._zone), month_of(end, self._zone)
        whole = [m for m in range(first, last) if month_start(m, self._zone) >= start]
        for month in whole:
            for (region, category, _, apart), totals in self._month_totals(month).items():
                if region.startswith(region_prefix) and not apart:
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
                    and not state.non_business
                    and state.region_code.startswith(region_prefix)
                ):
                    by_category[state.category].count(state.figures)
        return by_category

    def timeliness(self, period: Period) -> dict[tuple[str, Level, bool], int]:
        """Confirmations on time and late by region and level, of a period's incidents."""
        counts: dict[tuple[str, Level, bool], int] = {}
        for (month, region, level, on_time), count in self._timeliness.items():
            key = (region, level, on_time)
            if period.first <= month <= period.last and count:
                counts[key] = counts.get(key, 0) + count
        return counts

    def touched_since(self, start: datetime) -> Iterator[IncidentState]:
        """Incidents with a revision or a confirmation received since about ``start``."""
        return self._by_received_day.touched_since(self._incidents.state, start)

    def regions_seen(self) -> set[str]:
        return {region for cells in self._incidents.months.values() for region in cells.regions()}

    def month_cells(self, month: int) -> CellCounts | None:
        """A month's cells as the ledger keeps them (to read, never to move); None
        while no incident counts in it."""
        return self._incidents.months.get(month)

    def _month_totals(self, month: int) -> dict[CellKey, Totals]:
        cells = self._incidents.months.get(month)
        return cells.totals() if cells is not None else {}

    def summary(
        self, period: Period, region_prefix: str = "", known_regions: Iterable[str] = ()
    ) -> Summary:
        summary = Summary(period=period, region_prefix=region_prefix)
        for region in known_regions:
            if region.startswith(region_prefix):
                summary.by_region.setdefault(region, Totals())
        for (region, category, grade, apart), totals in self.cells(period).items():
            if region.startswith(region_prefix):
                summary.count(region, category, grade, apart, totals)
        return summary


_occurred, _alert_moment = attrgetter("occurred_at"), attrgetter("latest_alert_moment")
