"""The rate indicators and control targets as gauges (contract §7), for the dashboards'
stat panels: the same numbers as ``/v1/summary``'s ``rates`` and ``targets``.

Rates are exposed for the year to date and the same months last year (``period``
"2026-ytd", "2025-ytd", as the counts are), for every region the area file gives
denominators of that year; a rate without a denominator for the period has no series
(``/v1/summary`` says why). Targets are the current year's.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from safetywatch.aggregator.metrics import names_only
from safetywatch.aggregator.metrics.counts import LedgerFamilies, exposed_periods
from safetywatch.regions import prefix_of


class IndicatorCollector(LedgerFamilies):
    def describe(self) -> Iterator[Metric]:
        return names_only(
            "safetywatch_rate",
            "safetywatch_control_target",
            "safetywatch_control_target_used_ratio",
            "safetywatch_control_target_expected",
            "safetywatch_time_progress_ratio",
        )

    def collect(self) -> Iterator[Metric]:
        if not self._pipeline.replay_complete:
            return
        indicators = self._area.indicators
        rate = GaugeMetricFamily(
            "safetywatch_rate",
            "Rate indicators (亿元GDP、工矿商贸十万人、道路交通万车、煤矿百万吨死亡率) of the "
            "year to date, where the area file gives the period's denominator",
            labels=["indicator", "region", "period"],
        )
        target = GaugeMetricFamily(
            "safetywatch_control_target",
            "The year's control target (安全生产控制指标): deaths or 较大 and above accidents",
            labels=["target", "region"],
        )
        used = GaugeMetricFamily(
            "safetywatch_control_target_used_ratio",
            "The year to date's figure over the year's control target",
            labels=["target", "region"],
        )
        expected = GaugeMetricFamily(
            "safetywatch_control_target_expected",
            "The figure the time progress allows (控制进度): the target × the months so far / 12",
            labels=["target", "region"],
        )
        progress = GaugeMetricFamily(
            "safetywatch_time_progress_ratio",
            "时间进度: the months of the year so far, the current one included, over 12",
        )
        for exposed in exposed_periods(self._clock(), self._area):
            if exposed.kind != "ytd":
                continue
            year = exposed.period.first // 12
            regions = sorted({key.region for key in indicators.denominators if key.year == year})
            for region in regions:
                summary = self._ledger.summary(exposed.period, prefix_of(region))
                for value in indicators.of(region).rates(summary):
                    if value.value is not None:
                        rate.add_metric(
                            [value.indicator.key, region, exposed.label], float(value.value)
                        )
            if exposed.relation != "current":
                continue
            for region in sorted({key.region for key in indicators.targets if key.year == year}):
                summary = self._ledger.summary(exposed.period, prefix_of(region))
                for state in indicators.of(region).targets(summary):
                    if state.target is None or state.progress is None:
                        continue
                    labels = [state.figure.value, region]
                    target.add_metric(labels, state.target)
                    expected.add_metric(labels, float(state.expected))
                    if (share := state.share) is not None:
                        used.add_metric(labels, float(share))
            year_to_date = exposed.period
            progress.add_metric([], year_to_date.length / 12)
        yield from (rate, target, used, expected, progress)
