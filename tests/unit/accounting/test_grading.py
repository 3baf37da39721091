"""Every bound of every grade table on both sides, dated on both sides of each table's
effective date; the fast grader equals the definition; local tables are validated."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from safetywatch.accounting.grade_tables import (
    DECREE_394,
    DECREE_493,
    FOREST_FIRE_822,
    FOREST_FIRE_2008,
    GEOLOGICAL_THREAT_PLAN,
    GRASSLAND_FIRE_822,
    GRASSLAND_FIRE_2010,
    Criterion,
    GradeTable,
    check_rising,
    grade_term,
    national_tables,
)
from safetywatch.accounting.grading import (
    Grader,
    GradingFigures,
    below_minimum,
    highest_grade_reached,
)
from safetywatch.config.area import load_area
from safetywatch.config.errors import ConfigError
from safetywatch.events.categories import Category
from safetywatch.events.grades import Grade

ZONE = ZoneInfo("Asia/Shanghai")
GRADER = Grader(ZONE)
BELOW = {
    Grade.PARTICULARLY_SERIOUS: Grade.SERIOUS,
    Grade.SERIOUS: Grade.RELATIVELY_SERIOUS,
    Grade.RELATIVELY_SERIOUS: Grade.ORDINARY,
}
#: The smallest step below a bound that a report can carry.
STEP = {
    Criterion.CASUALTIES: 1,
    Criterion.SERIOUS_INJURIES: 1,
    Criterion.THREATENED_PEOPLE: 1,
    Criterion.DIRECT_LOSS_YUAN: 0.01,
    Criterion.POTENTIAL_LOSS_YUAN: 0.01,
    Criterion.AREA_HA: 0.001,
    Criterion.CASUALTIES_AND_SERIOUS_INJURIES: 1,
}
#: Each table, a category it grades, and the last day it is in force (None: still is).
TABLES: list[tuple[GradeTable, Category, date | None]] = [
    (DECREE_493, Category.COAL_MINE, None),
    (DECREE_493, Category.ROAD_TRAFFIC, None),
    (DECREE_493, Category.HAZARDOUS_CHEMICALS, None),
    (DECREE_394, Category.GEOLOGICAL_HAZARD, None),
    (FOREST_FIRE_2008, Category.FOREST_FIRE, date(2025, 12, 31)),
    (FOREST_FIRE_822, Category.FOREST_FIRE, None),
    (GRASSLAND_FIRE_2010, Category.GRASSLAND_FIRE, date(2025, 12, 31)),
    (GRASSLAND_FIRE_822, Category.GRASSLAND_FIRE, None),
]
CASES = [
    (table, category, last_day, grade, criterion, bound)
    for table, category, last_day in TABLES
    for grade, bounds in table.bounds.items()
    for criterion, bound in bounds.items()
    if grade is not Grade.ORDINARY  # a minimum: tested below
]
MINIMUMS = [
    (table, category, last_day, criterion, bound)
    for table, category, last_day in TABLES
    for criterion, bound in (table.minimum or {}).items()
]


def at(day: date, clock: time = time(12)) -> datetime:
    return datetime.combine(day, clock, tzinfo=ZONE)


def days_in_force(table: GradeTable, last_day: date | None) -> list[datetime]:
    """Its first day, its last day, and a day in between: graded by this table."""
    last = last_day or date(2199, 12, 30)
    return [
        at(table.effective_from, time(0)),
        at(table.effective_from + timedelta(days=40)),
        at(last, time(23, 59, 59)),
    ]


def figures_at(criterion: Criterion, value: float) -> GradingFigures:
    """Only ``criterion`` at ``value``. Deaths and serious injuries together (the 2010
    grassland rule) are 2 deaths and the rest injured from 10 on, all injured below:
    so that no other criterion reaches the grade around the bound."""
    if criterion is Criterion.CASUALTIES_AND_SERIOUS_INJURIES:
        deaths = 2 if value >= 10 else 0
        return GradingFigures(casualties=deaths, serious_injuries=value - deaths)
    return GradingFigures(**{criterion.value: value})


def graded(category: Category, criterion: Criterion, value: float, when: datetime) -> Grade:
    figures = figures_at(criterion, value)
    return GRADER.grade(
        category,
        when,
        figures.casualties,
        figures.serious_injuries,
        figures.direct_loss_yuan,
        figures.area_ha,
    )


@pytest.mark.parametrize(
    ("table", "category", "last_day", "grade", "criterion", "bound"),
    CASES,
    ids=[f"{c}-{t.effective_from}-{g}-{k}" for t, c, _, g, k, _ in CASES],
)
def test_every_bound_reaches_its_grade_and_just_below_does_not(
    table: GradeTable,
    category: Category,
    last_day: date | None,
    grade: Grade,
    criterion: Criterion,
    bound: float,
) -> None:
    for when in days_in_force(table, last_day):
        assert graded(category, criterion, bound, when) is grade, when
        assert graded(category, criterion, bound - STEP[criterion], when) is BELOW[grade], when
        assert highest_grade_reached(table, figures_at(criterion, bound)) is grade


@pytest.mark.parametrize(
    ("table", "category", "last_day", "criterion", "bound"),
    MINIMUMS,
    ids=[f"{c}-{t.effective_from}-{k}" for t, c, _, k, _ in MINIMUMS],
)
def test_every_minimum_makes_a_fire_and_just_below_is_a_fire_outbreak(
    table: GradeTable, category: Category, last_day: date | None, criterion: Criterion, bound: float
) -> None:
    """火情: Decree 822 starts 一般森林火灾 at 0.067 ha (or a death, or a serious injury)."""
    for when in days_in_force(table, last_day):
        at_bound, below = (
            figures_at(criterion, bound),
            figures_at(criterion, bound - STEP[criterion]),
        )
        assert not GRADER.below_minimum(category, when, at_bound), when
        assert GRADER.below_minimum(category, when, below), when
        assert (below_minimum(table, at_bound), below_minimum(table, below)) == (False, True)


def test_tables_without_a_minimum_have_no_fire_outbreaks():
    nothing = GradingFigures()
    when = at(date(2026, 6, 1))
    assert not GRADER.below_minimum(Category.COAL_MINE, when, nothing)
    assert not GRADER.below_minimum(Category.FOREST_FIRE, at(date(2025, 6, 1)), nothing)
    assert GRADER.below_minimum(Category.FOREST_FIRE, when, nothing)


@pytest.mark.parametrize(
    ("grade", "criterion", "bound"),
    [(g, c, b) for g, bounds in GEOLOGICAL_THREAT_PLAN.bounds.items() for c, b in bounds.items()],
)
def test_every_threat_bound_reaches_its_grade_and_just_below_does_not(
    grade: Grade, criterion: Criterion, bound: float
) -> None:
    def threat(value: float) -> Grade:
        people = value if criterion is Criterion.THREATENED_PEOPLE else 0
        loss = value if criterion is Criterion.POTENTIAL_LOSS_YUAN else 0
        return GRADER.threat_grade(people, loss)

    assert threat(bound) is grade
    assert threat(bound - STEP[criterion]) is BELOW[grade]


def test_a_forest_fire_of_5_damaged_hectares_is_graded_by_the_law_of_its_day():
    def fire(when: datetime) -> Grade:
        return GRADER.grade(Category.FOREST_FIRE, when, 0, 0, 0, 5)

    # The 2008 regulation: 1 ha or more is 较大; Decree 822 from 2026-01-01: 10 ha.
    assert fire(datetime(2025, 12, 31, 23, 59, 59, tzinfo=ZONE)) is Grade.RELATIVELY_SERIOUS
    assert fire(datetime(2026, 1, 1, 0, 0, 0, tzinfo=ZONE)) is Grade.ORDINARY
    # The day is the area's: 16:00 UTC on 31 December is already 2026 in Shanghai.
    assert fire(datetime(2025, 12, 31, 16, 0, tzinfo=UTC)) is Grade.ORDINARY
    assert fire(datetime(2025, 12, 31, 15, 59, 59, tzinfo=UTC)) is Grade.RELATIVELY_SERIOUS
    # Before the first table's day, the first table applies.
    assert fire(datetime(1950, 6, 1, tzinfo=ZONE)) is Grade.RELATIVELY_SERIOUS


def test_a_criterion_a_regulation_does_not_have_never_grades():
    when = at(date(2026, 6, 1))
    assert GRADER.grade(Category.GEOLOGICAL_HAZARD, when, 0, 500, 0, 0) is Grade.ORDINARY
    assert GRADER.grade(Category.FOREST_FIRE, when, 0, 0, 1e12, 0) is Grade.ORDINARY
    assert GRADER.grade(Category.ROAD_TRAFFIC, when, 0, 0, 0, 5000) is Grade.ORDINARY


figures = st.builds(
    GradingFigures,
    casualties=st.sampled_from([0, 1, 2, 3, 9, 10, 29, 30, 100]),
    serious_injuries=st.sampled_from([0, 1, 2, 3, 7, 8, 9, 10, 17, 18, 49, 50, 99, 100]),
    direct_loss_yuan=st.sampled_from([0, 4999.99, 5000, 5e5, 3e6, 999_999.99, 1e6, 5e6, 1e7, 1e8]),
    area_ha=st.sampled_from([0, 0.066, 0.067, 0.99, 1, 9.999, 10, 100, 999, 1000, 5000, 8000]),
)
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(ZONE)
)


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(list(Category)), figures, moments)
def test_climbing_equals_taking_the_highest_grade_of_the_table_in_force(
    category: Category, figure: GradingFigures, when: datetime
) -> None:
    in_force = [t for t in national_tables(category) if t.effective_from <= when.date()]
    table = in_force[-1] if in_force else national_tables(category)[0]
    assert GRADER.table_for(category, when) is table
    fast = GRADER.grade(
        category,
        when,
        figure.casualties,
        figure.serious_injuries,
        figure.direct_loss_yuan,
        figure.area_ha,
    )
    assert fast is highest_grade_reached(table, figure)
    below = fast is Grade.ORDINARY and GRADER.below_minimum(category, when, figure)
    assert below is below_minimum(table, figure)


def test_bounds_that_fall_with_the_grade_are_refused():
    falling = GradeTable(
        DECREE_394.scale,
        date(2030, 1, 1),
        "test",
        {
            Grade.RELATIVELY_SERIOUS: {Criterion.CASUALTIES: 10},
            Grade.SERIOUS: {Criterion.CASUALTIES: 3},
        },
    )
    with pytest.raises(ValueError, match="must rise with the grade"):
        check_rising(falling)


def test_each_category_names_its_grades_in_its_own_terms():
    assert grade_term(Category.ROAD_TRAFFIC, Grade.RELATIVELY_SERIOUS) == (
        "较大事故",
        "relatively serious accident",
    )
    assert grade_term(Category.GEOLOGICAL_HAZARD, Grade.RELATIVELY_SERIOUS)[0] == "中型地质灾害"
    assert (
        grade_term(Category.GEOLOGICAL_HAZARD, Grade.PARTICULARLY_SERIOUS, threat=True)[0]
        == "特大型地质灾害险情"
    )
    assert grade_term(Category.FOREST_FIRE, Grade.RELATIVELY_SERIOUS)[0] == "较大森林火灾"
    assert grade_term(Category.GRASSLAND_FIRE, Grade.ORDINARY)[1] == "ordinary grassland fire"


def _area_with(tmp_path: Any, grading: list[dict[str, Any]]) -> Any:
    from safetywatch.config.area import DEFAULT_AREA_FILE

    base = yaml.safe_load(
        (
            __import__("importlib").resources.files("safetywatch.config") / DEFAULT_AREA_FILE
        ).read_text("utf-8")
    )
    path = tmp_path / "area.yaml"
    path.write_text(yaml.safe_dump({**base, "grading": grading}, allow_unicode=True), "utf-8")
    return load_area(path)


STRICTER = {
    "category": "forest_fire",
    "effective_from": "2027-03-01",
    "source": "某省森林防火条例 第二十条",
    "bounds": {
        "relatively_serious": {"area_ha": 5, "casualties": 3, "serious_injuries": 10},
        "serious": {"area_ha": 50, "casualties": 10, "serious_injuries": 50},
        "particularly_serious": {"area_ha": 500, "casualties": 30, "serious_injuries": 100},
    },
}


def test_a_local_table_grades_from_its_day_on(tmp_path):
    area = _area_with(tmp_path, [STRICTER])
    grader = Grader(area.zone, area.grade_tables())
    before, after = at(date(2027, 2, 28)), at(date(2027, 3, 1), time(0))
    assert grader.grade(Category.FOREST_FIRE, before, 0, 0, 0, 6) is Grade.ORDINARY
    assert grader.grade(Category.FOREST_FIRE, after, 0, 0, 0, 6) is Grade.RELATIVELY_SERIOUS
    assert grader.table_for(Category.FOREST_FIRE, after).source == "某省森林防火条例 第二十条"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"effective_from": "2025-06-01"},
            "grading[0]: effective_from must be after 2026-01-01",
        ),
        (
            {"bounds": {"serious": {"direct_loss_yuan": 5}}},
            "grading[0]: bounds: forest_fire is graded by",
        ),
        (
            {"bounds": {"relatively_serious": {"area_ha": 50}, "serious": {"area_ha": 5}}},
            "must rise with the grade",
        ),
        ({"category": "volcano"}, "grading[0].category"),
    ],
)
def test_a_bad_local_table_is_refused_naming_the_key(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _area_with(tmp_path, [{**STRICTER, **change}])
