"""Runs the dashboards' queries against Prometheus, and draws them with matplotlib so a
reviewer without Grafana can see what the panels show. The query test uses the same
runner, so what is drawn is exactly what is checked."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from dev.generate import Dashboard, Panel, Query

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC")


@dataclass(frozen=True)
class Series:
    legend: str
    points: tuple[tuple[float, float], ...]  # (unix time, value); one point for instant queries
    labels: Mapping[str, str] = field(default_factory=dict)


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    # Longest names first: $__rate_interval must not be cut short by a $__rate variable.
    for name in sorted(variables, key=len, reverse=True):
        expr = expr.replace(f"${name}", variables[name])
    return expr


def _legend(template: str, labels: Mapping[str, str]) -> str:
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m[1], ""), template)
    return (
        text
        or ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__")
        or "value"
    )


def run_query(
    prometheus: str, query: Query, variables: Mapping[str, str], window_s: int = 120
) -> list[Series]:
    """The series a panel target returns; raises RuntimeError with Prometheus' error."""
    expr = substitute(query.expr, variables)
    now = time.time()
    if query.instant:
        response = httpx.get(
            f"{prometheus}/api/v1/query", params={"query": expr, "time": now}, timeout=30
        )
    else:
        params: dict[str, str | float] = {
            "query": expr,
            "start": now - window_s,
            "end": now,
            "step": max(1, window_s // 60),
        }
        response = httpx.get(f"{prometheus}/api/v1/query_range", params=params, timeout=30)
    body: dict[str, Any] = response.json()
    if body.get("status") != "success":
        raise RuntimeError(f"{body.get('errorType')}: {body.get('error')}")
    result = body["data"]["result"]
    if body["data"]["resultType"] == "scalar":
        return [Series(query.legend or "value", ((float(result[0]), float(result[1])),), {})]
    series = []
    for item in result:
        values = item["values"] if "values" in item else [item["value"]]
        series.append(
            Series(
                _legend(query.legend, item["metric"]),
                tuple((float(t), float(v)) for t, v in values),
                item["metric"],
            )
        )
    return series


def shown_text(panel: Panel, series: list[Series]) -> list[str]:
    """What a person reads of a panel's results: the legends, or for a table-format
    query the cells of the columns the panel keeps (never the hidden label columns)."""
    if panel.type == "table":
        headings, rows = table_rows(panel, series)
        # An incident id is an id (its region code is part of it), not a name to read.
        shown = [i for i, heading in enumerate(headings) if not heading.startswith("事故编号")]
        return [str(row[i]) for row in rows for i in shown]
    if panel.type == "geomap":  # the markers' text
        field = panel.options["layers"][0]["config"]["style"]["text"]["field"]
        return [item.labels.get(field, "") for item in series]
    kept = _kept_fields(panel)
    texts = []
    for item in series:
        if kept:
            texts += [item.labels.get(name, "") for name in kept if name != "Value"]
        else:
            texts.append(item.legend)
    return texts


def _kept_fields(panel: Panel) -> list[str]:
    for step in panel.transformations:
        if step["id"] == "filterFieldsByName":
            names: list[str] = step["options"]["include"]["names"]
            return names
    return []


def table_rows(panel: Panel, series: list[Series]) -> tuple[list[str], list[list[str]]]:
    """Headings and rows as the panel's transformations make them: the kept columns in
    their order, renamed, sorted."""
    kept = _kept_fields(panel)
    rename: dict[str, str] = {}
    sort_field, descending = "", False
    for step in panel.transformations:
        if step["id"] == "organize":
            rename = step["options"].get("renameByName", {})
        if step["id"] == "sortBy":
            sort_field = step["options"]["sort"][0]["field"]
            descending = bool(step["options"]["sort"][0].get("desc"))
    rows = []
    for item in series:
        cells = {**item.labels, "Value": f"{item.points[-1][1]:g}"}
        rows.append(cells)
    if sort_field:
        rows.sort(key=lambda r: _sort_key(r.get(sort_field, "")), reverse=descending)
    headings = [rename.get(k, k) for k in kept]
    words = _value_mappings(panel)
    return headings, [
        [
            words.get(heading, {}).get(r.get(k, ""), r.get(k, ""))
            for k, heading in zip(kept, headings, strict=True)
        ]
        for r in rows
    ]


def _value_mappings(panel: Panel) -> dict[str, dict[str, str]]:
    """Column heading → value → the text Grafana shows for it (the panel's value mappings)."""
    mapped: dict[str, dict[str, str]] = {}
    for override in panel.overrides:
        for prop in override["properties"]:
            if prop["id"] == "mappings":
                options = {k: v["text"] for m in prop["value"] for k, v in m["options"].items()}
                mapped[override["matcher"]["options"]] = options
    return mapped


def _sort_key(text: str) -> tuple[int, float | str]:
    try:
        return (0, float(text))
    except ValueError:
        return (1, text)


def _colour(panel: Panel, value: float) -> str:
    colour = "#3274d9"
    for bound, name in panel.thresholds:
        if value >= bound or bound == panel.thresholds[0][0]:
            colour = {"green": "#299c46", "orange": "#ff9830", "red": "#d44a3a"}.get(name, name)
    return colour


def _bars(panel: Panel, series: list[Series]) -> list[tuple[str, float]]:
    """Bar label and value; a table-format query is named and ordered by its labels."""
    kept = [k for k in _kept_fields(panel) if k != "Value"]
    order = next(
        (s["options"]["sort"][0]["field"] for s in panel.transformations if s["id"] == "sortBy"),
        "",
    )
    if kept:
        series = sorted(series, key=lambda s: _sort_key(s.labels.get(order, "")))
        return [(s.labels.get(kept[0], ""), s.points[-1][1]) for s in series]
    return [(s.legend, s.points[-1][1]) for s in series]


def _draw(axis: Any, panel: Panel, series: list[Series]) -> None:
    if panel.type == "table":
        headings, rows = table_rows(panel, series)
        axis.axis("off")
        if rows:
            table = axis.table(cellText=rows[:12], colLabels=headings, loc="upper center")
            table.auto_set_font_size(False)
            table.set_fontsize(7)
        else:
            axis.text(0.5, 0.5, "—", ha="center", va="center", fontsize=20)
        return
    if panel.type == "stat":
        axis.axis("off")
        for index, item in enumerate(series[:3]):
            value = item.points[-1][1]
            x = (index + 0.5) / max(1, min(3, len(series)))
            text = f"{value:.1f}" if "%" in item.legend else f"{value:g}"
            axis.text(
                x, 0.5, text, ha="center", va="center", fontsize=28, color=_colour(panel, value)
            )
            if len(series) > 1:
                axis.text(x, 0.12, item.legend, ha="center", fontsize=8)
        return
    if panel.type == "geomap":
        points = [
            (
                float(s.labels["longitude"]),
                float(s.labels["latitude"]),
                s.labels.get("grade_name", ""),
            )
            for s in series
        ]
        axis.scatter([p[0] for p in points], [p[1] for p in points], color="#d44a3a")
        for lon, lat, name in points:
            axis.annotate(name, (lon, lat), fontsize=8)
        return
    if all(len(s.points) == 1 for s in series):
        bars = _bars(panel, series)[:24]
        colours = [_colour(panel, v) if panel.thresholds else "#3274d9" for _, v in bars]
        axis.barh(range(len(bars)), [v for _, v in bars], color=colours)
        axis.set_yticks(range(len(bars)), [label for label, _ in bars], fontsize=7)
        axis.invert_yaxis()
        return
    for item in series[:12]:
        start = item.points[0][0]
        axis.plot(
            [t - start for t, _ in item.points], [v for _, v in item.points], label=item.legend
        )
    axis.set_xlabel("seconds", fontsize=7)
    axis.legend(fontsize=6)


def render(dashboard: Dashboard, prometheus: str, variables: Mapping[str, str], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    cjk = next((name for name in CJK_FONTS if name in installed), None)
    if cjk:
        plt.rcParams["font.family"] = [cjk, "DejaVu Sans"]
    # The dashboard's own grid: a row of the figure per row of panels, each panel as
    # wide as its 24ths; heights in proportion.
    heights = [max(panel.height for panel in row) for row in dashboard.rows]
    figure = plt.figure(figsize=(20, 0.62 * sum(heights) + 1))
    grid = figure.add_gridspec(sum(heights), 24)
    top = 0
    for row, height in zip(dashboard.rows, heights, strict=True):
        left = 0
        for panel in row:
            axis = figure.add_subplot(grid[top : top + height, left : left + panel.width])
            title = panel.title if cjk else panel.description.split(":")[0].split(",")[0]
            axis.set_title(title, fontsize=11)
            results = [s for q in panel.queries for s in run_query(prometheus, q, variables)]
            _draw(axis, panel, results)
            left += panel.width
        top += height
    figure.suptitle(dashboard.title if cjk else dashboard.description.split(":")[0], fontsize=15)
    figure.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dashboard.uid}.png"
    figure.savefig(path, dpi=72)
    plt.close(figure)
    return path
