"""Every grading threshold of SPEC §3, on both sides of its boundary, for every category."""

from __future__ import annotations

import pytest

from safetywatch.accounting import Grade, Severity, grade_for
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
    assert grade_for(category, Severity(**{criterion: bound})) is grade


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_just_below_the_bound_is_the_grade_below(case):
    category, grade, criterion, _, below = case
    assert grade_for(category, Severity(**{criterion: below})) is BELOW[grade]


@pytest.mark.parametrize("category", list(Category))
def test_nothing_at_all_is_ordinary(category):
    assert grade_for(category, Severity()) is Grade.ORDINARY


@pytest.mark.parametrize("category", PRODUCTION_SAFETY)
def test_burned_area_does_not_grade_production_safety(category):
    assert grade_for(category, Severity(burned_area_ha=5000)) is Grade.ORDINARY


def test_serious_injuries_do_not_grade_geological_hazards():
    # Decree 394 grades by casualties and loss only.
    assert grade_for(Category.GEOLOGICAL_HAZARD, Severity(serious_injuries=500)) is Grade.ORDINARY


def test_loss_does_not_grade_forest_fires():
    assert grade_for(Category.FOREST_FIRE, Severity(direct_loss_yuan=1e12)) is Grade.ORDINARY


def test_the_highest_grade_any_criterion_reaches_wins():
    severity = Severity(casualties=3, serious_injuries=50, direct_loss_yuan=100_000_000)
    assert grade_for(Category.COAL_MINE, severity) is Grade.PARTICULARLY_SERIOUS


def test_grades_rank_from_ordinary_to_particularly_serious():
    ranks = [grade.rank for grade in Grade]
    assert ranks == sorted(ranks)
    assert Grade.ORDINARY.rank < Grade.PARTICULARLY_SERIOUS.rank
    assert Grade.RELATIVELY_SERIOUS.zh == "较大"
