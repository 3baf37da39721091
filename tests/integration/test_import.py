"""Issue 26 end to end: a year of a bureau's history imported through the real gateway
with the real CLI is counted as it would have been, and pages nobody: past a shortened
chain deadline no imported incident has a chain step, an alert or a 迟报; importing the
same file again changes nothing; the register exported reads back as the same history."""

from __future__ import annotations

import asyncio
import csv
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openpyxl import load_workbook

from dev.stack import wait_until
from safetywatch.client.history import read_history
from safetywatch.config.area import load_area
from safetywatch.kafka.topic import TopicSpec, ensure_topic
from safetywatch.regions.levels import Level
from safetywatch.units.tokens import add_token
from tests.integration.checks import post, wait_for_outcomes
from tests.integration.harness import Service, Services
from tests.integration.monitoring import WebhookReceiver, start_alertmanager, start_prometheus
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration

AREA = load_area()
FIELDS = [
    "incident_id",
    "revision",
    "retracted",
    "category",
    "region_code",
    "occurred_at",
    "reported_at",
    "deaths",
    "serious_injuries",
    "business_related",
    "title",
]


def history(year: int, incidents: int) -> list[dict[str, Any]]:
    """A year of incidents; every tenth corrected (revision 2), every fiftieth retracted.
    Reported three hours after occurring: late by any rule, were it news."""
    rng = random.Random(26)
    counties = [region.code for region in AREA.counties]
    rows = []
    for n in range(incidents):
        county = rng.choice(counties)
        category = rng.choice(["road_traffic", "coal_mine", "construction", "fire"])
        occurred = datetime(year, 1, 1, tzinfo=AREA.zone) + timedelta(hours=rng.randrange(8700))
        row: dict[str, Any] = {
            "incident_id": f"{county}-H{n}",
            "revision": 1,
            "retracted": "否",
            "category": category,
            "region_code": county,
            "occurred_at": occurred.isoformat(),
            "reported_at": (occurred + timedelta(hours=3)).isoformat(),
            "deaths": rng.choice([0, 0, 1, 3, 5]),
            "serious_injuries": rng.choice([0, 1, 2]),
            "business_related": "是" if category in ("road_traffic", "fire") else "",
            "title": "=1+1" if n == 0 else f"历史事故{n}",
        }
        rows.append(row)
        if n % 10 == 0:
            rows.append({**row, "revision": 2, "deaths": int(row["deaths"]) + 1})
        if n % 50 == 1:
            rows.append({**row, "revision": 3, "retracted": "是"})
    return rows


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_import(
    gateway: Service, token: str, path: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    token_file = path.with_suffix(".token")
    token_file.write_text(token, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "safetywatch",
            "import",
            str(path),
            "--token-file",
            str(token_file),
            *extra,
        ],
        env={"SAFETYWATCH_GATEWAY": gateway.url, "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def now_iso() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).astimezone(AREA.zone).isoformat()


def _short_steps(directory: Path) -> str:
    area = yaml.safe_load((ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8"))
    area["reporting"] = {"step_hours": 0.001, "follow_up_hours": 0.001}
    path = directory / "area.yaml"
    path.write_text(yaml.safe_dump(area, allow_unicode=True), "utf-8")
    return str(path)


def notified(webhook: WebhookReceiver) -> set[str]:
    """Every incident Alertmanager has notified anyone about."""
    with webhook.lock:
        return {
            alert["labels"].get("incident_id", "")
            for notification in webhook.notifications
            for alert in notification.payload["alerts"]
        } - {""}


def test_a_year_of_history_is_counted_and_chases_nobody(services: Services, tmp_path: Path):
    area = _short_steps(tmp_path)
    gateway = services.start("gateway", SAFETYWATCH_CONFIG_FILE=area)
    aggregator = services.start("aggregator", SAFETYWATCH_CONFIG_FILE=area)
    webhook = WebhookReceiver()
    alertmanager = start_alertmanager(tmp_path, Path(area), webhook.start())
    prometheus = start_prometheus(tmp_path, [aggregator.url], gateway.url, alertmanager.url)
    try:
        _import_and_chase(services, tmp_path, area, gateway, aggregator, webhook)
    finally:
        prometheus.stop()
        alertmanager.stop()
        webhook.stop()


def _import_and_chase(
    services: Services,
    tmp_path: Path,
    area: str,
    gateway: Service,
    aggregator: Service,
    webhook: WebhookReceiver,
) -> None:
    year = datetime.now(UTC).astimezone(AREA.zone).year - 1
    rows = history(year, 1000)
    path = write_csv(tmp_path / "history.csv", rows)

    # The field unit's token may not import; the dry run sends nothing.
    refused = run_import(gateway, gateway.token, path)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "origin: this token of unit test-unit may not import history" in refused.stdout
    importer = add_token(
        services.tokens_file, "statistics-desk", ["5202"], Level.CITY, can_import=True
    )
    dry = run_import(gateway, importer, path, "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"{len(rows):,} rows would be imported, 0 refused (dry run" in dry.stdout

    done = run_import(gateway, importer, path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(rows):,} rows imported, 0 refused" in done.stdout
    assert "rows/s" in done.stderr
    assert "s left" in done.stderr
    wait_for_outcomes(aggregator, timeout=120, applied=len(rows))

    summary = httpx.get(
        f"{aggregator.url}/v1/summary", params={"period": str(year)}, timeout=30
    ).json()
    kept = {}
    for row in rows:  # the latest revision of each incident; retracted ones count nowhere
        kept[row["incident_id"]] = row
    kept_rows = [row for row in kept.values() if row["retracted"] == "否"]
    assert summary["totals"]["incidents"] == len(kept_rows)
    assert summary["totals"]["fatalities"] == sum(int(row["deaths"]) for row in kept_rows)
    assert summary["totals"]["late_reports"] == 0
    text = httpx.get(f"{aggregator.url}/v1/bulletin", params={"period": str(year)}, timeout=30)
    assert f"{year}年，全市共发生各类生产安全事故{len(kept_rows)}起" in text.json()["text"]

    # A report made now beside the history: its county step falls overdue after 3.6 s
    # and its 较大 grade alerts. Once it does, no imported incident has either.
    live = report("520201-NOW", category="coal_mine", deaths=3, occurred_at=now_iso())
    assert post(gateway, live).status_code == 202
    wait_for_outcomes(aggregator, timeout=120, applied=len(rows) + 1)

    def overdue_now() -> str:
        text = httpx.get(f"{aggregator.url}/metrics", timeout=30).text
        return (
            text
            if "safetywatch_reporting_overdue{" in text and 'incident_id="520201-NOW"' in text
            else ""
        )

    wait_until(overdue_now, 60, "the live report's county step to fall overdue")
    # Through Prometheus and Alertmanager: the live report reaches the desks, and only it.
    wait_until(lambda: webhook.about("520201-NOW"), 120, "a notification about the live report")
    assert notified(webhook) == {"520201-NOW"}
    metrics = overdue_now()
    chased = {
        line.split('incident_id="')[1].split('"')[0]
        for line in metrics.splitlines()
        if line.startswith(("safetywatch_reporting_overdue{", "safetywatch_alert{"))
        and 'incident_id="' in line
        and 'incident_id=""' not in line
    }
    assert chased == {"520201-NOW"}
    page = httpx.get(
        f"{aggregator.url}/v1/incidents", params={"period": str(year), "limit": 1000}, timeout=30
    ).json()
    assert page["incidents"]
    assert all(i["imported"] and not i["chain"] and not i["late_report"] for i in page["incidents"])

    # Again: each incident's latest row a duplicate, the rows before it stale: no change.
    again = run_import(gateway, importer, path)
    assert again.returncode == 0, again.stdout
    wait_for_outcomes(
        aggregator,
        timeout=120,
        applied=len(rows) + 1,
        duplicate=len(kept),
        stale=len(rows) - len(kept),
    )
    repeat = httpx.get(
        f"{aggregator.url}/v1/summary", params={"period": str(year)}, timeout=30
    ).json()
    assert repeat["totals"] == summary["totals"]

    # The register exported as a workbook holds no formula (the first title is "=1+1"),
    # and imported into a second log it gives the same statistics.
    exported = httpx.get(
        f"{aggregator.url}/v1/incidents",
        params={"period": str(year), "format": "xlsx"},
        timeout=120,
    )
    register = tmp_path / "register.xlsx"
    register.write_bytes(exported.content)
    cells = [c for row in load_workbook(register).worksheets[0].iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert "'=1+1" in {c.value for c in cells}
    topic = f"{services.topic}.second"
    asyncio.run(ensure_topic(services.kafka, TopicSpec(topic)))
    gateway_two = services.start("gateway", SAFETYWATCH_CONFIG_FILE=area, SAFETYWATCH_TOPIC=topic)
    aggregator_two = services.start(
        "aggregator", SAFETYWATCH_CONFIG_FILE=area, SAFETYWATCH_TOPIC=topic
    )
    moved = run_import(gateway_two, importer, register)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert f"{len(kept_rows):,} rows imported, 0 refused" in moved.stdout
    wait_for_outcomes(aggregator_two, timeout=120, applied=len(kept_rows))
    for region in ("", "520201"):
        params = {"period": str(year), "region": region}
        before, after = (
            httpx.get(f"{a.url}/v1/summary", params=params, timeout=30).json()
            for a in (aggregator, aggregator_two)
        )
        for key in ("totals", "by_category", "by_grade", "non_business"):
            assert after[key] == before[key], (region, key)
        bulletins = [
            httpx.get(f"{a.url}/v1/bulletin", params=params, timeout=30).json()["text"]
            for a in (aggregator, aggregator_two)
        ]
        assert bulletins[0] == bulletins[1]

    def register_of(service: Service) -> list[tuple[Any, ...]]:
        page = httpx.get(
            f"{service.url}/v1/incidents", params={"period": str(year), "limit": 1000}, timeout=30
        ).json()["incidents"]
        keys = ("incident_id", "revision", "category", "grade", "fatalities", "title")
        return [tuple(incident[key] for key in keys) for incident in page]

    assert register_of(aggregator_two) == register_of(aggregator)
    # The CSV export carries the very same reports as the workbook.
    as_csv = tmp_path / "register.csv"
    as_csv.write_bytes(
        httpx.get(
            f"{aggregator.url}/v1/incidents",
            params={"period": str(year), "format": "csv"},
            timeout=120,
        ).content
    )
    assert read_history(as_csv).reports == read_history(register).reports
    titles = httpx.get(
        f"{aggregator_two.url}/v1/incidents/{rows[0]['incident_id']}", timeout=30
    ).json()["title"]
    assert titles == "=1+1"
