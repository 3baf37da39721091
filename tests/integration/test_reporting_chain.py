"""The reporting chain on the real broker, Prometheus and Alertmanager (contract §8).

A 3-death coal mine accident (较大) must be confirmed by the county, the city and the
province in turn. Steps here are 18 seconds instead of 2 hours (the area YAML's
``reporting.step_hours``), and the aggregator evaluates deadlines every second: the
county confirms in time, the city does not, and ``SafetywatchReportingOverdue`` reaches
the city's and the province's desks — by webhook, and as the WeChat text a phone shows.
The city confirms and the alert resolves. A second incident's open deadline survives an
aggregator killed mid-chain.
"""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import yaml

from dev.stack import wait_until
from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka.topic import TopicSpec, ensure_topic
from safetywatch.regions.levels import Level
from safetywatch.units.tokens import add_token
from tests.integration.checks import aggregator_samples, post
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

STEP_SECONDS = 18
MEASUREMENTS = ROOT / ".run" / "measurements"
OVERDUE = "SafetywatchReportingOverdue"


@dataclass
class Chain:
    services: Services
    gateway: Service
    aggregator: Service
    webhook: WebhookReceiver
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def chain(
    kafka: KafkaConnectionSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Chain]:
    directory = tmp_path_factory.mktemp("chain")
    area = yaml.safe_load((ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8"))
    area["reporting"] = {"step_hours": STEP_SECONDS / 3600, "follow_up_hours": 1, "hold_hours": 1}
    area_file = directory / "area.yaml"
    area_file.write_text(yaml.safe_dump(area, allow_unicode=True), "utf-8")
    topic = f"test.chain.{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_topic(kafka, TopicSpec(topic)))
    services = Services(kafka, topic, directory)
    tokens = {
        name: add_token(services.tokens_file, name, [prefix], level)
        for name, prefix, level in (
            ("zhongshan", "520201", Level.COUNTY),
            ("liuzhi", "520203", Level.COUNTY),
            ("liupanshui", "5202", Level.CITY),
            ("guizhou", "52", Level.PROVINCE),
            ("ministry", "52", Level.NATIONAL),
        )
    }
    webhook = WebhookReceiver()
    url = webhook.start()
    started: list[Process] = []
    try:
        config = str(area_file)
        aggregator = services.start(
            "aggregator",
            SAFETYWATCH_CONFIG_FILE=config,
            SAFETYWATCH_EVALUATION_INTERVAL_SECONDS="1",
        )
        gateway = services.start(
            "gateway", SAFETYWATCH_CONFIG_FILE=config, SAFETYWATCH_AGGREGATOR_URL=aggregator.url
        )
        wechat = {
            "SAFETYWATCH_WECHAT_API_URL": webhook.wechat_api_url,
            "SAFETYWATCH_WECHAT_CORP_ID": "test-corp",
            "SAFETYWATCH_WECHAT_API_SECRET": "test-secret",
            "SAFETYWATCH_WECHAT_AGENT_ID": "1000002",
            "SAFETYWATCH_WECHAT_TO_PARTY_CITY_DUTY_OFFICE": "city",
            "SAFETYWATCH_WECHAT_TO_PARTY_PROVINCIAL": "province",
        }
        alertmanager = start_alertmanager(directory, area_file, url, **wechat)
        started.append(alertmanager)
        started.append(start_prometheus(directory, [aggregator.url], gateway.url, alertmanager.url))
        yield Chain(services, gateway, aggregator, webhook, tokens)
    finally:
        for process in reversed(started):
            process.stop()
        services.close()
        webhook.stop()


def confirm(chain: Chain, unit: str, incident_id: str, body: Any) -> httpx.Response:
    return httpx.post(
        f"{chain.gateway.url}/v1/incidents/{incident_id}/confirmations",
        json=body,
        headers={"Authorization": f"Bearer {chain.tokens[unit]}"} if unit else {},
        timeout=30,
    )


def incident(chain: Chain, incident_id: str) -> dict[str, Any]:
    response = httpx.get(f"{chain.aggregator.url}/v1/incidents/{incident_id}", timeout=10)
    return response.json() if response.status_code == 200 else {}


def steps(chain: Chain, incident_id: str) -> dict[str, dict[str, Any]]:
    return {step["level"]: step for step in incident(chain, incident_id).get("chain", [])}


def mine_accident(chain: Chain, incident_id: str) -> None:
    occurred = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
    document = report(incident_id, category="coal_mine", occurred_at=occurred, deaths=3)
    assert post(chain.gateway, document).status_code == 202
    wait_until(lambda: steps(chain, incident_id), 30, f"the aggregator to apply {incident_id}")


def values_of(chain: Chain, name: str, **labels: str) -> list[float]:
    """The values of every series of ``name`` that has these labels (and any others)."""
    samples = aggregator_samples(chain.aggregator)
    wanted = set(labels.items())
    return [value for (metric, have), value in samples.items() if metric == name and wanted <= have]


def overdue_metric(chain: Chain, incident_id: str, level: str) -> float | None:
    found = values_of(chain, "safetywatch_reporting_overdue", incident_id=incident_id, level=level)
    return found[0] if found else None


def confirmations_counted(chain: Chain, level: str, timeliness: str) -> float:
    """Over the exposed quarters (the year-to-date series count the same ones again)."""
    series = values_of(chain, "safetywatch_confirmations", level=level, timeliness=timeliness)
    ytd = values_of(
        chain, "safetywatch_confirmations", level=level, timeliness=timeliness, quarter=""
    )
    return sum(series) - sum(ytd)


def late_notices(chain: Chain, incident_id: str, status: str = "firing") -> dict[str, Any]:
    """Receiver → the overdue alert it got about the incident in ``status``."""
    return {
        n.receiver: alert
        for n, alert in chain.webhook.about(incident_id, status)
        if alert["labels"]["alertname"] == OVERDUE
    }


def test_the_gateway_refuses_confirmations_that_are_not_the_units_to_make(chain: Chain):
    incident_id = "520201-CHAIN0"
    mine_accident(chain, incident_id)
    refusals = {
        "wrong level": ("zhongshan", {"level": "city"}, 403, "level"),
        "wrong county": ("liuzhi", {"level": "county"}, 403, "incident_id"),
        "not in the chain": ("ministry", {"level": "national"}, 409, "level"),
        "unknown field": ("zhongshan", {"level": "county", "by": "x"}, 422, "by"),
        "no level": ("zhongshan", {}, 422, "level"),
    }
    for why, (unit, body, status, field) in refusals.items():
        response = confirm(chain, unit, incident_id, body)
        assert response.status_code == status, (why, response.text)
        assert response.json()["detail"][0]["field"] == field, why
    assert confirm(chain, "zhongshan", "520201-NOSUCH", {"level": "county"}).status_code == 404
    assert confirm(chain, "", incident_id, {"level": "county"}).status_code == 401
    assert confirm(chain, "zhongshan", "bad id!", {"level": "county"}).status_code == 422
    assert "confirmation_accepted" not in chain.gateway.log()


def test_a_late_city_escalates_to_the_city_and_the_province_and_resolves_when_it_confirms(
    chain: Chain,
):
    incident_id = "520201-CHAIN1"
    mine_accident(chain, incident_id)
    assert list(steps(chain, incident_id)) == ["county", "city", "province"]
    accepted = confirm(chain, "zhongshan", incident_id, {"level": "county", "note": "已签收"})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["level"] == "county"
    assert "offset" in accepted.json()
    assert confirm(chain, "zhongshan", incident_id, {"level": "county"}).status_code == 202
    wait_until(
        lambda: steps(chain, incident_id)["county"]["status"] == "confirmed", 30, "county on time"
    )
    county = steps(chain, incident_id)["county"]
    assert county["unit_id"] == "zhongshan"
    city_due = datetime.fromisoformat(steps(chain, incident_id)["city"]["due_at"])
    assert city_due == datetime.fromisoformat(county["confirmed_at"]) + timedelta(
        seconds=STEP_SECONDS
    )

    # The city does nothing: past its due time the step is overdue, and the alert
    # reaches the city's duty office and the province — not the county, which did its part.
    wait_until(lambda: overdue_metric(chain, incident_id, "city") == 1, 60, "the city overdue")
    wait_until(
        lambda: {"city-duty-office", "provincial"} <= late_notices(chain, incident_id).keys(),
        60,
        "the overdue city step at the city's and the province's desks",
    )
    notice = late_notices(chain, incident_id)["provincial"]
    assert notice["labels"]["level"] == "city"
    assert "逾期未签收上报" in notice["annotations"]["summary"]
    assert not any(
        n.receiver.startswith("county-") and a["labels"]["alertname"] == OVERDUE
        for n, a in chain.webhook.about(incident_id)
    )

    def on_the_phone() -> list[str]:
        return [t for _, t in chain.webhook.wechat if incident_id in t and "（市级）" in t]

    wait_until(on_the_phone, 30, "the WeChat message about the city step")
    phone = on_the_phone()[0]
    assert chain.webhook.wechat_refused == []  # every call as the real API takes it
    # Kept beside the test's logs: the message as the phone shows it (the README has one).
    (chain.services.directory / "wechat-message.txt").write_text(phone, "utf-8")
    assert phone.startswith("【上报逾期】钟山区 较大事故")
    assert "请六盘水市应急管理局立即签收并向上一级报告" in phone

    # The city confirms, late: the alert resolves at both desks and 及时率 counts it.
    assert confirm(chain, "liupanshui", incident_id, {"level": "city"}).status_code == 202
    wait_until(lambda: overdue_metric(chain, incident_id, "city") == 0, 30, "the city confirmed")
    wait_until(
        lambda: (
            {"city-duty-office", "provincial"}
            <= late_notices(chain, incident_id, "resolved").keys()
        ),
        60,
        "the resolved notification at both desks",
    )
    assert steps(chain, incident_id)["city"]["status"] == "late"
    assert confirmations_counted(chain, "county", "on_time") >= 1
    assert confirmations_counted(chain, "city", "late") == 1

    MEASUREMENTS.mkdir(parents=True, exist_ok=True)
    shown = {k: incident(chain, incident_id)[k] for k in ("incident_id", "grade", "chain")}
    (MEASUREMENTS / "chain.json").write_text(json.dumps(shown, ensure_ascii=False, indent=2))
    (MEASUREMENTS / "chain-notification.txt").write_text(phone + "\n", encoding="utf-8")


def test_an_open_deadline_survives_the_aggregator_killed_mid_chain(chain: Chain):
    incident_id = "520201-CHAIN2"
    mine_accident(chain, incident_id)
    assert confirm(chain, "zhongshan", incident_id, {"level": "county"}).status_code == 202
    wait_until(lambda: overdue_metric(chain, incident_id, "city") == 1, 60, "the city overdue")
    before = steps(chain, incident_id)
    assert before["city"]["overdue"] is True

    port = chain.aggregator.url.rsplit(":", 1)[1]
    chain.aggregator.stop(signal.SIGKILL)
    area_file = str(chain.services.directory / "area.yaml")
    chain.aggregator = chain.services.start(
        "aggregator",
        SAFETYWATCH_CONFIG_FILE=area_file,
        SAFETYWATCH_EVALUATION_INTERVAL_SECONDS="1",
        SAFETYWATCH_AGGREGATOR_PORT=port,
    )
    after = steps(chain, incident_id)
    assert after == before
    wait_until(lambda: overdue_metric(chain, incident_id, "city") == 1, 30, "overdue again")
