"""The committed dashboards are exactly what the code generates, and stay replica-safe."""

from __future__ import annotations

import json
import re

import pytest

from dev.generate.dashboards import DASHBOARDS, dashboard_files
from tests.paths import ROOT

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
        (ROOT / "deploy/monitoring/grafana/provisioning/datasources/prometheus.yml").read_text(
            "utf-8"
        )
    )
    uid = datasource["datasources"][0]["uid"]
    for name in dashboard_files():
        document = json.loads(
            (ROOT / "deploy/monitoring/grafana/dashboards" / name).read_text("utf-8")
        )
        assert {panel["datasource"]["uid"] for panel in document["panels"]} == {uid}


#: Labels that hold codes: a person reads their ``*_name`` instead.
CODE_LABELS = ("category", "grade", "region", "level", "severity")


@pytest.mark.parametrize("dashboard", DASHBOARDS, ids=lambda d: d.uid)
def test_legends_and_table_columns_name_things_never_show_their_codes(dashboard):
    for panel in dashboard.panels():
        for query in panel.queries:
            for label in CODE_LABELS:
                assert "{{" + label + "}}" not in query.legend, (panel.title, query.legend)
        for step in panel.transformations:
            if step["id"] == "filterFieldsByName":
                shown = set(step["options"]["include"]["names"])
                assert not shown & set(CODE_LABELS[:4]), (panel.title, shown)


def test_the_names_come_from_the_info_series_not_from_dashboard_code():
    """Titles say what a panel is about; the names in legends, columns and mappings are
    joined from the aggregator's info series, the bulletin's source."""
    parts = [
        [q.legend for q in panel.queries] + [panel.transformations, panel.overrides]
        for dashboard in DASHBOARDS
        for panel in dashboard.panels()
    ]
    text = json.dumps(parts, ensure_ascii=False)
    for name in ("道路运输", "煤矿", "钟山区", "较大", "一般", "县级"):
        assert name not in text, name
