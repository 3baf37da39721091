"""The incident table with its rows in C: the same rows as the Python table
(``safetywatch.accounting`` ``IncidentTable``, the definition), at a fraction of its cost
per record. A property test holds the two to reading back the same states, and either
reads the other's checkpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from types import ModuleType
from typing import Any

from safetywatch.accounting import (
    COMMON,
    NO_GRADES,
    PIECE_ROWS,
    ROWS_KIND,
    CellCounts,
    IncidentState,
    Rare,
    ReadsRows,
    Totals,
    checked_common,
    dumped_months,
    loaded_months,
)
from safetywatch.events import Category, Grade


class CompiledIncidentTable(ReadsRows):
    """An ``IncidentRows`` over the compiled ``Rows`` of ``module``."""

    kind = ROWS_KIND

    def __init__(self, module: ModuleType) -> None:
        self._month_cells = partial(module.Cells, Totals, tuple(Category), tuple(Grade))
        rows = module.Rows(
            IncidentState,
            tuple(Category),
            tuple(Grade),
            tuple(grade for grade in Grade if grade.rank > 0),
            COMMON,
            NO_GRADES,
            self._month_cells,
        )
        self._rows = rows
        self._common: dict[str, Any] = {}  # the first piece of a checkpoint being read
        # The compiled methods themselves, not wrappers: the ledger calls them per record.
        self.row_of: Callable[[str], int | None] = rows.row_of
        self.add: Callable[[IncidentState], int] = rows.add
        self.put: Callable[[int, IncidentState], None] = rows.put
        self.state: Callable[[int], IncidentState] = rows.state
        self.set_rare: Callable[[int, Rare], None] = rows.set_rare

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def months(self) -> dict[int, CellCounts]:
        """The counts the rows add up to, by month (the compiled table moves them)."""
        months: dict[int, CellCounts] = self._rows.months
        return months

    @months.setter
    def months(self, months: dict[int, CellCounts]) -> None:
        self._rows.months = months

    def pieces(self) -> Iterator[Any]:
        rows = self._rows
        regions, offsets, rare = rows.tables
        count = len(rows)
        yield {
            "kind": self.kind,
            "rows": count,
            "regions": list(regions),
            "offsets": [zone.utcoffset(None) for zone in offsets[1:]],
            "rare": dict(rare),
            "slots": rows.slots(),
            "months": dumped_months(self.months),
        }
        for start in range(0, count, PIECE_ROWS):
            stop = min(count, start + PIECE_ROWS)
            yield rows.ids_chunk(start, stop), rows.rows_chunk(start, stop)

    def begin(self, common: dict[str, Any]) -> None:
        checked_common(common, self.kind, empty=not len(self))
        self._rows.adopt(common["regions"], common["offsets"], common["rare"], common["rows"])
        self.months = loaded_months(common["months"], self._month_cells)
        self._common = common

    def take(self, piece: tuple[bytes, bytes]) -> None:
        self._rows.extend(*piece)

    def end(self) -> None:
        common, self._common = self._common, {}
        self._rows.index(common.get("slots", b""))
        if len(self) != common["rows"]:
            raise ValueError(f"{len(self)} incidents in the pieces, {common['rows']} said")
