"""Grafana dashboards as code: the JSON under grafana/dashboards/ is generated from here."""

from __future__ import annotations

import json

from dev.generate.dashboards.chain import CHAIN
from dev.generate.dashboards.city import CITY_OVERVIEW
from dev.generate.dashboards.county import COUNTY
from dev.generate.dashboards.model import Dashboard, Panel, Query, RegionVariable
from dev.generate.dashboards.pipeline import PIPELINE

DASHBOARDS = (CITY_OVERVIEW, COUNTY, CHAIN, PIPELINE)


def dashboard_files() -> dict[str, str]:
    """File name → JSON text, exactly as committed."""
    return {
        f"{dashboard.uid}.json": json.dumps(dashboard.to_json(), indent=2, ensure_ascii=False)
        + "\n"
        for dashboard in DASHBOARDS
    }


__all__ = ["DASHBOARDS", "Dashboard", "Panel", "Query", "RegionVariable", "dashboard_files"]
