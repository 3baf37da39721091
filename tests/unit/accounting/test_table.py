"""The two incident tables (the Python definition and the compiled rows) read back
exactly the states put into them, through a checkpoint's pieces too (either table reads
the other's), across the whole domain a state can hold: admitted years, any UTC offset,
every figure's bounds."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safetywatch.accounting.incident import IncidentState
from safetywatch.accounting.layout import ROW, Totals, figures
from safetywatch.accounting.rare import COMMON, NO_GRADES, Confirmed, Rare
from safetywatch.accounting.table import IncidentRows, IncidentTable, fill_table
from safetywatch.events.categories import Category
from safetywatch.events.grades import Grade
from safetywatch.native.storage import compiled_module
from safetywatch.native.table import CompiledIncidentTable
from safetywatch.regions.levels import Level
from tests.strategies import incident_figures

TABLES: dict[str, Callable[[], IncidentRows]] = {
    "python": IncidentTable,
    "compiled": partial(CompiledIncidentTable, compiled_module()),
}
ABOVE_ORDINARY = [grade for grade in Grade if grade.rank > 0]

offsets = st.one_of(
    st.just(UTC),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m))),
)
#: The admitted years, to the microsecond, seen from any offset.
moments = st.builds(
    lambda at, zone: at.replace(tzinfo=UTC).astimezone(zone),
    st.datetimes(datetime(1900, 1, 2), datetime(2200, 12, 30)),
    offsets,
)
rares = st.one_of(
    st.just(COMMON),
    st.builds(
        Rare,
        st.integers(0, 5),
        st.booleans(),
        st.sampled_from([None, *ABOVE_ORDINARY]),
        st.booleans(),
        st.none() | moments,
        st.booleans(),
        st.sampled_from([None, *Level]),
        st.dictionaries(st.sampled_from(list(Level)), st.builds(Confirmed, moments, st.just("u"))),
    ),
)


@st.composite
def states(draw: st.DrawFn, incident_id: str) -> IncidentState:
    first = draw(moments)
    since = draw(st.dictionaries(st.sampled_from(ABOVE_ORDINARY), moments))
    return IncidentState(
        incident_id=incident_id,
        ref=draw(st.integers(0, 2**63 - 1)),
        revision=draw(st.integers(1, 100_000)),
        retracted=draw(st.booleans()),
        category=draw(st.sampled_from(list(Category))),
        region_code=draw(st.sampled_from(["520201", "520221", "110101", "520200"])),
        non_business=draw(st.booleans()),
        imported=draw(st.booleans()),
        month=draw(st.integers(22_800, 26_400)),
        grade=draw(st.sampled_from(list(Grade))),
        current_grade=draw(st.sampled_from(list(Grade))),
        occurred_at=draw(moments),
        first_received_at=first,
        last_received_at=draw(st.sampled_from([first]) | moments),
        near_miss_since=draw(st.none() | moments),
        province_since=draw(st.none() | moments),
        grade_since=since or NO_GRADES,
        figures=draw(incident_figures),
        rare=draw(rares),
    )


def plain(incident_id: str) -> IncidentState:
    """An ordinary one-report incident."""
    at = datetime(2026, 11, 30, 8, tzinfo=timezone(timedelta(hours=8)))
    return IncidentState(
        incident_id=incident_id,
        ref=0,
        revision=1,
        retracted=False,
        category=Category.ROAD_TRAFFIC,
        region_code="520201",
        non_business=False,
        imported=False,
        month=24322,
        grade=Grade.ORDINARY,
        current_grade=Grade.ORDINARY,
        occurred_at=at,
        first_received_at=at,
        last_received_at=at,
        near_miss_since=None,
        province_since=None,
        grade_since=NO_GRADES,
        figures=figures(
            incidents=1,
            threats=0,
            fire_outbreaks=0,
            deaths=1,
            missing=0,
            serious_injuries=0,
            minor_injuries=2,
            direct_loss_fen=5000,
            damaged_area=0,
            late_reports=0,
            near_misses=0,
            late_supplements=0,
            fatalities=1,
            fatalities_missing=0,
        ),
    )


def as_tuple(state: IncidentState) -> tuple[Any, ...]:
    values = tuple(getattr(state, name) for name in state.__struct_fields__)
    # Equal moments must also read in the same offset (an incident shows its own).
    offsets = tuple(v.utcoffset() for v in values if isinstance(v, datetime))
    since = sorted(state.grade_since.items(), key=lambda item: item[0].rank)
    return values, offsets, tuple((grade, at.utcoffset()) for grade, at in since)


@st.composite
def operations(draw: st.DrawFn) -> list[IncidentState]:
    ids = draw(st.lists(st.sampled_from([f"52020{n}-A{n}" for n in range(6)]), max_size=12))
    return [draw(states(incident_id)) for incident_id in ids]


def written(tables: Callable[[], IncidentRows], puts: list[IncidentState]) -> IncidentRows:
    table = tables()
    for state in puts:
        row = table.row_of(state.incident_id)
        if row is None:
            assert table.add(state) == len(table) - 1
        else:
            table.put(row, state)
    return table


def latest(puts: list[IncidentState]) -> dict[str, IncidentState]:
    return {state.incident_id: state for state in puts}


@settings(max_examples=200, deadline=None)
@given(operations())
def test_both_tables_read_back_what_was_put(puts: list[IncidentState]) -> None:
    expected = latest(puts)
    for tables in TABLES.values():
        table = written(tables, puts)
        assert len(table) == len(expected)
        assert [s.incident_id for s in table.states()] == list(expected)
        for incident_id, state in expected.items():
            got = table.get(incident_id)
            assert got is not None
            assert as_tuple(got) == as_tuple(state)
        assert table.get("000000-NONE") is None
        assert table.row_of("000000-NONE") is None


def counted(states: list[IncidentState]) -> dict[int, dict[Any, Any]]:
    """The naive counts: each incident's latest state in its month's cell."""
    months: dict[int, dict[Any, Any]] = {}
    for state in states:
        if not state.retracted:
            key = (state.region_code, state.category, state.grade, state.non_business)
            cells = months.setdefault(state.month, {})
            cells.setdefault(key, Totals()).count(state.figures)
    return {month: {k: v.to_json() for k, v in cells.items()} for month, cells in months.items()}


def months_of(table: IncidentRows) -> dict[int, dict[Any, Any]]:
    return {
        month: {key: totals.to_json() for key, totals in cells.totals().items()}
        for month, cells in table.months.items()
    }


@settings(max_examples=200, deadline=None)
@given(operations())
def test_both_tables_count_the_latest_state_of_each_incident(puts: list[IncidentState]) -> None:
    """Adding a row deposits it in its month's cells, writing over one moves it: the
    counts are always those of each incident's latest state (a retracted one: none)."""
    expected = counted(list(latest(puts).values()))
    for tables in TABLES.values():
        assert months_of(written(tables, puts)) == expected


@settings(max_examples=100, deadline=None)
@given(operations())
def test_a_table_read_from_its_pieces_is_the_same_table(puts: list[IncidentState]) -> None:
    """Of either kind: both keep the same rows, so each reads the other's pieces."""
    for tables, other in itertools.product(TABLES.values(), repeat=2):
        table = written(tables, puts)
        copy = other()
        fill_table(copy, pickle.loads(pickle.dumps(list(table.pieces()))))
        assert [as_tuple(s) for s in copy.states()] == [as_tuple(s) for s in table.states()]
        assert months_of(copy) == months_of(table)
        for state in latest(puts).values():  # and it goes on taking states
            row = copy.row_of(state.incident_id)
            assert row is not None
            copy.put(row, state)
            assert as_tuple(copy.state(row)) == as_tuple(state)


@pytest.mark.parametrize("kind", sorted(TABLES))
def test_the_extreme_moments_and_offsets_come_back_exactly(kind: str) -> None:
    table = TABLES[kind]()
    edges = [
        datetime(1900, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=23, minutes=59))),
        datetime(
            2200, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(-timedelta(hours=23, minutes=59))
        ),
        datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2000, 2, 29, 12, tzinfo=timezone(timedelta(hours=8))),
    ]
    for n, moment in enumerate(edges):
        state = plain(f"520201-E{n}")
        state.occurred_at = state.first_received_at = state.last_received_at = moment
        row = table.add(state)
        assert as_tuple(table.state(row)) == as_tuple(state)
        assert table.state(row).occurred_at.isoformat() == moment.isoformat()


@pytest.mark.parametrize("kind", sorted(TABLES))
def test_a_table_refuses_an_id_twice_or_with_a_newline(kind: str) -> None:
    table = TABLES[kind]()
    state = plain("520201-A")
    table.add(state)
    with pytest.raises(ValueError, match="already in the table"):
        table.add(state)
    state.incident_id = "520201-A\nB"
    with pytest.raises(ValueError, match="newline"):
        table.add(state)
    assert len(table) == 1
    assert table.row_of("520201-A") == 0


def test_the_compiled_table_refuses_pieces_naming_what_it_does_not_know() -> None:
    table = written(TABLES["compiled"], [plain("520201-A")])
    common, (ids, rows) = list(table.pieces())
    with pytest.raises(ValueError, match="unknown"):  # a region index beyond its regions
        fill_table(TABLES["compiled"](), [{**common, "regions": []}, (ids, rows)])
    with pytest.raises(ValueError, match="ids for"):
        fill_table(TABLES["compiled"](), [common, (ids + b"x\n", rows)])
    with pytest.raises(ValueError, match="whole number"):
        fill_table(TABLES["compiled"](), [common, (ids, rows[:-1])])
    with pytest.raises(ValueError, match="for an empty rows-"):
        fill_table(TABLES["compiled"](), [{**common, "kind": "rows-0123"}, (ids, rows)])


def test_a_row_is_as_long_as_the_layout_says_in_both_tables() -> None:
    for tables in TABLES.values():
        table = written(tables, [plain("520201-A"), plain("520201-B")])
        _, (ids, rows) = list(table.pieces())
        assert len(rows) == 2 * ROW.size == 2 * compiled_module().ROW_SIZE
        assert ids == b"520201-A\n520201-B\n"


def test_the_compiled_table_installs_its_saved_slots_or_places_every_id_again() -> None:
    table = written(TABLES["compiled"], [plain(f"520201-S{n}") for n in range(3000)])
    common, *pages = list(table.pieces())
    for slots in (common["slots"], b""):  # saved with the rows, or none: placed again
        copy = TABLES["compiled"]()
        fill_table(copy, [{**common, "slots": slots}, *pages])
        assert [copy.row_of(f"520201-S{n}") for n in range(3000)] == list(range(3000))
        assert copy.row_of("520201-S3000") is None
    wrong = bytearray(common["slots"])
    first = next(i for i in range(0, len(wrong), 8) if wrong[i : i + 8] != bytes(8))
    wrong[first : first + 4] = (5000).to_bytes(4, "little")  # a row it does not have
    with pytest.raises(ValueError, match="every row once"):
        fill_table(TABLES["compiled"](), [{**common, "slots": bytes(wrong)}, *pages])
    ids, rows = pages[0]
    one_id, one_row = ids.split(b"\n")[0] + b"\n", rows[: len(rows) // 3000]
    twice = [{**common, "slots": b"", "rows": 2}, (one_id * 2, one_row * 2)]
    with pytest.raises(ValueError, match="twice"):
        fill_table(TABLES["compiled"](), twice)
