"""The contract §4 gauges, read from a fresh registry with get_sample_value."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from safetywatch.accounting.ledger import Ledger
from safetywatch.accounting.storage import PYTHON_STORAGE
from safetywatch.aggregator.metrics.counts import LedgerCollector, NameCollector
from safetywatch.aggregator.metrics.pipeline import PipelineCollector
from safetywatch.aggregator.pipeline import InvalidRecord, PipelineState
from safetywatch.config.area import MetricSettings, load_area
from safetywatch.events.decode import InvalidReason
from safetywatch.native.storage import ledger_storage
from safetywatch.regions.levels import Level, ancestor_at, level_of
from tests.reports import RECEIVED, record

NOW = datetime(2022, 2, 20, tzinfo=UTC)  # 2022Q1: the exposed quarters are 2022Q1 … 2021Q1


@pytest.fixture
def setup():
    area = load_area()
    ledger = Ledger(area.zone)
    pipeline = PipelineState(replay_complete=True)
    registry = CollectorRegistry()
    registry.register(LedgerCollector(ledger, area, pipeline, clock=lambda: NOW))
    registry.register(NameCollector(area, clock=lambda: NOW))
    registry.register(PipelineCollector(ledger, pipeline))
    return ledger, pipeline, registry


def test_counts_are_exposed_by_quarter_region_category_and_grade(setup):
    ledger, _, registry = setup
    ledger.apply(record("520201-A", deaths=5, serious_injuries=3, direct_loss_yuan=1000.5))
    ledger.apply(record("520201-B", deaths=1))
    labels = {
        "quarter": "2022Q1",
        "period": "2022Q1",
        "region": "520201",
        "category": "road_traffic",
    }
    assert (
        registry.get_sample_value(
            "safetywatch_incidents", {**labels, "grade": "relatively_serious"}
        )
        == 1
    )
    assert registry.get_sample_value("safetywatch_incidents", {**labels, "grade": "ordinary"}) == 1
    assert registry.get_sample_value("safetywatch_deaths", labels) == 6
    assert registry.get_sample_value("safetywatch_serious_injuries", labels) == 3
    assert registry.get_sample_value("safetywatch_direct_loss_yuan", labels) == 1000.5


def test_a_count_series_is_written_only_where_the_count_is_not_zero(setup):
    ledger, _, registry = setup
    ledger.apply(record("520201-A", deaths=2))
    labels = {"quarter": "2022Q1", "period": "2022Q1", "region": "520201"}
    road = {**labels, "category": "road_traffic"}
    assert registry.get_sample_value("safetywatch_deaths", road) == 2
    assert registry.get_sample_value("safetywatch_late_reports", road) is None
    assert registry.get_sample_value("safetywatch_incidents", {**road, "grade": "serious"}) is None
    assert (
        registry.get_sample_value(
            "safetywatch_incidents", {**labels, "category": "forest_fire", "grade": "ordinary"}
        )
        is None
    )
    ledger.apply(record("520201-A", revision=2, deaths=0))  # withdrawn: the series goes
    assert registry.get_sample_value("safetywatch_deaths", road) is None
    assert registry.get_sample_value("safetywatch_incidents", {**road, "grade": "ordinary"}) == 1


def _counts(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in registry.collect()
        for sample in family.samples
        if family.name in COUNT_FAMILIES
    }


COUNT_FAMILIES = {"safetywatch_incidents", "safetywatch_deaths", "safetywatch_fatalities"}


@pytest.mark.parametrize("compiled", [True, False])
@pytest.mark.parametrize("level", [Level.COUNTY, Level.CITY, Level.PROVINCE])
def test_the_sums_kept_between_scrapes_follow_every_change_as_a_fresh_collector_sees_it(
    level, compiled
):
    """A month's sum is kept until its cells move: after each change the collector that
    kept its sums must expose what a new one, summing everything afresh, does."""
    area = load_area().model_copy(update={"metrics": MetricSettings(region_level=level)})
    ledger = Ledger(area.zone, storage=ledger_storage() if compiled else PYTHON_STORAGE)
    pipeline = PipelineState(replay_complete=True)

    def registry_of() -> CollectorRegistry:
        registry = CollectorRegistry()
        registry.register(LedgerCollector(ledger, area, pipeline, clock=lambda: NOW))
        return registry

    kept = registry_of()
    changes = [
        record("520201-A", deaths=1),  # 2022-02
        record("520203-B", deaths=3, occurred_at="2021-03-05T10:00:00+08:00"),
        record("520201-A", revision=2, deaths=4),
        record("520203-B", revision=2, deaths=3, occurred_at="2021-11-05T10:00:00+08:00"),
        record("520281-C", category="coal_mine", deaths=12),
        record("520281-C", revision=2, category="coal_mine", deaths=12, retracted=True),
        record("520201-A", revision=3, deaths=0),
    ]
    for change in changes:
        ledger.apply(change)
        assert _counts(kept) == _counts(registry_of())
    assert _counts(kept)  # something was compared


def test_region_info_names_each_region(setup):
    _, _, registry = setup
    assert (
        registry.get_sample_value(
            "safetywatch_region_info",
            {
                "region": "520203",
                "name": "六枝特区",
                "name_en": "Liuzhi Special District",
                "level": "county",
                "parent": "520200",
            },
        )
        == 1
    )
    assert (
        registry.get_sample_value(
            "safetywatch_region_info",
            {
                "region": "520200",
                "name": "六盘水市",
                "name_en": "Liupanshui",
                "level": "city",
                "parent": "",
            },
        )
        == 1
    )


def test_no_counts_are_exposed_before_the_replay_caught_up(setup):
    ledger, pipeline, registry = setup
    ledger.apply(record(deaths=1))
    pipeline.replay_complete = False
    labels = {
        "quarter": "2022Q1",
        "period": "2022Q1",
        "region": "520201",
        "category": "road_traffic",
    }
    assert registry.get_sample_value("safetywatch_deaths", labels) is None
    assert registry.get_sample_value("safetywatch_replay_complete") == 0


def test_pipeline_health_counts_outcomes_and_invalid_records(setup):
    _, pipeline, registry = setup
    pipeline.outcomes.update(applied=3, duplicate=1)
    pipeline.record_invalid(InvalidRecord(2, 17, InvalidReason.NOT_JSON, "x"))
    pipeline.lag[2] = 5
    assert registry.get_sample_value("safetywatch_records_total", {"outcome": "applied"}) == 3
    assert registry.get_sample_value("safetywatch_records_total", {"outcome": "invalid"}) == 1
    assert registry.get_sample_value("safetywatch_invalid_records", {"reason": "not_json"}) == 1
    assert registry.get_sample_value("safetywatch_consumer_lag", {"partition": "2"}) == 5


def test_whether_the_ledger_keeps_compiled_rows_is_a_metric():
    """0 is the fallback a dashboard or an alert can see: this installation built no
    compiled rows, and the ledger keeps the slower, larger Python ones."""
    area = load_area()
    for storage, compiled in ((PYTHON_STORAGE, 0), (ledger_storage(), 1)):
        registry = CollectorRegistry()
        registry.register(PipelineCollector(Ledger(area.zone, storage=storage), PipelineState()))
        assert registry.get_sample_value("safetywatch_ledger_compiled") == compiled


def test_quarter_info_names_the_current_quarter_and_the_same_one_last_year(setup):
    _, _, registry = setup
    assert (
        registry.get_sample_value("safetywatch_quarter_info", {"quarter": "2022Q1", "age": "0"})
        == 1
    )
    assert (
        registry.get_sample_value("safetywatch_quarter_info", {"quarter": "2021Q1", "age": "4"})
        == 1
    )
    assert (
        registry.get_sample_value("safetywatch_quarter_info", {"quarter": "2020Q4", "age": "5"})
        is None
    )


def test_each_collector_describes_every_family_it_collects(setup):
    # A restricted scrape (name[]) relies on describe(): a family it forgot would vanish.
    from safetywatch.aggregator.alerts import AlertBoard
    from safetywatch.aggregator.metrics.alerts import AlertCollector
    from safetywatch.aggregator.metrics.chain import ChainCollector, ConfirmationCollector

    ledger, pipeline, _ = setup
    area = load_area()
    ledger.apply(record("520201-A", deaths=5))
    pipeline.last_applied_unix = 1.0
    pipeline.last_poll_unix = pipeline.broker_contact_unix = 2.0
    pipeline.record_invalid(InvalidRecord(0, 1, InvalidReason.NOT_JSON, "x"))
    board = AlertBoard(ledger, area, lambda: NOW)
    board.refresh()
    for collector in (
        LedgerCollector(ledger, area, pipeline, clock=lambda: NOW),
        NameCollector(area, clock=lambda: NOW),
        PipelineCollector(ledger, pipeline),
        AlertCollector(board),
        ChainCollector(board),
        ConfirmationCollector(ledger, area, pipeline, clock=lambda: NOW),
    ):
        described = {metric.name for metric in collector.describe()}
        assert {metric.name for metric in collector.collect()} == described, collector


def test_a_restricted_scrape_collects_only_the_collectors_it_names(setup):
    ledger, pipeline, registry = setup
    ledger.apply(record("520201-A", deaths=5))
    pipeline.outcomes["applied"] = 1
    collected: list[str] = []
    for collector in list(registry._collector_to_names):
        collector.collect = _spying(collector, collected)
    restricted = registry.restricted_registry(["safetywatch_records_total"])
    assert {metric.name for metric in restricted.collect()} == {"safetywatch_records"}
    assert collected == ["PipelineCollector"]  # the ledger's series were never built


def _spying(collector, calls: list[str]):
    original, name = collector.collect, type(collector).__name__

    def collect():
        calls.append(name)
        return original()

    return collect


def test_the_month_and_the_year_to_date_sit_beside_the_quarters_with_fatalities(setup):
    ledger, _, registry = setup
    ledger.apply(record("520201-A", deaths=1, missing=2))  # 2022-02-10, in February
    ledger.apply(record("520201-B", deaths=1, occurred_at="2022-01-05T10:00:00+08:00"))
    place = {"region": "520201", "category": "road_traffic"}
    month = {**place, "quarter": "", "period": "2022-02"}
    year_to_date = {**place, "quarter": "", "period": "2022-ytd"}
    assert registry.get_sample_value("safetywatch_fatalities", month) == 3
    assert registry.get_sample_value("safetywatch_deaths", month) == 1
    assert registry.get_sample_value("safetywatch_fatalities", year_to_date) == 4
    assert (
        registry.get_sample_value(
            "safetywatch_fatalities", {**place, "quarter": "", "period": "2021-02"}
        )
        is None
    )
    info = {
        "kind": "ytd",
        "relation": "last_year",
        "first_month": "2021-01",
        "last_month": "2021-02",
    }
    assert registry.get_sample_value("safetywatch_period_info", {"period": "2021-ytd", **info}) == 1


def test_categories_and_grades_are_named_for_people_from_one_source(setup):
    _, _, registry = setup
    road = {
        "category": "road_traffic",
        "group": "production_safety",
        "subgroup": "",
        "name": "道路运输",
        "name_en": "Road transport",
        "order": "07",
    }
    mine = {
        **road,
        "category": "coal_mine",
        "subgroup": "industrial_mining_commerce",
        "name": "煤矿",
        "name_en": "Coal mine",
        "order": "00",
    }
    assert registry.get_sample_value("safetywatch_category_info", road) == 1
    assert registry.get_sample_value("safetywatch_category_info", mine) == 1
    grade = {
        "grade": "relatively_serious",
        "name": "较大",
        "name_en": "relatively serious",
        "order": "1",
    }
    assert registry.get_sample_value("safetywatch_grade_info", grade) == 1


def test_at_the_city_level_the_counties_are_summed_and_their_series_gone():
    area = load_area().model_copy(update={"metrics": MetricSettings(region_level=Level.CITY)})
    ledger = Ledger(area.zone)
    registry = CollectorRegistry()
    registry.register(
        LedgerCollector(ledger, area, PipelineState(replay_complete=True), clock=lambda: NOW)
    )
    ledger.apply(record("520201-A", deaths=2))
    ledger.apply(record("520281-B", deaths=3))
    ledger.apply(record("530102-C", deaths=1))  # another province's city, as the log holds it
    labels = {"quarter": "2022Q1", "period": "2022Q1", "category": "road_traffic"}
    assert registry.get_sample_value("safetywatch_deaths", {**labels, "region": "520200"}) == 5
    assert registry.get_sample_value("safetywatch_deaths", {**labels, "region": "530100"}) == 1
    assert registry.get_sample_value("safetywatch_deaths", {**labels, "region": "520201"}) is None
    regions = {
        s.labels["region"]
        for family in registry.collect()
        if family.name == "safetywatch_deaths"
        for s in family.samples
    }
    assert regions == {"520200", "530100"}


@pytest.mark.parametrize(
    ("code", "level", "city", "province"),
    [
        ("520201", Level.COUNTY, "520200", "520000"),
        ("520200", Level.CITY, "520200", "520000"),
        ("520000", Level.PROVINCE, "520000", "520000"),
        ("429004", Level.COUNTY, "429000", "420000"),  # a county-level city under a province
        ("000000", Level.NATIONAL, "000000", "000000"),
    ],
)
def test_a_code_names_its_level_and_its_ancestors(code, level, city, province):
    assert level_of(code) is level
    assert ancestor_at(code, Level.CITY) == city
    assert ancestor_at(code, Level.PROVINCE) == province
    assert ancestor_at(code, Level.COUNTY) == code


def test_an_overflow_of_overdue_steps_names_its_level_and_region(setup):
    from safetywatch.aggregator.alerts import AlertBoard
    from safetywatch.aggregator.metrics.chain import ChainCollector
    from safetywatch.alerting.chain_alerts import ChainReport

    ledger, _, _ = setup
    board = AlertBoard(ledger, load_area(), lambda: NOW)
    board.chain = ChainReport([], [], {(Level.COUNTY, "520201"): 2})
    registry = CollectorRegistry()
    registry.register(ChainCollector(board))
    labels = {
        "level": "county",
        "level_name": "县级",
        "region": "520201",
        "region_name": "钟山区",
        "region_name_en": "Zhongshan District",
    }
    assert registry.get_sample_value("safetywatch_reporting_overdue_overflow", labels) == 2


def test_confirmations_are_counted_by_level_and_timeliness_only_where_not_zero(setup):
    from safetywatch.aggregator.metrics.chain import ConfirmationCollector
    from safetywatch.events.confirmation import ConfirmationRecord

    ledger, pipeline, _ = setup
    registry = CollectorRegistry()
    registry.register(ConfirmationCollector(ledger, load_area(), pipeline, clock=lambda: NOW))
    ledger.apply(record("520201-A", deaths=1))
    county = ConfirmationRecord(
        level=Level.COUNTY, incident_id="520201-A", unit_id="county", received_at=RECEIVED
    )
    ledger.apply_confirmation(county)
    labels = {"quarter": "2022Q1", "period": "2022Q1", "region": "520201", "level": "county"}
    assert (
        registry.get_sample_value("safetywatch_confirmations", {**labels, "timeliness": "on_time"})
        == 1
    )
    assert (
        registry.get_sample_value("safetywatch_confirmations", {**labels, "timeliness": "late"})
        is None
    )
    city = {**labels, "level": "city", "timeliness": "on_time"}
    assert registry.get_sample_value("safetywatch_confirmations", city) is None
