"""A small typed builder for the Grafana dashboard JSON model (schema version 39)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DATASOURCE = {"type": "prometheus", "uid": "prometheus"}

PanelType = Literal["stat", "barchart", "bargauge", "gauge", "timeseries", "table", "geomap"]


@dataclass(frozen=True)
class Query:
    """One PromQL target. ``instant`` queries read the current value; others a range."""

    expr: str
    legend: str = ""
    instant: bool = True

    def to_json(self, ref: str) -> dict[str, Any]:
        target: dict[str, Any] = {
            "refId": ref,
            "datasource": DATASOURCE,
            "expr": self.expr,
            "instant": self.instant,
            "range": not self.instant,
        }
        if self.legend:
            target["legendFormat"] = self.legend
        if self.instant:
            target["format"] = "table" if "{{" not in self.legend else "time_series"
        return target


@dataclass(frozen=True)
class Panel:
    title: str
    description: str
    type: PanelType
    queries: tuple[Query, ...]
    width: int = 8
    height: int = 6
    unit: str = "short"
    min: float | None = None
    max: float | None = None
    thresholds: tuple[tuple[float, str], ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    transformations: tuple[dict[str, Any], ...] = ()
    overrides: tuple[dict[str, Any], ...] = ()

    def to_json(self, panel_id: int, x: int, y: int) -> dict[str, Any]:
        defaults: dict[str, Any] = {"unit": self.unit}
        if self.min is not None:
            defaults["min"] = self.min
        if self.max is not None:
            defaults["max"] = self.max
        if self.thresholds:
            defaults["thresholds"] = {
                "mode": "absolute",
                "steps": [
                    {"color": color, "value": None if index == 0 else value}
                    for index, (value, color) in enumerate(self.thresholds)
                ],
            }
        return {
            "id": panel_id,
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "datasource": DATASOURCE,
            "gridPos": {"h": self.height, "w": self.width, "x": x, "y": y},
            "targets": [q.to_json(chr(ord("A") + n)) for n, q in enumerate(self.queries)],
            "fieldConfig": {"defaults": defaults, "overrides": list(self.overrides)},
            "options": self.options,
            "transformations": list(self.transformations),
        }


#: The regions that have count series (the metrics' region level: county for a city,
#: city for a province, province for the whole country), with their names.
#: (Max over the replicas first: each exposes the names. ``{}`` takes a selector.)
COUNTED = (
    "max without (instance, job) (safetywatch_region_info{})"
    " and on (region) group by (region) (safetywatch_incidents)"
)
#: Their parents (the city of a city's counties, the province of its cities), named.
PARENTS = (
    "max without (instance, job) (safetywatch_region_info) and on (region) label_replace("
    f'group by (parent) ({COUNTED.format("")}), "region", "$1", "parent", "(.+)")'
)


@dataclass(frozen=True)
class RegionVariable:
    """A template variable listing regions by name from safetywatch_region_info: the
    parents of the counted regions ("上级"), or the counted regions under the chosen
    parent. A tree of any depth (city → county, province → city, country → province)
    is then two short lists rather than one of thousands."""

    name: str = "region"
    label: str = "地区 / Region"
    parents: bool = False

    def to_json(self) -> dict[str, Any]:
        query = PARENTS if self.parents else COUNTED.format('{parent=~"$parent"}')
        return {
            "name": self.name,
            "label": self.label,
            "type": "query",
            "datasource": DATASOURCE,
            "query": {"query": query, "refId": self.name},
            "definition": query,
            # Label names are sorted in the series text, so name="…" precedes region="…".
            "regex": '/name="(?<text>[^"]+)".*region="(?<value>[^"]+)"/',
            "refresh": 2,
            "sort": 1,
            "includeAll": False,
            "multi": False,
        }


@dataclass(frozen=True)
class LanguageVariable:
    """中文 or English: which name label the joins copy (``name`` or ``name_en`` of the
    info series the aggregator exposes), so the legends follow the reader's language."""

    def to_json(self) -> dict[str, Any]:
        options = [("中文", "name"), ("English", "name_en")]
        return {
            "name": "lang",
            "label": "语言 / Language",
            "type": "custom",
            "query": ",".join(f"{text} : {value}" for text, value in options),
            "current": {"text": "中文", "value": "name"},
            "options": [
                {"text": text, "value": value, "selected": value == "name"}
                for text, value in options
            ],
            "includeAll": False,
            "multi": False,
        }


@dataclass(frozen=True)
class LinkBaseVariable:
    """Where an incident id in a table links to: the aggregator's read API as this
    Grafana's readers reach it (a text box, set once per installation)."""

    def to_json(self) -> dict[str, Any]:
        default = "http://127.0.0.1:9108"
        return {
            "name": "api",
            "label": "事故接口 / Incident API",
            "type": "textbox",
            "query": default,
            "current": {"text": default, "value": default},
            "hide": 2,
        }


Variable = RegionVariable | LanguageVariable | LinkBaseVariable


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    rows: tuple[tuple[Panel, ...], ...]
    variables: tuple[Variable, ...] = ()
    time_from: str = "now-6h"

    def panels(self) -> list[Panel]:
        return [panel for row in self.rows for panel in row]

    def to_json(self) -> dict[str, Any]:
        panels: list[dict[str, Any]] = []
        y = 0
        for row in self.rows:
            x = 0
            for panel in row:
                panels.append(panel.to_json(len(panels) + 1, x, y))
                x += panel.width
            y += max(panel.height for panel in row)
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": ["safetywatch"],
            "timezone": "browser",
            "schemaVersion": 39,
            "version": 1,
            "editable": True,
            "refresh": "30s",
            "time": {"from": self.time_from, "to": "now"},
            "templating": {"list": [v.to_json() for v in self.variables]},
            "annotations": {"list": []},
            "panels": panels,
        }
