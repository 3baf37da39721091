"""Official severity grades (contract §3), computed by the service, never taken from a client.

Any one criterion reaching a grade is enough and the highest grade reached wins.
Lower bounds are inclusive ("以上包括本数，以下不包括本数").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from safetywatch.events import FIRE_CATEGORIES, Category


class Grade(StrEnum):
    # Declared from least to most severe: ``Grade.rank`` follows this order.
    ORDINARY = "ordinary"
    RELATIVELY_SERIOUS = "relatively_serious"
    SERIOUS = "serious"
    PARTICULARLY_SERIOUS = "particularly_serious"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def zh(self) -> str:
        return _ZH[self]


_RANK = {grade: rank for rank, grade in enumerate(Grade)}
_ZH = {
    Grade.ORDINARY: "一般",
    Grade.RELATIVELY_SERIOUS: "较大",
    Grade.SERIOUS: "重大",
    Grade.PARTICULARLY_SERIOUS: "特别重大",
}


@dataclass(frozen=True, slots=True)
class GradingFigures:
    """The figures grading looks at. ``casualties`` = deaths + missing."""

    casualties: int = 0
    serious_injuries: int = 0
    direct_loss_yuan: float = 0
    burned_area_ha: float = 0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Lower bounds of one grade; ``None`` where a regulation has no such criterion."""

    casualties: int
    serious_injuries: int | None = None
    direct_loss_yuan: float | None = None
    burned_area_ha: float | None = None

    def reached_by(self, severity: GradingFigures) -> bool:
        return (
            severity.casualties >= self.casualties
            or _at_least(severity.serious_injuries, self.serious_injuries)
            or _at_least(severity.direct_loss_yuan, self.direct_loss_yuan)
            or _at_least(severity.burned_area_ha, self.burned_area_ha)
        )


def _at_least(value: float, bound: float | None) -> bool:
    return bound is not None and value >= bound


# Decree 493 (production safety), Decree 394 (geological hazards), and art. 40 of
# the forest-fire regulation (森林防火条例). Most severe grade first.
_PRODUCTION_SAFETY = (
    (Grade.PARTICULARLY_SERIOUS, Thresholds(30, 100, 100_000_000)),
    (Grade.SERIOUS, Thresholds(10, 50, 50_000_000)),
    (Grade.RELATIVELY_SERIOUS, Thresholds(3, 10, 10_000_000)),
)
_GEOLOGICAL_HAZARD = (
    (Grade.PARTICULARLY_SERIOUS, Thresholds(30, direct_loss_yuan=10_000_000)),
    (Grade.SERIOUS, Thresholds(10, direct_loss_yuan=5_000_000)),
    (Grade.RELATIVELY_SERIOUS, Thresholds(3, direct_loss_yuan=1_000_000)),
)
_FOREST_FIRE = (
    (Grade.PARTICULARLY_SERIOUS, Thresholds(30, 100, burned_area_ha=1000)),
    (Grade.SERIOUS, Thresholds(10, 50, burned_area_ha=100)),
    (Grade.RELATIVELY_SERIOUS, Thresholds(3, 10, burned_area_ha=1)),
)

GRADING_TABLE: dict[Category, tuple[tuple[Grade, Thresholds], ...]] = {
    category: (
        _GEOLOGICAL_HAZARD
        if category is Category.GEOLOGICAL_HAZARD
        else _FOREST_FIRE
        if category in FIRE_CATEGORIES
        else _PRODUCTION_SAFETY
    )
    for category in Category
}


def grade_for(category: Category, severity: GradingFigures) -> Grade:
    """The highest grade any criterion of ``category``'s regulation reaches."""
    return grade_of_figures(
        category,
        severity.casualties,
        severity.serious_injuries,
        severity.direct_loss_yuan,
        severity.burned_area_ha,
    )


def grade_of_figures(
    category: Category,
    casualties: int,
    serious_injuries: int,
    direct_loss_yuan: float,
    burned_area_ha: float,
) -> Grade:
    """``grade_for`` without building a GradingFigures: the replay grades every record.

    Climbs from the lowest grade and stops at the first one not reached, which equals
    taking the highest grade reached because every regulation's bounds rise with the
    grade (checked by ``ascending_bounds``). Most incidents are ordinary: one test.
    """
    grade = Grade.ORDINARY
    for next_grade, casualty_bound, injury_bound, loss_bound, area_bound in _ASCENDING[category]:
        if not (
            casualties >= casualty_bound
            or serious_injuries >= injury_bound
            or direct_loss_yuan >= loss_bound
            or burned_area_ha >= area_bound
        ):
            break
        grade = next_grade
    return grade


_Bounds = tuple[Grade, float, float, float, float]


def ascending_bounds(table: tuple[tuple[Grade, Thresholds], ...]) -> tuple[_Bounds, ...]:
    never = float("inf")  # a criterion the regulation does not have is never reached
    rows = [
        (
            grade,
            float(t.casualties),
            never if t.serious_injuries is None else float(t.serious_injuries),
            never if t.direct_loss_yuan is None else float(t.direct_loss_yuan),
            never if t.burned_area_ha is None else float(t.burned_area_ha),
        )
        for grade, t in reversed(table)
    ]
    for lower, higher in pairwise(rows):
        if lower[0].rank >= higher[0].rank or any(
            a > b for a, b in zip(lower[1:], higher[1:], strict=True)
        ):
            raise ValueError(f"grading bounds must rise with the grade: {lower} then {higher}")
    return tuple(rows)


_ASCENDING = {category: ascending_bounds(table) for category, table in GRADING_TABLE.items()}
