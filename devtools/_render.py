"""Runs the dashboards' queries against Prometheus, and draws them with matplotlib so a
reviewer without Grafana can see what the panels show. The query test uses the same
runner, so what is drawn is exactly what is checked."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from safetywatch.artifacts.dashboards import Dashboard, Query

CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC")


@dataclass(frozen=True)
class Series:
    legend: str
    points: tuple[tuple[float, float], ...]  # (unix time, value); one point for instant queries


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
        return [Series(query.legend or "value", ((float(result[0]), float(result[1])),))]
    series = []
    for item in result:
        values = item["values"] if "values" in item else [item["value"]]
        series.append(
            Series(
                _legend(query.legend, item["metric"]),
                tuple((float(t), float(v)) for t, v in values),
            )
        )
    return series


def render(dashboard: Dashboard, prometheus: str, variables: Mapping[str, str], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    cjk = next((name for name in CJK_FONTS if name in installed), None)
    if cjk:
        plt.rcParams["font.family"] = [cjk, "DejaVu Sans"]
    panels = dashboard.panels()
    columns = 3
    rows = math.ceil(len(panels) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(6.4 * columns, 3.6 * rows), squeeze=False)
    for axis, panel in zip(axes.flat, panels, strict=False):
        title = panel.title if cjk else panel.description.split(":")[0].split(",")[0]
        axis.set_title(title, fontsize=11)
        series = [s for q in panel.queries for s in run_query(prometheus, q, variables)]
        if all(len(s.points) == 1 for s in series):
            if len(series) == 1 and panel.type == "stat":
                axis.text(
                    0.5, 0.45, f"{series[0].points[0][1]:g}", ha="center", va="center", fontsize=34
                )
                axis.axis("off")
                continue
            labels = [s.legend for s in series][:24]
            values = [s.points[0][1] for s in series][:24]
            axis.barh(range(len(values)), values, color="#3274d9")
            axis.set_yticks(range(len(values)), labels, fontsize=7)
            axis.invert_yaxis()
        else:
            for s in series[:12]:
                start = s.points[0][0]
                axis.plot(
                    [t - start for t, _ in s.points], [v for _, v in s.points], label=s.legend
                )
            axis.set_xlabel("seconds", fontsize=7)
            axis.legend(fontsize=6)
    for axis in list(axes.flat)[len(panels) :]:
        axis.axis("off")
    figure.suptitle(dashboard.title if cjk else dashboard.description.split(":")[0], fontsize=15)
    figure.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{dashboard.uid}.png"
    figure.savefig(path, dpi=72)
    plt.close(figure)
    return path
