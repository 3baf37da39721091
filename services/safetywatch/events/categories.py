"""The categories of the national statistics (生产安全事故统计调查制度) and their groups.

Work-safety accidents (生产安全事故) are counted apart from natural disasters; inside
them, industry, mining and commerce (工矿商贸) is a group of its own. The order here is
the order in which bulletins, tables and dashboards list them; the names are the
national release's (应急管理部: 化工, 工贸, 道路运输, 水上运输, 铁路运输, 航空运输), which an
area may rename. A category's value never changes: a v1 record keeps its meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    # industry, mining and commerce (工矿商贸)
    COAL_MINE = "coal_mine"
    METAL_NONMETAL_MINE = "metal_nonmetal_mine"
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"
    FIREWORKS = "fireworks"
    CONSTRUCTION = "construction"
    OTHER = "other"  # 工贸 (the national release's name; 工商贸其他 before)
    # the other work-safety categories
    FIRE = "fire"
    ROAD_TRAFFIC = "road_traffic"
    WATERWAY = "waterway"
    RAILWAY = "railway"
    CIVIL_AVIATION = "civil_aviation"
    AGRICULTURAL_MACHINERY = "agricultural_machinery"
    FISHING_VESSEL = "fishing_vessel"
    # natural disasters (自然灾害)
    GEOLOGICAL_HAZARD = "geological_hazard"
    FOREST_FIRE = "forest_fire"
    GRASSLAND_FIRE = "grassland_fire"


class Group(StrEnum):
    PRODUCTION_SAFETY = "production_safety"
    INDUSTRIAL_MINING_COMMERCE = "industrial_mining_commerce"
    NATURAL_DISASTER = "natural_disaster"


@dataclass(frozen=True, slots=True)
class Names:
    """What people call a category or group: a short name, and the noun a bulletin
    counts (道路交通 → 道路交通事故; 地质灾害 counts as itself)."""

    zh: str
    en: str
    zh_counted: str
    en_counted: tuple[str, str]  # singular, plural


def _accident(zh: str, en: str) -> Names:
    return Names(zh, en, f"{zh}事故", (f"{en.lower()} accident", f"{en.lower()} accidents"))


CATEGORY_NAMES: dict[Category, Names] = {
    Category.COAL_MINE: _accident("煤矿", "Coal mine"),
    Category.METAL_NONMETAL_MINE: _accident("金属非金属矿山", "Metal and non-metal mine"),
    Category.HAZARDOUS_CHEMICALS: _accident("化工", "Chemical industry"),
    Category.FIREWORKS: _accident("烟花爆竹", "Fireworks"),
    Category.CONSTRUCTION: _accident("建筑业", "Construction"),
    Category.OTHER: _accident("工贸", "Industry and trade"),
    Category.FIRE: _accident("火灾", "Fire"),
    Category.ROAD_TRAFFIC: _accident("道路运输", "Road transport"),
    Category.WATERWAY: _accident("水上运输", "Waterway transport"),
    Category.RAILWAY: _accident("铁路运输", "Rail transport"),
    Category.CIVIL_AVIATION: _accident("航空运输", "Air transport"),
    Category.AGRICULTURAL_MACHINERY: _accident("农业机械", "Agricultural machinery"),
    Category.FISHING_VESSEL: _accident("渔业船舶", "Fishing vessel"),
    Category.GEOLOGICAL_HAZARD: Names(
        "地质灾害", "Geological hazard", "地质灾害", ("geological hazard", "geological hazards")
    ),
    Category.FOREST_FIRE: Names(
        "森林火灾", "Forest fire", "森林火灾", ("forest fire", "forest fires")
    ),
    Category.GRASSLAND_FIRE: Names(
        "草原火灾", "Grassland fire", "草原火灾", ("grassland fire", "grassland fires")
    ),
}

GROUP_NAMES: dict[Group, Names] = {
    Group.PRODUCTION_SAFETY: Names(
        "生产安全事故",
        "Work-safety accidents",
        "生产安全事故",
        ("work-safety accident", "work-safety accidents"),
    ),
    Group.INDUSTRIAL_MINING_COMMERCE: _accident("工矿商贸", "Industry, mining and commerce"),
    Group.NATURAL_DISASTER: Names(
        "自然灾害", "Natural disasters", "自然灾害", ("natural disaster", "natural disasters")
    ),
}

#: What a bulletin calls the accidents counted apart (``APART_CATEGORIES``).
APART_NAMES: dict[Category, Names] = {
    Category.ROAD_TRAFFIC: Names(
        "非生产经营性道路交通",
        "Non-business road traffic",
        "非生产经营性道路交通事故",
        ("non-business road traffic accident", "non-business road traffic accidents"),
    ),
    Category.FIRE: Names(
        "非生产经营性火灾",
        "Non-business fire",
        "非生产经营性火灾",
        ("non-business fire", "non-business fires"),
    ),
}

#: What a bulletin calls a fire below its regulation's minimum (火情, not counted as a fire).
OUTBREAK_NAMES: dict[Category, Names] = {
    Category.FOREST_FIRE: Names(
        "森林火情",
        "Forest fire outbreak",
        "森林火情",
        ("forest fire outbreak", "forest fire outbreaks"),
    ),
    Category.GRASSLAND_FIRE: Names(
        "草原火情",
        "Grassland fire outbreak",
        "草原火情",
        ("grassland fire outbreak", "grassland fire outbreaks"),
    ),
}

_INDUSTRIAL = frozenset(list(Category)[: list(Category).index(Category.OTHER) + 1])
_NATURAL = frozenset({Category.GEOLOGICAL_HAZARD, Category.FOREST_FIRE, Category.GRASSLAND_FIRE})

#: The groups each category counts in (production safety contains industry, mining
#: and commerce; a category is in one of production safety and natural disasters).
CATEGORY_GROUPS: dict[Category, tuple[Group, ...]] = {
    category: (
        (Group.NATURAL_DISASTER,)
        if category in _NATURAL
        else (Group.PRODUCTION_SAFETY, Group.INDUSTRIAL_MINING_COMMERCE)
        if category in _INDUSTRIAL
        else (Group.PRODUCTION_SAFETY,)
    )
    for category in Category
}

#: The categories of each group, in the official order.
GROUP_CATEGORIES: dict[Group, tuple[Category, ...]] = {
    group: tuple(c for c in Category if group in CATEGORY_GROUPS[c]) for group in Group
}

#: The categories of the first contract (v1 records carry only these).
ORIGINAL_CATEGORIES = frozenset(
    {
        Category.COAL_MINE,
        Category.ROAD_TRAFFIC,
        Category.GEOLOGICAL_HAZARD,
        Category.FOREST_FIRE,
        Category.OTHER,
    }
)


#: Categories whose non-business accidents (非生产经营性) are not 生产安全事故 and are
#: counted apart: from 2016-07-01 the statistics take the road transport accidents of
#: business vehicles (the twelve classes of 道路运输车辆) and the fires of businesses in
#: their activity (the joint notice of 国家安全监管总局、公安部、农业部、质检总局、民航局 on
#: direct reporting of work-safety statistics; 安监总政法〔2013〕115号 art. 3 before it).
#: A report says which with ``business_related``.
APART_CATEGORIES = frozenset({Category.ROAD_TRAFFIC, Category.FIRE})

#: Categories that burn land: an area field applies to them alone.
FIRE_CATEGORIES = frozenset({Category.FOREST_FIRE, Category.GRASSLAND_FIRE})


def is_work_safety(category: Category) -> bool:
    """Graded by Decree 493 and counted as a 生产安全事故 (not a natural disaster)."""
    return category not in _NATURAL


CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


class Origin(StrEnum):
    """Where a report comes from: a unit reporting now, or the bureau's history."""

    REPORT = "report"
    IMPORT = "import"
