"""The grade tables, as the regulations write them: data, not code paths.

Each table says from which day it is in force, which regulation and article it comes
from, and, for each grade above the lowest, the lower bound of each criterion. Any one
criterion reaching a grade is enough; the highest grade reached wins; a bound belongs
to its grade ("以上包括本数，以下不包括本数"). docs/grading.md lists every bound with
its source and says which ones could be confirmed against the published text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType

from safetywatch.events import Category, Grade, is_work_safety


class Criterion(StrEnum):
    """What a bound is a bound of. ``casualties`` = deaths + missing; ``area_ha`` the
    damaged forest or grassland area (the burned area when none was reported)."""

    CASUALTIES = "casualties"
    SERIOUS_INJURIES = "serious_injuries"
    #: 死亡和重伤合计: the 2010 grassland-fire rule counts the two together.
    CASUALTIES_AND_SERIOUS_INJURIES = "casualties_and_serious_injuries"
    DIRECT_LOSS_YUAN = "direct_loss_yuan"
    AREA_HA = "area_ha"
    THREATENED_PEOPLE = "threatened_people"
    POTENTIAL_LOSS_YUAN = "potential_loss_yuan"


class Scale(StrEnum):
    """Which regulation's four levels a table grades on, and so how they are named."""

    ACCIDENT = "accident"  # 生产安全事故: 一般/较大/重大/特别重大事故
    GEOLOGICAL_DISASTER = "geological_disaster"  # 灾情: 小型/中型/大型/特大型
    GEOLOGICAL_THREAT = "geological_threat"  # 险情: 小型/中型/大型/特大型
    FOREST_FIRE = "forest_fire"
    GRASSLAND_FIRE = "grassland_fire"


Bounds = Mapping[Criterion, float]


@dataclass(frozen=True)
class GradeTable:
    scale: Scale
    effective_from: date
    source: str
    #: For each grade above ordinary, its lower bounds; a criterion a regulation does not
    #: use for a grade is absent. Bounds of ``ordinary`` are the regulation's minimum:
    #: an ordinary incident reaching none of them is below it (a fire's 火情, counted
    #: apart, not as a fire).
    bounds: Mapping[Grade, Bounds] = field(default_factory=dict)
    #: False for a local table or bound not checked against a published text.
    confirmed: bool = True

    @property
    def criteria(self) -> frozenset[Criterion]:
        return frozenset(c for bounds in self.bounds.values() for c in bounds)

    @property
    def minimum(self) -> Bounds | None:
        """The lower bounds of ``ordinary``, when the regulation sets a minimum."""
        return self.bounds.get(Grade.ORDINARY)


def check_rising(table: GradeTable) -> GradeTable:
    """A table whose bounds do not rise with the grade cannot be graded by climbing from
    the lowest grade (the fast path): refuse it where it is defined."""
    never = float("inf")
    # Above ordinary only: the minimum is a floor of its own, not a step of the climb.
    rows = [(g, table.bounds.get(g, {})) for g in Grade if g is not Grade.ORDINARY]
    for (lower, low), (higher, high) in pairwise(rows):
        for criterion in table.criteria:
            if low.get(criterion, never) > high.get(criterion, never):
                raise ValueError(
                    f"{table.source}: the bound of {criterion} must rise with the grade "
                    f"({lower}: {low.get(criterion)}, {higher}: {high.get(criterion)})"
                )
    return table


def _table(scale: Scale, since: date, source: str, **grades: dict[str, float]) -> GradeTable:
    bounds = {
        Grade(name): MappingProxyType({Criterion(c): float(b) for c, b in criteria.items()})
        for name, criteria in grades.items()
    }
    return check_rising(GradeTable(scale, since, source, MappingProxyType(bounds)))


DECREE_493 = _table(
    Scale.ACCIDENT,
    date(2007, 6, 1),
    "生产安全事故报告和调查处理条例（国务院令第493号）第三条",
    relatively_serious={"casualties": 3, "serious_injuries": 10, "direct_loss_yuan": 10_000_000},
    serious={"casualties": 10, "serious_injuries": 50, "direct_loss_yuan": 50_000_000},
    particularly_serious={
        "casualties": 30,
        "serious_injuries": 100,
        "direct_loss_yuan": 100_000_000,
    },
)
DECREE_394 = _table(
    Scale.GEOLOGICAL_DISASTER,
    date(2004, 3, 1),
    "地质灾害防治条例（国务院令第394号）第四条",
    relatively_serious={"casualties": 3, "direct_loss_yuan": 1_000_000},
    serious={"casualties": 10, "direct_loss_yuan": 5_000_000},
    particularly_serious={"casualties": 30, "direct_loss_yuan": 10_000_000},
)
GEOLOGICAL_THREAT_PLAN = _table(
    Scale.GEOLOGICAL_THREAT,
    date(2006, 1, 10),
    "国家突发地质灾害应急预案（2006）地质灾害险情分级",
    relatively_serious={"threatened_people": 100, "potential_loss_yuan": 5_000_000},
    serious={"threatened_people": 500, "potential_loss_yuan": 50_000_000},
    particularly_serious={"threatened_people": 1000, "potential_loss_yuan": 100_000_000},
)
FOREST_FIRE_2008 = _table(
    Scale.FOREST_FIRE,
    date(2009, 1, 1),
    "森林防火条例（2008年修订，国务院令第541号）第四十条",
    relatively_serious={"area_ha": 1, "casualties": 3, "serious_injuries": 10},
    serious={"area_ha": 100, "casualties": 10, "serious_injuries": 50},
    particularly_serious={"area_ha": 1000, "casualties": 30, "serious_injuries": 100},
)
FOREST_FIRE_822 = _table(
    Scale.FOREST_FIRE,
    date(2026, 1, 1),
    "森林草原防灭火条例（国务院令第822号）第四十五条",
    ordinary={"area_ha": 0.067, "casualties": 1, "serious_injuries": 1},
    relatively_serious={"area_ha": 10, "casualties": 3, "serious_injuries": 10},
    serious={"area_ha": 100, "casualties": 10, "serious_injuries": 50},
    particularly_serious={"area_ha": 1000, "casualties": 30, "serious_injuries": 100},
)
GRASSLAND_FIRE_2010 = _table(
    Scale.GRASSLAND_FIRE,
    date(2010, 4, 20),
    "草原火灾级别划分规定（农业部 农牧发〔2010〕7号）第四条",
    ordinary={"area_ha": 10, "serious_injuries": 1, "direct_loss_yuan": 5000},
    # 较大: "造成死亡3人以下": any death. Its 死亡和重伤合计 bound of 3 is implied (a death,
    # or else 3 seriously injured), written so that the bounds rise with the grade.
    relatively_serious={
        "area_ha": 1000,
        "casualties": 1,
        "serious_injuries": 3,
        "casualties_and_serious_injuries": 3,
        "direct_loss_yuan": 500_000,
    },
    serious={
        "area_ha": 5000,
        "casualties": 3,
        "casualties_and_serious_injuries": 10,
        "direct_loss_yuan": 3_000_000,
    },
    particularly_serious={
        "area_ha": 8000,
        "casualties": 10,
        "casualties_and_serious_injuries": 20,
        "direct_loss_yuan": 5_000_000,
    },
)
GRASSLAND_FIRE_822 = _table(
    Scale.GRASSLAND_FIRE,
    date(2026, 1, 1),
    "森林草原防灭火条例（国务院令第822号）第四十五条",
    ordinary={"area_ha": 10, "casualties": 1, "serious_injuries": 1},
    relatively_serious={"area_ha": 1000, "casualties": 3, "serious_injuries": 10},
    serious={"area_ha": 5000, "casualties": 10, "serious_injuries": 50},
    particularly_serious={"area_ha": 8000, "casualties": 30, "serious_injuries": 100},
)


def national_tables(category: Category) -> tuple[GradeTable, ...]:
    """The national tables of a category, oldest first. Before the first one's date the
    first one applies (the regulations it replaced are not modelled)."""
    if category is Category.GEOLOGICAL_HAZARD:
        return (DECREE_394,)
    if category is Category.FOREST_FIRE:
        return (FOREST_FIRE_2008, FOREST_FIRE_822)
    if category is Category.GRASSLAND_FIRE:
        return (GRASSLAND_FIRE_2010, GRASSLAND_FIRE_822)
    assert is_work_safety(category)
    return (DECREE_493,)


#: The threat (险情) table of geological hazards: graded apart from the disaster (灾情).
THREAT_TABLES: tuple[GradeTable, ...] = (GEOLOGICAL_THREAT_PLAN,)


_TERMS_ZH = {
    Scale.ACCIDENT: ("一般事故", "较大事故", "重大事故", "特别重大事故"),
    Scale.GEOLOGICAL_DISASTER: ("小型地质灾害", "中型地质灾害", "大型地质灾害", "特大型地质灾害"),
    Scale.GEOLOGICAL_THREAT: (
        "小型地质灾害险情",
        "中型地质灾害险情",
        "大型地质灾害险情",
        "特大型地质灾害险情",
    ),
    Scale.FOREST_FIRE: ("一般森林火灾", "较大森林火灾", "重大森林火灾", "特别重大森林火灾"),
    Scale.GRASSLAND_FIRE: ("一般草原火灾", "较大草原火灾", "重大草原火灾", "特别重大草原火灾"),
}
_TERMS_EN = {
    Scale.ACCIDENT: (
        "ordinary accident",
        "relatively serious accident",
        "serious accident",
        "particularly serious accident",
    ),
    Scale.GEOLOGICAL_DISASTER: (
        "small geological disaster",
        "medium geological disaster",
        "large geological disaster",
        "extra-large geological disaster",
    ),
    Scale.GEOLOGICAL_THREAT: (
        "small geological threat",
        "medium geological threat",
        "large geological threat",
        "extra-large geological threat",
    ),
    Scale.FOREST_FIRE: (
        "ordinary forest fire",
        "relatively serious forest fire",
        "serious forest fire",
        "particularly serious forest fire",
    ),
    Scale.GRASSLAND_FIRE: (
        "ordinary grassland fire",
        "relatively serious grassland fire",
        "serious grassland fire",
        "particularly serious grassland fire",
    ),
}


def scale_of(category: Category) -> Scale:
    return national_tables(category)[0].scale


def grade_term(category: Category, grade: Grade, threat: bool = False) -> tuple[str, str]:
    """How a person reads the grade of an incident of ``category``: 中型地质灾害,
    较大森林火灾, 较大事故 (zh, en); ``threat`` for a geological 险情."""
    scale = Scale.GEOLOGICAL_THREAT if threat else scale_of(category)
    return _TERMS_ZH[scale][grade.rank], _TERMS_EN[scale][grade.rank]
