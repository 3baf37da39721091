"""The compiled month cells count exactly as the Python definition does: the same
totals, regions and length after any deposits and withdrawals, and through a dump that
either kind reads."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safetywatch.accounting.cells import CellCounts, MonthCells
from safetywatch.accounting.layout import Totals, figures
from safetywatch.events.categories import Category
from safetywatch.events.grades import Grade
from safetywatch.native.storage import compiled_module
from tests.strategies import incident_figures

COMPILED = partial(compiled_module().Cells, Totals, tuple(Category), tuple(Grade))

incidents = st.tuples(
    st.sampled_from(["520201", "520221", "520203"]),
    st.sampled_from(list(Category)),
    st.sampled_from(list(Grade)),
    st.booleans(),
    incident_figures,
)


ONE_DEATH = figures(
    incidents=1,
    threats=0,
    fire_outbreaks=0,
    deaths=1,
    missing=0,
    serious_injuries=0,
    minor_injuries=0,
    direct_loss_fen=0,
    damaged_area=0,
    late_reports=0,
    near_misses=0,
    late_supplements=0,
    fatalities=1,
    fatalities_missing=0,
)


@st.composite
def moves(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """Deposits, and withdrawals of deposited incidents, interleaved (as revisions do)."""
    deposited = draw(st.lists(incidents, max_size=30))
    withdrawn = draw(
        st.lists(st.sampled_from(deposited), unique_by=id) if deposited else st.just([])
    )
    order = [(*i, 1) for i in deposited]
    for incident in withdrawn:  # each after its deposit
        after = order.index((*incident, 1)) + 1
        order.insert(draw(st.integers(after, len(order))), (*incident, -1))
    return order


def counted(cells: CellCounts, sequence: list[tuple[Any, ...]]) -> CellCounts:
    for move in sequence:
        cells.move(*move)
    return cells


#: Each county to its city, as the metrics sum them at the city level.
CITY_OF = {"520201": "520200", "520221": "520200", "520203": "520200"}


def seen(cells: CellCounts) -> tuple[Any, ...]:
    by_city = {k: v.to_json() for k, v in cells.totals_by(CITY_OF).items()}
    totals = {k: v.to_json() for k, v in cells.totals().items()}
    return len(cells), cells.regions(), totals, by_city


@settings(max_examples=200, deadline=None)
@given(moves())
def test_compiled_cells_count_as_the_definition_does(sequence: list[tuple[Any, ...]]) -> None:
    python, compiled = counted(MonthCells(), sequence), counted(COMPILED(), sequence)
    assert seen(compiled) == seen(python)
    fatalities = {k: (v.fatalities, v.fatalities_missing) for k, v in python.totals().items()}
    assert {
        k: (v.fatalities, v.fatalities_missing) for k, v in compiled.totals().items()
    } == fatalities
    makers: tuple[Callable[[], CellCounts], ...] = (MonthCells, COMPILED)
    for make, cells in itertools.product(makers, (python, compiled)):
        copy = make()
        copy.load(*pickle.loads(pickle.dumps(cells.dump())))
        assert seen(copy) == seen(cells)


def test_totals_by_a_mapping_sum_the_cells_that_meet_and_name_a_region_it_lacks() -> None:
    for cells in (MonthCells(), COMPILED()):
        for county in ("520201", "520203", "520203"):
            cells.move(county, Category.ROAD_TRAFFIC, Grade.ORDINARY, False, ONE_DEATH, 1)
        city = cells.totals_by(CITY_OF)
        assert list(city) == [("520200", Category.ROAD_TRAFFIC, Grade.ORDINARY, False)]
        assert next(iter(city.values())).deaths == 3
        with pytest.raises(KeyError, match="520203"):
            cells.totals_by({"520201": "520200"})


def test_totals_are_copies_the_caller_may_add_to() -> None:
    for cells in (MonthCells(), COMPILED()):
        cells.move("520201", Category.ROAD_TRAFFIC, Grade.ORDINARY, False, ONE_DEATH, 1)
        totals = cells.totals()
        totals["520201", Category.ROAD_TRAFFIC, Grade.ORDINARY, False].add(Totals(incidents=5))
        assert cells.totals()["520201", Category.ROAD_TRAFFIC, Grade.ORDINARY, False].incidents == 1


def test_compiled_cells_refuse_a_dump_they_cannot_hold() -> None:
    cells = COMPILED()
    cells.move("520201", Category.ROAD_TRAFFIC, Grade.ORDINARY, False, ONE_DEATH, 1)
    regions, counts = cells.dump()
    with pytest.raises(ValueError, match="another number of cells"):
        COMPILED().load(regions * 2, counts)
    with pytest.raises(ValueError, match="unknown category"):
        COMPILED().load(regions, b"\xff" + counts[1:])
