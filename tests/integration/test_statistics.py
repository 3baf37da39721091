"""Official statistics on the real pipeline: every period kind equals the reference model,
the register pages and exports agree with the summary, malformed periods are named."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from docx import Document
from openpyxl import load_workbook
from prometheus_client.parser import text_string_to_metric_families

from dev.stack import read_topic
from safetywatch.accounting.bulletin import period_zh
from safetywatch.accounting.periods import Period, Quarter, month_of
from safetywatch.config.area import load_area
from tests.integration.checks import post, wait_for_outcomes
from tests.integration.harness import Service, Services, records_of
from tests.paths import ROOT
from tests.reference import counts_only, summary_document, truths
from tests.reports import report

pytestmark = pytest.mark.integration

AREA = load_area()


def _scenario(now: datetime) -> list[dict[str, Any]]:
    """Reports over this month, last month and a year ago, of old and new categories."""

    def ago(days: float) -> str:
        return (now - timedelta(days=days)).astimezone(AREA.zone).isoformat()

    return [
        report("520201-S1", category="road_traffic", occurred_at=ago(0.01), deaths=2, missing=1),
        report("520201-S1", 2, category="road_traffic", occurred_at=ago(0.01), deaths=3, missing=1),
        report("520203-S2", category="hazardous_chemicals", occurred_at=ago(3), deaths=4),
        report("520204-S3", category="fire", occurred_at=ago(40), serious_injuries=2),
        report("520281-S4", category="grassland_fire", occurred_at=ago(50), burned_area_ha=0.5),
        report("520281-S5", category="geological_hazard", occurred_at=ago(366), missing=2),
        report("520201-S6", category="construction", occurred_at=ago(370), deaths=1),
        report("520204-S7", category="railway", occurred_at=ago(5), deaths=1),
        report("520204-S7", 2, category="railway", occurred_at=ago(5), deaths=1, retracted=True),
    ]


@pytest.fixture
def loaded(services: Services) -> tuple[Service, list[Any]]:
    gateway, aggregator = services.start("gateway"), services.start("aggregator")
    documents = _scenario(datetime.now(UTC))
    for document in documents:
        assert post(gateway, document).status_code == 202
    wait_for_outcomes(aggregator, applied=len(documents))
    return aggregator, records_of(read_topic(services.kafka, services.topic))


def get(aggregator: Service, path: str, **params: str) -> httpx.Response:
    return httpx.get(f"{aggregator.url}{path}", params=params, timeout=30)


def test_every_kind_of_period_equals_the_reference(loaded: tuple[Service, list[Any]]):
    aggregator, log = loaded
    expected = truths(log, AREA.zone)
    month = month_of(datetime.now(UTC), AREA.zone)
    labels = [
        Period.month(month).label,
        Period.month(month - 1).label,
        Period.of_quarter(Quarter.of_month(month)).label,
        str(month // 12),
        f"{Period.month(month - 13).label}..{Period.month(month).label}",
    ]
    for label in labels:
        for region in ("", "5202", "520204"):
            answer = get(aggregator, "/v1/summary", period=label, region=region)
            assert answer.status_code == 200, answer.text
            period = Period.parse(label)
            # Rates and targets come from the area file: test_a_bulletin_whole checks them.
            document = counts_only(answer.json())
            assert document == summary_document(expected, period, region, AREA.region_codes), label


MALFORMED = ("2026-13", "2026Q0", "26", "2026-02..2025-01", "0001", "2026/11", "２０２６")


def test_a_malformed_period_is_a_422_naming_period(services: Services):
    aggregator = services.start("aggregator")
    for path in ("/v1/summary", "/v1/bulletin", "/v1/incidents"):
        for period in MALFORMED:
            answer = get(aggregator, path, period=period)
            assert answer.status_code == 422, (path, period, answer.text)
            assert [error["field"] for error in answer.json()["detail"]] == ["period"], (
                path,
                period,
            )


def _all_pages(aggregator: Service, **params: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        body = get(aggregator, "/v1/incidents", **query).json()
        rows += body["incidents"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows


def test_the_register_pages_newest_first_and_filters(loaded: tuple[Service, list[Any]]):
    aggregator, _ = loaded
    rows = _all_pages(aggregator)
    ids = [row["incident_id"] for row in rows]
    assert ids == ["520201-S1", "520203-S2", "520204-S3", "520281-S4", "520281-S5", "520201-S6"]
    assert "520204-S7" not in ids  # retracted: counts nowhere, listed nowhere
    first = rows[0]
    assert (first["revision"], first["fatalities"], first["region_name"]) == (2, 4, "钟山区")
    assert (first["category_name"], first["grade_name"]) == ("道路运输", "较大事故")
    assert [r["incident_id"] for r in _all_pages(aggregator, group="natural_disaster")] == [
        "520281-S4",
        "520281-S5",
    ]
    assert [r["incident_id"] for r in _all_pages(aggregator, min_grade="relatively_serious")] == [
        "520201-S1",
        "520203-S2",
    ]
    by_category = _all_pages(aggregator, category="fire,construction", region="5202")
    assert [r["incident_id"] for r in by_category] == ["520204-S3", "520201-S6"]
    refused = get(aggregator, "/v1/incidents", cursor="not-a-cursor")
    assert [e["field"] for e in refused.json()["detail"]] == ["cursor"]


def test_exports_hold_the_same_rows_and_totals_as_the_summary(loaded: tuple[Service, list[Any]]):
    aggregator, _ = loaded
    year = str(datetime.now(UTC).astimezone(AREA.zone).year)
    rows = _all_pages(aggregator, period=year)
    exported = get(aggregator, "/v1/incidents", period=year, format="csv")
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [line[0] for line in table[1:]] == [row["incident_id"] for row in rows]
    workbook = load_workbook(
        io.BytesIO(get(aggregator, "/v1/incidents", period=year, format="xlsx").content)
    )
    register, totals = workbook["台账 Register"], workbook["分类分地区 Totals"]
    assert [r[0] for r in register.iter_rows(min_row=2, values_only=True)] == [
        row["incident_id"] for row in rows
    ]
    summary = get(aggregator, "/v1/summary", period=year).json()
    sheet = {line[0]: line[1:] for line in totals.iter_rows(min_row=2, values_only=True)}
    total_row = sheet["合计 Total"]
    assert (total_row[-2], total_row[-1]) == (
        summary["totals"]["incidents"],
        summary["totals"]["fatalities"],
    )
    assert sheet["化工事故"][-2:] == (
        summary["by_category"]["hazardous_chemicals"]["incidents"],
        summary["by_category"]["hazardous_chemicals"]["fatalities"],
    )
    regions = sorted(summary["by_region"])
    for index, region in enumerate(regions):
        column = 2 * index
        assert total_row[column] == summary["by_region"][region]["incidents"], region
        assert total_row[column + 1] == summary["by_region"][region]["fatalities"], region
    assert sheet["自然灾害合计"][-2] == summary["groups"]["natural_disaster"]["incidents"]


def test_the_bulletin_speaks_of_the_period_asked_for(loaded: tuple[Service, list[Any]]):
    aggregator, _ = loaded
    now = datetime.now(UTC).astimezone(AREA.zone)
    answer = get(
        aggregator, "/v1/bulletin", period=f"{now.year}-01..{now.year}-{now.month:02d}"
    ).json()
    # January alone is a month, January to December the whole year.
    openings = {1: f"{now.year}年1月，全市", 12: f"{now.year}年，全市"}
    opening = openings.get(now.month, f"{now.year}年1—{now.month}月，全市")
    assert answer["text"].startswith(opening), answer["text"]
    assert "各类生产安全事故" in answer["text"]


def test_a_history_is_counted_as_the_law_times_it(services: Services):
    """Issue 24 end to end: a 补报 true within the window but received after it, a death
    after the window (the grade frozen), a non-business road accident, a 险情 and a near
    miss by people at risk, posted through the gateway and read back everywhere."""
    gateway, aggregator = services.start("gateway"), services.start("aggregator")
    now = datetime.now(UTC)
    zone = AREA.zone
    occurred = (now - timedelta(days=40)).astimezone(zone)

    def day(n: int) -> datetime:
        """Noon of the n-th day after the occurrence date."""
        return datetime.combine(occurred.date() + timedelta(days=n), time(12), zone)

    # The coal mines' window closes at 24:00 of the 30th day after the occurrence date.
    first: dict[str, Any] = {
        "occurred_at": occurred.isoformat(),
        "reported_at": occurred.isoformat(),
    }
    recent: dict[str, Any] = {"occurred_at": (now - timedelta(days=1)).astimezone(zone).isoformat()}
    documents = [
        report("520201-H1", category="coal_mine", deaths=2, **first),
        report(
            "520201-H1",
            2,
            category="coal_mine",
            deaths=3,
            figures_as_of=day(29).isoformat(),
            **first,
        ),
        report("520203-H2", category="coal_mine", deaths=2, **first),
        report(
            "520203-H2",
            2,
            category="coal_mine",
            deaths=3,
            figures_as_of=day(31).isoformat(),
            **first,
        ),
        report("520201-H3", business_related=False, deaths=1, **recent),
        report("520201-H4", business_related=True, deaths=1, **recent),
        report("520204-H5", category="geological_hazard", threatened_people=150, **recent),
        report("520204-H6", category="hazardous_chemicals", people_at_risk=12, **recent),
    ]
    for document in documents:
        answer = post(gateway, document)
        assert answer.status_code == 202, answer.text
    wait_for_outcomes(aggregator, applied=len(documents))
    log = records_of(read_topic(services.kafka, services.topic))
    first_month, last_month = month_of(occurred, zone), month_of(now, zone)
    period = f"{Period.month(first_month).label}..{Period.month(last_month).label}"

    counted = counts_only(get(aggregator, "/v1/summary", period=period).json())
    assert counted == summary_document(
        truths(log, zone), Period.parse(period), "", AREA.region_codes
    )
    # 3 (H1, its death on day 29 counts) + 2 (H2, the death on day 31 does not) + 1 (H4).
    assert (counted["totals"]["incidents"], counted["totals"]["fatalities"]) == (4, 6)
    assert counted["totals"]["late_supplements"] == 2
    assert (counted["totals"]["threats"], counted["totals"]["near_misses"]) == (1, 1)
    assert counted["non_business"]["by_category"]["road_traffic"]["fatalities"] == 1
    assert counted["by_grade"]["relatively_serious"] == 1  # H1 only: H2's grade is frozen

    paragraphs = get(aggregator, "/v1/bulletin", period=period).json()["paragraphs"]
    assert paragraphs[0].startswith(
        f"{bulletin_period(period)}，全市共发生各类生产安全事故4起、死亡6人，"
    )
    assert "；较大事故1起、死亡3人；" in paragraphs[0]
    assert paragraphs[0].endswith("另有非生产经营性道路交通事故1起、死亡1人。")
    assert "自然灾害方面，发生地质灾害险情1处。" in paragraphs

    rows = {row["incident_id"]: row for row in _all_pages(aggregator, period=period)}
    frozen = rows["520203-H2"]
    assert (frozen["grade"], frozen["current_grade"]) == ("ordinary", "relatively_serious")
    assert (frozen["fatalities"], frozen["late_supplements"]) == (2, 1)
    assert [step["level"] for step in frozen["chain"]] == ["county", "city"]
    assert rows["520201-H1"]["grade"] == "relatively_serious"
    assert [step["level"] for step in rows["520201-H1"]["chain"]] == ["county", "city", "province"]
    assert (rows["520201-H3"]["non_business"], rows["520201-H3"]["groups"]) == (True, [])
    assert rows["520204-H5"]["situation"] == "threat"
    assert rows["520204-H6"]["near_miss"] is True
    assert [step["level"] for step in rows["520204-H6"]["chain"]] == ["county", "city", "province"]
    assert "520201-H3" not in {
        row["incident_id"]
        for row in _all_pages(aggregator, group="production_safety", period=period)
    }


def bulletin_period(label: str) -> str:
    return period_zh(Period.parse(label))


def _round3(value: Fraction) -> float:
    """Half up to three decimals, as a province publishes a rate."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def test_a_bulletin_whole_with_rates_targets_and_counties(services: Services, tmp_path: Path):
    """Issue 25 end to end: an area file with denominators for two years (every month's
    GDP and coal output, so that the year to date has its own figures in any month) and
    this year's targets; a history posted through the gateway; the summary's rates and
    targets, the bulletin in both languages and as a Word document, and the gauges."""
    now = datetime.now(UTC)
    local = now.astimezone(AREA.zone)
    year, months = local.year, local.month
    document = yaml.safe_load(
        (ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8")
    )
    monthly = {"gdp_100m_yuan": 100, "coal_output_mt": 4}
    document["denominators"] = {
        y: {
            "520200": {
                "workers_10k": 30,
                "vehicles_10k": 50,
                "months": dict.fromkeys(range(1, 13), monthly),
            }
        }
        for y in (year - 1, year)
    }
    document["targets"] = {year: {"520200": {"deaths": 40, "serious_accidents": 1}}}
    area = tmp_path / "area.yaml"
    area.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    gateway = services.start("gateway", SAFETYWATCH_CONFIG_FILE=str(area))
    aggregator = services.start("aggregator", SAFETYWATCH_CONFIG_FILE=str(area))
    recent = (now - timedelta(minutes=1)).astimezone(AREA.zone)
    a_year_ago = recent.replace(year=year - 1, day=min(recent.day, 28)).isoformat()
    documents = [
        report("520203-W1", category="coal_mine", deaths=3, occurred_at=recent.isoformat()),
        report("520201-W2", deaths=1, minor_injuries=2, occurred_at=recent.isoformat()),
        report("520201-W3", business_related=False, deaths=1, occurred_at=recent.isoformat()),
        report("520201-W4", deaths=2, occurred_at=a_year_ago),
    ]
    for posted in documents:
        assert post(gateway, posted).status_code == 202
    wait_for_outcomes(aggregator, applied=len(documents))
    period = f"{year}-01..{year}-{months:02d}"

    summary = get(aggregator, "/v1/summary", period=period).json()
    rates = summary["rates"]
    # Work-safety deaths 3 + 1 over every month's GDP so far; 工矿商贸 (the coal mine) 3
    # × 10 / 30; road 1 + the private car's 1 over 50 (last year: 2 over 50); coal 3 over
    # every month's output so far.
    assert rates["deaths_per_100m_gdp"]["value"] == _round3(Fraction(4, 100 * months))
    assert rates["deaths_per_100m_gdp"]["denominator"] == 100 * months
    assert rates["deaths_per_100k_workers"]["value"] == 1.0
    road = rates["road_deaths_per_10k_vehicles"]
    assert (road["value"], road["denominator_period"]) == (0.04, str(year))
    assert road["same_period_last_year"]["value"] == 0.04
    assert road["change_percent"] == 0.0
    assert rates["coal_deaths_per_mt"]["value"] == _round3(Fraction(3, 4 * months))
    deaths = summary["targets"]["deaths"]
    assert (deaths["target"], deaths["value"], deaths["share_percent"]) == (40, 4, 10.0)
    assert deaths["time_progress_percent"] == float(
        (Decimal(months * 100) / 12).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    )
    assert summary["targets"]["serious_accidents"]["share_percent"] == 100.0

    zh = get(aggregator, "/v1/bulletin", period=period).json()["paragraphs"]
    assert zh[0].startswith(
        f"{bulletin_period(period)}，全市共发生各类生产安全事故2起、死亡4人、受伤2人，"
        "同比增加1起、2人，分别上升100.0%、100.0%；其中，工矿商贸事故1起、死亡3人；"
        "较大事故1起、死亡3人；"
    )
    assert zh[1].startswith("亿元地区生产总值生产安全事故死亡率")
    assert "道路交通事故万车死亡率0.040，同比持平（上年同期0.040）" in zh[1]
    assert "生产安全事故死亡人数为年度控制指标40人的10.0%" in zh[1]
    assert "较大及以上生产安全事故1起，为年度控制指标1起的100.0%" in zh[1]
    assert zh[-1] == (
        "分地区看，钟山区1起、死亡1人，六枝特区1起、死亡3人；水城区、盘州市未发生生产安全事故。"
    )
    en = get(aggregator, "/v1/bulletin", period=period, lang="en").json()["paragraphs"]
    assert en[1].startswith("Rates: work-safety deaths per 100 million yuan of GDP: ")
    assert "Control targets: 4 deaths, 10.0% of the annual target of 40 deaths" in en[1]

    word = get(aggregator, "/v1/bulletin", period=period, format="docx")
    assert word.headers["content-type"].startswith("application/vnd.openxmlformats")
    texts = [p.text for p in Document(io.BytesIO(word.content)).paragraphs]
    assert all(paragraph in texts for paragraph in zh + en)

    scraped = httpx.get(f"{aggregator.url}/metrics", timeout=30).text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(scraped)
        for s in family.samples
    }
    road_now = (
        ("indicator", "road_deaths_per_10k_vehicles"),
        ("period", f"{year}-ytd"),
        ("region", "520200"),
    )
    assert samples[("safetywatch_rate", road_now)] == 0.04
    target = (("region", "520200"), ("target", "deaths"))
    assert samples[("safetywatch_control_target", target)] == 40
    assert samples[("safetywatch_control_target_used_ratio", target)] == 0.1
