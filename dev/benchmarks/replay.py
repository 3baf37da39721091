"""Replay: the aggregator rebuilding its state from the topic, beside a bare consumer
(the ceiling) and the same accounting written as a Quix Streams application (the peer)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from dev.benchmarks.services import service_env
from dev.stack import Supervised, free_port
from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka import open_log


@dataclass(frozen=True)
class Scrape:
    series: int
    seconds: float
    bytes: int


@dataclass(frozen=True)
class ReplayResult:
    name: str
    records: int
    seconds: float
    peak_rss_mib: float | None = None
    start_to_ready_s: float | None = None
    scrape: Scrape | None = None
    #: Resident memory when ready, before anything was asked of it (what it holds), and
    #: the incidents it holds.
    ready_rss_mib: float | None = None
    incidents: int | None = None

    @property
    def per_second(self) -> float:
        return self.records / self.seconds


def peak_rss_mib(pid: int, field: str = "VmHWM") -> float:
    """The process's peak resident memory (VmHWM), or another such field (VmRSS: now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for {pid}")


async def _bare(kafka: KafkaConnectionSettings, topic: str) -> tuple[int, float]:
    # The same consumer and fetch sizes as the aggregator's, positioned the same way.
    reader = await open_log(kafka, topic, client_id="bench-bare")
    try:
        consumer, total = reader.consumer, reader.records
        started = time.perf_counter()
        seen = 0
        decode = json.loads
        while seen < total:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for messages in batches.values():
                for message in messages:
                    decode(message.value)
                seen += len(messages)
        return seen, time.perf_counter() - started
    finally:
        await reader.close()


def bare_consumer(kafka: KafkaConnectionSettings, topic: str) -> ReplayResult:
    """The ceiling: read every record and JSON-decode it, nothing else. It runs inside
    the benchmark's own process, so it has no peak RSS of its own to report."""
    records, seconds = asyncio.run(_bare(kafka, topic))
    return ReplayResult("bare aiokafka consumer + json.loads (ceiling)", records, seconds)


def aggregator(
    kafka: KafkaConnectionSettings,
    topic: str,
    records: int,
    directory: Path,
    label: str = "safetywatch aggregator",
    **settings: str,
) -> ReplayResult:
    """Start the real aggregator process and time it from start to ready."""
    port = free_port()
    env = service_env(kafka, topic, None, SAFETYWATCH_AGGREGATOR_PORT=str(port), **settings)
    started = time.perf_counter()
    process = Supervised.start(
        "aggregator",
        [sys.executable, "-m", "safetywatch", "aggregator"],
        directory / f"aggregator-{port}.log",
        env,
    )
    try:
        # Polled every 50 ms (not wait_ready's 200 ms): the time to ready is the result.
        process.wait_ready(f"http://127.0.0.1:{port}/readyz", timeout=3600, interval=0.05)
        start_to_ready = time.perf_counter() - started
        pid = process.process.pid
        held_rss = peak_rss_mib(pid, "VmRSS")
        status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()
        replay = float(str(status["replay_seconds"]))
        scrape = metrics_scrape(f"http://127.0.0.1:{port}/metrics")
        return ReplayResult(
            label,
            records,
            replay,
            peak_rss_mib(pid),
            start_to_ready,
            scrape,
            held_rss,
            int(status["incidents"]),
        )
    finally:
        process.stop(timeout=600)  # a checkpoint at shutdown may take a while at scale


def metrics_scrape(url: str) -> Scrape:
    """Series in one /metrics answer and how long it took (best of three)."""
    best, text = float("inf"), ""
    for _ in range(3):
        started = time.perf_counter()
        text = httpx.get(url, timeout=120).text
        best = min(best, time.perf_counter() - started)
    series = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
    return Scrape(series, round(best, 3), len(text))


def quix_peer(bootstrap: str, topic: str, records: int, directory: Path) -> ReplayResult:
    """The peer, in its own process so that its memory is its own (on a PLAINTEXT
    broker: the benchmark's own)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dev.benchmarks.quix_peer",
            bootstrap,
            topic,
            str(records),
            str(directory / "quix-state"),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the Quix Streams peer failed:\n{result.stderr[-3000:]}")
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return ReplayResult(
        "Quix Streams 3 app, RocksDB state store (peer)",
        records,
        measured["seconds"],
        measured["peak_rss_mib"],
    )
