"""One month's counts by (region, category, grade): what the statistics read, and
where every applied revision deposits its incident and withdraws its previous one.

``MonthCells`` is the definition; ``safetywatch.native`` has a compiled twin that keeps
a cell in eleven 64-bit counts instead of a Totals object, its key tuple and dict slot.
``LedgerStorage`` names which of the two a ledger keeps its incidents and counts in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple, dataclass
from typing import Any, Protocol

from safetywatch.accounting.grade_tables import Grade
from safetywatch.accounting.table import IncidentRows, IncidentTable
from safetywatch.accounting.totals import Figures, Totals
from safetywatch.events import Category

CellKey = tuple[str, Category, Grade]  # region_code, category, grade


class CellCounts(Protocol):
    """A month's cells, Python or compiled: reading back the same totals."""

    def __len__(self) -> int: ...
    def move(
        self,
        region: str,
        category: Category,
        grade: Grade,
        figures: Figures,
        late_report: bool,
        near_miss: bool,
        late_supplements: int,
        sign: int,
    ) -> None: ...
    def totals(self) -> dict[CellKey, Totals]: ...
    def regions(self) -> set[str]: ...
    def dump(self) -> tuple[list[str], Any]: ...
    def load(self, regions: list[str], counts: Any) -> None: ...


class MonthCells:
    def __init__(self) -> None:
        self._cells: dict[CellKey, Totals] = {}

    def __len__(self) -> int:
        return len(self._cells)

    def move(
        self,
        region: str,
        category: Category,
        grade: Grade,
        figures: Figures,
        late_report: bool,
        near_miss: bool,
        late_supplements: int,
        sign: int,
    ) -> None:
        """Deposit (+1) or withdraw (-1) one incident's figures."""
        key = (region, category, grade)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = Totals()
        cell.count_incident(figures, late_report, near_miss, late_supplements, sign)
        # Every contribution counts one incident, so a cell no incident contributes
        # to any more holds exact zeros (integers, losses in fen): drop it.
        if cell.incidents == 0:
            del self._cells[key]

    def totals(self) -> dict[CellKey, Totals]:
        """The cells that hold an incident (copies: the caller may add to them)."""
        return {key: Totals(*astuple(totals)) for key, totals in self._cells.items()}

    def regions(self) -> set[str]:
        return {region for region, _, _ in self._cells}

    def dump(self) -> tuple[list[str], Any]:
        keys = list(self._cells)
        return [k[0] for k in keys], [(k[1], k[2], astuple(self._cells[k])) for k in keys]

    def load(self, regions: list[str], counts: Any) -> None:
        if self._cells or len(regions) != len(counts):
            raise ValueError("load needs empty cells and a count for each region")
        for region, (category, grade, figures) in zip(regions, counts, strict=True):
            self._cells[(region, Category(category), Grade(grade))] = Totals(*figures)


@dataclass(frozen=True)
class LedgerStorage:
    """What a ledger keeps its incidents and counts in. ``kind`` names the layout: a
    checkpoint is read back only by the same kind."""

    kind: str
    incidents: Callable[[], IncidentRows]
    month_cells: Callable[[], CellCounts]


PYTHON_STORAGE = LedgerStorage(IncidentTable.kind, IncidentTable, MonthCells)
