"""Reading the incidents log from its beginning: the partitions, where each begins and
ends, and a consumer assigned to all of them (manual assignment, no consumer group)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from safetywatch.kafka.connection import KafkaConnection, client_options
from safetywatch.kafka.errors import TopicMissing

log = structlog.get_logger("safetywatch.kafka")


async def partitions_of(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The topic's partitions as the broker lists them now (none if it does not exist).

    The consumer's public ``partitions_for_topic`` only reads a metadata cache that is
    never filled for a topic that is not yet assigned, so this asks the broker through
    the client, the one place aiokafka's internals are touched."""
    cluster = await consumer._client.fetch_all_metadata()
    numbers = cluster.partitions_for_topic(topic) or ()
    return [TopicPartition(topic, n) for n in sorted(numbers)]


def new_consumer(
    connection: KafkaConnection, client_id: str = "safetywatch-reader"
) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **client_options(connection),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=client_id,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        fetch_max_bytes=32 * 1024 * 1024,
    )


@dataclass
class LogReader:
    """A started consumer positioned at the beginning of every partition of the log."""

    consumer: AIOKafkaConsumer
    partitions: list[TopicPartition]
    beginnings: dict[TopicPartition, int]
    #: The end of each partition when reading began: what a replay must reach.
    ends: dict[TopicPartition, int]

    @property
    def records(self) -> int:
        return sum(self.ends[tp] - self.beginnings[tp] for tp in self.partitions)

    async def close(self) -> None:
        await self.consumer.stop()


async def _started(
    connection: KafkaConnection, client_id: str, deadline: float
) -> AIOKafkaConsumer:
    while True:
        consumer = new_consumer(connection, client_id)
        try:
            await consumer.start()
        except KafkaError as error:
            await consumer.stop()
            if time.monotonic() > deadline:
                raise
            log.warning("kafka_unreachable", bootstrap=connection.bootstrap, error=str(error))
            await asyncio.sleep(1.0)
            continue
        return consumer


async def open_log(
    connection: KafkaConnection,
    topic: str,
    *,
    client_id: str = "safetywatch-reader",
    startup_timeout: float = 60.0,
    topic_timeout: float = 15.0,
) -> LogReader:
    """Connect (retrying while the broker is unreachable) and position at the beginning.
    TopicMissing when the topic does not appear within ``topic_timeout``."""
    consumer = await _started(connection, client_id, time.monotonic() + startup_timeout)
    try:
        deadline = time.monotonic() + min(startup_timeout, topic_timeout)
        while not (partitions := await partitions_of(consumer, topic)):
            if time.monotonic() > deadline:
                raise TopicMissing(
                    f"topic {topic!r} does not exist on {connection.bootstrap}; "
                    "create it with 'safetywatch topic ensure'"
                )
            await asyncio.sleep(0.5)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        beginnings: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    except BaseException:
        await consumer.stop()
        raise
    return LogReader(consumer, partitions, beginnings, ends)


async def end_offsets(connection: KafkaConnection, topic: str) -> dict[int, int]:
    """How many records each partition of the topic holds (its end offset)."""
    consumer = new_consumer(connection, "safetywatch-offsets")
    await consumer.start()
    try:
        partitions = await partitions_of(consumer, topic)
        offsets: dict[Any, int] = await consumer.end_offsets(partitions)
        return {tp.partition: offset for tp, offset in offsets.items()}
    finally:
        await consumer.stop()
