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
from aiokafka import AIOKafkaConsumer, TopicPartition
from tests.polling import wait_until

from benchmarks._services import service_env


@dataclass(frozen=True)
class ReplayResult:
    name: str
    records: int
    seconds: float
    peak_rss_mib: float | None = None
    start_to_ready_s: float | None = None

    @property
    def per_second(self) -> float:
        return self.records / self.seconds


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


async def _bare(bootstrap: str, topic: str) -> tuple[int, float]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 << 20,
        fetch_max_bytes=32 << 20,
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        partitions = [TopicPartition(topic, n) for n in sorted(cluster.partitions_for_topic(topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        total = sum(ends.values())
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
        await consumer.stop()


def bare_consumer(bootstrap: str, topic: str) -> ReplayResult:
    """The ceiling: read every record and JSON-decode it, nothing else. It runs inside
    the benchmark's own process, so it has no peak RSS of its own to report."""
    records, seconds = asyncio.run(_bare(bootstrap, topic))
    return ReplayResult("bare aiokafka consumer + json.loads (ceiling)", records, seconds)


def aggregator(
    bootstrap: str, topic: str, records: int, directory: Path, label: str = "safetywatch aggregator"
) -> ReplayResult:
    """Start the real aggregator process and time it from start to ready."""
    from tests.integration.harness import free_port

    port = free_port()
    env = service_env(bootstrap, topic, SAFETYWATCH_AGGREGATOR_PORT=str(port))
    log = (directory / f"aggregator-{port}.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "safetywatch", "aggregator"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def ready() -> dict[str, object] | None:
            if process.poll() is not None:
                raise RuntimeError(f"the aggregator exited: see {log.name}")
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
            except httpx.TransportError:
                return None
            return response.json() if response.status_code == 200 else None

        status = wait_until(ready, 1800, "the aggregator's replay", interval=0.05)
        start_to_ready = time.perf_counter() - started
        replay = float(str(status["replay_seconds"]))
        return ReplayResult(label, records, replay, peak_rss_mib(process.pid), start_to_ready)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def quix_peer(bootstrap: str, topic: str, records: int, directory: Path) -> ReplayResult:
    """The peer, in its own process so that its memory is its own."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._quix_peer",
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
