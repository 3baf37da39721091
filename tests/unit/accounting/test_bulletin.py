"""The bulletin in the official form, in Chinese and in English, to the character, for a
scenario whose figures are worked out by hand below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from safetywatch.accounting.bulletin import (
    Language,
    bulletin_facts,
    bulletin_paragraphs,
    bulletin_text,
)
from safetywatch.accounting.indicators import Indicators, RegionIndicators
from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.periods import Period, Quarter
from safetywatch.accounting.rates import Denominator, DenominatorKey
from safetywatch.accounting.targets import TargetFigure, TargetKey
from safetywatch.events.report import IncidentRecord
from safetywatch.regions.area import Place
from tests.reports import record

ZONE = ZoneInfo("Asia/Shanghai")
CITY = Place("全市", "the city")
JAN_TO_NOV = Period.parse("2026-01..2026-11")


def at(month: int, year: int = 2026) -> dict[str, Any]:
    """Occurred on the 10th of the month, reported an hour later (within every window)."""
    occurred = datetime(year, month, 10, 9, 0, tzinfo=ZONE)
    return {"occurred_at": occurred.isoformat(), "received_at": occurred + timedelta(hours=1)}


def ledger_with(*records: IncidentRecord) -> Ledger:
    ledger = Ledger(ZONE)
    for item in records:
        ledger.apply(item)
    return ledger


def scenario() -> Ledger:
    """2026, January to November:
    - road traffic: 5 accidents in 钟山区, deaths 1, 1, 0, 2, 0 and one missing: 5 fatalities;
    - coal mine: 1 accident in 六枝特区, 3 dead (较大);
    - fire: 1 accident in 钟山区, nobody dead;
    - geological hazards: 2 in 水城区, one with 2 dead and 3 missing (5), one with none,
      and a threat (险情: 150 people threatened, no harm done);
    - forest fire: 1 in 盘州市, nobody dead;
    - a private car's crash (non-business, 非生产经营性) in 钟山区, 1 dead;
    so work safety: 7 accidents, 8 fatalities (1 missing); the private crash and the
    natural disasters apart.
    2025, January to November: 8 work-safety accidents (road traffic), 10 dead.
    Year on year: incidents (7 − 8) / 8 = −12.5%, fatalities (8 − 10) / 10 = −20.0%.
    A December 2026 road accident (outside the period) must not count."""
    road = [
        record(f"520201-R{n}", deaths=d, missing=int(n == 2), **at(n + 2))
        for n, d in enumerate([1, 1, 0, 2, 0])
    ]
    this_year = [
        *road,
        record("520203-M1", category="coal_mine", deaths=3, **at(4)),
        record("520201-F1", category="fire", serious_injuries=1, **at(6)),
        record("520204-G1", category="geological_hazard", deaths=2, missing=3, **at(7)),
        record("520204-G2", category="geological_hazard", evacuated=40, **at(8)),
        record("520204-T1", category="geological_hazard", threatened_people=150, **at(9)),
        record("520201-P1", business_related=False, deaths=1, **at(9)),
        record("520281-W1", category="forest_fire", burned_area_ha=0.5, **at(3)),
        record("520201-DEC", deaths=4, **at(12)),
    ]
    last_year = [
        record(f"520201-L{n}", deaths=d, **at(n + 1, 2025))
        for n, d in enumerate([2, 1, 1, 2, 1, 1, 1, 1])
    ]
    return ledger_with(*this_year, *last_year)


def bulletin(
    ledger: Ledger, period: Period, place: Place, language: Language, prefix: str = ""
) -> str:
    return bulletin_text(bulletin_facts(ledger, period, prefix, place), language)


def test_the_official_sentence_in_chinese():
    # Injuries: the fire's 1 serious injury. Changes: 7 − 8 = −1 accident, 8 − 10 = −2 dead.
    # 工矿商贸: the coal mine only (road and fire are not 工矿商贸).
    assert bulletin(scenario(), JAN_TO_NOV, CITY, Language.ZH) == (
        "2026年1—11月，全市共发生各类生产安全事故7起、死亡8人（含下落不明1人）、受伤1人，"
        "同比减少1起、2人，分别下降12.5%、20.0%；其中，工矿商贸事故1起、死亡3人；"
        "较大事故1起、死亡3人；"
        "煤矿事故1起、死亡3人，火灾事故1起，道路运输事故5起、死亡5人（含下落不明1人）。"
        "另有非生产经营性道路交通事故1起、死亡1人。\n"
        "自然灾害方面，发生地质灾害灾情2起、死亡和失踪5人，险情1处，"
        "一般森林火灾1起，受害森林面积0.5公顷。"
    )


def test_the_same_in_english():
    assert bulletin(scenario(), JAN_TO_NOV, CITY, Language.EN) == (
        "From January to November 2026, the city recorded 7 work-safety accidents with "
        "8 deaths (1 of them missing) and 1 injury, 1 fewer accident and 2 fewer deaths year "
        "on year (down 12.5% and 20.0%); including 1 industry, mining and trade accident "
        "with 3 deaths; 1 relatively serious accident with 3 deaths; 1 coal mine accident "
        "with 3 deaths, 1 fire accident and 5 road transport accidents with 5 deaths "
        "(1 of them missing). Counted apart: 1 non-business road traffic accident with "
        "1 death.\n"
        "Natural disasters: 2 geological hazards with 5 dead or missing, 1 geological hazard "
        "threat and 1 ordinary forest fire (0.5 ha of forest damaged)."
    )


def test_a_county_bulletin_names_the_county_and_counts_only_its_incidents():
    # 钟山区: 5 road accidents (5 fatalities, 1 missing) and the fire; last year all 8 (10 dead)
    # were there: (6 − 8) / 8 = −25.0%, (5 − 10) / 10 = −50.0%; no 较大 there.
    text = bulletin(scenario(), JAN_TO_NOV, Place("钟山区", "Zhongshan"), Language.ZH, "520201")
    assert text == (
        "2026年1—11月，钟山区共发生各类生产安全事故6起、死亡5人（含下落不明1人）、受伤1人，"
        "同比减少2起、5人，分别下降25.0%、50.0%；"
        "其中，火灾事故1起，道路运输事故5起、死亡5人（含下落不明1人）。"
        "钟山区未发生较大及以上生产安全事故。"
        "另有非生产经营性道路交通事故1起、死亡1人。"
    )


def test_a_rise_a_fall_and_a_year_without_accidents_are_each_said_as_such():
    rise = ledger_with(
        record("520201-A", deaths=2, **at(5)),
        record("520201-B", **at(6)),
        record("520201-C", deaths=4, **at(5, 2025)),
    )
    # incidents 2 against 1: +100.0%; fatalities 2 against 4: −50.0%.
    assert bulletin(rise, Period.year(2026), CITY, Language.ZH) == (
        "2026年，全市共发生各类生产安全事故2起、死亡2人，同比增加1起、减少2人，"
        "分别上升100.0%、下降50.0%；其中，道路运输事故2起、死亡2人。"
        "全市未发生较大及以上生产安全事故。"
    )
    # A month: 环比 beside 同比, both from zero.
    first = ledger_with(record("520201-A", deaths=1, **at(5)))
    assert bulletin(first, Period.month(2026 * 12 + 4), CITY, Language.EN) == (
        "In May 2026, the city recorded 1 work-safety accident with 1 death, 1 more accident "
        "and 1 more death year on year (none a year earlier); 1 more accident and 1 more "
        "death on the previous month (none then); including 1 road transport accident with "
        "1 death. No relatively serious or worse work-safety accident occurred."
    )


def test_an_empty_period_says_so_and_natural_disasters_stand_alone():
    quiet = ledger_with()
    q4 = Period.of_quarter(Quarter(2026, 4))
    assert (
        bulletin(quiet, q4, CITY, Language.ZH)
        == "2026年第四季度，全市未发生生产安全事故和自然灾害。"
    )
    assert bulletin(quiet, q4, CITY, Language.EN) == (
        "In Q4 2026, the city recorded no work-safety accidents and no natural disasters."
    )
    slides = ledger_with(record("520204-G9", category="geological_hazard", missing=1, **at(11)))
    assert bulletin(slides, q4, CITY, Language.ZH) == (
        "2026年第四季度，全市未发生生产安全事故。\n自然灾害方面，发生地质灾害1起、死亡和失踪1人。"
    )
    threat = ledger_with(
        record("520204-T9", category="geological_hazard", potential_loss_yuan=2e6, **at(12))
    )
    assert bulletin(threat, q4, CITY, Language.ZH) == (
        "2026年第四季度，全市未发生生产安全事故。\n自然灾害方面，发生地质灾害险情1处。"
    )
    embers = ledger_with(
        record("520281-W9", category="forest_fire", damaged_forest_area_ha=0.02, **at(10)),
        record("520281-W8", category="forest_fire", damaged_forest_area_ha=12, **at(11)),
    )
    # 12 ha of forest is 较大 (Decree 822: 1 ha and up); the 火情's 0.02 ha is not a fire's.
    assert bulletin(embers, q4, CITY, Language.ZH) == (
        "2026年第四季度，全市未发生生产安全事故。\n"
        "自然灾害方面，发生较大森林火灾1起，受害森林面积12公顷，森林火情1起。"
    )
    assert bulletin(embers, q4, CITY, Language.EN).endswith(
        "Natural disasters: 1 relatively serious forest fire (12 ha of forest damaged) and "
        "1 forest fire outbreak below the minimum."
    )
    private = ledger_with(record("520201-P9", category="fire", business_related=False, **at(10)))
    assert bulletin(private, q4, CITY, Language.EN) == (
        "In Q4 2026, the city recorded no work-safety accidents and no natural disasters. "
        "Counted apart: 1 non-business fire."
    )


def test_periods_are_named_as_bulletins_name_them():
    ledger = ledger_with()
    cases = {
        "2026-11": "2026年11月",
        "2026Q1": "2026年第一季度",
        "2026": "2026年",
        "2026-01..2026-12": "2026年",
        "2025-12..2026-02": "2025年12月—2026年2月",
    }
    for label, named in cases.items():
        text = bulletin(ledger, Period.parse(label), CITY, Language.ZH)
        assert text.startswith(f"{named}，全市"), text


def test_deaths_reported_after_the_window_do_not_move_the_bulletin():
    occurred = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    # 24:00 of the 7th day after 2026-03-01 (Asia/Shanghai): the window has closed.
    late = datetime(2026, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    ledger = ledger_with(
        record("520201-W", deaths=1, occurred_at=occurred.isoformat(), received_at=occurred),
        record("520201-W", 2, deaths=6, occurred_at=occurred.isoformat(), received_at=late),
    )
    text = bulletin(ledger, Period.parse("2026-03"), CITY, Language.ZH)
    # The incident itself now reads 6 dead (and 较大); the statistics keep the 1.
    assert text.startswith("2026年3月，全市共发生各类生产安全事故1起、死亡1人，")
    assert "较大事故" not in text


THREE_QUARTERS = Period.parse("2026-01..2026-09")
COUNTIES = [
    ("520201", Place("钟山区", "Zhongshan")),
    ("520203", Place("六枝特区", "Liuzhi")),
    ("520204", Place("水城区", "Shuicheng")),
    ("520281", Place("盘州市", "Panzhou")),
]


def indicators() -> RegionIndicators:
    gdp, workers, vehicles = (
        Denominator.GDP_100M_YUAN,
        Denominator.WORKERS_10K,
        Denominator.VEHICLES_10K,
    )
    denominators = {
        DenominatorKey("520200", 2026): {workers: Fraction(30)},
        DenominatorKey("520200", 2026, 1): {gdp: Fraction(300)},
        DenominatorKey("520200", 2026, 2): {gdp: Fraction(350)},
        DenominatorKey("520200", 2026, 3): {gdp: Fraction(350), vehicles: Fraction(80)},
        DenominatorKey("520200", 2025): {workers: Fraction(25), vehicles: Fraction(75)},
        **{
            DenominatorKey("520200", 2025, q): {gdp: Fraction(v)}
            for q, v in ((1, 280), (2, 320), (3, 300))
        },
    }
    targets = {
        TargetKey("520200", 2026): {TargetFigure.DEATHS: 24, TargetFigure.SERIOUS_ACCIDENTS: 1}
    }
    return Indicators(denominators, targets).of("520200")


def whole(language: Language) -> list[str]:
    facts = bulletin_facts(
        scenario(), THREE_QUARTERS, "", CITY, indicators=indicators(), parts=COUNTIES
    )
    return bulletin_paragraphs(facts, language)


def test_the_whole_bulletin_has_rates_targets_and_a_line_per_county():
    # The scenario's incidents all fall in January to September of both years.
    # GDP (a flow): Q1–Q3 300 + 350 + 350 = 1000; 8 / 1000 = 0.008; last year 10 / 900
    # = 0.0111 → 0.011; (0.008 − 0.011) / 0.011 = −27.3%. Workers (a stock, the year's):
    # 工矿商贸 3 × 10 / 30 = 1.000, last year 0 of them. Vehicles (a stock, Q3's): road
    # 5 + the private crash's 1 = 6 / 80 = 0.075; last year 10 / 75 = 0.133; −43.6%.
    # Coal output is not given: no rate, no clause.
    # Targets: 9/12 = 75.0% of the year; 8 / 24 = 33.3%, 41.7 points below, 18 allowed
    # by the progress: 10 fewer. The coal mine's 较大 is 1 of 1: 100.0%, 25.0 points above.
    paragraphs = whole(Language.ZH)
    assert paragraphs[0].startswith("2026年1—9月，全市共发生各类生产安全事故7起")
    assert paragraphs[1] == (
        "亿元地区生产总值生产安全事故死亡率0.008，同比下降27.3%（上年同期0.011）；"
        "工矿商贸就业人员十万人生产安全事故死亡率1.000（上年同期为0）；"
        "道路交通事故万车死亡率0.075，同比下降43.6%（上年同期0.133）；"
        "生产安全事故死亡人数为年度控制指标24人的33.3%，低于时间进度41.7个百分点，"
        "比控制进度少死亡10人；"
        "较大及以上生产安全事故1起，为年度控制指标1起的100.0%，高于时间进度25.0个百分点。"
    )
    assert paragraphs[3] == (
        "分地区看，钟山区6起、死亡5人（含下落不明1人），六枝特区1起、死亡3人；"
        "水城区、盘州市未发生生产安全事故。"
    )
    english = whole(Language.EN)
    assert english[1] == (
        "Rates: work-safety deaths per 100 million yuan of GDP: 0.008, down 27.3% year on "
        "year (0.011); industry, mining and trade deaths per 100,000 workers: 1.000 (0 a "
        "year earlier); road traffic deaths per 10,000 vehicles: 0.075, down 43.6% year on "
        "year (0.133). Control targets: 8 deaths, 33.3% of the annual target of 24 deaths, "
        "41.7 points below the time progress (10 fewer than the pace allows); 1 relatively "
        "serious or worse accident, 100.0% of the annual target of 1 accident, 25.0 points "
        "above the time progress."
    )
    assert english[3] == (
        "By region: Zhongshan 6 with 5 deaths (1 of them missing), Liuzhi 1 with 3 deaths; "
        "none in Shuicheng and Panzhou."
    )


def test_a_quarter_is_compared_with_the_one_before_and_a_zero_base_is_named():
    ledger = ledger_with(
        record("520201-A", deaths=1, **at(4)),
        record("520201-B", **at(5)),
        record("520201-C", **at(2)),
        record("520201-D", deaths=1, **at(5, 2025)),
        record("520201-E", **at(6, 2025)),
    )
    q2 = Period.of_quarter(Quarter(2026, 2))
    assert bulletin(ledger, q2, CITY, Language.ZH) == (
        "2026年第二季度，全市共发生各类生产安全事故2起、死亡1人，同比持平；"
        "环比增加1起、1人，起数上升100.0%（上期死亡0人）；"
        "其中，道路运输事故2起、死亡1人。全市未发生较大及以上生产安全事故。"
    )


def test_targets_over_the_pace_and_a_target_of_zero():
    # January to March of a target of 8 deaths: 2 allowed by the progress (25%), 5 dead:
    # 62.5%, 37.5 points above, 3 more; a 较大 accident against a target of 0.
    ledger = ledger_with(
        record("520203-M", category="coal_mine", deaths=3, **at(2)),
        record("520201-R", deaths=2, **at(3)),
    )
    targets = {
        TargetKey("520200", 2026): {TargetFigure.DEATHS: 8, TargetFigure.SERIOUS_ACCIDENTS: 0}
    }
    facts = bulletin_facts(
        ledger,
        Period.parse("2026-01..2026-03"),
        "",
        CITY,
        indicators=Indicators({}, targets).of("520200"),
    )
    assert bulletin_paragraphs(facts, Language.ZH)[1] == (
        "生产安全事故死亡人数为年度控制指标8人的62.5%，高于时间进度37.5个百分点，"
        "比控制进度多死亡3人；较大及以上生产安全事故1起，已超过年度控制指标（0起）。"
    )
    assert bulletin_paragraphs(facts, Language.EN)[1] == (
        "Control targets: 5 deaths, 62.5% of the annual target of 8 deaths, 37.5 points "
        "above the time progress (3 more than the pace allows); 1 relatively serious or "
        "worse accident, over the annual target of 0 accidents."
    )
