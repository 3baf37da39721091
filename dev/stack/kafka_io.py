"""Writing records straight into a topic and reading a whole topic back: for tests and
benchmarks, which check what the gateway wrote and feed the aggregator histories."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from safetywatch.config import KafkaConnectionSettings
from safetywatch.kafka import client_options, open_log
from safetywatch.kafka import end_offsets as _end_offsets

Pair = tuple[bytes | None, bytes | None]


async def _produce(kafka: KafkaConnectionSettings, topic: str, records: Iterable[Pair]) -> int:
    producer = AIOKafkaProducer(
        **client_options(kafka),
        acks="all",
        enable_idempotence=True,
        linger_ms=20,
        max_batch_size=512 * 1024,
    )
    await producer.start()
    try:
        deliveries = [await producer.send(topic, value, key=key) for key, value in records]
        await asyncio.gather(*deliveries)
        return len(deliveries)
    finally:
        await producer.stop()


def produce_raw(kafka: KafkaConnectionSettings, topic: str, records: Iterable[Pair]) -> int:
    """Write records straight into the topic, bypassing the gateway; in order per key."""
    return asyncio.run(_produce(kafka, topic, records))


@dataclass(frozen=True)
class LoggedRecord:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


async def _read_topic(kafka: KafkaConnectionSettings, topic: str) -> list[LoggedRecord]:
    reader = await open_log(kafka, topic, client_id="safetywatch-test-reader")
    try:
        consumer = reader.consumer
        records: list[LoggedRecord] = []
        while any([await consumer.position(tp) < end for tp, end in reader.ends.items()]):
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for tp, messages in batches.items():
                records.extend(
                    LoggedRecord(tp.partition, m.offset, m.key, m.value) for m in messages
                )
        return records
    finally:
        await reader.close()


def read_topic(kafka: KafkaConnectionSettings, topic: str) -> list[LoggedRecord]:
    """Every record in the topic, partition by partition in offset order."""
    return asyncio.run(_read_topic(kafka, topic))


def end_offsets(kafka: KafkaConnectionSettings, topic: str) -> dict[int, int]:
    """How many records each partition of the topic holds."""
    return asyncio.run(_end_offsets(kafka, topic))


async def _leaders(kafka: KafkaConnectionSettings, topic: str) -> dict[int, int]:
    reader = await open_log(kafka, topic, client_id="safetywatch-test-metadata")
    try:
        cluster = await reader.consumer._client.fetch_all_metadata()
        return {tp.partition: cluster.leader_for_partition(tp) for tp in reader.partitions}
    finally:
        await reader.close()


def leaders(kafka: KafkaConnectionSettings, topic: str) -> dict[int, int]:
    """Partition → the node id of its leader, as the cluster says now."""
    return asyncio.run(_leaders(kafka, topic))
