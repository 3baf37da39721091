"""Writes records to Kafka durably: acks=all, idempotent, one record per call, and a new
producer when the old one's idempotence state is lost."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    KafkaError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    TopicAuthorizationFailedError,
    UnknownProducerId,
)

from safetywatch.deadlines import bounded
from safetywatch.kafka.connection import KafkaConnection, client_options
from safetywatch.kafka.errors import BrokerUnavailable

log = structlog.get_logger("safetywatch.kafka")


#: After these the producer's idempotence state (producer id and sequence numbers) no
#: longer matches the broker's — typically batches that expired during an outage left
#: a gap — and every later send fails the same way: only a new producer recovers.
PRODUCER_STATE_LOST = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    ProducerFenced,
)


@dataclass(frozen=True, slots=True)
class Receipt:
    partition: int
    offset: int


class DurableProducer:
    """Producer lifecycle: connects in the background, so the gateway starts (unready)
    while Kafka is down and becomes ready once the broker answers."""

    def __init__(self, connection: KafkaConnection, topic: str, timeout_seconds: float) -> None:
        self._connection = connection
        self._topic = topic
        self._timeout = timeout_seconds
        self._producer: AIOKafkaProducer | None = None
        self._connector: asyncio.Task[None] | None = None

    async def start(self, stack: AsyncExitStack) -> None:
        self._connector = asyncio.create_task(self._connect_until_started())
        stack.push_async_callback(self._close)

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            **client_options(self._connection),
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
            request_timeout_ms=int(self._timeout * 1000),
            retry_backoff_ms=200,
            client_id="safetywatch-gateway",
        )

    async def _connect_until_started(self) -> None:
        delay = 0.5
        while True:
            producer = self._new_producer()
            try:
                await producer.start()
            except KafkaError as error:
                log.warning(
                    "kafka_unreachable",
                    bootstrap=self._connection.bootstrap,
                    error=str(error),
                    retry_in_s=delay,
                )
                await producer.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            self._producer = producer
            log.info("producer_started", bootstrap=self._connection.bootstrap, topic=self._topic)
            return

    async def _close(self) -> None:
        if self._connector is not None:
            self._connector.cancel()
        if self._producer is not None:
            await self._producer.stop()
            log.info("producer_stopped")

    def _replace(self, broken: AIOKafkaProducer, error: KafkaError) -> None:
        to_stop: AIOKafkaProducer = broken
        if self._producer is not broken:
            return  # another request already replaced it
        self._producer = None
        log.warning("producer_replaced", reason=repr(error))

        async def replace() -> None:
            await to_stop.stop()
            await self._connect_until_started()

        self._connector = asyncio.create_task(replace())

    async def publish(self, key: bytes, value: bytes) -> Receipt:
        """Resolve once the broker acknowledged the record; BrokerUnavailable otherwise."""
        producer = self._producer
        if producer is None:
            raise BrokerUnavailable("not connected to Kafka yet")
        try:
            # One deadline for the append and the acknowledgement, kept by the loop's
            # watcher (wait_for spawned a task per await).
            metadata = await bounded(self._sent(producer, key, value), self._timeout)
        except (KafkaError, TimeoutError) as error:
            if isinstance(error, PRODUCER_STATE_LOST):
                self._replace(producer, error)
            if isinstance(error, TopicAuthorizationFailedError | ClusterAuthorizationFailedError):
                # Not the broker's absence: an administrator must grant WRITE on the topic.
                log.error(
                    "kafka_write_refused",
                    principal=self._connection.principal,
                    topic=self._topic,
                    reason="no ACL allows this principal to write the topic",
                )
            raise BrokerUnavailable(f"Kafka did not acknowledge the write: {error!r}") from error
        return Receipt(partition=metadata.partition, offset=metadata.offset)

    async def _sent(self, producer: AIOKafkaProducer, key: bytes, value: bytes) -> Any:
        delivery = await producer.send(self._topic, value, key=key)
        # Shielded: a late acknowledgement must still resolve aiokafka's own future.
        return await asyncio.shield(delivery)

    async def reachable(self, within_seconds: float = 2.0) -> bool:
        """True when the broker answers a metadata request that lists our topic."""
        producer = self._producer
        if producer is None:
            return False
        try:
            cluster = await asyncio.wait_for(producer.client.fetch_all_metadata(), within_seconds)
        except (KafkaError, TimeoutError, OSError):
            return False
        return cluster is not None and self._topic in cluster.topics()
