"""The committed dashboards are exactly what the code generates, and stay replica-safe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from safetywatch.artifacts.dashboards import DASHBOARDS, dashboard_files

ROOT = Path(__file__).resolve().parents[2]
COUNT_METRICS = re.compile(
    r"safetywatch_(incidents|deaths|missing|serious_injuries|minor_injuries|direct_loss_yuan|late_reports)\{"
)


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda d: d.uid)
def test_count_queries_take_max_over_replicas_before_summing(dashboard):
    for panel in dashboard.panels():
        for query in panel.queries:
            for match in COUNT_METRICS.finditer(query.expr):
                before = query.expr[: match.start()]
                assert before.rstrip().endswith("max without (instance, job) ("), (
                    panel.title,
                    query.expr,
                )


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda d: d.uid)
def test_panels_have_chinese_titles_and_english_descriptions(dashboard):
    for panel in dashboard.panels():
        assert re.search(r"[\u4e00-\u9fff]", panel.title), panel.title
        assert re.match(r"[A-Z]", panel.description), panel.description


def test_panels_tile_the_24_column_grid_without_overlap():
    for dashboard in DASHBOARDS:
        occupied: set[tuple[int, int]] = set()
        for panel in dashboard.to_json()["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24, panel["title"]
            cells = {
                (x, y)
                for x in range(grid["x"], grid["x"] + grid["w"])
                for y in range(grid["y"], grid["y"] + grid["h"])
            }
            assert not occupied & cells, panel["title"]
            occupied |= cells


def test_the_provisioned_datasource_uid_is_the_one_the_panels_use():
    import yaml

    datasource = yaml.safe_load(
        (ROOT / "grafana/provisioning/datasources/prometheus.yml").read_text("utf-8")
    )
    uid = datasource["datasources"][0]["uid"]
    for name in dashboard_files():
        document = json.loads((ROOT / "grafana/dashboards" / name).read_text("utf-8"))
        assert {panel["datasource"]["uid"] for panel in document["panels"]} == {uid}
