"""The reporting chain's gauges (contract §8): overdue steps and follow-ups from the
latest evaluation (on ``/metrics``), and the confirmations on time and late (及时率) by
period (a count family: on ``/metrics/counts``, where not zero)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from safetywatch.aggregator.alerts import AlertBoard
from safetywatch.aggregator.metrics import names_only
from safetywatch.aggregator.metrics.counts import LedgerFamilies, exposed_periods
from safetywatch.alerting import LateStep
from safetywatch.config import AreaConfig
from safetywatch.regions import Level

STEP_LABELS = [
    "incident_id",
    "region",
    "category",
    "grade",
    "level",
    # what a notification says: names, who must act, and by when
    "region_name",
    "category_name",
    "grade_name",
    "level_name",
    "office",
    "office_en",
    "due_at",
    "region_name_en",
]


def _step_labels(step: LateStep, area: AreaConfig) -> list[str]:
    office = area.office_of(step.level, step.region)
    due = step.due_at.astimezone(area.zone).strftime("%Y-%m-%d %H:%M")
    return [
        step.incident_id,
        step.region,
        step.category,
        step.grade,
        step.level.value,
        step.region_name,
        step.category_name,
        step.grade_name,
        step.level.zh,
        office.zh,
        office.en,
        due,
        step.region_name_en,
    ]


class ChainCollector(Collector):
    def __init__(self, board: AlertBoard) -> None:
        self._board = board

    def describe(self) -> Iterator[Metric]:
        return names_only(
            "safetywatch_reporting_overdue",
            "safetywatch_reporting_overdue_seconds",
            "safetywatch_reporting_overdue_overflow",
            "safetywatch_follow_up_overdue_seconds",
            "safetywatch_level_info",
        )

    def collect(self) -> Iterator[Metric]:
        yield self._level_names()
        yield from self._late_steps()

    def _level_names(self) -> Metric:
        names = GaugeMetricFamily(
            "safetywatch_level_info",
            "Levels of the reporting chain: names and order (0 = county)",
            labels=["level", "name", "name_en", "order"],
        )
        for level in Level:
            names.add_metric([level.value, level.zh, level.value, str(level.rank)], 1)
        return names

    def _late_steps(self) -> Iterator[Metric]:
        area, chain = self._board.area, self._board.chain
        overdue = GaugeMetricFamily(
            "safetywatch_reporting_overdue",
            "1 while a level of the reporting chain is past its due time, 0 once it "
            "confirmed late; gone after the hold",
            labels=STEP_LABELS,
        )
        seconds = GaugeMetricFamily(
            "safetywatch_reporting_overdue_seconds",
            "How long past its due time the step is (or was, when it confirmed)",
            labels=STEP_LABELS,
        )
        for step in chain.steps:
            labels = _step_labels(step, area)
            overdue.add_metric(labels, step.value)
            seconds.add_metric(labels, step.seconds_late)
        overflow = GaugeMetricFamily(
            "safetywatch_reporting_overdue_overflow",
            "Overdue steps of a level and region beyond the ones shown on their own",
            labels=["level", "level_name", "region", "region_name", "region_name_en"],
        )
        for (level, region), count in sorted(chain.overflow.items()):
            place = area.place_for(region)
            overflow.add_metric([level.value, level.zh, region, place.zh, place.en], count)
        follow_ups = GaugeMetricFamily(
            "safetywatch_follow_up_overdue_seconds",
            "How long a notable incident's next follow-up report (续报) is overdue; level is "
            "the level of the unit that reported it",
            labels=STEP_LABELS,
        )
        for step in chain.follow_ups:
            follow_ups.add_metric(_step_labels(step, area), step.seconds_late)
        yield from (overdue, seconds, overflow, follow_ups)


class ConfirmationCollector(LedgerFamilies):
    """Confirmations on time and late by the incidents' quarter or year to date, region
    and level: a series where the count is not zero."""

    def describe(self) -> Iterator[Metric]:
        return names_only("safetywatch_confirmations")

    def collect(self) -> Iterator[Metric]:
        if not self._pipeline.replay_complete:
            return
        family = GaugeMetricFamily(
            "safetywatch_confirmations",
            "Confirmations of the reporting chain by the incidents' quarter or year to "
            "date, region and level: on_time or late (及时率 = on_time / (on_time + late))",
            labels=["quarter", "period", "region", "level", "timeliness"],
        )
        area = self._area
        for exposed in exposed_periods(self._clock(), area):
            if exposed.kind == "month":
                continue  # audited by quarter and year: months would only add series
            counts: dict[tuple[str, Level, bool], int] = {}
            for (code, level, on_time), count in self._ledger.timeliness(exposed.period).items():
                key = (area.metric_region(code), level, on_time)
                counts[key] = counts.get(key, 0) + count
            for (region, level, on_time), count in sorted(counts.items()):
                if count:
                    word = "on_time" if on_time else "late"
                    family.add_metric(
                        [exposed.quarter, exposed.label, region, level.value, word], count
                    )
        yield family
