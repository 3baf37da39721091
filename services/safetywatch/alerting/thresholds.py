"""Threshold rules: a figure of the current period, progress against an annual control
target, a rise over the same span last year, a cluster of incidents in a window."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

from safetywatch.accounting import (
    Ledger,
    Period,
    Quarter,
    Targets,
    Totals,
    figure_value,
    month_of,
    year_progress,
)
from safetywatch.alerting.rules import (
    ClusterRule,
    ControlTargetRule,
    Figure,
    PeriodKindName,
    QuarterlyCountRule,
    YearOverYearRule,
)
from safetywatch.alerting.states import AlertState, thresholded
from safetywatch.events import Category
from safetywatch.regions import Area, prefix_of


def scoped_regions(scope: str, area: Area) -> list[str]:
    if scope == "each":
        return [region.code for region in area.counties]
    if scope == "area":
        return [area.root.prefix]
    return [scope]


def current_period(kind: PeriodKindName, now: datetime, zone: tzinfo) -> Period:
    month = month_of(now, zone)
    if kind == "month":
        return Period.month(month)
    if kind == "year":
        return Period.year(month // 12)
    return Period.of_quarter(Quarter.of_month(month))


def _pick(totals: Totals, figure: Figure) -> float:
    return float(getattr(totals, figure))


def _of_category(by_category: dict[Category, Totals], category: str) -> Totals:
    if category != "all":
        return by_category[Category(category)]
    combined = Totals()
    for totals in by_category.values():
        combined.add(totals)
    return combined


def figure_in(ledger: Ledger, period: Period, prefix: str, category: str, figure: Figure) -> float:
    """One figure of one period, region prefix and category (or ``all``)."""
    summary = ledger.summary(period, prefix)
    totals = summary.totals if category == "all" else summary.by_category[Category(category)]
    return _pick(totals, figure)


def counted(
    rule: QuarterlyCountRule, ledger: Ledger, area: Area, now: datetime
) -> Iterator[AlertState]:
    period = current_period(rule.period, now, area.zone)
    for region in scoped_regions(rule.scope, area):
        value = figure_in(ledger, period, region, rule.category, rule.figure)
        yield from thresholded(rule.name, region, rule.category, value, rule.warn, rule.critical)


def control_target(
    rule: ControlTargetRule, ledger: Ledger, area: Area, now: datetime, targets: Targets
) -> Iterator[AlertState]:
    year_to_date = Period.year_to_date(month_of(now, area.zone))
    progress = year_progress(year_to_date)
    assert progress is not None  # January to a month always has one
    year = year_to_date.first // 12
    of_year = {key.region: given for key, given in targets.items() if key.year == year}
    for region, given in sorted(of_year.items()):
        if (target := given.get(rule.target)) is None:
            continue
        summary = ledger.summary(year_to_date, prefix_of(region))
        value = float(figure_value(rule.target, summary))
        yield from thresholded(
            rule.name, region, "all", value, rule.warn_share * target, float(target)
        )
        pace = float(target * progress)
        yield AlertState(
            f"{rule.name}_pace",
            "warning",
            region,
            "all",
            value > pace and value >= rule.pace_minimum,
            value,
            round(pace, 3),
        )


def a_year_earlier(moment: datetime, zone: tzinfo) -> datetime:
    """The same local date and time a year before (28 February for 29 February)."""
    local = moment.astimezone(zone)
    day = min(local.day, 28) if (local.month, local.day) == (2, 29) else local.day
    return local.replace(year=local.year - 1, day=day)


def year_over_year(
    rule: YearOverYearRule, ledger: Ledger, area: Area, now: datetime
) -> Iterator[AlertState]:
    """This period from its start to now against the same span last year: the partial
    quarter is never compared with last year's whole one."""
    zone = area.zone
    period = current_period(rule.period, now, zone)
    start, before_start = period.start(zone), period.same_period_last_year().start(zone)
    before_end = a_year_earlier(now, zone)
    for region in scoped_regions(rule.scope, area):
        current = _pick(
            _of_category(ledger.totals_between(start, now, region), rule.category), rule.figure
        )
        before = _pick(
            _of_category(ledger.totals_between(before_start, before_end, region), rule.category),
            rule.figure,
        )
        threshold = max(before * (1 + rule.min_increase_percent / 100), before + rule.min_increase)
        yield AlertState(
            rule.name,
            rule.severity,
            region,
            rule.category,
            current >= threshold,
            current,
            threshold,
        )


def cluster(rule: ClusterRule, ledger: Ledger, area: Area, now: datetime) -> Iterator[AlertState]:
    start = now - timedelta(days=rule.window_days)
    counts: dict[str, int] = {}
    for state in ledger.occurred_between(start, now):
        if state.category is rule.category and not state.retracted:
            counts[state.region_code] = counts.get(state.region_code, 0) + 1
    for region in scoped_regions(rule.scope, area):
        value = sum(n for code, n in counts.items() if code.startswith(region))
        yield AlertState(
            rule.name,
            rule.severity,
            region,
            rule.category.value,
            value >= rule.count,
            float(value),
            float(rule.count),
        )
