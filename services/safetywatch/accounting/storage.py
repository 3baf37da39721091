"""What a ledger keeps its incidents and the counts they add up to in: the Python table
(the definition) or the compiled one, which keep the same rows; a checkpoint of either is
read into either."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from safetywatch.accounting.table import IncidentRows, IncidentTable


@dataclass(frozen=True)
class LedgerStorage:
    """What a ledger keeps its incidents and counts in. ``kind`` names the rows: a
    checkpoint is read back by storage of the same kind, compiled or not."""

    kind: str
    incidents: Callable[[], IncidentRows]
    #: Whether the rows and cells are the compiled ones (the Python ones are the fallback).
    compiled: bool = False


PYTHON_STORAGE = LedgerStorage(IncidentTable.kind, IncidentTable)
