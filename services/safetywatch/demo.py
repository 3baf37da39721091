"""A small sample scenario for ``dev/up --demo``, in the current quarter."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from safetywatch.accounting import Period, month_of, quarter_of
from safetywatch.client import gateway_client, post_report


def scenario(now: datetime, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Twelve reports about eight incidents, all within the current quarter: among them a
    private car's crash (非生产经营性, counted apart) and a slope's cracks (险情). The
    incident ids name the day: ``up --demo`` twice on one day posts the scenario once."""
    run = now.astimezone(zone).strftime("%Y%m%d")
    quarter_start = quarter_of(now, zone).start(zone)

    def at(minutes_ago: int) -> str:
        moment = max(now - timedelta(minutes=minutes_ago), quarter_start + timedelta(minutes=1))
        return moment.astimezone(zone).isoformat()

    def report(region: str, n: int, revision: int, **fields: Any) -> dict[str, Any]:
        return {
            "incident_id": f"{region}-DEMO{run}-{n}",
            "region_code": region,
            "revision": revision,
            **fields,
        }

    crash = {
        "category": "road_traffic",
        "business_related": True,
        "occurred_at": at(40),
        "title": "G60 沪昆高速 客车追尾",
    }
    slide = {"category": "geological_hazard", "occurred_at": at(300), "title": "村道边坡滑坡"}
    private = {"category": "road_traffic", "business_related": False, "occurred_at": at(30)}
    cracks = {"category": "geological_hazard", "occurred_at": at(100), "title": "后山裂缝"}
    return [
        report("520201", 1, 1, **crash, deaths=2, serious_injuries=1),
        report("520281", 2, 1, **private, deaths=1, minor_injuries=2),
        report(
            "520203",
            3,
            1,
            category="coal_mine",
            occurred_at=at(200),
            deaths=3,
            direct_loss_yuan=2_600_000,
            title="某煤矿顶板事故（迟报）",
        ),
        report("520204", 4, 1, **slide, missing=1, evacuated=80),
        report("520281", 5, 1, category="forest_fire", occurred_at=at(90), burned_area_ha=0.5),
        report("520204", 6, 1, category="road_traffic", occurred_at=at(25), deaths=1),
        report("520201", 7, 1, category="other", occurred_at=at(20), serious_injuries=1),
        report("520204", 8, 1, **cracks, threatened_people=260),
        # Supplementary reports: the crash's toll rises to 5 dead (较大), the landslide
        # leaves 2 missing after 600 evacuated (较大涉险), and incident 6 was a false report.
        report("520201", 1, 2, **crash, deaths=5, serious_injuries=3),
        report("520204", 4, 2, **slide, missing=2, evacuated=600, direct_loss_yuan=1_200_000),
        report(
            "520204", 6, 2, category="road_traffic", occurred_at=at(25), deaths=1, retracted=True
        ),
        report("520201", 1, 2, **crash, deaths=5, serious_injuries=3),  # a field unit's retry
    ]


def _already_posted(aggregator: str, incident_id: str, timeout: float) -> bool:
    """Whether the aggregator, once it has read the log, knows the incident."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=aggregator, timeout=10) as client:
        while True:
            response = client.get(f"/v1/incidents/{incident_id}")
            if response.status_code in (200, 404):
                return response.status_code == 200
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)  # replaying the log (503): its numbers are not complete yet


def run_demo(
    gateway: str, aggregator: str, zone: ZoneInfo, token: str, timeout: float = 60.0
) -> int:
    now = datetime.now(UTC)
    reports = scenario(now, zone)
    latest: dict[str, int] = {}
    if _already_posted(aggregator, reports[0]["incident_id"], timeout):
        print(
            f"demo: today's scenario is already in the log ({reports[0]['incident_id']}…): not posted again"
        )
        reports = []
    with gateway_client(gateway, token) as client:
        for index, report in enumerate(reports):
            response = post_report(client, report)
            if response.status_code != 202:
                print(f"demo: report #{index} refused ({response.status_code}): {response.text}")
                return 1
            body = response.json()
            latest[report["incident_id"]] = max(
                latest.get(report["incident_id"], 0), report["revision"]
            )
            print(
                f"demo: posted {report['incident_id']} r{report['revision']} → "
                f"partition {body['partition']} offset {body['offset']}"
            )
    quarter = quarter_of(now, zone).label
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=aggregator, timeout=10) as client:
        for incident_id, revision in latest.items():
            while True:
                response = client.get(f"/v1/incidents/{incident_id}")
                if response.status_code == 200 and response.json()["revision"] == revision:
                    break
                if time.monotonic() > deadline:
                    print(
                        f"demo: the aggregator did not show {incident_id} r{revision} in {timeout:.0f}s"
                    )
                    return 1
                time.sleep(0.2)
        summary = client.get("/v1/summary", params={"quarter": quarter}).json()
        # The year to date: the period a bulletin's rates and control targets are read for.
        year_to_date = Period.year_to_date(month_of(now, zone)).label
        bulletins = {
            language: client.get(
                "/v1/bulletin", params={"period": year_to_date, "lang": language}
            ).json()
            for language in ("zh", "en")
        }
    print(f"demo: {len(reports)} reports about {len(latest)} incidents applied")
    print(f"demo: {quarter} totals {summary['totals']}")
    for language, bulletin in bulletins.items():
        print(
            f"demo: bulletin {year_to_date} ({language}; rates and targets from the area file's example figures):"
        )
        for paragraph in bulletin["paragraphs"]:
            print(f"  {paragraph}")
    return 0
