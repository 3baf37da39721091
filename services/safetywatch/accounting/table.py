"""Every incident the ledger holds, as a fixed-size row of bytes.

A province holds a million incidents and the ministry several. As objects (a state,
its figures tuple, two datetimes and their time zones, its dict slot) each took about
630 bytes; as a packed row it takes ``ROW.size`` bytes in a page, plus its id and the
id's index entry. The rows are read back into ``IncidentState`` objects only when
asked for: by a revision of the incident, a query, an alert window. A checkpoint is
the pages themselves.

Moments are kept as POSIX timestamps (float) and the index of their UTC offset:
within the admitted years (1900-2200) a timestamp is within half a microsecond of the
moment, so reading it back gives the very same datetime (a property test checks the
bounds).
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any, Protocol

from safetywatch.accounting.grade_tables import Grade
from safetywatch.accounting.incident import COMMON, NO_GRADES, IncidentState, Rare
from safetywatch.events import Category

#: ref, revision, region, month, category, grade, flags; deaths, missing, serious and
#: minor injuries, loss in fen, fatalities, the missing among them; then eight moments
#: (occurred, first received, last received, near miss since, province since, and since
#: when it reached each grade above ordinary), each a timestamp (NaN: none) and the
#: index of its UTC offset.
ROW = struct.Struct("<qiIiBBB iiiiqii" + "dH" * 8)

#: Rows per page: pages of ~2 MB grow the table without copying what it holds.
PAGE_ROWS = 1 << 14

_RETRACTED, _LATE_REPORT, _NEAR_MISS = 1, 2, 4
_CATEGORIES = tuple(Category)
_CATEGORY_INDEX = {category: index for index, category in enumerate(_CATEGORIES)}
_GRADES = tuple(Grade)
_GRADE_INDEX = {grade: index for index, grade in enumerate(_GRADES)}
_ABOVE_ORDINARY = tuple(grade for grade in Grade if grade.rank > 0)
_NONE = float("nan")
_NO_MOMENT = (_NONE, 0)
_NO_GRADE_MOMENTS = _NO_MOMENT * len(_ABOVE_ORDINARY)
#: Where in a row's moments (after the five named ones) each grade's moment is.
_GRADE_MOMENTS = tuple((grade, 10 + 2 * n) for n, grade in enumerate(_ABOVE_ORDINARY))


class IncidentRows(Protocol):
    """What the ledger keeps its incidents in: this module's table, or its compiled twin
    (``safetywatch.native``), which must read back every state exactly as this one does."""

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
    def take(self, piece: Any) -> None: ...
    def end(self) -> None: ...


def fill_table(table: IncidentRows, pieces: Iterable[Any]) -> None:
    """Fill an empty table from the pieces of one of its kind (``pieces()``)."""
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


class IncidentTable(ReadsRows):
    """Rows by incident id, in the order incidents first appeared."""

    #: Checkpoints name the kind of table that wrote them: only the same kind reads them.
    kind = "python-1"

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._pages: list[bytearray] = []
        self._regions: list[str] = []
        self._region_index: dict[str, int] = {}
        #: The UTC offsets seen (from 1: 0 is falsy, and stands for no moment), and the
        #: index of each offset and fixed-offset tzinfo (equal offsets are equal keys).
        self._offsets: list[tzinfo] = [UTC]
        self._offset_index: dict[tzinfo | timedelta, int] = {}
        #: What few incidents have, by row.
        self._rare: dict[int, Rare] = {}
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
        row = len(self._ids)
        if row % PAGE_ROWS == 0:
            self._pages.append(bytearray(PAGE_ROWS * ROW.size))
        self._ids.append(state.incident_id)
        self._rows[state.incident_id] = row
        self.put(row, state)
        return row

    def put(self, row: int, state: IncidentState) -> None:
        """Write ``state`` over the row (of the same incident)."""
        # Spelled out, without helpers for the common cases: this runs for every record.
        offsets, moment = self._offset_index, self._moment
        occurred, received, last = (
            state.occurred_at,
            state.first_received_at,
            state.last_received_at,
        )
        received_at = received.timestamp(), offsets.get(received.tzinfo) or self._offset(received)  # type: ignore[arg-type]
        grade_since = state.grade_since
        region = self._region_index.get(state.region_code)
        if region is None:
            region = self._region_index[state.region_code] = len(self._regions)
            self._regions.append(state.region_code)
        ROW.pack_into(
            self._pages[row // PAGE_ROWS],
            (row % PAGE_ROWS) * ROW.size,
            state.ref,
            state.revision,
            region,
            state.month,
            _CATEGORY_INDEX[state.category],
            _GRADE_INDEX[state.grade],
            (_RETRACTED if state.retracted else 0)
            | (_LATE_REPORT if state.late_report else 0)
            | (_NEAR_MISS if state.near_miss else 0),
            *state.figures,
            occurred.timestamp(),
            offsets.get(occurred.tzinfo) or self._offset(occurred),  # type: ignore[arg-type]
            *received_at,
            *(received_at if last is received else moment(last)),
            *moment(state.near_miss_since),
            *moment(state.province_since),
            *(
                _NO_GRADE_MOMENTS
                if not grade_since
                else [x for g in _ABOVE_ORDINARY for x in moment(grade_since.get(g))]
            ),
        )
        if state.rare is not COMMON:
            self._rare[row] = state.rare
        elif self._rare:
            self._rare.pop(row, None)

    def set_rare(self, row: int, rare: Rare) -> None:
        if rare is COMMON:
            self._rare.pop(row, None)
        else:
            self._rare[row] = rare

    def state(self, row: int) -> IncidentState:
        (
            ref,
            revision,
            region,
            month,
            category,
            grade,
            flags,
            deaths,
            missing,
            serious,
            minor,
            loss,
            fatalities,
            fatalities_missing,
            *moments,
        ) = ROW.unpack_from(self._pages[row // PAGE_ROWS], (row % PAGE_ROWS) * ROW.size)
        at = self._at
        first_received = at(moments[2], moments[3])
        since = {
            g: at(moments[i], moments[i + 1]) for g, i in _GRADE_MOMENTS if moments[i] == moments[i]
        }
        return IncidentState(
            self._ids[row],
            ref,
            revision,
            bool(flags & _RETRACTED),
            _CATEGORIES[category],
            self._regions[region],
            at(moments[0], moments[1]),
            (deaths, missing, serious, minor, loss, fatalities, fatalities_missing),
            month,
            _GRADES[grade],
            bool(flags & _LATE_REPORT),
            bool(flags & _NEAR_MISS),
            first_received,
            since or NO_GRADES,
            at(moments[6], moments[7]),
            at(moments[8], moments[9]),
            first_received if moments[4:6] == moments[2:4] else at(moments[4], moments[5]),
            self._rare.get(row, COMMON),
        )

    def _at(self, timestamp: float, offset: int) -> Any:
        if timestamp != timestamp:  # NaN: no moment
            return None
        return datetime.fromtimestamp(timestamp, self._offsets[offset])

    def _offset(self, moment: datetime) -> int:
        """The index of the moment's UTC offset, registered on first sight."""
        utc_offset = moment.utcoffset()
        assert utc_offset is not None  # the ledger's moments are aware
        index = self._offset_index.get(utc_offset)
        if index is None:
            index = self._offset_index[utc_offset] = len(self._offsets)
            self._offsets.append(timezone(utc_offset) if utc_offset else UTC)
        tz = moment.tzinfo
        if tz is not None and tz.utcoffset(None) == utc_offset:  # a fixed offset
            self._offset_index[tz] = index
        return index

    def _moment(self, moment: datetime | None) -> tuple[float, int]:
        if moment is None:
            return _NO_MOMENT
        return moment.timestamp(), self._offset_index.get(moment.tzinfo) or self._offset(moment)  # type: ignore[arg-type]

    # -- checkpoints ---------------------------------------------------------------

    def pieces(self) -> Iterator[Any]:
        """The table as picklable pieces (a checkpoint writes them one at a time): first
        what the rows index into, then each page of rows with its ids."""
        yield {
            "kind": self.kind,
            "rows": len(self._ids),
            "regions": self._regions,
            "offsets": [zone.utcoffset(None) for zone in self._offsets[1:]],
            "rare": self._rare,
        }
        for number, page in enumerate(self._pages):
            first = number * PAGE_ROWS
            ids = self._ids[first : first + PAGE_ROWS]
            yield "\n".join(ids), bytes(memoryview(page)[: len(ids) * ROW.size])

    def begin(self, common: dict[str, Any]) -> None:
        """The first piece: what the rows index into (then ``take`` each page, ``end``)."""
        if len(self) or common.get("kind") != self.kind:
            raise ValueError(f"pieces of a {common.get('kind')} table for an {self.kind} one")
        self._regions = [sys.intern(region) for region in common["regions"]]
        self._region_index = {region: index for index, region in enumerate(self._regions)}
        for utc_offset in common["offsets"]:
            self._offset_index[utc_offset] = len(self._offsets)
            self._offsets.append(timezone(utc_offset) if utc_offset else UTC)
        self._rare, self._expected = common["rare"], common["rows"]

    def take(self, piece: tuple[str, bytes]) -> None:
        ids, rows = piece
        names = ids.split("\n")
        if len(rows) != len(names) * ROW.size or len(self._ids) % PAGE_ROWS:
            raise ValueError(f"a page of {len(rows)} bytes for {len(names)} incidents")
        page = bytearray(PAGE_ROWS * ROW.size)
        page[: len(rows)] = rows
        self._pages.append(page)
        self._ids.extend(names)

    def end(self) -> None:
        if len(self._ids) != self._expected:
            raise ValueError(f"{len(self._ids)} incidents in the pages, {self._expected} said")
        self._rows = dict(zip(self._ids, range(len(self._ids)), strict=True))
