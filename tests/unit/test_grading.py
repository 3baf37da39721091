"""Every grading threshold of contract §3, on both sides of its boundary, for every category."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safetywatch.accounting import (
    GRADING_TABLE,
    Grade,
    GradingFigures,
    Thresholds,
    ascending_bounds,
    grade_for,
)
from safetywatch.events import Category

PRODUCTION_SAFETY = (Category.COAL_MINE, Category.ROAD_TRAFFIC, Category.OTHER)
BELOW = {
    Grade.PARTICULARLY_SERIOUS: Grade.SERIOUS,
    Grade.SERIOUS: Grade.RELATIVELY_SERIOUS,
    Grade.RELATIVELY_SERIOUS: Grade.ORDINARY,
}

# (category, grade, criterion, lower bound, the largest value below the bound)
CASES = [
    *[
        case
        for category in PRODUCTION_SAFETY
        for case in [
            (category, Grade.PARTICULARLY_SERIOUS, "casualties", 30, 29),
            (category, Grade.PARTICULARLY_SERIOUS, "serious_injuries", 100, 99),
            (category, Grade.PARTICULARLY_SERIOUS, "direct_loss_yuan", 100_000_000, 99_999_999.99),
            (category, Grade.SERIOUS, "casualties", 10, 9),
            (category, Grade.SERIOUS, "serious_injuries", 50, 49),
            (category, Grade.SERIOUS, "direct_loss_yuan", 50_000_000, 49_999_999.99),
            (category, Grade.RELATIVELY_SERIOUS, "casualties", 3, 2),
            (category, Grade.RELATIVELY_SERIOUS, "serious_injuries", 10, 9),
            (category, Grade.RELATIVELY_SERIOUS, "direct_loss_yuan", 10_000_000, 9_999_999.99),
        ]
    ],
    (Category.GEOLOGICAL_HAZARD, Grade.PARTICULARLY_SERIOUS, "casualties", 30, 29),
    (
        Category.GEOLOGICAL_HAZARD,
        Grade.PARTICULARLY_SERIOUS,
        "direct_loss_yuan",
        10_000_000,
        9_999_999.99,
    ),
    (Category.GEOLOGICAL_HAZARD, Grade.SERIOUS, "casualties", 10, 9),
    (Category.GEOLOGICAL_HAZARD, Grade.SERIOUS, "direct_loss_yuan", 5_000_000, 4_999_999.99),
    (Category.GEOLOGICAL_HAZARD, Grade.RELATIVELY_SERIOUS, "casualties", 3, 2),
    (
        Category.GEOLOGICAL_HAZARD,
        Grade.RELATIVELY_SERIOUS,
        "direct_loss_yuan",
        1_000_000,
        999_999.99,
    ),
    (Category.FOREST_FIRE, Grade.PARTICULARLY_SERIOUS, "burned_area_ha", 1000, 999.99),
    (Category.FOREST_FIRE, Grade.PARTICULARLY_SERIOUS, "casualties", 30, 29),
    (Category.FOREST_FIRE, Grade.PARTICULARLY_SERIOUS, "serious_injuries", 100, 99),
    (Category.FOREST_FIRE, Grade.SERIOUS, "burned_area_ha", 100, 99.99),
    (Category.FOREST_FIRE, Grade.SERIOUS, "casualties", 10, 9),
    (Category.FOREST_FIRE, Grade.SERIOUS, "serious_injuries", 50, 49),
    (Category.FOREST_FIRE, Grade.RELATIVELY_SERIOUS, "burned_area_ha", 1, 0.99),
    (Category.FOREST_FIRE, Grade.RELATIVELY_SERIOUS, "casualties", 3, 2),
    (Category.FOREST_FIRE, Grade.RELATIVELY_SERIOUS, "serious_injuries", 10, 9),
]


def _ids(case: tuple[object, ...]) -> str:
    category, grade, criterion, _, _ = case
    return f"{category}-{grade}-{criterion}"


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_a_criterion_at_its_bound_reaches_the_grade(case):
    category, grade, criterion, bound, _ = case
    assert grade_for(category, GradingFigures(**{criterion: bound})) is grade


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_just_below_the_bound_is_the_grade_below(case):
    category, grade, criterion, _, below = case
    assert grade_for(category, GradingFigures(**{criterion: below})) is BELOW[grade]


@pytest.mark.parametrize("category", list(Category))
def test_nothing_at_all_is_ordinary(category):
    assert grade_for(category, GradingFigures()) is Grade.ORDINARY


@pytest.mark.parametrize("category", PRODUCTION_SAFETY)
def test_burned_area_does_not_grade_production_safety(category):
    assert grade_for(category, GradingFigures(burned_area_ha=5000)) is Grade.ORDINARY


def test_serious_injuries_do_not_grade_geological_hazards():
    # Decree 394 grades by casualties and loss only.
    assert (
        grade_for(Category.GEOLOGICAL_HAZARD, GradingFigures(serious_injuries=500))
        is Grade.ORDINARY
    )


def test_loss_does_not_grade_forest_fires():
    assert grade_for(Category.FOREST_FIRE, GradingFigures(direct_loss_yuan=1e12)) is Grade.ORDINARY


def test_the_highest_grade_any_criterion_reaches_wins():
    severity = GradingFigures(casualties=3, serious_injuries=50, direct_loss_yuan=100_000_000)
    assert grade_for(Category.COAL_MINE, severity) is Grade.PARTICULARLY_SERIOUS


def test_grades_rank_from_ordinary_to_particularly_serious():
    ranks = [grade.rank for grade in Grade]
    assert ranks == sorted(ranks)
    assert Grade.ORDINARY.rank < Grade.PARTICULARLY_SERIOUS.rank
    assert Grade.RELATIVELY_SERIOUS.zh == "较大"


def _highest_grade_reached(category: Category, severity: GradingFigures) -> Grade:
    """The rule as the regulations word it: scan every grade, keep the highest reached."""
    reached = [grade for grade, t in GRADING_TABLE[category] if t.reached_by(severity)]
    return max(reached, key=lambda grade: grade.rank, default=Grade.ORDINARY)


# Values on and around every bound in the tables, and anything else.
_BOUNDS = sorted(
    {
        float(value)
        for table in GRADING_TABLE.values()
        for _, t in table
        for value in (t.casualties, t.serious_injuries, t.direct_loss_yuan, t.burned_area_ha)
        if value is not None
    }
)
_near_bounds = st.sampled_from(_BOUNDS).flatmap(
    lambda b: st.sampled_from([b - 1, b - 0.01, b, b + 0.01, b + 1])
)


@given(
    category=st.sampled_from(list(Category)),
    casualties=st.one_of(_near_bounds.map(lambda v: max(0, int(v))), st.integers(0, 200_000)),
    serious=st.one_of(_near_bounds.map(lambda v: max(0, int(v))), st.integers(0, 200_000)),
    loss=st.one_of(_near_bounds.map(lambda v: max(0.0, v)), st.floats(0, 1e13)),
    area=st.one_of(_near_bounds.map(lambda v: max(0.0, v)), st.floats(0, 1e7)),
)
def test_the_fast_climb_equals_taking_the_highest_grade_reached(
    category, casualties, serious, loss, area
):
    severity = GradingFigures(casualties, serious, loss, area)
    assert grade_for(category, severity) is _highest_grade_reached(category, severity)


def test_a_table_whose_bounds_do_not_rise_with_the_grade_is_refused():
    # The early exit of the climb would be wrong for such a table.
    falling = (
        (Grade.SERIOUS, Thresholds(10, direct_loss_yuan=1_000_000)),
        (Grade.RELATIVELY_SERIOUS, Thresholds(3, direct_loss_yuan=5_000_000)),
    )
    with pytest.raises(ValueError, match="must rise with the grade"):
        ascending_bounds(falling)
