"""The whole chain: report → Kafka → two aggregators → Prometheus → Alertmanager → webhook."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from dev.stack import wait_until
from safetywatch.accounting.periods import quarter_of
from safetywatch.config import KafkaConnectionSettings
from safetywatch.config.area import load_area
from safetywatch.kafka.topic import TopicSpec, ensure_topic
from tests.integration.checks import post, summary
from tests.integration.harness import Service, Services
from tests.integration.monitoring import (
    Process,
    WebhookReceiver,
    start_alertmanager,
    start_prometheus,
)
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration

AREA = load_area()
RULES = [
    {
        "name": "serious_incident",
        "kind": "grade",
        "min_grade": "relatively_serious",
        "hold_hours": 1,
    },
    {
        "name": "road_deaths_quarter",
        "kind": "quarterly_count",
        "figure": "deaths",
        "category": "road_traffic",
        "scope": "area",
        "warn": 6,
        "critical": 9,
    },
]
MEASUREMENTS = ROOT / ".run" / "measurements"


@dataclass
class Stack:
    gateway: Service
    aggregators: list[Service]
    prometheus: Process
    alertmanager: Process
    webhook: WebhookReceiver


@pytest.fixture(scope="module")
def stack(
    kafka: KafkaConnectionSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    directory = tmp_path_factory.mktemp("alerting")
    area_file = directory / "area.yaml"
    area = yaml.safe_load((ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8"))
    area_file.write_text(yaml.safe_dump({**area, "rules": RULES}, allow_unicode=True), "utf-8")
    topic = f"test.alerting.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
    services = Services(kafka, topic, directory)
    webhook = WebhookReceiver()
    url = webhook.start()
    started: list[Process] = []
    try:
        config = str(area_file)
        gateway = services.start("gateway", SAFETYWATCH_CONFIG_FILE=config)
        aggregators = [
            services.start("aggregator", SAFETYWATCH_CONFIG_FILE=config),
            services.start("aggregator", SAFETYWATCH_CONFIG_FILE=config),
        ]
        alertmanager = start_alertmanager(directory, area_file, url)
        started.append(alertmanager)
        prometheus = start_prometheus(
            directory, [a.url for a in aggregators], gateway.url, alertmanager.url
        )
        started.append(prometheus)
        yield Stack(gateway, aggregators, prometheus, alertmanager, webhook)
    finally:
        for process in reversed(started):
            process.stop()
        services.close()
        webhook.stop()


def recent() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def firing_for(stack: Stack, incident_id: str, timeout: float = 30) -> None:
    wait_until(
        lambda: stack.webhook.about(incident_id), timeout, f"a notification about {incident_id}"
    )


def test_a_road_accident_with_5_dead_reaches_the_right_desks_once(stack: Stack):
    incident_id = "520201-ALERT1"
    document = report(
        incident_id, category="road_traffic", occurred_at=recent(), deaths=5, serious_injuries=3
    )
    assert post(stack.gateway, document).status_code == 202
    firing_for(stack, incident_id)
    wait_until(
        lambda: (
            {n.receiver for n, _ in stack.webhook.about(incident_id)}
            >= {"city-duty-office", "provincial", "county-520201"}
        ),
        30,
        "the city, the province and the county to be notified",
    )
    time.sleep(3)  # two group_intervals: time enough for any second notification to show up
    notified = stack.webhook.about(incident_id)
    by_receiver = sorted(n.receiver for n, _ in notified)
    # Two aggregator replicas, one alert: each desk got exactly one notification.
    assert by_receiver == ["city-duty-office", "county-520201", "provincial"]
    _, alert = notified[0]
    labels = alert["labels"]
    assert labels["incident_id"] == incident_id
    assert labels["region_name"] == "钟山区"
    assert labels["grade"] == "relatively_serious"
    assert (labels["deaths"], labels["serious_injuries"]) == ("5", "3")
    assert "较大" in alert["annotations"]["summary"]
    assert "死亡5人" in alert["annotations"]["summary"]


def test_a_quarterly_threshold_warns_and_later_goes_critical(stack: Stack):
    occurred = recent()
    quarter = quarter_of(datetime.fromisoformat(occurred), AREA.zone).label

    def road_deaths() -> int:
        return int(
            summary(stack.aggregators[0], quarter, "")["by_category"]["road_traffic"]["deaths"]
        )

    def threshold_alerts(severity: str) -> list[dict[str, object]]:
        with stack.webhook.lock:
            return [
                alert
                for n in stack.webhook.notifications
                for alert in n.payload["alerts"]
                if alert["labels"].get("rule") == "road_deaths_quarter"
                and alert["labels"].get("severity") == severity
                and alert["status"] == "firing"
            ]

    assert road_deaths() < 6 or threshold_alerts("warning")
    needed = max(0, 6 - road_deaths())
    if needed:
        assert (
            post(
                stack.gateway, report("520281-Q1", occurred_at=occurred, deaths=needed)
            ).status_code
            == 202
        )
    wait_until(lambda: threshold_alerts("warning"), 30, "the warning")
    assert not threshold_alerts("critical")
    assert (
        post(
            stack.gateway,
            report("520281-Q2", occurred_at=occurred, deaths=max(1, 9 - road_deaths())),
        ).status_code
        == 202
    )
    critical = wait_until(lambda: threshold_alerts("critical"), 30, "the critical")
    annotations = critical[0]["annotations"]
    assert isinstance(annotations, dict)
    assert float(annotations["value"]) >= 9
    assert float(annotations["threshold"]) == 9
    # The desk reads its scope in words: the whole city, road traffic.
    assert str(annotations["summary"]).startswith("全市道路运输事故达到严重阈值"), annotations


def test_retracting_the_incident_resolves_its_alert(stack: Stack):
    incident_id = "520204-ALERT2"
    occurred = recent()
    assert (
        post(stack.gateway, report(incident_id, occurred_at=occurred, deaths=4)).status_code == 202
    )
    firing_for(stack, incident_id)
    retraction = report(incident_id, 2, occurred_at=occurred, deaths=4, retracted=True)
    assert post(stack.gateway, retraction).status_code == 202
    wait_until(
        lambda: stack.webhook.about(incident_id, "resolved"), 60, "the resolved notification"
    )


def test_report_to_notification_latency_over_20_reports(stack: Stack):
    posted: dict[str, float] = {}
    for n in range(20):
        incident_id = f"{['520201', '520203', '520204', '520281'][n % 4]}-LAT{n}"
        document = report(incident_id, occurred_at=recent(), deaths=3)
        response = post(stack.gateway, document)
        assert response.status_code == 202
        posted[incident_id] = time.monotonic()
        time.sleep(0.5)
    arrivals: dict[str, float] = {}

    def all_arrived() -> bool:
        for incident_id in posted:
            notified = [
                n for n, _ in stack.webhook.about(incident_id) if n.receiver == "city-duty-office"
            ]
            if notified and incident_id not in arrivals:
                arrivals[incident_id] = min(n.arrived for n in notified)
        return len(arrivals) == len(posted)

    wait_until(all_arrived, 90, "a notification for each of the 20 reports")
    latencies = sorted(arrivals[i] - posted[i] for i in posted)
    worst = latencies[-1]
    result = {
        "runs": len(latencies),
        "median_s": round(statistics.median(latencies), 3),
        "worst_s": round(worst, 3),
        "best_s": round(latencies[0], 3),
        "setup": "scrape 1s, rule evaluation 1s, Alertmanager group_wait 1s, two aggregator replicas",
    }
    MEASUREMENTS.mkdir(parents=True, exist_ok=True)
    (MEASUREMENTS / "report-to-notification.json").write_text(json.dumps(result, indent=2))
    print(f"\nreport → notification latency: {result}")
    assert worst < 30


def test_a_geological_threat_and_a_medium_disaster_reach_the_desks_in_their_own_terms(stack: Stack):
    threat = report(
        "520204-RISK1",
        category="geological_hazard",
        occurred_at=recent(),
        threatened_people=1500,
        evacuated=1500,
        title="村后山体出现裂缝，1500人转移",
    )
    slide = report(
        "520281-SLIDE1", category="geological_hazard", occurred_at=recent(), deaths=2, missing=1
    )
    for document in (threat, slide):
        assert post(stack.gateway, document).status_code == 202
    for incident_id in ("520204-RISK1", "520281-SLIDE1"):
        firing_for(stack, incident_id)
    # Each receiver is notified on its own: the first notification can come before this one.
    risk = wait_until(
        lambda: [a for n, a in stack.webhook.about("520204-RISK1") if n.receiver == "national"],
        30,
        "a 特大型 threat to reach the national desk like a 特别重大 accident",
    )
    labels, notes = risk[0]["labels"], risk[0]["annotations"]
    assert (labels["situation"], labels["grade_name"]) == ("threat", "特大型地质灾害险情")
    assert "险情" in notes["summary"]
    assert "尚无伤亡" in notes["summary"]
    _, medium = stack.webhook.about("520281-SLIDE1")[0]
    assert medium["labels"]["grade_name"] == "中型地质灾害"
    assert "中型地质灾害，死亡2人、失踪1人" in medium["annotations"]["summary"]
    phone = [
        f"{alert['annotations']['summary']}\n{alert['annotations']['summary_en']}"
        for alert in (risk[0], medium)
    ]
    MEASUREMENTS.mkdir(parents=True, exist_ok=True)
    (MEASUREMENTS / "notifications.txt").write_text("\n\n".join(phone) + "\n", encoding="utf-8")
