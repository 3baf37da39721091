"""区县详情 / County drill-down: quarter-by-quarter trends for one region."""

from __future__ import annotations

from dev.generate.dashboards.model import (
    Dashboard,
    LanguageVariable,
    Panel,
    Query,
    RegionVariable,
)
from dev.generate.dashboards.queries import deduplicated, named, zero_filled

REGION = 'region="$region"'

COUNTY = Dashboard(
    uid="safetywatch-county",
    title="区县详情",
    description="County drill-down: quarter-by-quarter incidents per category, deaths and "
    "injuries, direct loss, for the region chosen above (a county in a city, a city in a "
    "province, a province in the country: the metrics' region level).",
    variables=(
        LanguageVariable(),
        RegionVariable("parent", "上级 / Within", parents=True),
        RegionVariable("region", "地区 / Region"),
    ),
    rows=(
        (
            Panel(
                "分季度分类事故起数",
                "Incidents per quarter and category",
                "barchart",
                (
                    Query(
                        named(
                            f"sum by (quarter, category) ({deduplicated('safetywatch_incidents', REGION)})",
                            "category",
                        ),
                        "{{quarter}} {{category_name}}",
                    ),
                ),
                width=24,
                height=9,
            ),
        ),
        (
            Panel(
                "分季度死亡与受伤",
                "Deaths, missing, serious and minor injuries per quarter",
                "barchart",
                (
                    Query(
                        zero_filled(
                            f"sum by (quarter) ({deduplicated('safetywatch_deaths', REGION)})",
                            "quarter",
                        ),
                        "{{quarter}} 死亡 deaths",
                    ),
                    Query(
                        zero_filled(
                            f"sum by (quarter) ({deduplicated('safetywatch_missing', REGION)})",
                            "quarter",
                        ),
                        "{{quarter}} 失踪 missing",
                    ),
                    Query(
                        zero_filled(
                            f"sum by (quarter) ({deduplicated('safetywatch_serious_injuries', REGION)})",
                            "quarter",
                        ),
                        "{{quarter}} 重伤 seriously injured",
                    ),
                    Query(
                        zero_filled(
                            f"sum by (quarter) ({deduplicated('safetywatch_minor_injuries', REGION)})",
                            "quarter",
                        ),
                        "{{quarter}} 轻伤 slightly injured",
                    ),
                ),
                width=12,
                height=9,
            ),
            Panel(
                "分季度直接经济损失",
                "Direct economic loss per quarter, yuan",
                "barchart",
                (
                    Query(
                        zero_filled(
                            f"sum by (quarter) ({deduplicated('safetywatch_direct_loss_yuan', REGION)})",
                            "quarter",
                        ),
                        "{{quarter}}",
                    ),
                ),
                width=12,
                height=9,
                unit="currencyCNY",
            ),
        ),
        (
            Panel(
                "事故数趋势",
                "Incidents in the current quarter over time, by category",
                "timeseries",
                (
                    Query(
                        named(
                            zero_filled(
                                f'sum by (category) ({deduplicated("safetywatch_incidents", REGION)} and on (quarter) safetywatch_quarter_info{{age="0"}})',
                                "category",
                            ),
                            "category",
                        ),
                        "{{category_name}}",
                        instant=False,
                    ),
                ),
                width=24,
                height=8,
            ),
        ),
    ),
    time_from="now-7d",
)
