"""A stall is loud and recovers; limits hold; refusals are audited; the read side names
what it refuses. Real broker, real service processes, real Prometheus."""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from dev.stack import metric_samples, sample, wait_until
from safetywatch.units.tokens import add_token, audit_path
from tests.integration.checks import post, wait_for_outcomes
from tests.integration.harness import Service, Services
from tests.integration.monitoring import start_prometheus
from tests.paths import ROOT
from tests.reports import report

pytestmark = pytest.mark.integration


def recent(minutes: int = 5) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def gauge(service: Service, name: str, **labels: str) -> float | None:
    samples = metric_samples(httpx.get(f"{service.url}/metrics", timeout=10).text)
    return sample(samples, name, **labels)


def firing(prometheus: str, alertname: str) -> list[dict[str, Any]]:
    alerts = httpx.get(f"{prometheus}/api/v1/alerts", timeout=10).json()["data"]["alerts"]
    return [a for a in alerts if a["labels"]["alertname"] == alertname and a["state"] == "firing"]


def test_a_full_state_directory_stalls_the_follower_loudly_and_it_recovers(
    services: Services, tmp_path: Path
):
    gateway = services.start("gateway")
    state = tmp_path / "state"
    state.mkdir()
    # The record file may grow to 48 KiB: reports with 3 KB descriptions fill it after ~15.
    aggregator = services.start(
        "aggregator", file_size_limit=48 * 1024, SAFETYWATCH_STATE_DIR=str(state)
    )
    prometheus = start_prometheus(tmp_path, [aggregator.url], gateway.url)
    try:
        posted = 40
        for n in range(posted):
            document = report(f"520201-FULL{n}", occurred_at=recent(), description="滑" * 1000)
            assert post(gateway, document).status_code == 202
        wait_until(
            lambda: gauge(aggregator, "safetywatch_follower_up") == 0,
            30,
            "the follower to report that it is retrying",
        )
        started = time.monotonic()
        stalled = wait_until(
            lambda: firing(prometheus.url, "SafetywatchAggregatorStalled"),
            90,
            "Prometheus to fire SafetywatchAggregatorStalled",
        )
        assert time.monotonic() - started < 60
        assert stalled[0]["labels"]["instance"] == aggregator.url.removeprefix("http://")
        assert httpx.get(f"{aggregator.url}/healthz", timeout=5).status_code == 200
        assert "follower_retrying" in aggregator.log()
        assert "SAFETYWATCH_STATE_DIR" in aggregator.log()

        # Space comes back: the same process resumes and counts every report once.
        resource.prlimit(
            aggregator.process.pid,
            resource.RLIMIT_FSIZE,
            (resource.RLIM_INFINITY, resource.RLIM_INFINITY),
        )
        wait_for_outcomes(aggregator, timeout=60, applied=posted, invalid=0)
        assert gauge(aggregator, "safetywatch_follower_up") == 1
        totals = httpx.get(f"{aggregator.url}/v1/summary", timeout=10).json()["totals"]
        assert totals["incidents"] == posted
        body = httpx.get(f"{aggregator.url}/v1/incidents/520201-FULL0", timeout=10).json()
        assert body["description"] == "滑" * 1000  # written once there was room
        wait_until(
            lambda: not firing(prometheus.url, "SafetywatchAggregatorStalled"),
            90,
            "the stall alert to resolve",
        )
    finally:
        prometheus.stop()


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def _raw_request(url: str, head: bytes, chunk: int = 1 << 16) -> bytes:
    """Send a request head (possibly huge) on a raw socket; the response, or b"" if the
    server closed the connection first."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        try:
            for start in range(0, len(head), chunk):
                connection.sendall(head[start : start + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # it stopped reading: what it answered is still in the socket
        received = b""
        try:
            while data := connection.recv(65536):
                received += data
        except ConnectionResetError:
            pass
        return received


def test_request_heads_over_the_limits_get_431_and_memory_stays_bounded(services: Services):
    gateway = services.start("gateway")
    before = _rss_kib(gateway.process.pid)
    huge = b"POST /v1/incidents HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (32 << 20) + b"\r\n\r\n"
    for _ in range(10):
        answer = _raw_request(gateway.url, huge)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b"request head exceeds 16384 bytes" in answer
    grown_mib = (_rss_kib(gateway.process.pid) - before) / 1024
    assert grown_mib < 20, f"the gateway grew by {grown_mib:.0f} MiB"

    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: 1\r\n" % n for n in range(150)
    )
    answer = _raw_request(gateway.url, many + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"more than 100 header fields" in answer
    # Just under the limit is fine, and so is the next request on a kept-alive connection.
    near = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 15_000 + b"\r\n\r\n"
    assert (
        _raw_request(gateway.url, near + near.replace(b"HTTP/1.1", b"HTTP/1.0")).count(
            b"HTTP/1.1 200"
        )
        == 2
    )
    assert '"status": 431' in gateway.log().replace('"status":431', '"status": 431')


def _post_until(gateway: Service, token: str, stop: threading.Event, log: list[tuple[float, int]]):
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        n = 0
        while not stop.is_set():
            sent = time.monotonic()
            response = client.post(
                "/v1/incidents",
                json=report(f"520201-RV{id(log)}-{n}", occurred_at=recent()),
                headers={"Authorization": f"Bearer {token}"},
            )
            log.append((sent, response.status_code))
            n += 1


def test_a_revoked_token_is_refused_by_every_gateway_once_revoke_returns(services: Services):
    token = add_token(services.tokens_file, "county-520201", ["520201"])
    token_id = token.split("_")[1]
    gateways = [services.start("gateway"), services.start("gateway")]
    stop = threading.Event()
    logs: list[list[tuple[float, int]]] = [[] for _ in range(4)]
    workers = [
        threading.Thread(target=_post_until, args=(gateways[n % 2], token, stop, logs[n]))
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    wait_until(lambda: all(any(s == 202 for _, s in log) for log in logs), 30, "202s from both")
    result = subprocess.run(
        [sys.executable, "-m", "safetywatch", "tokens", "revoke", token_id],
        env={"SAFETYWATCH_TOKENS_FILE": str(services.tokens_file), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    returned = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert "every gateway reading" in result.stdout
    wait_until(lambda: all(any(t > returned for t, _ in log) for log in logs), 30, "later requests")
    stop.set()
    for worker in workers:
        worker.join()
    after = [status for log in logs for sent, status in log if sent > returned]
    assert after, "no request was sent after revoke returned"
    assert set(after) == {401}, f"{after.count(202)} of {len(after)} accepted after revoke returned"
    entries = [
        json.loads(line) for line in audit_path(services.tokens_file).read_text().splitlines()
    ]
    assert [(e["action"], e["unit"]) for e in entries][-2:] == [
        ("add", "county-520201"),
        ("revoke", "county-520201"),
    ]
    assert entries[-1]["token_id"] == token_id
    assert "@" in entries[-1]["by"]
    assert token.split("_")[2] not in audit_path(services.tokens_file).read_text()


def _refusal_lines(service: Service) -> list[dict[str, Any]]:
    lines = service.log_path.read_text(errors="replace").splitlines()
    parsed = [json.loads(line) for line in lines if line.startswith("{")]
    return [entry for entry in parsed if entry.get("event") == "request_refused"]


def test_every_refusal_is_an_audit_line_and_a_flood_is_bounded(services: Services):
    token = add_token(services.tokens_file, "county-520203", ["520203"])
    gateway = services.start(
        "gateway", SAFETYWATCH_UNIT_REPORTS_PER_SECOND="1", SAFETYWATCH_UNIT_BURST="2"
    )
    unit = {"Authorization": f"Bearer {token}"}
    wrong = {"Authorization": "Bearer sw_0123456789ab_" + "f" * 64}
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        assert client.post("/v1/incidents", json=report(), headers=wrong).status_code == 401
        assert client.post("/v1/incidents", json=report(), headers=unit).status_code == 403
        too_big = {"incident_id": "520203-X", "title": "x" * 70_000}
        assert client.post("/v1/incidents", json=too_big, headers=unit).status_code == 413
        statuses = [
            client.post("/v1/incidents", json=report("520203-R"), headers=unit).status_code
            for _ in range(3)
        ]
        assert 429 in statuses
        for _ in range(2000):
            client.post("/v1/incidents", json=report(), headers=wrong)
    lines = _refusal_lines(gateway)
    by_status = {line["status"] for line in lines}
    assert {401, 403, 413, 429} <= by_status
    first = next(line for line in lines if line["status"] == 401)
    assert first["token_id"] == "0123456789ab"
    assert first["peer"] == "127.0.0.1"
    assert next(line for line in lines if line["status"] == 403)["unit"] == "county-520203"
    assert "f" * 64 not in gateway.log_path.read_text()
    assert token.split("_")[2] not in gateway.log_path.read_text()
    # 2,000 refusals in a few seconds: the burst and the rate, not a line each.
    assert len(lines) < 500
    assert any(line.get("suppressed_before", 0) > 0 for line in lines)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"region": "５２０２"}, "region"),
        ({"region": "5301"}, "region"),
        ({"region": "52020"}, "region"),
        ({"quarter": "0000Q1"}, "quarter"),
        ({"quarter": "2026Q5"}, "quarter"),
    ],
)
def test_the_read_side_refuses_impossible_regions_and_quarters_naming_them(
    services: Services, query: dict[str, str], field: str
):
    aggregator = services.start("aggregator")
    for path in ("/v1/summary", "/v1/bulletin"):
        response = httpx.get(f"{aggregator.url}{path}", params=query, timeout=10)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["detail"]] == [field]


def test_an_unusable_state_directory_stops_start_up_naming_the_variable(
    services: Services, tmp_path: Path
):
    aggregator = services.start(
        "aggregator", wait=False, SAFETYWATCH_STATE_DIR=str(tmp_path / "missing" / "state")
    )
    assert aggregator.process.wait(timeout=60) == 2
    log = aggregator.log()
    assert "SAFETYWATCH_STATE_DIR: cannot create the record file" in log
    assert "Traceback" not in log
