"""城市总览 / City overview: the current period at a glance, in names, not codes.

Headline figures are stat panels with thresholds (red when something notable is
there); distributions are bar gauges in the official order; the notable incidents and
the active alerts are tables a duty officer reads row by row, newest first.
"""

from __future__ import annotations

from dev.generate.dashboards.model import (
    Dashboard,
    LanguageVariable,
    LinkBaseVariable,
    Panel,
    Query,
)
from dev.generate.dashboards.queries import (
    deduplicated,
    in_period,
    in_quarter,
    named,
    period_total,
    summed,
    year_on_year_percent,
    zero_filled,
)
from dev.generate.dashboards.tables import active_alerts_table, notable_incidents_table
from safetywatch.accounting import RATES, RateIndicator

CURRENT, LAST_YEAR = 0, 4
NOTABLE = 'grade=~"relatively_serious|serious|particularly_serious"'
RED_FROM_ONE = ((0, "green"), (1, "red"))


def _against_last_year(title: str, description: str, metric: str, kind: str) -> Panel:
    """This period, the same period last year and the change in percent, side by side,
    as the bulletin says it (同比)."""
    return Panel(
        title,
        description,
        "stat",
        (
            Query(period_total(metric, kind), "本期 now"),
            Query(period_total(metric, kind, "last_year"), "去年同期 last year"),
            Query(year_on_year_percent(metric, kind), "同比 change %"),
        ),
        width=6,
        overrides=(
            {
                "matcher": {"id": "byFrameRefID", "options": "C"},
                "properties": [{"id": "unit", "value": "percent"}, {"id": "decimals", "value": 1}],
            },
        ),
    )


def _share_of_pace() -> Panel:
    """Year-to-date deaths against the target's time progress (时间进度): over 100 % is
    超进度, red."""
    value = deduplicated("safetywatch_alert_value", 'rule="annual_deaths_target_pace"')
    pace = deduplicated("safetywatch_alert_threshold", 'rule="annual_deaths_target_pace"')
    expr = named(f"100 * max by (region) ({value}) / max by (region) ({pace} > 0)", "region")
    return Panel(
        "控制指标 占时间进度",
        "Year-to-date deaths as a percentage of the annual target's time progress, per "
        "county: over 100 % is ahead of pace (超进度), red",
        "bargauge",
        (Query(expr, "{{region_name}}"),),
        width=8,
        height=8,
        unit="percent",
        min=0,
        max=150,
        thresholds=((0, "green"), (80, "orange"), (100, "red")),
    )


#: The area itself: the region without a parent.
_THE_AREA = 'and on (region) safetywatch_region_info{parent=""}'


def _rate(indicator: RateIndicator) -> Panel:
    """A rate indicator of the area, the year to date beside the same months last year:
    one panel per declared rate (accounting/rates.py)."""

    def of(relation: str) -> str:
        matchers = f'indicator="{indicator.key}"'
        return f"max ({in_period('safetywatch_rate', 'ytd', relation, matchers)} {_THE_AREA})"

    return Panel(
        f"今年以来 {indicator.zh}",
        f"{indicator.en[0].upper()}{indicator.en[1:]} ({indicator.unit}), 1 January to date and "
        "the same months last year; no value where the area file has no denominator for the "
        "period (/v1/summary says why)",
        "stat",
        (Query(of("current"), "本期 now"), Query(of("last_year"), "去年同期 last year")),
        width=6,
        overrides=(
            {
                "matcher": {"id": "byType", "options": "number"},
                "properties": [{"id": "decimals", "value": 3}],
            },
        ),
    )


def _target(target: str, title: str, description: str) -> Panel:
    """The share of the year's control target used, beside the time progress (时间进度):
    orange from 80 % of the target, red at it."""
    used = deduplicated("safetywatch_control_target_used_ratio", f'target="{target}"')
    return Panel(
        title,
        description,
        "stat",
        (
            Query(f"100 * max ({used} {_THE_AREA})", "已用 used"),
            Query(
                f"100 * max ({deduplicated('safetywatch_time_progress_ratio')})",
                "时间进度 time progress",
            ),
        ),
        width=6,
        unit="percent",
        thresholds=((0, "green"), (80, "orange"), (100, "red")),
    )


def _distribution(title: str, description: str, metric: str, label: str) -> Panel:
    """A bar per category or grade, in the official order, named in the reader's language."""
    expr = named(zero_filled(f"sum by ({label}) ({in_quarter(metric, CURRENT)})", label), label)
    return Panel(
        title,
        description,
        "bargauge",
        (Query(expr),),
        width=8,
        height=8,
        options={
            "reduceOptions": {"values": True, "calcs": [], "fields": "/^Value$/"},
            "displayMode": "basic",
            "orientation": "horizontal",
            "showUnfilled": True,
        },
        transformations=(
            {"id": "sortBy", "options": {"sort": [{"field": f"{label}_order"}]}},
            {
                "id": "filterFieldsByName",
                "options": {"include": {"names": [f"{label}_name", "Value"]}},
            },
        ),
    )


def _incident_map() -> Panel:
    """Notable incidents where they were reported: one marker per incident with an
    active per-incident alert and a location (as bounded as the alerts)."""
    layer = {
        "type": "markers",
        "name": "较大及以上事故 notable incidents",
        "location": {"mode": "coords", "latitude": "latitude", "longitude": "longitude"},
        "config": {
            "showLegend": False,
            "style": {
                "color": {"fixed": "red"},
                "size": {"fixed": 9},
                "text": {"mode": "field", "field": "grade_name"},
                "textConfig": {"fontSize": 11, "offsetY": -14},
            },
        },
        "tooltip": True,
    }
    numbers = [
        {"targetField": name, "destinationType": "number"} for name in ("latitude", "longitude")
    ]
    return Panel(
        "事故地图",
        "Map: incidents with an active per-incident alert (较大 and above, near misses, late "
        "reports) at their reported location",
        "geomap",
        (Query(deduplicated("safetywatch_incident_location")),),
        width=24,
        height=10,
        options={
            "view": {"id": "fit", "padding": 20, "maxZoom": 12},
            "controls": {"showZoom": True, "mouseWheelZoom": False},
            "basemap": {"type": "default", "name": "底图 basemap"},
            "layers": [layer],
            "tooltip": {"mode": "details"},
        },
        transformations=(
            {"id": "convertFieldType", "options": {"conversions": numbers, "fields": {}}},
        ),
    )


def _timeliness_percent() -> str:
    """On-time confirmations as a percentage of all confirmations, per level."""
    on_time = summed("safetywatch_confirmations", CURRENT, "level", 'timeliness="on_time"')
    every = summed("safetywatch_confirmations", CURRENT, "level")
    return f"100 * {on_time} / ({every} > 0)"


CITY_OVERVIEW = Dashboard(
    uid="safetywatch-city",
    title="城市总览",
    description="City overview: this month and the year to date against last year, notable "
    "incidents and active alerts as tables, distributions by category and grade, the "
    "control target against its pace, the reporting chain, a map.",
    variables=(LanguageVariable(), LinkBaseVariable()),
    rows=(
        (
            _against_last_year(
                "本月 事故起数",
                "This month's incidents, last year's same month, change",
                "safetywatch_incidents",
                "month",
            ),
            _against_last_year(
                "本月 死亡人数",
                "This month's fatalities (deaths and missing), last year's, change",
                "safetywatch_fatalities",
                "month",
            ),
            _against_last_year(
                "今年以来 事故起数",
                "Incidents from 1 January to date, the same months last year, change",
                "safetywatch_incidents",
                "ytd",
            ),
            _against_last_year(
                "今年以来 死亡人数",
                "Fatalities from 1 January to date, the same months last year, change",
                "safetywatch_fatalities",
                "ytd",
            ),
        ),
        (
            Panel(
                "本季度 较大及以上事故",
                "Incidents of grade 较大 and above this quarter: red from the first one",
                "stat",
                (
                    Query(
                        zero_filled(
                            f"sum ({in_quarter('safetywatch_incidents', CURRENT, NOTABLE)})"
                        )
                    ),
                ),
                width=6,
                thresholds=RED_FROM_ONE,
            ),
            Panel(
                "本季度 死亡人数",
                "Deaths this quarter",
                "stat",
                (Query(summed("safetywatch_deaths", CURRENT)),),
                width=6,
                thresholds=((0, "green"), (1, "orange"), (10, "red")),
            ),
            Panel(
                "本季度 迟报",
                "First reports made more than an hour late this quarter (迟报)",
                "stat",
                (Query(summed("safetywatch_late_reports", CURRENT)),),
                width=6,
                thresholds=((0, "green"), (1, "orange")),
            ),
            Panel(
                "逾期未报",
                "Steps of the reporting chain past their due time and not confirmed now",
                "stat",
                (
                    Query(
                        f"count ({deduplicated('safetywatch_reporting_overdue')} == 1) or vector(0)"
                    ),
                ),
                width=6,
                thresholds=RED_FROM_ONE,
            ),
        ),
        tuple(_rate(indicator) for indicator in RATES),
        (
            _target(
                "deaths",
                "年度控制指标 死亡人数",
                "Work-safety deaths of the year to date as a share of the area's annual control "
                "target, beside the time progress: orange from 80 % of the target, red at it",
            ),
            _target(
                "serious_accidents",
                "年度控制指标 较大事故",
                "Relatively serious and worse (较大及以上) work-safety accidents of the year to "
                "date as a share of the annual control target, beside the time progress",
            ),
        ),
        (notable_incidents_table(),),
        (active_alerts_table(),),
        (
            _distribution(
                "本季度 分类事故起数",
                "Incidents this quarter by category, in the official order",
                "safetywatch_incidents",
                "category",
            ),
            _distribution(
                "本季度 分级事故起数",
                "Incidents this quarter by grade, from 一般 to 特别重大",
                "safetywatch_incidents",
                "grade",
            ),
            _share_of_pace(),
        ),
        (
            Panel(
                "上报及时率（本季度）",
                "Share of the reporting chain's confirmations made on time, by level, for this "
                "quarter's incidents (及时率 = on time / all confirmed)",
                "bargauge",
                (Query(named(_timeliness_percent(), "level"), "{{level_name}}"),),
                width=8,
                height=8,
                unit="percent",
                min=0,
                max=100,
                thresholds=((0, "red"), (90, "orange"), (100, "green")),
            ),
            Panel(
                "分县 本季度死亡人数",
                "Deaths this quarter by county, named",
                "bargauge",
                (
                    Query(
                        named(
                            f"sum by (region) ({in_period('safetywatch_deaths', 'quarter', 'current')})",
                            "region",
                        ),
                        "{{region_name}}",
                    ),
                ),
                width=16,
                height=8,
            ),
        ),
        (_incident_map(),),
    ),
)
