"""Hostile and random input against the real gateway: never a 5xx, never a crash, and
nothing refused ever reaches Kafka."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dev.stack import end_offsets, metric_samples
from tests.integration.harness import Service, Services
from tests.reports import report
from tests.strategies import json_values, mutated_reports

pytestmark = pytest.mark.integration

#: Requests hypothesis sends per strategy in CI (the README quotes them).
FUZZ_EXAMPLES = 300
ACCEPTABLE = {202, 403, 413, 415, 422, 429}


class Tally:
    def __init__(self, gateway: Service) -> None:
        self.gateway = gateway
        self.statuses: Counter[int] = Counter()
        self.accepted_in_batches = 0
        self.client = httpx.Client(
            base_url=gateway.url,
            headers={**gateway.auth, "content-type": "application/json"},
            timeout=30,
        )

    def send(self, body: bytes, path: str = "/v1/incidents") -> int:
        response = self.client.post(path, content=body)
        self.statuses[response.status_code] += 1
        if response.status_code == 200:
            self.accepted_in_batches += sum(r["status"] == 202 for r in response.json()["results"])
        return response.status_code


@pytest.fixture
def tally(services: Services):
    aggregator = services.start("aggregator")  # the unit's reads and confirmations ask it
    gateway = services.start(
        "gateway",
        SAFETYWATCH_UNIT_REPORTS_PER_SECOND="100000",
        SAFETYWATCH_UNIT_BURST="100000",
        SAFETYWATCH_AGGREGATOR_URL=aggregator.url,
    )
    counter = Tally(gateway)
    yield counter
    counter.client.close()


def test_random_bodies_never_get_a_5xx_and_only_accepted_reports_reach_kafka(
    tally: Tally, services: Services
):
    quiet = settings(
        max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
    )

    @quiet
    @given(mutated_reports())
    def mutated(document: dict[str, Any]) -> None:
        assert tally.send(json.dumps(document).encode()) in ACCEPTABLE

    @quiet
    @given(json_values)
    def arbitrary_json(value: Any) -> None:
        assert tally.send(json.dumps(value).encode()) in ACCEPTABLE

    @quiet
    @given(st.binary(max_size=300))
    def raw_bytes(body: bytes) -> None:
        assert tally.send(body) in ACCEPTABLE

    @settings(
        max_examples=FUZZ_EXAMPLES // 3, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.lists(mutated_reports() | json_values, max_size=8))
    def batches(items: list[Any]) -> None:
        status = tally.send(json.dumps({"reports": items}).encode(), "/v1/incidents:batch")
        assert status in {200, 422}

    for run in (mutated, arbitrary_json, raw_bytes, batches):
        run()
    assert tally.gateway.process.poll() is None
    assert not [s for s in tally.statuses if s >= 500]
    accepted = tally.statuses[202] + tally.accepted_in_batches
    assert accepted > 0  # the generators do reach the happy path
    assert sum(end_offsets(services.kafka, services.topic).values()) == accepted
    assert '"request_failed"' not in tally.gateway.log()  # no unexpected exception anywhere


def test_deep_nesting_long_strings_and_huge_headers_are_refused_cleanly(tally: Tally):
    assert tally.send(b"[" * 100_000 + b"]" * 100_000) == 413
    assert tally.send(b"[" * 20_000 + b"]" * 20_000) == 422
    nested = json.dumps(report(title="x" * 201)).encode()
    assert tally.send(nested) == 422
    response = httpx.post(
        f"{tally.gateway.url}/v1/incidents",
        json=report(),
        headers={**tally.gateway.auth, "X-Padding": "x" * 40_000},
    )
    assert response.status_code < 500
    assert httpx.get(f"{tally.gateway.url}/healthz").status_code == 200


def test_a_slow_body_is_cut_off_with_408(services: Services):
    gateway = services.start("gateway", SAFETYWATCH_BODY_TIMEOUT_SECONDS="1")
    host, port = gateway.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as slow:
        head = (
            f"POST /v1/incidents HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {gateway.token}\r\nContent-Length: 500\r\n\r\n"
        )
        slow.sendall(head.encode() + b'{"incident_id": ')
        started = time.monotonic()
        answer = slow.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 408"), answer
    assert time.monotonic() - started < 5
    assert "Traceback" not in answer


#: Cases schemathesis generates per API operation in CI.
SCHEMATHESIS_EXAMPLES = 100


def test_schemathesis_against_the_gateways_own_openapi_finds_no_server_error(
    services: Services, tmp_path
):
    aggregator = services.start("aggregator")  # the unit's reads and confirmations ask it
    gateway = services.start(
        "gateway",
        SAFETYWATCH_UNIT_REPORTS_PER_SECOND="100000",
        SAFETYWATCH_UNIT_BURST="100000",
        SAFETYWATCH_AGGREGATOR_URL=aggregator.url,
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{gateway.url}/openapi.json",
            "--header",
            f"Authorization: Bearer {gateway.token}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            str(SCHEMATHESIS_EXAMPLES),
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    generated = re.search(r"(\d+) generated", result.stdout)
    assert generated is not None
    assert int(generated[1]) >= SCHEMATHESIS_EXAMPLES
    print(f"\nschemathesis: {generated[0]} test cases, no server error")
    samples = metric_samples(httpx.get(f"{gateway.url}/metrics").text)
    accepted = sum(
        v
        for (name, _), v in samples.items()
        if name == "safetywatch_gateway_reports_accepted_total"
    )
    assert sum(end_offsets(services.kafka, services.topic).values()) == accepted
