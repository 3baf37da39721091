"""Reports posted to the real gateway reach the real aggregator through the real broker."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from dev.stack import end_offsets, free_port, metric_samples, produce_raw, sample, wait_until
from safetywatch.accounting.periods import quarter_of
from safetywatch.events.decode import MAX_RECORD_BYTES
from safetywatch.events.report import IncidentRecord
from tests.integration.checks import (
    aggregator_samples,
    count_series,
    post,
    status_of,
    wait_for_outcomes,
)
from tests.integration.harness import Services
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration

SHANGHAI = ZoneInfo("Asia/Shanghai")
QUARTER_ZH = "一二三四"


def test_posted_reports_show_up_in_metrics_summary_bulletin_and_incident(services: Services):
    gateway = services.start("gateway")
    aggregator = services.start("aggregator")
    now = datetime.now(UTC)
    on_time = (now - timedelta(minutes=1)).astimezone(SHANGHAI)
    current = quarter_of(on_time, SHANGHAI)
    previous = current.previous()
    late = previous.start(SHANGHAI) + timedelta(days=10, hours=9)
    crash = {"category": "road_traffic", "occurred_at": on_time.isoformat()}
    reports = [
        report("520201-A", 1, **crash, deaths=2),
        report("520201-A", 2, **crash, deaths=5, serious_injuries=3),
        report(
            "520203-B",
            1,
            category="coal_mine",
            occurred_at=on_time.isoformat(),
            deaths=1,
            direct_loss_yuan=12345.67,
        ),
        report(
            "520281-C", 1, category="geological_hazard", occurred_at=late.isoformat(), missing=3
        ),
        report("520204-D", 1, **crash, deaths=1),
        report("520204-D", 2, **crash, deaths=1, retracted=True),
        report("520201-A", 1, **crash, deaths=2),  # arrives after revision 2: stale
    ]
    for document in reports:
        response = post(gateway, document)
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["incident_id"] == document["incident_id"]
        assert body["revision"] == document["revision"]
        assert 0 <= body["partition"] < 6
        assert body["offset"] >= 0
    wait_for_outcomes(aggregator, applied=6, stale=1)

    summary = httpx.get(f"{aggregator.url}/v1/summary", params={"quarter": current.label}).json()
    assert summary["quarter"] == current.label
    assert summary["region"] == ""
    assert summary["totals"] == {
        "incidents": 2,
        "threats": 0,
        "fire_outbreaks": 0,
        "deaths": 6,
        "missing": 0,
        "serious_injuries": 3,
        "minor_injuries": 0,
        "direct_loss_yuan": 12345.67,
        "damaged_area_ha": 0.0,
        "late_reports": 0,
        "near_misses": 0,
        "late_supplements": 0,
        "fatalities": 6,
    }
    assert summary["by_category"]["road_traffic"]["deaths"] == 5
    assert summary["by_category"]["coal_mine"]["incidents"] == 1
    assert summary["by_category"]["forest_fire"]["incidents"] == 0
    assert summary["by_grade"] == {
        "ordinary": 1,
        "relatively_serious": 1,
        "serious": 0,
        "particularly_serious": 0,
    }
    assert summary["by_region"]["520201"]["incidents"] == 1
    assert summary["by_region"]["520204"]["incidents"] == 0

    county = httpx.get(
        f"{aggregator.url}/v1/summary", params={"quarter": previous.label, "region": "520281"}
    ).json()
    assert county["totals"]["incidents"] == 1
    assert county["totals"]["late_reports"] == 1
    assert county["by_grade"]["relatively_serious"] == 1

    zh = httpx.get(f"{aggregator.url}/v1/bulletin", params={"quarter": current.label}).json()
    # Nothing a year before or in the quarter before (the 险情 is a natural disaster).
    assert zh["paragraphs"][0] == (
        f"{current.year}年第{QUARTER_ZH[current.number - 1]}季度，全市共发生各类生产安全事故2起、"
        "死亡6人、受伤3人，同比增加2起、6人（上年同期为0）；环比增加2起、6人（上期为0）；"
        "其中，工矿商贸事故1起、死亡1人；较大事故1起、死亡5人；"
        "煤矿事故1起、死亡1人，道路运输事故1起、死亡5人。"
    )
    assert zh["paragraphs"][-1] == (
        "分地区看，钟山区1起、死亡5人，六枝特区1起、死亡1人；水城区、盘州市未发生生产安全事故。"
    )
    en = httpx.get(
        f"{aggregator.url}/v1/bulletin", params={"quarter": current.label, "lang": "en"}
    ).json()
    assert en["text"].startswith(
        f"In Q{current.number} {current.year}, the city recorded 2 work-safety accidents"
    )

    samples = aggregator_samples(aggregator)
    here = {
        "quarter": current.label,
        "period": current.label,
        "region": "520201",
        "category": "road_traffic",
    }
    assert sample(samples, "safetywatch_incidents", **here, grade="relatively_serious") == 1
    assert sample(samples, "safetywatch_deaths", **here) == 5
    assert sample(samples, "safetywatch_serious_injuries", **here) == 3
    mine = {
        "quarter": current.label,
        "period": current.label,
        "region": "520203",
        "category": "coal_mine",
    }
    assert sample(samples, "safetywatch_direct_loss_yuan", **mine) == 12345.67
    slide = {
        "quarter": previous.label,
        "period": previous.label,
        "region": "520281",
        "category": "geological_hazard",
    }
    assert sample(samples, "safetywatch_late_reports", **slide) == 1
    assert sample(samples, "safetywatch_missing", **slide) == 3
    retracted = {
        "quarter": current.label,
        "period": current.label,
        "region": "520204",
        "category": "road_traffic",
    }
    assert sample(samples, "safetywatch_deaths", **retracted) is None  # no zero series
    panzhou = {"name": "盘州市", "name_en": "Panzhou", "level": "county", "parent": "520200"}
    assert sample(samples, "safetywatch_region_info", region="520281", **panzhou) == 1

    incident = httpx.get(f"{aggregator.url}/v1/incidents/520281-C").json()
    assert incident["quarter"] == previous.label
    assert incident["grade"] == "relatively_serious"
    assert incident["near_miss"] is True
    assert incident["late_report"] is True
    assert incident["unit_id"] == "test-unit"
    assert datetime.fromisoformat(incident["received_at"]) >= now
    assert httpx.get(f"{aggregator.url}/v1/incidents/520281-NOPE").status_code == 404
    assert (
        httpx.get(f"{aggregator.url}/v1/summary", params={"quarter": "2022Q5"}).status_code == 422
    )
    assert httpx.get(f"{aggregator.url}/v1/summary", params={"region": "52020"}).status_code == 422


def test_invalid_requests_are_refused_naming_the_field_and_nothing_reaches_kafka(
    services: Services,
):
    gateway = services.start("gateway")
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    valid = report("520201-V", occurred_at="2022-02-10T08:00:00+08:00")
    refused_as_422 = {
        "missing field": ({k: v for k, v in valid.items() if k != "category"}, "category"),
        "unknown field": ({**valid, "colour": "red"}, "colour"),
        "gateway stamp set by client": ({**valid, "unit_id": "me"}, "unit_id"),
        "naive timestamp": ({**valid, "occurred_at": "2022-02-10T08:00:00"}, "occurred_at"),
        "region not the id prefix": ({**valid, "region_code": "520203"}, "region_code"),
        "unknown region": (report("520299-V", occurred_at=valid["occurred_at"]), "region_code"),
        "negative count": ({**valid, "deaths": -2}, "deaths"),
        "future occurrence": ({**valid, "occurred_at": future}, "occurred_at"),
    }
    for case, (document, field) in refused_as_422.items():
        response = post(gateway, document)
        assert response.status_code == 422, case
        named = {error["field"] for error in response.json()["detail"]}
        assert field in named, f"{case}: {named}"

    several = post(gateway, {**valid, "deaths": -1, "revision": 0, "extra": 1})
    assert {e["field"] for e in several.json()["detail"]} == {"deaths", "revision", "extra"}

    malformed = httpx.post(
        f"{gateway.url}/v1/incidents",
        content=b'{"incident_id": ',
        headers={"content-type": "application/json", **gateway.auth},
    )
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["field"] == "body"

    not_json = httpx.post(
        f"{gateway.url}/v1/incidents",
        content=json.dumps(valid),
        headers={"content-type": "text/plain", **gateway.auth},
    )
    assert not_json.status_code == 415

    oversized = post(gateway, {**valid, "description": "x" * (65 * 1024)})
    assert oversized.status_code == 413

    assert sum(end_offsets(services.kafka, services.topic).values()) == 0
    assert post(gateway, valid).status_code == 202
    assert sum(end_offsets(services.kafka, services.topic).values()) == 1

    samples = metric_samples(httpx.get(f"{gateway.url}/metrics").text)
    assert (
        sample(samples, "safetywatch_gateway_requests_total", route="/v1/incidents", status="422")
        == 10
    )
    assert (
        sample(samples, "safetywatch_gateway_requests_total", route="/v1/incidents", status="202")
        == 1
    )


def test_a_restarted_aggregator_shows_the_same_numbers(services: Services):
    gateway = services.start("gateway")
    first = services.start("aggregator")
    occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for n in range(12):
        category = ["road_traffic", "coal_mine", "forest_fire"][n % 3]
        region = ["520201", "520203", "520204", "520281"][n % 4]
        document = report(
            f"{region}-R{n}", 1, category=category, occurred_at=occurred, deaths=n % 4
        )
        assert post(gateway, document).status_code == 202
    assert (
        post(
            gateway, report("520201-R0", 2, category="road_traffic", occurred_at=occurred, deaths=7)
        ).status_code
        == 202
    )
    wait_for_outcomes(first, applied=13)
    before = count_series(first)
    summary_before = httpx.get(f"{first.url}/v1/summary").json()
    assert summary_before["totals"]["deaths"] == sum(n % 4 for n in range(1, 12)) + 7

    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    second = services.start("aggregator")
    assert count_series(second) == before
    assert httpx.get(f"{second.url}/v1/summary").json() == summary_before


def test_garbage_written_straight_into_the_topic_is_skipped_and_counted(services: Services):
    occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    stamped = IncidentRecord.model_validate(
        {
            **report("520201-K", occurred_at=occurred),
            "received_at": datetime.now(UTC).isoformat(),
            "unit_id": "u",
        },
        strict=False,
    ).to_json_bytes()
    produce_raw(
        services.kafka,
        services.topic,
        [
            (b"520201-G1", b"\xff\xfe\x00garbage"),
            (b"520201-G2", b"this is not json"),
            (b"520201-G3", b'{"valid": "json", "but": "no report"}'),
            (b"520201-SOMEONE-ELSE", stamped),
            (b"520201-G4", None),
            (b"520201-G5", b"{" + b" " * (MAX_RECORD_BYTES + 1) + b"}"),
        ],
    )
    aggregator = services.start("aggregator")
    gateway = services.start("gateway")
    assert post(gateway, report("520201-OK", occurred_at=occurred, deaths=1)).status_code == 202
    wait_for_outcomes(aggregator, applied=1, invalid=6)

    samples = metric_samples(httpx.get(f"{aggregator.url}/metrics").text)
    for reason in ("not_utf8", "not_json", "not_a_report", "key_mismatch", "empty", "oversized"):
        assert sample(samples, "safetywatch_invalid_records", reason=reason) == 1, reason
    listing = httpx.get(f"{aggregator.url}/v1/invalid-records").json()
    assert listing["counts"] == {
        "empty": 1,
        "key_mismatch": 1,
        "not_a_report": 1,
        "not_json": 1,
        "not_utf8": 1,
        "oversized": 1,
    }
    assert {(r["reason"]) for r in listing["records"]} == set(listing["counts"])
    assert all(0 <= r["partition"] < 6 and r["offset"] >= 0 for r in listing["records"])
    summary = httpx.get(f"{aggregator.url}/v1/summary").json()
    assert summary["totals"]["incidents"] == 1
    assert summary["totals"]["deaths"] == 1


def test_the_gateway_answers_503_with_retry_after_while_kafka_is_unreachable(services: Services):
    nowhere = f"127.0.0.1:{free_port()}"
    gateway = services.start("gateway", wait=False, SAFETYWATCH_KAFKA_BOOTSTRAP=nowhere)
    wait_until(
        lambda: status_of(f"{gateway.url}/healthz") == 200, 30, "the gateway to serve /healthz"
    )
    response = post(gateway, report(occurred_at="2022-02-10T08:00:00+08:00"))
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert status_of(f"{gateway.url}/readyz") == 503
    samples = metric_samples(httpx.get(f"{gateway.url}/metrics").text)
    assert sample(samples, "safetywatch_gateway_produce_failures_total") == 1


def test_a_revision_conflict_is_counted_and_shown_and_the_first_one_wins(services: Services):
    gateway = services.start("gateway")
    aggregator = services.start("aggregator")
    occurred = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert post(gateway, report("520204-X", 1, occurred_at=occurred, deaths=1)).status_code == 202
    assert post(gateway, report("520204-X", 1, occurred_at=occurred, deaths=3)).status_code == 202
    wait_for_outcomes(aggregator, applied=1, conflict=1)
    incident = httpx.get(f"{aggregator.url}/v1/incidents/520204-X").json()
    assert incident["deaths"] == 1
    assert incident["revision_conflicts"] == 1
    assert httpx.get(f"{aggregator.url}/v1/summary").json()["totals"]["deaths"] == 1


def test_sighup_reloads_the_rules_and_refuses_a_bad_file(services: Services, tmp_path: Path):
    area = yaml.safe_load((ROOT / "services/safetywatch/config/liupanshui.yaml").read_text("utf-8"))
    area_file = tmp_path / "area.yaml"

    def write_rules(name: str) -> None:
        rule = {
            "name": name,
            "kind": "quarterly_count",
            "figure": "deaths",
            "warn": 1,
            "critical": 2,
        }
        area_file.write_text(yaml.safe_dump({**area, "rules": [rule]}, allow_unicode=True), "utf-8")

    write_rules("first")
    aggregator = services.start("aggregator", SAFETYWATCH_CONFIG_FILE=str(area_file))

    def rules_exposed() -> set[str]:
        samples = metric_samples(httpx.get(f"{aggregator.url}/metrics").text)
        return {
            dict(labels)["rule"]
            for name, labels in samples
            if name == "safetywatch_alert_threshold"
        }

    assert rules_exposed() == {"first"}
    area_file.write_text("rules: [unclosed", "utf-8")
    aggregator.process.send_signal(signal.SIGHUP)
    wait_until(lambda: "config_reload_refused" in aggregator.log(), 10, "the refusal to be logged")
    assert aggregator.process.poll() is None
    assert rules_exposed() == {"first"}  # the old rules stay

    write_rules("road")
    aggregator.process.send_signal(signal.SIGHUP)
    wait_until(lambda: rules_exposed() == {"road"}, 10, "the reloaded rule to be exposed")
