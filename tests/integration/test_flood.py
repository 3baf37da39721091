"""A flood of 10,000 notable incidents: bounded alert series, a bounded /metrics, and a
handful of notifications per receiver, on the real gateway, aggregator, Prometheus and
Alertmanager."""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from dev.stack import metric_samples, wait_until
from tests.integration.checks import wait_for_outcomes
from tests.integration.harness import Services
from tests.integration.monitoring import WebhookReceiver, start_alertmanager, start_prometheus
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration

FLOOD = 10_000
CAP = 20
COUNTIES = ("520201", "520203", "520204", "520281")
MEASUREMENTS = ROOT / ".run" / "measurements"


def test_ten_thousand_late_reports_stay_a_handful_of_series_and_notifications(
    services: Services, tmp_path: Path
):
    area = yaml.safe_load((ROOT / "services/safetywatch/config/liupanshui.yaml").read_text())
    rules = [{"name": "late_report", "kind": "late_report", "max_incident_alerts": CAP}]
    area_file = tmp_path / "area.yaml"
    area_file.write_text(yaml.safe_dump({**area, "rules": rules}, allow_unicode=True))
    gateway = services.start(
        "gateway",
        SAFETYWATCH_UNIT_REPORTS_PER_SECOND="100000",
        SAFETYWATCH_UNIT_BURST="100000",
        SAFETYWATCH_CONFIG_FILE=str(area_file),
    )
    aggregator = services.start("aggregator", SAFETYWATCH_CONFIG_FILE=str(area_file))
    webhook = WebhookReceiver()
    alertmanager = start_alertmanager(tmp_path, area_file, webhook.start())
    prometheus = start_prometheus(tmp_path, [aggregator.url], gateway.url, alertmanager.url)
    try:
        backdated = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
        with httpx.Client(base_url=gateway.url, headers=gateway.auth, timeout=60) as client:
            for start in range(0, FLOOD, 500):
                reports = [
                    report(f"{COUNTIES[n % 4]}-FLOOD{n}", occurred_at=backdated, category="other")
                    for n in range(start, start + 500)
                ]
                response = client.post("/v1/incidents:batch", json={"reports": reports})
                assert {r["status"] for r in response.json()["results"]} == {202}
        wait_for_outcomes(aggregator, timeout=120, applied=FLOOD)

        timings, size = [], 0
        for _ in range(5):
            started = time.perf_counter()
            text = httpx.get(f"{aggregator.url}/metrics", timeout=30).text
            timings.append(time.perf_counter() - started)
            size = len(text.encode())
        samples = metric_samples(text)
        alert_bytes = sum(
            len(line.encode()) + 1
            for line in text.splitlines()
            if line.startswith("safetywatch_alert")
        )
        alerting = [labels for name, labels in samples if name == "safetywatch_alert"]
        overflow = {
            dict(labels)["region"]: value
            for (name, labels), value in samples.items()
            if name == "safetywatch_alert_overflow"
        }
        assert len(alerting) == CAP * len(COUNTIES)
        assert overflow == dict.fromkeys(COUNTIES, FLOOD / len(COUNTIES) - CAP)

        def both_alerts_notified() -> bool:
            names = {
                alert["labels"]["alertname"]
                for n in webhook.notifications
                for alert in n.payload["alerts"]
            }
            return {"SafetywatchIncident", "SafetywatchIncidentFlood"} <= names

        wait_until(both_alerts_notified, 90, "the incidents and the flood to be notified")
        # Let every group settle for a few group intervals (2 s here) before counting.
        wait_until(
            lambda: (
                webhook.notifications and time.monotonic() - webhook.notifications[-1].arrived > 6
            ),
            120,
            "Alertmanager to stop sending",
            interval=1,
        )
        per_receiver = Counter(n.receiver for n in webhook.notifications)
        largest = max(len(n.payload["alerts"]) for n in webhook.notifications)
        result = {
            "notable_incidents": FLOOD,
            "alert_series": len(alerting),
            "overflow_series": len(overflow),
            "metrics_bytes": size,
            "alert_series_bytes": alert_bytes,
            "metrics_render_ms_median": round(statistics.median(timings) * 1000, 1),
            "notifications_per_receiver": dict(sorted(per_receiver.items())),
            "largest_notification_alerts": largest,
            "setup": "one aggregator, scrape 1s, group_wait 1s, group_interval 2s",
        }
        MEASUREMENTS.mkdir(parents=True, exist_ok=True)
        (MEASUREMENTS / "flood.json").write_text(json.dumps(result, indent=2))
        print(f"\nflood of {FLOOD} late reports: {result}")
        # Without the cap and the grouping: 10,000 series and 10,000 notifications each.
        assert max(per_receiver.values()) <= 40, per_receiver
        assert largest <= 20
        # The alert families stay small whatever the flood; the rest is the count series
        # (regions × categories × grades × exposed periods), which the flood does not grow.
        assert alert_bytes < 60_000
    finally:
        prometheus.stop()
        alertmanager.stop()
        webhook.stop()
