"""Replay: the aggregator rebuilding its state from the topic, beside a bare consumer
(the ceiling) and the same accounting written as a Quix Streams application (the peer)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from dev.benchmarks.services import service_env
from dev.stack import (
    Supervised,
    free_port,
    metric_samples,
    produce_raw,
    realistic_records,
    sample,
    wait_until,
)
from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka import open_log


@dataclass(frozen=True)
class Scrape:
    series: int
    #: The best of three scrapes.
    seconds: float
    bytes: int
    #: The first scrape after ready (the counts' sums made from nothing).
    first_seconds: float
    #: A scrape after one new report of today was applied (its month, quarter and year
    #: summed again), when measured.
    after_report_seconds: float | None = None


@dataclass(frozen=True)
class ReplayResult:
    name: str
    records: int
    seconds: float
    peak_rss_mib: float | None = None
    start_to_ready_s: float | None = None
    scrape: Scrape | None = None
    counts_scrape: Scrape | None = None
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
    settings: Mapping[str, str] | None = None,
    *,
    after_report: bool = False,
) -> ReplayResult:
    """Start the real aggregator process and time it from start to ready; then scrape
    ``/metrics`` and ``/metrics/counts`` (``after_report``: once more after one new
    report, written into the topic, was applied)."""
    port = free_port()
    env = service_env(kafka, topic, None, SAFETYWATCH_AGGREGATOR_PORT=str(port), **(settings or {}))
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
        url = f"http://127.0.0.1:{port}"
        counts = metrics_scrape(f"{url}/metrics/counts")
        if after_report:
            counts = replace(counts, after_report_seconds=_after_a_report(kafka, topic, url))
        return ReplayResult(
            label,
            records,
            replay,
            peak_rss_mib(pid),
            start_to_ready,
            metrics_scrape(f"{url}/metrics"),
            counts,
            held_rss,
            int(status["incidents"]),
        )
    finally:
        process.stop(timeout=600)  # a checkpoint at shutdown may take a while at scale


def metrics_scrape(url: str) -> Scrape:
    """Series in one answer, how long the first took and the best of the next three."""
    took, text = [], ""
    for _ in range(4):
        started = time.perf_counter()
        text = httpx.get(url, timeout=120).text
        took.append(time.perf_counter() - started)
    series = sum(1 for line in text.splitlines() if line and not line.startswith("#"))
    return Scrape(series, round(min(took[1:]), 3), len(text), round(took[0], 3))


def _after_a_report(kafka: KafkaConnectionSettings, topic: str, url: str) -> float:
    """One report of an hour ago written into the topic; once the aggregator applied it,
    how long a ``/metrics/counts`` scrape took (its month, quarter and year move)."""
    applied = url + "/metrics?name[]=safetywatch_records_total"

    def applied_count() -> float:
        samples = metric_samples(httpx.get(applied, timeout=10).text)
        return sample(samples, "safetywatch_records_total", outcome="applied") or 0

    before = applied_count()
    now = datetime.now(UTC)
    key, value = next(realistic_records(1, tag=f"NOW{now.timestamp():.0f}-", now=now))
    document = json.loads(value)
    document.update(occurred_at=(now - timedelta(hours=1)).isoformat(), received_at=now.isoformat())
    produce_raw(kafka, topic, [(key, json.dumps(document).encode())])
    wait_until(lambda: applied_count() > before, 60, "the aggregator to apply the new report")
    started = time.perf_counter()
    httpx.get(url + "/metrics/counts", timeout=120).raise_for_status()
    return round(time.perf_counter() - started, 3)


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
