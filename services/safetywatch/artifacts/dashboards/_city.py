"""城市总览 / City overview: the current quarter at a glance."""

from __future__ import annotations

from collections.abc import Callable

from safetywatch.artifacts.dashboards._model import Dashboard, Panel, Query
from safetywatch.artifacts.dashboards._queries import (
    deduplicated,
    period_total,
    summed,
    year_on_year_percent,
)

CURRENT, LAST_YEAR = 0, 4
TARGET = 'safetywatch_alert_threshold{rule="annual_deaths_target",severity="critical"}'


def _percent_of_target(
    title: str, description: str, series: str, thresholds: tuple[tuple[float, str], ...] = ()
) -> Panel:
    """A gauge per county: ``series`` as a percentage of its annual deaths target."""
    expr = f"100 * max by (region) ({series}) / max by (region) ({TARGET})"
    return Panel(
        title,
        description,
        "gauge",
        (Query(expr, "{{region}}"),),
        width=8,
        height=8,
        unit="percent",
        min=0,
        max=100,
        thresholds=thresholds,
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


def _pair(title: str, description: str, kind: str, query: Callable[[str, str], str]) -> Panel:
    """A stat panel of incidents and fatalities (deaths and missing within the window)."""
    return Panel(
        title,
        description,
        "stat",
        (
            Query(query("safetywatch_incidents", kind), "事故 incidents"),
            Query(query("safetywatch_fatalities", kind), "死亡 fatalities"),
        ),
        width=6,
        unit="percent" if query is year_on_year_percent else "short",
    )


CITY_OVERVIEW = Dashboard(
    uid="safetywatch-city",
    title="城市总览",
    description="City overview: current-quarter incidents and deaths by category and grade, "
    "the same quarter last year (同比), control-target progress per county, active alerts.",
    rows=(
        (
            _pair(
                "本月 事故 / 死亡", "This month: incidents and fatalities", "month", period_total
            ),
            _pair(
                "今年以来 事故 / 死亡",
                "Year to date (1 January to this month): incidents and fatalities",
                "ytd",
                period_total,
            ),
            _pair(
                "今年以来 同比 %",
                "Year to date against the same months last year, in percent (同比); "
                "empty where last year had none",
                "ytd",
                year_on_year_percent,
            ),
            _pair(
                "本月 同比 %",
                "This month against the same month last year, in percent (同比)",
                "month",
                year_on_year_percent,
            ),
        ),
        (
            Panel(
                "本季度事故起数",
                "Incidents this quarter (not retracted, latest revision)",
                "stat",
                (Query(summed("safetywatch_incidents", CURRENT)),),
                width=6,
            ),
            Panel(
                "本季度死亡人数",
                "Deaths this quarter",
                "stat",
                (Query(summed("safetywatch_deaths", CURRENT)),),
                width=6,
                thresholds=((0, "green"), (1, "orange"), (10, "red")),
            ),
            Panel(
                "去年同期事故 / 死亡",
                "Same quarter last year (同比): incidents and deaths",
                "stat",
                (
                    Query(summed("safetywatch_incidents", LAST_YEAR), "事故 incidents"),
                    Query(summed("safetywatch_deaths", LAST_YEAR), "死亡 deaths"),
                ),
                width=6,
            ),
            Panel(
                "本季度迟报",
                "Late first reports this quarter (迟报)",
                "stat",
                (Query(summed("safetywatch_late_reports", CURRENT)),),
                width=6,
                thresholds=((0, "green"), (1, "orange")),
            ),
        ),
        (
            Panel(
                "分类事故起数（本季度 vs 去年同期）",
                "Incidents by category, this quarter and the same quarter last year",
                "barchart",
                (
                    Query(
                        summed("safetywatch_incidents", CURRENT, "category"), "{{category}} 本季度"
                    ),
                    Query(
                        summed("safetywatch_incidents", LAST_YEAR, "category"),
                        "{{category}} 去年同期",
                    ),
                ),
                width=12,
                height=8,
            ),
            Panel(
                "分类死亡人数（本季度 vs 去年同期）",
                "Deaths by category, this quarter and the same quarter last year",
                "barchart",
                (
                    Query(summed("safetywatch_deaths", CURRENT, "category"), "{{category}} 本季度"),
                    Query(
                        summed("safetywatch_deaths", LAST_YEAR, "category"), "{{category}} 去年同期"
                    ),
                ),
                width=12,
                height=8,
            ),
        ),
        (
            Panel(
                "按等级事故起数",
                "Incidents by official grade this quarter (一般/较大/重大/特别重大)",
                "bargauge",
                (Query(summed("safetywatch_incidents", CURRENT, "grade"), "{{grade}}"),),
                width=8,
                height=8,
            ),
            _percent_of_target(
                "年度死亡控制指标进度",
                "Year-to-date deaths as % of each county's annual target; red past the share of the year elapsed",
                'safetywatch_alert_value{rule="annual_deaths_target"}',
                thresholds=((0, "green"), (80, "orange"), (100, "red")),
            ),
            _percent_of_target(
                "时间进度",
                "Share of the year elapsed, for comparison with the target gauges (超进度 when ahead)",
                'safetywatch_alert_threshold{rule="annual_deaths_target_pace"}',
            ),
        ),
        (
            Panel(
                "上报及时率（本季度）",
                "Share of the reporting chain's confirmations made on time, by level, for this "
                "quarter's incidents (及时率 = on time / all confirmed)",
                "bargauge",
                (Query(_timeliness_percent(), "{{level}}"),),
                width=8,
                height=8,
                unit="percent",
                min=0,
                max=100,
                thresholds=((0, "red"), (90, "orange"), (100, "green")),
            ),
            Panel(
                "逾期未报",
                "Steps of the reporting chain past their due time and not confirmed: who must "
                "act, on which incident, due when",
                "table",
                (
                    Query(
                        deduplicated("safetywatch_reporting_overdue") + " == 1",
                        "{{office}} {{level_name}} {{incident_id}} {{grade_name}} 应于{{due_at}}",
                    ),
                ),
                width=16,
                height=8,
            ),
        ),
        (_incident_map(),),
        (
            Panel(
                "当前告警",
                "Active alerts: every rule instance at 1, over both replicas",
                "table",
                (
                    Query(
                        deduplicated("safetywatch_alert") + " == 1",
                        "{{severity}} {{rule}} {{region}} {{incident_id}}",
                    ),
                ),
                width=12,
                height=8,
            ),
            Panel(
                "较大及以上事故",
                "Latest incidents of grade 较大 and above (within the alert hold time)",
                "table",
                (
                    Query(
                        deduplicated(
                            "safetywatch_alert",
                            'incident_id!="",grade=~"relatively_serious|serious|particularly_serious"',
                        )
                        + " == 1",
                        "{{region_name}} {{incident_id}} {{grade}} 死亡{{deaths}}",
                    ),
                ),
                width=12,
                height=8,
            ),
        ),
    ),
)
