"""The count gauges (contract §4, §7), computed from the ledger at scrape time, and the
names and periods they are read with.

The counts are served apart, on ``/metrics/counts`` (scraped less often than the alerts
on ``/metrics``), with a series only where a count is not zero: at a province's or the
country's scale four series in five were zeros (docs/performance.md). Collected on the
event loop that also applies records, so one scrape is one consistent snapshot. Until
the initial replay has caught up there are no count series: a restarting replica shows
none rather than wrong ones.

Every count series has a ``period`` label — the exposed quarters, the current month and
the same month last year, the year to date and the same months last year ("2026-ytd",
"2025-ytd") — and keeps the first contract's ``quarter`` label on quarter series
(empty, so absent, on the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from operator import attrgetter

from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from safetywatch.accounting import (
    PUBLIC_FIGURES,
    Ledger,
    Period,
    Totals,
    month_of,
    recent_quarters,
)
from safetywatch.aggregator.clock import Clock, system_clock
from safetywatch.aggregator.metrics import names_only
from safetywatch.aggregator.metrics.sums import MetricLevelSums
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.config import AreaConfig
from safetywatch.events import (
    CATEGORY_GROUPS,
    CATEGORY_ORDER,
    Category,
    Grade,
    Group,
)
from safetywatch.regions import level_of

#: A gauge by category for each figure the totals show (``fields.FIGURES``), but the
#: incidents: ``safetywatch_incidents`` is by grade too.
_PER_CATEGORY: tuple[tuple[str, str, Callable[[Totals], float]], ...] = tuple(
    (f"safetywatch_{name}", text, attrgetter(name))
    for name, text in PUBLIC_FIGURES
    if name != "incidents"
)
#: Non-business road traffic and fire accidents (非生产经营性), counted apart from every
#: family above: how many, and their dead and missing.
_APART: tuple[tuple[str, str, Callable[[Totals], float]], ...] = (
    (
        "safetywatch_non_business_incidents",
        "Non-business road traffic and fire accidents (非生产经营性), not in the work-safety "
        "figures",
        attrgetter("incidents"),
    ),
    (
        "safetywatch_non_business_fatalities",
        "Deaths and missing of non-business road traffic and fire accidents, as counted",
        attrgetter("fatalities"),
    ),
)

_GRADE_NAMES = {
    Grade.ORDINARY: ("一般", "ordinary"),
    Grade.RELATIVELY_SERIOUS: ("较大", "relatively serious"),
    Grade.SERIOUS: ("重大", "serious"),
    Grade.PARTICULARLY_SERIOUS: ("特别重大", "particularly serious"),
}


@dataclass(frozen=True, slots=True)
class ExposedPeriod:
    period: Period
    label: str
    kind: str  # month, quarter, ytd
    relation: str  # current, last_year, earlier
    quarter: str  # the quarter label on quarter series, else ""


def exposed_periods(now: datetime, area: AreaConfig) -> list[ExposedPeriod]:
    month = month_of(now, area.zone)
    quarters = recent_quarters(now, area.zone, area.exposed_quarters)
    exposed = [
        ExposedPeriod(
            Period.of_quarter(q),
            q.label,
            "quarter",
            "current" if age == 0 else "last_year" if age == 4 else "earlier",
            q.label,
        )
        for age, q in enumerate(quarters)
    ]
    for back, relation in ((0, "current"), (12, "last_year")):
        this = Period.month(month - back)
        exposed.append(ExposedPeriod(this, this.label, "month", relation, ""))
        ytd = Period.year_to_date(month - back)
        exposed.append(ExposedPeriod(ytd, f"{ytd.first // 12}-ytd", "ytd", relation, ""))
    return exposed


def _info_families(area: AreaConfig, periods: list[ExposedPeriod]) -> Iterator[Metric]:
    region_info = GaugeMetricFamily(
        "safetywatch_region_info",
        "Configured regions: names, level (county, city, province, national) and parent",
        labels=["region", "name", "name_en", "level", "parent"],
    )
    for region in area.regions:
        level = level_of(region.code).value
        english = region.name_en or region.name
        region_info.add_metric([region.code, region.name, english, level, region.parent or ""], 1)
    yield region_info
    # "The current quarter" (age 0) or "the same quarter last year" (age 4) in PromQL:
    # ... and on (quarter) safetywatch_quarter_info{age="0"}.
    quarter_info = GaugeMetricFamily(
        "safetywatch_quarter_info",
        "Exposed quarters by age: 0 is the current quarter, 4 the same quarter last year",
        labels=["quarter", "age"],
    )
    for age, exposed in enumerate(p for p in periods if p.kind == "quarter"):
        quarter_info.add_metric([exposed.label, str(age)], 1)
    yield quarter_info
    period_info = GaugeMetricFamily(
        "safetywatch_period_info",
        "Exposed periods: kind month, quarter or ytd; relation current, last_year or earlier",
        labels=["period", "kind", "relation", "first_month", "last_month"],
    )
    for exposed in periods:
        first, last = Period.month(exposed.period.first), Period.month(exposed.period.last)
        period_info.add_metric(
            [exposed.label, exposed.kind, exposed.relation, first.label, last.label], 1
        )
    yield period_info
    yield from _name_families(area)


def _name_families(area: AreaConfig) -> Iterator[Metric]:
    """The names people read, from the same source as the bulletin's."""
    category_info = GaugeMetricFamily(
        "safetywatch_category_info",
        "Categories: group (production_safety or natural_disaster), subgroup, names, order",
        labels=["category", "group", "subgroup", "name", "name_en", "order"],
    )
    names = area.category_names
    for category in area.visible_categories:
        groups = CATEGORY_GROUPS[category]
        subgroup = Group.INDUSTRIAL_MINING_COMMERCE.value if len(groups) > 1 else ""
        category_info.add_metric(
            [
                category.value,
                groups[0].value,
                subgroup,
                names[category].zh,
                names[category].en,
                f"{CATEGORY_ORDER[category]:02d}",
            ],
            1,
        )
    yield category_info
    grade_info = GaugeMetricFamily(
        "safetywatch_grade_info",
        "Grades: names and severity order (0 = 一般)",
        labels=["grade", "name", "name_en", "order"],
    )
    for grade, (zh, en) in _GRADE_NAMES.items():
        grade_info.add_metric([grade.value, zh, en, str(grade.rank)], 1)
    yield grade_info


class NameCollector(Collector):
    """The names people read and the periods a count series may carry: on ``/metrics``,
    beside the alerts, from start-up on."""

    def __init__(self, area: AreaConfig, clock: Clock = system_clock) -> None:
        self._area = area
        self._clock = clock

    def describe(self) -> Iterator[Metric]:
        return names_only(*NAME_FAMILIES)

    def collect(self) -> Iterator[Metric]:
        yield from _info_families(self._area, exposed_periods(self._clock(), self._area))


#: What ``NameCollector`` yields.
NAME_FAMILIES = (
    "safetywatch_region_info",
    "safetywatch_quarter_info",
    "safetywatch_period_info",
    "safetywatch_category_info",
    "safetywatch_grade_info",
)


class LedgerFamilies(Collector):
    """A collector of families read from the ledger by the area's exposed periods."""

    def __init__(
        self,
        ledger: Ledger,
        area: AreaConfig,
        pipeline: PipelineState,
        clock: Clock = system_clock,
    ) -> None:
        self._ledger = ledger
        self._area = area
        self._pipeline = pipeline
        self._clock = clock


class LedgerCollector(LedgerFamilies):
    """The count families, on ``/metrics/counts``: a series for each (period, region,
    category[, grade]) whose count is not zero (absent reads as 0)."""

    @cached_property
    def _sums(self) -> MetricLevelSums:
        """The month and period sums kept between scrapes."""
        return MetricLevelSums(self._ledger, self._area)

    def describe(self) -> Iterator[Metric]:
        return names_only(
            "safetywatch_incidents",
            *(name for name, _, _ in _PER_CATEGORY),
            *(name for name, _, _ in _APART),
            "safetywatch_report_delivery_delay_seconds",
        )

    def collect(self) -> Iterator[Metric]:
        if not self._pipeline.replay_complete:
            return
        labels = ["quarter", "period", "region", "category"]
        incidents = GaugeMetricFamily(
            "safetywatch_incidents",
            "Incidents (not retracted), latest revision",
            labels=[*labels, "grade"],
        )
        per_category, apart = (
            [(GaugeMetricFamily(name, text, labels=labels), value) for name, text, value in kinds]
            for kinds in (_PER_CATEGORY, _APART)
        )
        periods = exposed_periods(self._clock(), self._area)
        for exposed, cells in zip(
            periods, self._sums.read([p.period for p in periods]), strict=True
        ):
            # Summed over grades: the official figures, and apart the non-business ones.
            rows: dict[tuple[str, Category, bool], Totals] = {}
            for (region, category, grade, is_apart), totals in sorted(cells.items()):
                if not is_apart and totals.incidents:
                    incidents.add_metric(
                        [exposed.quarter, exposed.label, region, category.value, grade.value],
                        totals.incidents,
                    )
                if (row := rows.get((region, category, is_apart))) is None:
                    row = rows[(region, category, is_apart)] = Totals()
                row.add(totals)
            for (region, category, is_apart), row in rows.items():
                row_labels = [exposed.quarter, exposed.label, region, category.value]
                for family, value in apart if is_apart else per_category:
                    if number := value(row):
                        family.add_metric(row_labels, number)
        yield incidents
        for family, _ in (*per_category, *apart):
            yield family
        delays = self._ledger.delivery_delays
        yield HistogramMetricFamily(
            "safetywatch_report_delivery_delay_seconds",
            "From the unit's reported_at to the gateway's received_at, per applied report: "
            "network trouble, apart from late reporting",
            buckets=delays.cumulative(),
            sum_value=delays.total_seconds,
        )
