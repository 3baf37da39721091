"""Grading an incident by the table in force on the day it occurred (contract §3).

Grades are computed by the service, never taken from a client. ``highest_grade_reached``
is the definition (scan every grade); ``Grader`` climbs from the lowest grade and stops
at the first one not reached, which is equal because every table's bounds rise with the
grade (``check_rising``, at import and for every local table) — and most incidents are
ordinary, one comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from safetywatch.accounting.grade_tables import (
    THREAT_TABLES,
    Criterion,
    GradeTable,
    national_tables,
)
from safetywatch.events import Category, Grade


@dataclass(frozen=True, slots=True)
class GradingFigures:
    """The figures grading looks at. ``casualties`` = deaths + missing."""

    casualties: float = 0
    serious_injuries: float = 0
    direct_loss_yuan: float = 0
    area_ha: float = 0
    threatened_people: float = 0
    potential_loss_yuan: float = 0

    @property
    def casualties_and_serious_injuries(self) -> float:
        return self.casualties + self.serious_injuries

    def of(self, criterion: Criterion) -> float:
        value: float = getattr(self, criterion.value)
        return value


def highest_grade_reached(table: GradeTable, figures: GradingFigures) -> Grade:
    """The definition: the highest grade any criterion of the table reaches."""
    for grade in reversed(Grade):
        bounds = table.bounds.get(grade, {})
        if any(figures.of(criterion) >= bound for criterion, bound in bounds.items()):
            return grade
    return Grade.ORDINARY


def below_minimum(table: GradeTable, figures: GradingFigures) -> bool:
    """The definition: an ordinary incident that reaches none of the table's minimum
    bounds (a fire under Decree 822's 0.067 ha: 火情, not a forest fire)."""
    minimum = table.minimum
    return (
        minimum is not None
        and highest_grade_reached(table, figures) is Grade.ORDINARY
        and not any(figures.of(criterion) >= bound for criterion, bound in minimum.items())
    )


_NEVER = float("inf")  # a criterion a table does not have is never reached
#: One row per grade, lowest first: the grade and the bounds of the criteria in the
#: order the grader compares them. Ordinary has a row where the table has a minimum (an
#: incident that reaches none of it is below the minimum: 火情); else it is the start.
_Row = tuple[Any, ...]


def _rows(table: GradeTable, criteria: Sequence[Criterion]) -> tuple[_Row, ...]:
    rows = tuple(
        (grade, *(table.bounds.get(grade, {}).get(c, _NEVER) for c in criteria))
        for grade in Grade
        if grade is not Grade.ORDINARY
    )
    if table.minimum is None:
        return rows
    # A criterion the minimum lacks is reached at the lowest grade above that has it.
    minimum = (
        min(table.minimum.get(c, _NEVER), bound)
        for c, bound in zip(criteria, rows[0][1:], strict=True)
    )
    return ((Grade.ORDINARY, *minimum), *rows)


_DISASTER = (
    Criterion.CASUALTIES,
    Criterion.SERIOUS_INJURIES,
    Criterion.DIRECT_LOSS_YUAN,
    Criterion.AREA_HA,
    Criterion.CASUALTIES_AND_SERIOUS_INJURIES,
)
_THREAT = (Criterion.THREATENED_PEOPLE, Criterion.POTENTIAL_LOSS_YUAN)


class _DisasterRow:
    """A disaster table's row for one grade: its bounds by name (``_DISASTER``'s
    criteria). A class of floats, where a row tuple's items were compared as objects."""

    def __init__(
        self,
        grade: Grade,
        casualties: float,
        serious_injuries: float,
        direct_loss_yuan: float,
        area_ha: float,
        casualties_and_serious_injuries: float,
    ) -> None:
        self.grade = grade
        self.casualties = casualties
        self.serious_injuries = serious_injuries
        self.direct_loss_yuan = direct_loss_yuan
        self.area_ha = area_ha
        self.casualties_and_serious_injuries = casualties_and_serious_injuries

    def reached(
        self, casualties: float, serious_injuries: float, direct_loss_yuan: float, area_ha: float
    ) -> bool:
        """Whether an incident of these figures reaches the row: any one bound will do."""
        return (
            casualties >= self.casualties
            or serious_injuries >= self.serious_injuries
            or direct_loss_yuan >= self.direct_loss_yuan
            or area_ha >= self.area_ha
            or casualties + serious_injuries >= self.casualties_and_serious_injuries
        )


def _disaster_rows(table: GradeTable) -> tuple[_DisasterRow, ...]:
    return tuple(_DisasterRow(*row) for row in _rows(table, _DISASTER))


def _threat_rows(table: GradeTable) -> tuple[_Row, ...]:
    return _rows(table, _THREAT)


class _Versions:
    """A category's tables by the instant each comes into force in the area's zone, with
    their rows (``rows_of`` a table)."""

    def __init__(
        self,
        tables: Sequence[GradeTable],
        zone: tzinfo,
        rows_of: Callable[[GradeTable], tuple[Any, ...]],
    ):
        ordered = sorted(tables, key=lambda t: t.effective_from)
        self.tables = ordered
        self.starts = [
            datetime(
                t.effective_from.year, t.effective_from.month, t.effective_from.day, tzinfo=zone
            ).timestamp()
            for t in ordered
        ]
        self.rows = [rows_of(t) for t in ordered]
        self.single = self.rows[0] if len(ordered) == 1 else None

    def index(self, occurred_at: datetime) -> int:
        moment = occurred_at.timestamp()
        index = len(self.starts) - 1
        while index > 0 and moment < self.starts[index]:
            index -= 1  # before the first table's day the first one applies
        return index


class Grader:
    """Grades by the table in force on the incident's ``occurred_at`` (in the zone)."""

    def __init__(
        self, zone: tzinfo, local: Mapping[Category, Sequence[GradeTable]] | None = None
    ) -> None:
        local = local or {}
        self._disaster = {
            c: _Versions([*national_tables(c), *local.get(c, ())], zone, _disaster_rows)
            for c in Category
        }
        self._threat = _Versions(THREAT_TABLES, zone, _threat_rows)
        # Most categories have one table: their rows without a date comparison.
        self._single: dict[Category, tuple[_DisasterRow, ...] | None] = {
            c: v.single for c, v in self._disaster.items()
        }

    def table_for(self, category: Category, occurred_at: datetime) -> GradeTable:
        versions = self._disaster[category]
        return versions.tables[versions.index(occurred_at)]

    def grade(
        self,
        category: Category,
        occurred_at: datetime,
        casualties: float,
        serious_injuries: float,
        direct_loss_yuan: float,
        area_ha: float,
    ) -> Grade:
        """The grade (ordinary below a table's minimum too)."""
        grade = self.grade_or_below(
            category, occurred_at, casualties, serious_injuries, direct_loss_yuan, area_ha
        )
        return Grade.ORDINARY if grade is None else grade

    def grade_or_below(
        self,
        category: Category,
        occurred_at: datetime,
        casualties: float,
        serious_injuries: float,
        direct_loss_yuan: float,
        area_ha: float,
    ) -> Grade | None:
        """The grade, or None below the minimum of a table that has one (火情): one scan
        of the table in force."""
        rows = self._single[category]
        if rows is None:
            versions = self._disaster[category]
            rows = versions.rows[versions.index(occurred_at)]
        grade = None if rows[0].grade is Grade.ORDINARY else Grade.ORDINARY
        for row in rows:
            if not row.reached(casualties, serious_injuries, direct_loss_yuan, area_ha):
                break
            grade = row.grade
        return grade

    def below_minimum(
        self, category: Category, occurred_at: datetime, figures: GradingFigures
    ) -> bool:
        """``below_minimum`` by the table in force (for an ordinary incident)."""
        return (
            self.grade_or_below(
                category,
                occurred_at,
                figures.casualties,
                figures.serious_injuries,
                figures.direct_loss_yuan,
                figures.area_ha,
            )
            is None
        )

    def threat_grade(self, threatened_people: float, potential_loss_yuan: float) -> Grade:
        """The grade of a geological threat (险情), on the same four levels."""
        grade = Grade.ORDINARY
        for next_grade, people, loss in self._threat.rows[-1]:
            if not (threatened_people >= people or potential_loss_yuan >= loss):
                break
            grade = next_grade
        return grade


def grade_for(
    category: Category, figures: GradingFigures, occurred_at: datetime, zone: tzinfo
) -> Grade:
    """The definition, for one incident: the national table in force, scanned."""
    tables = sorted(national_tables(category), key=lambda t: t.effective_from)
    local_day = occurred_at.astimezone(zone).date()
    in_force = [t for t in tables if t.effective_from <= local_day] or tables[:1]
    return highest_grade_reached(in_force[-1], figures)
