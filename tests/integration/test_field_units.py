"""Field units on the real stack: tokens and jurisdictions, batches, the outbox client, limits."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from dev.stack import end_offsets, free_port, read_topic, wait_until
from safetywatch.units.tokens import add_token, revoke_token
from tests.integration.checks import post, summary, wait_until_read
from tests.integration.harness import Services
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration


def recent() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def test_tokens_jurisdictions_and_rate_limits(services: Services):
    gateway = services.start(
        "gateway", SAFETYWATCH_UNIT_REPORTS_PER_SECOND="0.5", SAFETYWATCH_UNIT_BURST="4"
    )
    url = f"{gateway.url}/v1/incidents"
    document = report("520203-U1", occurred_at=recent(), deaths=1)

    missing = httpx.post(url, json=document)
    unknown = httpx.post(
        url, json=document, headers={"Authorization": "Bearer sw_0123456789ab_nope"}
    )
    assert (missing.status_code, unknown.status_code) == (401, 401)
    assert missing.json() == unknown.json()  # nothing tells which tokens exist
    assert missing.headers["www-authenticate"] == "Bearer"

    county = add_token(
        services.tokens_file, "county-520201", ["520201"]
    )  # the gateway re-reads the file
    as_county = {"Authorization": f"Bearer {county}"}
    forbidden = httpx.post(url, json=document, headers=as_county)
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"][0]["field"] == "region_code"
    own = httpx.post(url, json=report("520201-U2", occurred_at=recent()), headers=as_county)
    assert own.status_code == 202

    assert revoke_token(services.tokens_file, county.split("_")[1])
    wait_until(
        lambda: httpx.post(url, json=document, headers=as_county).status_code == 401,
        10,
        "the revocation",
    )

    statuses = [
        post(gateway, report(f"520204-R{n}", occurred_at=recent())).status_code for n in range(6)
    ]
    assert statuses[:4] == [202] * 4
    assert 429 in statuses[4:]
    limited = post(gateway, report("520204-R9", occurred_at=recent()))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1

    logged = read_topic(services.kafka, services.topic)
    assert len(logged) == 5  # only the 202s reached Kafka
    units = {json.loads(r.value or b"{}")["unit_id"] for r in logged}
    assert units == {"county-520201", "test-unit"}
    log = gateway.log()
    assert services.token.split("_", 2)[2] not in log
    assert county.split("_", 2)[2] not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line.get("unit") == "county-520201" for line in lines)


def test_a_batch_answers_per_report_and_writes_only_the_accepted(services: Services):
    gateway = services.start("gateway")
    aggregator = services.start("aggregator")
    county = add_token(services.tokens_file, "county-520201", ["520201"])
    occurred = recent()
    reports = [
        report("520201-B1", occurred_at=occurred, deaths=1),
        report("520201-B2", occurred_at=occurred, deaths=2),
        {**report("520201-B3", occurred_at=occurred), "deaths": -1},
        report("520203-B4", occurred_at=occurred),
        report("520201-B1", occurred_at=occurred, deaths=1),
    ]
    response = httpx.post(
        f"{gateway.url}/v1/incidents:batch",
        json={"reports": reports},
        headers={"Authorization": f"Bearer {county}"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [202, 202, 422, 403, 202]
    assert results[2]["errors"][0]["field"] == "deaths"
    assert {"partition", "offset"} <= set(results[0])
    assert sum(end_offsets(services.kafka, services.topic).values()) == 3
    wait_until_read(aggregator, 3)
    assert summary(aggregator, None, "")["totals"]["deaths"] == 3

    too_many = httpx.post(
        f"{gateway.url}/v1/incidents:batch",
        json={"reports": [reports[0]] * 501},
        headers=gateway.auth,
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["field"] == "reports"


def test_the_outbox_delivers_everything_exactly_once_after_the_gateway_was_unreachable(
    services: Services, tmp_path: Path
):
    aggregator = services.start("aggregator")
    port = free_port()
    rows = [
        "incident_id,revision,category,region_code,occurred_at,deaths,serious_injuries,"
        "business_related"
    ]
    occurred = recent()
    regions = ["520201", "520203", "520204", "520281"]
    rows += [
        f"{regions[n % 4]}-CSV{n},1,road_traffic,{regions[n % 4]},{occurred},{n % 3},{n % 2},是"
        for n in range(250)
    ]
    (tmp_path / "reports.csv").write_text("\n".join(rows) + "\n", "utf-8")
    (tmp_path / "token").write_text(services.token, "utf-8")
    outbox = tmp_path / "outbox"
    client = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safetywatch",
            "report",
            str(tmp_path / "reports.csv"),
            "--token-file",
            str(tmp_path / "token"),
            "--outbox",
            str(outbox),
            "--deadline",
            "120",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "SAFETYWATCH_GATEWAY": f"http://127.0.0.1:{port}",
            "HOME": str(tmp_path),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        text=True,
    )
    try:
        wait_until(
            lambda: len(list(outbox.glob("*.json"))) == 250,
            30,
            "the outbox to hold all 250 reports",
        )
        # Nothing listens yet: the client keeps the reports and retries with backoff.
        assert client.poll() is None
        services.start("gateway", SAFETYWATCH_GATEWAY_PORT=str(port))
        stdout, stderr = client.communicate(timeout=150)
    finally:
        client.kill()
    assert client.returncode == 0, stdout + stderr
    assert "gateway unreachable" in stderr
    assert "250/250 handled" in stderr
    assert "250 accepted, 0 refused, 0 still in the outbox" in stdout
    assert not list(outbox.glob("*.json"))
    wait_until_read(aggregator, 250, timeout=60)
    totals = summary(aggregator, None, "")["totals"]
    assert totals["incidents"] == 250
    assert totals["deaths"] == sum(n % 3 for n in range(250))
