"""Ingest: reports/s and latency at 50 concurrent clients, gateway beside the bare endpoint,
and report-to-metric latency at a steady rate."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from dev.benchmarks.services import service_env
from dev.stack import Supervised, free_port, metric_samples, sample
from safetywatch.config import KafkaConnectionSettings

COUNTIES = ("520201", "520203", "520204", "520281")
PACED_RATE = 1000


@dataclass(frozen=True)
class IngestResult:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    offered_per_second: float | None = None  # None: as fast as the clients get answers
    #: The service process's CPU time (user + system) during the load.
    cpu_seconds: float | None = None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us_per_request(self) -> float | None:
        if self.cpu_seconds is None or not self.requests:
            return None
        return self.cpu_seconds / self.requests * 1e6


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _document(n: int, tag: str) -> dict[str, object]:
    county = COUNTIES[n % 4]
    occurred = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {
        "incident_id": f"{county}-{tag}{n}",
        "revision": 1,
        "category": "road_traffic",
        "region_code": county,
        "occurred_at": occurred,
        "deaths": n % 3,
        "title": "benchmark",
    }


def start(
    command: list[str], env: dict[str, str], port: int, directory: Path, name: str
) -> Supervised:
    """Start a service and wait until it is ready: /readyz for ours (the gateway's says
    its producer reaches Kafka), /openapi.json for the bare endpoint, which has none."""
    process = Supervised.start(name, command, directory / f"{name}.log", env)
    path = "/openapi.json" if "uvicorn" in command else "/readyz"
    process.wait_ready(f"http://127.0.0.1:{port}{path}", timeout=600)
    return process


#: Paces the requests of each wrk thread to a schedule (LuaJIT's FFI reads the clock):
#: every response claims the thread's next slot and waits for it.
PACING = """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } sw_timespec;
int clock_gettime(int clock, sw_timespec *now);
]]
local now_struct = ffi.new("sw_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_struct)
  return tonumber(now_struct.tv_sec) * 1000 + tonumber(now_struct.tv_nsec) / 1e6
end
local next_slot = nil
delay = function()
  local now = now_ms()
  if next_slot == nil or next_slot < now - 1000 then next_slot = now end
  local slot = next_slot
  next_slot = next_slot + INTERVAL_MS
  return math.max(0, slot - now)
end
"""

WRK_SCRIPT = """
counter = 0
local counties = {"520201", "520203", "520204", "520281"}
request = function()
  counter = counter + 1
  local county = counties[counter % 4 + 1]
  local body = string.format(
    '{"incident_id":"%s-%s%d-%d","revision":1,"category":"road_traffic","region_code":"%s",'
    .. '"occurred_at":"%s","deaths":%d,"title":"benchmark"}',
    county, "TAG", math.random(1, 1000000000), counter, county, "OCCURRED", counter % 3)
  return wrk.format("POST", "/v1/incidents", HEADERS, body)
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_WRK_THREADS = 2


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def _load(
    url: str,
    token: str,
    clients: int,
    seconds: float,
    tag: str,
    name: str,
    directory: Path,
    rate: float | None = None,
    pid: int | None = None,
) -> IngestResult:
    """wrk (C, two threads) posting a distinct valid report per request: a Python load
    generator on this 2-core machine topped out below 150 requests/s by itself. With
    ``pid``, the CPU time that process spent meanwhile."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (dev/bench does it as root)")
    occurred = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    headers = (
        '{["Content-Type"] = "application/json"'
        + (f', ["Authorization"] = "Bearer {token}"' if token else "")
        + "}"
    )
    script = directory / f"wrk-{tag}.lua"
    text = WRK_SCRIPT.replace("TAG", tag).replace("OCCURRED", occurred).replace("HEADERS", headers)
    if rate is not None:
        text += PACING.replace("INTERVAL_MS", repr(_WRK_THREADS * 1000 / rate))
    script.write_text(text, "utf-8")
    cpu_before = cpu_seconds(pid) if pid else None
    result = subprocess.run(
        [
            wrk,
            f"-t{_WRK_THREADS}",
            f"-c{clients}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    output = result.stdout
    requests = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    elapsed = float(re.search(r"requests in ([\d.]+)s", output)[1])  # type: ignore[index]
    p50 = _milliseconds(re.search(r"50%\s+(\S+)", output)[1])  # type: ignore[index]
    p99 = _milliseconds(re.search(r"99%\s+(\S+)", output)[1])  # type: ignore[index]
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    cpu = cpu_seconds(pid) - cpu_before if pid and cpu_before is not None else None
    errors = int(failed[1]) if failed else 0
    return IngestResult(name, requests, elapsed, p50, p99, errors, rate, cpu)


@dataclass(frozen=True)
class IngestRounds:
    """A contender's rounds, in the order they ran (interleaved with the other's)."""

    name: str
    rounds: list[IngestResult]
    paced: IngestResult | None = None

    @property
    def median(self) -> IngestResult:
        ordered = sorted(self.rounds, key=lambda r: r.per_second)
        return ordered[len(ordered) // 2]


def ingest(
    kafka: KafkaConnectionSettings,
    topic: str,
    token_file: Path,
    token: str,
    directory: Path,
    clients: int = 50,
    seconds: float = 15,
    rounds: int = 3,
) -> list[IngestRounds]:
    """The bare endpoint and the gateway, both running, loaded in turn ``rounds`` times
    (bare, gateway, bare, gateway, …): a noisy minute costs both, not one."""
    # At INFO, as in production: the gateway writes an audit line for every report.
    env = service_env(kafka, topic, token_file, SAFETYWATCH_LOG_LEVEL="INFO")
    contenders = (
        (
            "bare endpoint: raw body to Kafka, no validation (ceiling)",
            "BARE",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "dev.benchmarks.bare_endpoint:app",
                "--log-level",
                "warning",
            ],
            "",
        ),
        ("safetywatch gateway", "GW", [sys.executable, "-m", "safetywatch", "gateway"], token),
    )
    running: list[tuple[str, str, str, Supervised, str]] = []
    try:
        for name, tag, command, auth in contenders:
            port = free_port()
            full = [*command, "--port", str(port)] if "uvicorn" in command else command
            process = start(
                full,
                {**env, "SAFETYWATCH_GATEWAY_PORT": str(port)},
                port,
                directory,
                name.split(":")[0].replace(" ", "-"),
            )
            running.append((name, tag, auth, process, f"http://127.0.0.1:{port}"))
        measured: dict[str, list[IngestResult]] = {name: [] for name, *_ in running}
        for round_number in range(rounds):
            for name, tag, auth, process, url in running:
                label = f"{tag}{round_number}"
                pid = process.process.pid
                result = _load(url, auth, clients, seconds, label, name, directory, pid=pid)
                measured[name].append(result)
                print(
                    f"bench: ingest round {round_number + 1}/{rounds}: {name.split(':')[0]} "
                    f"{result.per_second:,.0f}/s, p99 {result.p99_ms:.1f} ms, "
                    f"{result.cpu_us_per_request:.0f} µs of CPU a request",
                    flush=True,
                )
        results = []
        for name, tag, auth, _, url in running:
            paced = None
            if auth:
                # The target as a service level: p99 at 1,000 reports/s offered by 50 clients.
                label = f"{name}, paced to {PACED_RATE:,}/s"
                paced = _load(url, auth, clients, seconds, f"{tag}P", label, directory, PACED_RATE)
            results.append(IngestRounds(name, measured[name], paced))
        return results
    finally:
        for _, _, _, process, _ in running:
            process.stop()


#: The watcher asks for the one counter it reads: the full exposition of a province's
#: state (a thousand alert series) costs both sides tens of milliseconds per poll.
_APPLIED_ONLY = {"name[]": "safetywatch_records_total"}


async def _steady(
    gateway: str, aggregator: str, token: str, rate: float, seconds: float
) -> list[float]:
    """Post at ``rate``/s; scrape /metrics every 20 ms; the k-th acknowledged report is
    visible once the applied count reaches the k-th. Returns latencies in seconds."""
    acknowledged: list[float] = []
    visible: list[float] = []
    done = asyncio.Event()
    async with httpx.AsyncClient(timeout=30) as client:
        base = (
            sample(
                metric_samples(
                    (await client.get(f"{aggregator}/metrics", params=_APPLIED_ONLY)).text
                ),
                "safetywatch_records_total",
                outcome="applied",
            )
            or 0
        )

        async def watch() -> None:
            while not done.is_set() or len(visible) < len(acknowledged):
                text = (await client.get(f"{aggregator}/metrics", params=_APPLIED_ONLY)).text
                applied = (
                    sample(metric_samples(text), "safetywatch_records_total", outcome="applied")
                    or 0
                ) - base
                now = time.perf_counter()
                while len(visible) < min(applied, len(acknowledged)):
                    visible.append(now)
                await asyncio.sleep(0.02)

        run = uuid.uuid4().hex[:6]  # ids new to the topic, also when it is reused

        async def post(n: int) -> None:
            response = await client.post(
                f"{gateway}/v1/incidents",
                json=_document(n, f"L{run}-"),
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code == 202:
                acknowledged.append(time.perf_counter())

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        tasks = []
        for n in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(post(n)))
        await asyncio.gather(*tasks)
        done.set()
        await asyncio.wait_for(watcher, 60)
    acknowledged.sort()
    return [v - a for a, v in zip(acknowledged, visible, strict=False)]


def report_to_metric(
    gateway: str, aggregator: str, token: str, rate: float = 200, seconds: float = 20
) -> dict[str, float]:
    latencies = sorted(asyncio.run(_steady(gateway, aggregator, token, rate, seconds)))
    return {
        "rate_per_s": rate,
        "reports": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
    }
