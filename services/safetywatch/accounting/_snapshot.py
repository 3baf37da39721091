"""What a checkpoint keeps of a ledger, as data (the aggregator writes and reads it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from safetywatch.accounting._delays import DelayHistogram
from safetywatch.accounting._grade_tables import Grade
from safetywatch.accounting._incident import IncidentState
from safetywatch.accounting._totals import Totals
from safetywatch.events import Category, ConfirmationRecord
from safetywatch.regions import Level

CellKey = tuple[str, Category, Grade]  # region_code, category, grade


@dataclass(repr=False)
class LedgerSnapshot:
    """Everything a ledger holds but its record store and rules: what a checkpoint
    keeps. It shares the ledger's objects, so it is written before anything else is
    applied. The day indexes are not in it: a restore rebuilds them from the states."""

    incidents: list[IncidentState]
    cells: dict[int, dict[CellKey, Totals]]
    timeliness: dict[tuple[int, str, Level, bool], int]
    early_confirmations: dict[str, list[ConfirmationRecord]]
    delivery_delays: DelayHistogram

    def __repr__(self) -> str:  # a repr of a million incidents would take minutes
        return f"LedgerSnapshot({len(self.incidents)} incidents, {len(self.cells)} months)"


def received_days(state: IncidentState) -> set[datetime]:
    """The receipts and confirmations a state still names, one per day: what the
    receipt-day index must hold for it (a revision can come after one received later,
    so the latest applied is not always the latest received)."""
    moments = [state.first_received_at, state.last_received_at, state.near_miss_since,
               state.province_since, *state.grade_since.values(),
               *(done.at for done in state.rare.confirmations.values())]  # fmt: skip
    by_day = {m.toordinal(): m for m in moments if m is not None}
    return set(by_day.values())
