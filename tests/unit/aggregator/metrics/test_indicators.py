"""The rate and target gauges: the numbers of /v1/summary, for the year to date."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry

from safetywatch.accounting.ledger import Ledger
from safetywatch.aggregator.metrics.indicators import IndicatorCollector
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.config.area import AreaConfig, load_area
from tests.reports import record

NOW = datetime(2022, 2, 20, tzinfo=UTC)  # two months of 2022: 时间进度 2/12


def registry_with(ledger: Ledger) -> CollectorRegistry:
    document = load_area().model_dump(mode="json", exclude={"targets", "denominators"})
    area = AreaConfig.model_validate(
        {
            **document,
            "denominators": {
                2022: {"520200": {"vehicles_10k": 50, "gdp_100m_yuan": 1200}},
                2021: {"520200": {"vehicles_10k": 40}},
            },
            "targets": {2022: {"520200": {"deaths": 24, "serious_accidents": 1}}},
        }
    )
    registry = CollectorRegistry()
    pipeline = PipelineState(replay_complete=True)
    registry.register(IndicatorCollector(ledger, area, pipeline, clock=lambda: NOW))
    return registry


def test_rates_and_targets_of_the_year_to_date():
    ledger = Ledger(load_area().zone)
    ledger.apply(record("520201-A", deaths=3, occurred_at="2022-01-10T10:00:00+08:00"))
    ledger.apply(record("520201-B", deaths=2, occurred_at="2021-02-10T10:00:00+08:00"))
    registry = registry_with(ledger)
    road = {"indicator": "road_deaths_per_10k_vehicles", "region": "520200"}
    assert registry.get_sample_value("safetywatch_rate", {**road, "period": "2022-ytd"}) == 0.06
    assert registry.get_sample_value("safetywatch_rate", {**road, "period": "2021-ytd"}) == 0.05
    # GDP is a flow: two months are not whole quarters, so no series (the summary says why).
    gdp = {"indicator": "deaths_per_100m_gdp", "region": "520200", "period": "2022-ytd"}
    assert registry.get_sample_value("safetywatch_rate", gdp) is None
    deaths = {"target": "deaths", "region": "520200"}
    assert registry.get_sample_value("safetywatch_control_target", deaths) == 24
    assert registry.get_sample_value("safetywatch_control_target_used_ratio", deaths) == 3 / 24
    assert registry.get_sample_value("safetywatch_control_target_expected", deaths) == 4
    assert registry.get_sample_value("safetywatch_time_progress_ratio") == 2 / 12
    serious = {"target": "serious_accidents", "region": "520200"}
    assert registry.get_sample_value("safetywatch_control_target_used_ratio", serious) == 1.0
