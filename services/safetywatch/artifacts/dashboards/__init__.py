"""Grafana dashboards as code: the JSON under grafana/dashboards/ is generated from here."""

from __future__ import annotations

import json

from safetywatch.artifacts.dashboards.chain import CHAIN
from safetywatch.artifacts.dashboards.city import CITY_OVERVIEW
from safetywatch.artifacts.dashboards.county import COUNTY
from safetywatch.artifacts.dashboards.model import Dashboard, Panel, Query, RegionVariable
from safetywatch.artifacts.dashboards.pipeline import PIPELINE

DASHBOARDS = (CITY_OVERVIEW, COUNTY, CHAIN, PIPELINE)


def dashboard_files() -> dict[str, str]:
    """File name → JSON text, exactly as committed."""
    return {
        f"{dashboard.uid}.json": json.dumps(dashboard.to_json(), indent=2, ensure_ascii=False)
        + "\n"
        for dashboard in DASHBOARDS
    }


__all__ = ["DASHBOARDS", "Dashboard", "Panel", "Query", "RegionVariable", "dashboard_files"]
