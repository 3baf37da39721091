"""One month's counts by (region, category, grade, apart): what the statistics read,
and where every applied revision deposits its incident and withdraws its previous one.
``apart`` is true for the incidents counted apart from the work-safety statistics
(``fields.CELL_KEY``: non-business road traffic and fire accidents).

``MonthCells`` is the definition; ``safetywatch.native`` has a compiled twin that keeps
a cell's counts in one array of 64-bit integers instead of a Totals object, its key tuple
and dict slot. Both dump the same bytes, so a checkpoint of one is read by the other.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Mapping
from typing import Protocol

from safetywatch.accounting.layout import FIGURE_COUNT, Figures, Totals
from safetywatch.events import Category, Grade

CellKey = tuple[str, Category, Grade, bool]  # region_code, category, grade, apart

_CATEGORIES = tuple(Category)
_CATEGORY_INDEX = {category: n for n, category in enumerate(_CATEGORIES)}
_GRADES = tuple(Grade)
_GRADE_INDEX = {grade: n for n, grade in enumerate(_GRADES)}
#: A dumped cell: its category and grade (indexes), apart (0 or 1), then its counts
#: (Totals' fields).
DUMPED_CELL = struct.Struct("<BBB" + "q" * (1 + FIGURE_COUNT))


class CellCounts(Protocol):
    """A month's cells, Python or compiled: reading back the same totals."""

    #: Moves and loads so far: cells whose ``changes`` did not move read back the same
    #: totals (what a reader keeping sums of them compares).
    changes: int

    def __len__(self) -> int: ...
    def move(
        self,
        region: str,
        category: Category,
        grade: Grade,
        apart: bool,
        figures: Figures,
        sign: int,
    ) -> None: ...
    def totals(self) -> dict[CellKey, Totals]: ...
    def totals_by(self, region_of: Mapping[str, str]) -> dict[CellKey, Totals]: ...
    def regions(self) -> set[str]: ...
    def dump(self) -> tuple[list[str], bytes]: ...
    def load(self, regions: list[str], counts: bytes) -> None: ...


class MonthCells:
    def __init__(self) -> None:
        self._cells: dict[CellKey, Totals] = {}
        self.changes = 0

    def __len__(self) -> int:
        return len(self._cells)

    def move(
        self,
        region: str,
        category: Category,
        grade: Grade,
        apart: bool,
        figures: Figures,
        sign: int,
    ) -> None:
        """Deposit (+1) or withdraw (-1) one incident's figures."""
        key = (region, category, grade, apart)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = Totals()
        cell.count(figures, sign)
        self.changes += 1
        # Every contribution counts one record, so a cell no incident contributes to
        # any more holds exact zeros (integers, losses in fen): drop it.
        if cell.records == 0:
            del self._cells[key]

    def totals(self) -> dict[CellKey, Totals]:
        """The cells that hold an incident (copies: the caller may add to them)."""
        return {key: Totals(*totals.counts()) for key, totals in self._cells.items()}

    def totals_by(self, region_of: Mapping[str, str]) -> dict[CellKey, Totals]:
        """``totals()`` with each cell's region replaced by ``region_of[region]`` and the
        cells that then meet summed (a county's into its city's or province's)."""
        summed: dict[CellKey, Totals] = {}
        for (region, category, grade, apart), totals in self._cells.items():
            key = (region_of[region], category, grade, apart)
            if (cell := summed.get(key)) is None:
                summed[key] = Totals(*totals.counts())
            else:
                cell.add(totals)
        return summed

    def regions(self) -> set[str]:
        return {region for region, _, _, _ in self._cells}

    def dump(self) -> tuple[list[str], bytes]:
        """The regions of the cells and their packed counts (``DUMPED_CELL`` each)."""
        regions, counts = [], bytearray()
        for (region, category, grade, apart), totals in self._cells.items():
            regions.append(region)
            counts += DUMPED_CELL.pack(
                _CATEGORY_INDEX[category], _GRADE_INDEX[grade], apart, *totals.counts()
            )
        return regions, bytes(counts)

    def load(self, regions: list[str], counts: bytes) -> None:
        if self._cells or len(counts) != len(regions) * DUMPED_CELL.size:
            raise ValueError("load needs empty cells and the counts of each region")
        for region, (category, grade, apart, *cell) in zip(
            regions, DUMPED_CELL.iter_unpack(counts), strict=True
        ):
            key = (region, _CATEGORIES[category], _GRADES[grade], apart == 1)
            if key in self._cells or not cell[0] or apart > 1:
                raise ValueError("a cell twice, of no incident, or of an unknown standing")
            self._cells[key] = Totals(*cell)
        self.changes += 1


def dumped_months(months: dict[int, CellCounts]) -> dict[int, tuple[list[str], bytes]]:
    """Each month's cells as they are dumped: what a table's first piece carries."""
    return {month: cells.dump() for month, cells in months.items()}


def loaded_months(
    dumps: dict[int, tuple[list[str], bytes]], make: Callable[[], CellCounts]
) -> dict[int, CellCounts]:
    """The months ``dumped_months`` wrote, each loaded into cells ``make`` makes."""
    months = {}
    for month, (regions, counts) in dumps.items():
        cells = months[month] = make()
        cells.load(regions, counts)
    return months
