"""Tables a duty officer reads row by row: the columns a person needs, named in Chinese
and English, newest first, the incident id linking to the incident's API view."""

from __future__ import annotations

from typing import Any

from dev.generate.dashboards.model import Panel, Query
from dev.generate.dashboards.queries import deduplicated, grade_in_words, named


def table_panel(
    title: str,
    description: str,
    expr: str,
    columns: tuple[tuple[str, str], ...],
    sort_by: str,
    *,
    height: int = 8,
) -> Panel:
    """Instant query as a table: only ``columns`` (label → heading), in that order,
    sorted by ``sort_by`` descending; ``incident_id`` links to the incident's API view."""
    names = [label for label, _ in columns]
    overrides: tuple[dict[str, Any], ...] = ()
    if "severity" in names:  # the rules' two words, not a code
        words = {"critical": "严重 critical", "warning": "预警 warning"}
        mapping = {"type": "value", "options": {k: {"text": v} for k, v in words.items()}}
        overrides += (
            {
                "matcher": {"id": "byName", "options": "级别 severity"},
                "properties": [{"id": "mappings", "value": [mapping]}],
            },
        )
    if "incident_id" in names:
        link = {"title": "事故详情 incident", "url": "${api}/v1/incidents/${__value.raw}"}
        overrides += (
            {
                "matcher": {"id": "byName", "options": "事故编号 incident"},
                "properties": [{"id": "links", "value": [link]}],
            },
        )
    return Panel(
        title,
        description,
        "table",
        (Query(expr),),
        width=24,
        height=height,
        options={"showHeader": True, "cellHeight": "sm", "footer": {"show": False}},
        transformations=(
            {"id": "filterFieldsByName", "options": {"include": {"names": names}}},
            {"id": "sortBy", "options": {"sort": [{"field": sort_by, "desc": True}]}},
            {
                "id": "organize",
                "options": {
                    "indexByName": {label: index for index, label in enumerate(names)},
                    "renameByName": dict(columns),
                },
            },
        ),
        overrides=overrides,
    )


INCIDENT_COLUMNS = (
    ("occurred_at", "发生时间 occurred"),
    ("region_name", "地区 region"),
    ("category_name", "类别 category"),
    ("grade_shown", "等级 grade"),
    ("deaths", "死亡 dead"),
    ("missing", "失踪 missing"),
    ("serious_injuries", "重伤 injured"),
    ("rule", "规则 rule"),
    ("incident_id", "事故编号 incident"),
)


def notable_incidents_table() -> Panel:
    alerts = deduplicated(
        "safetywatch_alert",
        'incident_id!="",grade=~"relatively_serious|serious|particularly_serious"',
    )
    return table_panel(
        "较大及以上事故",
        "Incidents of grade 较大 and above with an active alert, newest first: when, "
        "where, what, how bad; the id opens the incident",
        named(grade_in_words(f"{alerts} == 1"), "region", "category"),
        INCIDENT_COLUMNS,
        "occurred_at",
    )


def active_alerts_table() -> Panel:
    """Every active rule instance: per-incident ones with their incident, thresholds with
    their region and category (a rule over all categories has none to name)."""
    alerts = f"{deduplicated('safetywatch_alert')} == 1"
    with_names = named(named(alerts, "region"), "category")
    by_region = named(alerts, "region")
    same = "on (rule, severity, region, category, incident_id)"
    expr = f"{with_names} or {same} {by_region} or {same} {alerts}"
    return table_panel(
        "当前告警",
        "Active alerts, the most severe first: rule, severity, where and what",
        expr,
        (
            ("severity", "级别 severity"),
            ("rule", "规则 rule"),
            ("region_name", "地区 region"),
            ("category_name", "类别 category"),
            ("incident_id", "事故编号 incident"),
        ),
        "severity",
    )
