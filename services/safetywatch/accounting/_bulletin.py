"""The bulletin sentence a city reads out (contract §5 ``/v1/bulletin``).

"2022年第一季度，全市共发生事故34起、死亡21人，其中道路交通事故32起、死亡11人……"
One clause per category with incidents: most incidents first, then most deaths.
"""

from __future__ import annotations

from enum import StrEnum

from safetywatch.accounting._summary import Summary
from safetywatch.accounting._totals import Totals
from safetywatch.events import Category
from safetywatch.regions import Place


class Language(StrEnum):
    ZH = "zh"
    EN = "en"


_QUARTER_ZH = {1: "一", 2: "二", 3: "三", 4: "四"}

_CATEGORY_ZH = {
    Category.COAL_MINE: "煤矿事故",
    Category.ROAD_TRAFFIC: "道路交通事故",
    Category.GEOLOGICAL_HAZARD: "地质灾害",
    Category.FOREST_FIRE: "森林火灾",
    Category.OTHER: "其他事故",
}

_CATEGORY_EN = {
    Category.COAL_MINE: ("coal mine accident", "coal mine accidents"),
    Category.ROAD_TRAFFIC: ("road traffic accident", "road traffic accidents"),
    Category.GEOLOGICAL_HAZARD: ("geological hazard", "geological hazards"),
    Category.FOREST_FIRE: ("forest fire", "forest fires"),
    Category.OTHER: ("other incident", "other incidents"),
}

_CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


def _categories_with_incidents(summary: Summary) -> list[tuple[Category, Totals]]:
    present = [(c, t) for c, t in summary.by_category.items() if t.incidents]
    return sorted(
        present, key=lambda item: (-item[1].incidents, -item[1].deaths, _CATEGORY_ORDER[item[0]])
    )


def bulletin_text(summary: Summary, place: Place, language: Language) -> str:
    if language is Language.ZH:
        return _zh(summary, place)
    return _en(summary, place)


def _zh(summary: Summary, place: Place) -> str:
    quarter = summary.quarter
    opening = f"{quarter.year}年第{_QUARTER_ZH[quarter.number]}季度，{place.zh}"
    totals = summary.totals
    if totals.incidents == 0:
        return f"{opening}未发生事故。"
    clauses = "，".join(
        f"{_CATEGORY_ZH[category]}{t.incidents}起、死亡{t.deaths}人"
        for category, t in _categories_with_incidents(summary)
    )
    return f"{opening}共发生事故{totals.incidents}起、死亡{totals.deaths}人，其中{clauses}。"


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _en(summary: Summary, place: Place) -> str:
    quarter = summary.quarter
    opening = f"In Q{quarter.number} {quarter.year}, {place.en}"
    totals = summary.totals
    if totals.incidents == 0:
        return f"{opening} recorded no incidents."
    clauses = [
        f"{_count(t.incidents, *_CATEGORY_EN[category])} with {_count(t.deaths, 'death', 'deaths')}"
        for category, t in _categories_with_incidents(summary)
    ]
    listed = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return (
        f"{opening} recorded {_count(totals.incidents, 'incident', 'incidents')} with "
        f"{_count(totals.deaths, 'death', 'deaths')}, including {listed}."
    )
