"""What a checkpoint keeps of a ledger, as data (the aggregator writes and reads it)."""

from __future__ import annotations

from dataclasses import dataclass

from safetywatch.accounting.day_index import DayIndex
from safetywatch.accounting.delays import DelayHistogram
from safetywatch.accounting.incident import IncidentState
from safetywatch.accounting.table import IncidentRows
from safetywatch.events import ConfirmationRecord
from safetywatch.regions import Level


@dataclass(repr=False)
class LedgerSnapshot:
    """Everything a ledger holds but its record store and rules: what a checkpoint
    keeps. It shares the ledger's objects, so it is written before anything else is
    applied."""

    #: The ledger storage's kind (``LedgerStorage.kind``): only the same kind reads it.
    kind: str
    incidents: IncidentRows
    by_occurred_day: DayIndex[IncidentState]
    by_received_day: DayIndex[IncidentState]
    timeliness: dict[tuple[int, str, Level, bool], int]
    early_confirmations: dict[str, list[ConfirmationRecord]]
    delivery_delays: DelayHistogram

    def __repr__(self) -> str:  # a repr of a million incidents would take minutes
        months = len(self.incidents.months)
        return f"LedgerSnapshot({len(self.incidents)} incidents, {months} months)"
