"""Every query of every dashboard panel returns data from the real stack.

With SAFETYWATCH_RENDER_DASHBOARDS=DIR the same queries are also drawn as one PNG per
dashboard into DIR (docs/dashboards/ holds the committed ones).
"""

from __future__ import annotations

import math
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from dev.generate.dashboards import DASHBOARDS
from dev.stack import render, run_query, shown_text, substitute, wait_until
from safetywatch.accounting.periods import Quarter, quarter_of
from safetywatch.config.area import load_area
from safetywatch.events.categories import Category
from safetywatch.events.grades import Grade
from safetywatch.regions.levels import Level
from tests.integration.checks import post, wait_until_read
from tests.integration.harness import Services
from tests.integration.monitoring import start_prometheus
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration

AREA = load_area()
#: What must not show where a person reads: a category, grade or level as the code
#: spells it, or a region code.
RAW_CODE = re.compile(
    r"(?<![\d.:])\d{6}(?![\d.:])|\b(?:"
    + "|".join(
        sorted(
            {*(c.value for c in Category), *(g.value for g in Grade), *(lv.value for lv in Level)}
        )
    )
    + r")\b"
)
VARIABLES = {
    "region": "520201",
    "parent": "520200",
    "lang": "name",
    "api": "http://127.0.0.1:9108",
    "__rate_interval": "1m",
}


def scenario(now: datetime) -> list[dict[str, object]]:
    current = quarter_of(now, AREA.zone)
    last_year = Quarter(current.year - 1, current.number).start(AREA.zone) + timedelta(days=1)
    recent = (now - timedelta(minutes=2)).isoformat()
    return [
        report(
            "520201-D1",
            category="road_traffic",
            occurred_at=recent,
            deaths=5,
            serious_injuries=3,
            direct_loss_yuan=800_000,
            location={"lat": 26.5947, "lon": 104.8302},
        ),
        report("520203-D2", category="coal_mine", occurred_at=recent, deaths=1),
        report(
            "520281-D3",
            category="forest_fire",
            occurred_at=(now - timedelta(hours=3)).isoformat(),
            burned_area_ha=2,
        ),
        report(
            "520204-D4", category="geological_hazard", occurred_at=recent, missing=1, evacuated=700
        ),
        report("520201-D5", category="road_traffic", occurred_at=last_year.isoformat(), deaths=2),
        report(
            "520201-D6",
            category="other",
            occurred_at=(current.previous().start(AREA.zone) + timedelta(days=3)).isoformat(),
            minor_injuries=2,
        ),
        # The same month last year (so also last year's year to date): 同比 has a base.
        report("520203-D7", category="coal_mine", occurred_at=_a_year_before(now), deaths=1),
    ]


def _a_year_before(now: datetime) -> str:
    local = (now - timedelta(minutes=2)).astimezone(AREA.zone)
    return local.replace(year=local.year - 1, day=min(local.day, 28)).isoformat()


def _short_steps(directory: Path, now: datetime) -> str:
    """The default area with reporting steps of 3.6 s, so that unconfirmed steps fall
    overdue while the test runs, and denominators for every month of this year and last
    (a rate of the year to date has its own figures whatever the month) and targets."""
    area = yaml.safe_load((ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8"))
    area["reporting"] = {"step_hours": 0.001, "follow_up_hours": 0.001}
    year = now.astimezone(AREA.zone).year
    monthly = {"gdp_100m_yuan": 130, "coal_output_mt": 5}
    area["denominators"] = {
        y: {
            "520200": {
                "workers_10k": 32,
                "vehicles_10k": 70,
                "months": dict.fromkeys(range(1, 13), monthly),
            }
        }
        for y in (year - 1, year)
    }
    area["targets"] = {year: {"520200": {"deaths": 80, "serious_accidents": 2}}}
    path = directory / "area.yaml"
    path.write_text(yaml.safe_dump(area, allow_unicode=True), "utf-8")
    return str(path)


def test_every_panel_query_returns_data(services: Services, tmp_path: Path):
    area = _short_steps(tmp_path, datetime.now(UTC))
    aggregators = [
        services.start("aggregator", SAFETYWATCH_CONFIG_FILE=area),
        services.start("aggregator", SAFETYWATCH_CONFIG_FILE=area),
    ]
    gateway = services.start(
        "gateway", SAFETYWATCH_CONFIG_FILE=area, SAFETYWATCH_AGGREGATOR_URL=aggregators[0].url
    )
    prometheus = start_prometheus(tmp_path, [a.url for a in aggregators], gateway.url)
    try:

        def instant(query: str) -> list[dict[str, object]]:
            body = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": query}).json()
            return list(body["data"]["result"])

        # Posting before the first scrape would hide the requests from every rate().
        wait_until(
            lambda: instant('up{job="safetywatch-gateway"} == 1'), 30, "a first gateway scrape"
        )
        documents = scenario(datetime.now(UTC))
        for document in documents:
            assert post(gateway, document).status_code == 202
        for aggregator in aggregators:
            wait_until_read(aggregator, len(documents))
        # The test unit is a county-level unit of the whole province: it confirms one
        # incident (the 及时率 panel); the others' county steps fall overdue.
        confirmed = httpx.post(
            f"{gateway.url}/v1/incidents/520201-D1/confirmations",
            json={"level": "county"},
            headers=gateway.auth,
            timeout=30,
        )
        assert confirmed.status_code == 202, confirmed.text
        for aggregator in aggregators:
            wait_until_read(aggregator, len(documents) + 1)

        def scraped() -> bool:
            query = "count(rate(safetywatch_gateway_request_duration_seconds_count[1m]) > 0)"
            body = httpx.get(f"{prometheus.url}/api/v1/query", params={"query": query}).json()
            ready = httpx.get(
                f"{prometheus.url}/api/v1/query",
                params={"query": "sum(safetywatch_replay_complete)"},
            ).json()
            overdue = httpx.get(
                f"{prometheus.url}/api/v1/query",
                params={"query": "count(safetywatch_reporting_overdue == 1)"},
            ).json()
            return (
                bool(body["data"]["result"])
                and ready["data"]["result"][0]["value"][1] == "2"
                and bool(overdue["data"]["result"])
            )

        wait_until(
            scraped, 60, "Prometheus to have scraped both replicas and the gateway's traffic"
        )

        failures: list[str] = []
        checked = 0
        for dashboard in DASHBOARDS:
            for panel in dashboard.panels():
                results = []
                for query in panel.queries:
                    checked += 1
                    where = f"{dashboard.title} / {panel.title} / {query.expr}"
                    try:
                        series = run_query(prometheus.url, query, VARIABLES)
                        if not series:
                            failures.append(f"no series: {where}")
                        elif all(math.isnan(v) for s in series for _, v in s.points):
                            failures.append(f"only NaN: {where}")
                        results += series
                    except RuntimeError as error:
                        failures.append(f"error {error}: {where}")
                failures += [
                    f"a code where a person reads a name ({text!r}): {dashboard.title} / {panel.title}"
                    for text in shown_text(panel, results)
                    if RAW_CODE.search(text)
                ]
        assert not failures, f"{len(failures)} of {checked} queries failed:\n" + "\n".join(failures)

        # The region variables: the parent of the counted regions, and those regions.
        county = next(d for d in DASHBOARDS if d.uid == "safetywatch-county").to_json()
        queries = {v["name"]: v.get("definition", "") for v in county["templating"]["list"]}
        parents: list[Any] = instant(substitute(queries["parent"], VARIABLES))
        assert [(p["metric"]["region"], p["metric"]["name"]) for p in parents] == [
            ("520200", "六盘水市")
        ]
        regions: list[Any] = instant(substitute(queries["region"], VARIABLES))
        assert sorted(r["metric"]["region"] for r in regions) == sorted(
            r.code for r in AREA.counties
        )

        render_to = os.environ.get("SAFETYWATCH_RENDER_DASHBOARDS")
        if render_to:
            for dashboard in DASHBOARDS:
                path = render(dashboard, prometheus.url, VARIABLES, Path(render_to))
                print(f"rendered {path}")
    finally:
        prometheus.stop()
