"""Every incident the ledger holds, as a row of bytes (``layout.ROW``), and what both
tables of rows share: this one in Python, and the compiled one (``safetywatch.native``),
which keeps the very same bytes.

A province holds a million incidents and the ministry several. As objects (a state, its
figures tuple, datetimes and their zones, its dict slot) each took about 630 bytes; as a
row it takes ``ROW.size`` bytes plus its id. The rows are read back into
``IncidentState`` objects only when asked for: by a revision of the incident, a query,
an alert window. A checkpoint is the rows themselves, in pieces either table reads.

A moment is kept as microseconds since the epoch and the index of its UTC offset (the
offsets seen are listed beside the rows), so it reads back as the very same datetime.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Protocol

from safetywatch.accounting.cells import CellCounts, MonthCells, dumped_months, loaded_months
from safetywatch.accounting.incident import IncidentState
from safetywatch.accounting.layout import LAYOUT, ROW, row_values, state_parts
from safetywatch.accounting.rare import COMMON, NO_GRADES, Rare
from safetywatch.events import Category, Grade

#: What checkpoints of incident rows say they are: only this layout reads them.
ROWS_KIND = f"rows-{LAYOUT}"
#: Rows a checkpoint piece holds (about 2 MB).
PIECE_ROWS = 1 << 14
#: A moment that is not there (``None``).
NO_MOMENT = -(1 << 63)
_EPOCH = datetime(1970, 1, 1)
_ONE_MICROSECOND = timedelta(microseconds=1)
_ABOVE_ORDINARY = tuple(grade for grade in Grade if grade.rank > 0)
_NO_GRADE_MOMENTS = (NO_MOMENT, 0) * len(_ABOVE_ORDINARY)


class IncidentRows(Protocol):
    """What the ledger keeps its incidents in: this module's table, or its compiled twin,
    which must read back every state exactly as this one does. Adding or writing over a
    row also moves the incident's contribution in the counts the rows add up to
    (``months``: each month's cells, by ``fields.CELL_KEY``)."""

    kind: str
    months: dict[int, CellCounts]

    def __len__(self) -> int: ...
    def row_of(self, incident_id: str) -> int | None: ...
    def get(self, incident_id: str) -> IncidentState | None: ...
    def states(self) -> Iterator[IncidentState]: ...
    def add(self, state: IncidentState) -> int: ...
    def put(self, row: int, state: IncidentState) -> None: ...
    def set_rare(self, row: int, rare: Rare) -> None: ...
    def state(self, row: int) -> IncidentState: ...
    def pieces(self) -> Iterator[Any]: ...
    def begin(self, common: dict[str, Any]) -> None: ...
    def take(self, piece: tuple[bytes, bytes]) -> None: ...
    def end(self) -> None: ...


def fill_table(table: IncidentRows, pieces: Iterable[Any]) -> None:
    """Fill an empty table from the pieces of a table of the same rows (``pieces()``)."""
    parts = iter(pieces)
    table.begin(next(parts))
    for piece in parts:
        table.take(piece)
    table.end()


class ReadsRows:
    """What both tables read the same way, through their own ``row_of`` and ``state``."""

    row_of: Callable[[str], int | None]
    state: Callable[[int], IncidentState]

    def __len__(self) -> int:
        raise NotImplementedError

    def get(self, incident_id: str) -> IncidentState | None:
        row = self.row_of(incident_id)
        return None if row is None else self.state(row)

    def states(self) -> Iterator[IncidentState]:
        return map(self.state, range(len(self)))


def checked_common(common: dict[str, Any], kind: str, empty: bool) -> None:
    """The first piece of a checkpoint's table: refused unless it is of these rows and
    the table that takes it is empty."""
    if not empty or common.get("kind") != kind:
        raise ValueError(f"pieces of a {common.get('kind')} table for an empty {kind} one")


class IncidentTable(ReadsRows):
    """Rows by incident id, in the order incidents first appeared; the row codes
    (``layout.RowCodes``) its rows are packed with."""

    kind = ROWS_KIND
    categories = tuple(Category)
    grades = tuple(Grade)
    category_index: Mapping[Category, int] = {c: n for n, c in enumerate(categories)}
    grade_index: Mapping[Grade, int] = {g: n for n, g in enumerate(grades)}

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._data = bytearray()
        self.regions: list[str] = []
        self._region_index: dict[str, int] = {}
        #: The UTC offsets seen (from 1: 0 stands for no moment), and the index of each
        #: offset and of each fixed-offset tzinfo (equal offsets are equal keys).
        self._offsets: list[tzinfo] = [UTC]
        self._offsets_us: list[int] = [0]
        self._offset_index: dict[tzinfo | timedelta, int] = {}
        #: What few incidents have, by row.
        self._rare: dict[int, Rare] = {}
        self.months: dict[int, CellCounts] = {}
        self._expected = 0  # rows a checkpoint said it holds, while it is read

    def __len__(self) -> int:
        return len(self._ids)

    def row_of(self, incident_id: str) -> int | None:
        return self._rows.get(incident_id)

    def add(self, state: IncidentState) -> int:
        """A new incident's row."""
        if "\n" in state.incident_id:
            raise ValueError("an incident id holds a newline")
        if state.incident_id in self._rows:
            raise ValueError("the incident is already in the table")
        values = row_values(state, self)  # before anything changes: it may raise
        row = len(self._ids)
        self._data += ROW.pack(*values)
        self._ids.append(state.incident_id)
        self._rows[state.incident_id] = row
        self.set_rare(row, state.rare)
        self._count(state, 1)
        return row

    def put(self, row: int, state: IncidentState) -> None:
        """Write ``state`` over the row (of the same incident), moving its contribution."""
        values = row_values(state, self)  # before anything changes: it may raise
        self._count(self.state(row), -1)
        ROW.pack_into(self._data, row * ROW.size, *values)
        self.set_rare(row, state.rare)
        self._count(state, 1)

    def _count(self, state: IncidentState, sign: int) -> None:
        """Deposit (+1) or withdraw (-1) the incident in the cell of its month, region,
        category, grade and standing (``fields.CELL_KEY``); a retracted one is in no cell."""
        if state.retracted:
            return
        cells = self.months.get(state.month)
        if cells is None:
            cells = self.months[state.month] = MonthCells()
        cells.move(
            state.region_code,
            state.category,
            state.grade,
            state.non_business,
            state.figures,
            sign,
        )
        if not cells:
            del self.months[state.month]

    def set_rare(self, row: int, rare: Rare) -> None:
        if rare is not COMMON:
            self._rare[row] = rare
        elif self._rare:
            self._rare.pop(row, None)

    def state(self, row: int) -> IncidentState:
        values = ROW.unpack_from(self._data, row * ROW.size)
        rare = self._rare.get(row, COMMON)
        return IncidentState(self._ids[row], *state_parts(values, self), rare)

    # -- the row codes ------------------------------------------------------------

    def region(self, code: str) -> int:
        index = self._region_index.get(code)
        if index is None:
            index = self._region_index[code] = len(self.regions)
            self.regions.append(sys.intern(code))
        return index

    def moment(self, moment: datetime | None) -> tuple[int, int]:
        if moment is None:
            return NO_MOMENT, 0
        offset = self._offset_index.get(moment.tzinfo) or self._offset(moment)  # type: ignore[arg-type]
        local = moment.replace(tzinfo=None) - _EPOCH
        return local // _ONE_MICROSECOND - self._offsets_us[offset], offset

    def moment_of(self, at: int, offset: int) -> datetime | None:
        if at == NO_MOMENT:
            return None
        local = _EPOCH + timedelta(microseconds=at + self._offsets_us[offset])
        return local.replace(tzinfo=self._offsets[offset])

    def grade_moments(self, since: Mapping[Grade, datetime]) -> tuple[int, ...]:
        if not since:
            return _NO_GRADE_MOMENTS
        return tuple(part for grade in _ABOVE_ORDINARY for part in self.moment(since.get(grade)))

    def grade_since(self, moments: list[int]) -> Mapping[Grade, datetime]:
        since = {}
        for n, grade in enumerate(_ABOVE_ORDINARY):
            moment = self.moment_of(moments[2 * n], moments[2 * n + 1])
            if moment is not None:
                since[grade] = moment
        return since or NO_GRADES

    def _offset(self, moment: datetime) -> int:
        """The index of the moment's UTC offset, registered on first sight."""
        utc_offset = moment.utcoffset()
        if utc_offset is None:
            raise ValueError(f"a naive moment: {moment}")
        index = self._offset_index.get(utc_offset)
        if index is None:
            index = self._known_offset(utc_offset)
        tz = moment.tzinfo
        if tz is not None and tz.utcoffset(None) == utc_offset:  # a fixed offset
            self._offset_index[tz] = index
        return index

    def _known_offset(self, utc_offset: timedelta) -> int:
        index = self._offset_index[utc_offset] = len(self._offsets)
        self._offsets.append(timezone(utc_offset) if utc_offset else UTC)
        self._offsets_us.append(utc_offset // _ONE_MICROSECOND)
        return index

    # -- checkpoints ---------------------------------------------------------------

    def pieces(self) -> Iterator[Any]:
        """The table as picklable pieces (a checkpoint writes them one at a time): first
        what the rows index into, then the rows a piece at a time with their ids."""
        yield {
            "kind": self.kind,
            "rows": len(self._ids),
            "regions": self.regions,
            "offsets": [zone.utcoffset(None) for zone in self._offsets[1:]],
            "rare": self._rare,
            "slots": b"",  # the compiled table's id slots; this one indexes ids in a dict
            "months": dumped_months(self.months),
        }
        for start in range(0, len(self._ids), PIECE_ROWS):
            ids = self._ids[start : start + PIECE_ROWS]
            rows = self._data[start * ROW.size : (start + len(ids)) * ROW.size]
            yield "".join(f"{i}\n" for i in ids).encode(), bytes(rows)

    def begin(self, common: dict[str, Any]) -> None:
        """The first piece: what the rows index into (then ``take`` each piece, ``end``)."""
        checked_common(common, self.kind, empty=not len(self))
        for code in common["regions"]:
            self.region(code)
        for utc_offset in common["offsets"]:
            self._known_offset(utc_offset)
        self._rare, self._expected = dict(common["rare"]), common["rows"]
        self.months = loaded_months(common["months"], MonthCells)

    def take(self, piece: tuple[bytes, bytes]) -> None:
        ids, rows = piece
        names = ids.decode().split("\n")[:-1]
        if len(rows) != len(names) * ROW.size:
            raise ValueError(f"a piece of {len(rows)} bytes for {len(names)} incidents")
        self._data += rows
        self._ids.extend(names)

    def end(self) -> None:
        if len(self._ids) != self._expected:
            raise ValueError(f"{len(self._ids)} incidents in the pieces, {self._expected} said")
        self._rows = dict(zip(self._ids, range(len(self._ids)), strict=True))
        if len(self._rows) != len(self._ids):
            raise ValueError("an incident twice in the pieces")
