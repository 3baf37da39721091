"""The bulletin sentence reads like the city's own, in Chinese and in English."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from safetywatch.accounting import Language, Ledger, Quarter, bulletin_text
from safetywatch.config import load_area
from safetywatch.events import IncidentRecord
from safetywatch.regions import Place
from tests.reports import record

CITY = Place("全市", "the city")
Q1 = Quarter(2022, 1)


def ledger_with(*records: IncidentRecord) -> Ledger:
    ledger = Ledger(ZoneInfo("Asia/Shanghai"))
    for item in records:
        ledger.apply(item)
    return ledger


def mayors_quarter() -> Ledger:
    """34 incidents, 21 deaths: 32 road accidents with 11 deaths, 2 coal-mine accidents with 10."""
    road = [record(f"520201-R{n}", deaths=1 if n < 11 else 0) for n in range(32)]
    mines = [record(f"520203-M{n}", category="coal_mine", deaths=5) for n in range(2)]
    return ledger_with(*road, *mines)


def test_the_mayors_sentence_in_chinese():
    text = bulletin_text(mayors_quarter().summary(Q1), CITY, Language.ZH)
    assert text == (
        "2022年第一季度，全市共发生事故34起、死亡21人，"
        "其中道路交通事故32起、死亡11人，煤矿事故2起、死亡10人。"
    )


def test_the_same_sentence_in_english():
    text = bulletin_text(mayors_quarter().summary(Q1), CITY, Language.EN)
    assert text == (
        "In Q1 2022, the city recorded 34 incidents with 21 deaths, including "
        "32 road traffic accidents with 11 deaths and 2 coal mine accidents with 10 deaths."
    )


def test_a_county_bulletin_names_the_county_and_counts_only_its_incidents():
    summary = mayors_quarter().summary(Q1, "520203")
    text = bulletin_text(summary, Place("六枝特区", "Liuzhi"), Language.ZH)
    assert text == "2022年第一季度，六枝特区共发生事故2起、死亡10人，其中煤矿事故2起、死亡10人。"


def test_a_quiet_quarter_says_so():
    summary = ledger_with().summary(Q1)
    assert bulletin_text(summary, CITY, Language.ZH) == "2022年第一季度，全市未发生事故。"
    assert (
        bulletin_text(summary, CITY, Language.EN) == "In Q1 2022, the city recorded no incidents."
    )


def test_singulars_in_english():
    summary = ledger_with(record(category="forest_fire", deaths=1)).summary(Q1)
    assert bulletin_text(summary, CITY, Language.EN) == (
        "In Q1 2022, the city recorded 1 incident with 1 death, including 1 forest fire with 1 death."
    )


def test_retracted_incidents_do_not_appear():
    ledger = ledger_with(record(deaths=4), record(revision=2, deaths=4, retracted=True))
    assert (
        bulletin_text(ledger.summary(Q1), CITY, Language.ZH) == "2022年第一季度，全市未发生事故。"
    )


def test_places_come_from_the_configured_regions():
    area = load_area()
    assert area.place_for("") == CITY
    assert area.place_for("5202") == CITY
    assert area.place_for("520281").zh == "盘州市"
    assert area.place_for("53").zh == "53地区"


def test_categories_with_as_many_incidents_are_ordered_by_deaths():
    ledger = ledger_with(
        record("520201-A", category="coal_mine", deaths=1), record("520201-B", deaths=4)
    )
    assert bulletin_text(ledger.summary(Q1), CITY, Language.ZH) == (
        "2022年第一季度，全市共发生事故2起、死亡5人，其中道路交通事故1起、死亡4人，煤矿事故1起、死亡1人。"
    )
