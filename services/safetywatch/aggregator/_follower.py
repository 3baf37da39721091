"""Reads every partition from the beginning, then follows the tail (SPEC §1).

Manual assignment, no consumer group and no committed offsets: the aggregator's
state is a function of the log alone, so any number of replicas agree.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from contextlib import AsyncExitStack

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from safetywatch.accounting import Ledger, Outcome
from safetywatch.aggregator._decode import Rejection, decode_record
from safetywatch.aggregator._pipeline import InvalidRecord, PipelineState

log = structlog.get_logger("safetywatch.aggregator")


#: Records applied between two chances for the HTTP server to answer (~30 ms of work).
FETCH_MAX_RECORDS = 2_000


class TopicMissing(Exception):
    retriable = False


class LogFollower:
    def __init__(
        self,
        bootstrap: str,
        topic: str,
        ledger: Ledger,
        pipeline: PipelineState,
        *,
        startup_timeout: float = 60.0,
        after_batch: Callable[[], None] | None = None,
    ) -> None:
        self._bootstrap = bootstrap
        self._topic = topic
        self._ledger = ledger
        self._pipeline = pipeline
        self._startup_timeout = startup_timeout
        self._after_batch = after_batch
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self.caught_up = asyncio.Event()

    async def start(self, stack: AsyncExitStack) -> None:
        consumer = await self._connect()
        stack.push_async_callback(self._stop)
        partitions = await self._partitions(consumer)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        targets: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        log.info(
            "replay_started",
            topic=self._topic,
            partitions=len(partitions),
            records_to_replay=sum(targets.values()),
        )
        self._task = asyncio.create_task(self._follow(consumer, targets))
        self._task.add_done_callback(self._on_exit)

    async def _connect(self) -> AIOKafkaConsumer:
        deadline = time.monotonic() + self._startup_timeout
        while True:
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                group_id=None,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                client_id="safetywatch-aggregator",
                max_partition_fetch_bytes=4 * 1024 * 1024,
                fetch_max_bytes=32 * 1024 * 1024,
            )
            try:
                await consumer.start()
            except KafkaError as error:
                await consumer.stop()
                if time.monotonic() > deadline:
                    raise
                log.warning("kafka_unreachable", bootstrap=self._bootstrap, error=str(error))
                await asyncio.sleep(1.0)
                continue
            self._consumer = consumer
            return consumer

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        deadline = time.monotonic() + min(self._startup_timeout, 15.0)
        while True:
            # The consumer's public partitions_for_topic only reads a cache that is never
            # filled for a manually assigned, not yet assigned topic; ask the broker.
            cluster = await consumer._client.fetch_all_metadata()
            numbers = cluster.partitions_for_topic(self._topic)
            if numbers:
                return [TopicPartition(self._topic, n) for n in sorted(numbers)]
            if time.monotonic() > deadline:
                raise TopicMissing(
                    f"topic {self._topic!r} does not exist on {self._bootstrap}; "
                    "create it with 'safetywatch topic ensure'"
                )
            await asyncio.sleep(0.5)

    async def _stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._consumer is not None:
            await self._consumer.stop()

    def _on_exit(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self._pipeline.failure = repr(task.exception())
            log.error("follower_failed", error=self._pipeline.failure, exc_info=task.exception())

    async def _follow(self, consumer: AIOKafkaConsumer, targets: dict[TopicPartition, int]) -> None:
        started = time.monotonic()
        # The replay allocates millions of objects that all live on: the cyclic
        # collector would rescan an ever larger heap for nothing. Paused until caught up.
        gc.disable()
        pending = {tp: end for tp, end in targets.items() if end > 0}
        if not pending:
            self._mark_caught_up(started)
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=FETCH_MAX_RECORDS)
            for tp, messages in batches.items():
                handle = self.handle
                partition = tp.partition
                for message in messages:
                    handle(partition, message.offset, message.key, message.value)
                # Applying is synchronous: let /metrics, /healthz and /readyz answer
                # between partitions, also during a long replay.
                await asyncio.sleep(0)
            if batches or pending:
                await self._measure_lag(consumer, targets, pending, started)
            # Alerts follow every applied batch once the numbers are complete.
            if batches and self._pipeline.replay_complete and self._after_batch is not None:
                self._after_batch()

    async def _measure_lag(
        self,
        consumer: AIOKafkaConsumer,
        targets: dict[TopicPartition, int],
        pending: dict[TopicPartition, int],
        started: float,
    ) -> None:
        for tp in targets:
            position = await consumer.position(tp)
            highwater = consumer.highwater(tp)
            if highwater is not None:
                self._pipeline.lag[tp.partition] = max(0, highwater - position)
            if tp in pending and position >= pending[tp]:
                del pending[tp]
                if not pending:
                    self._mark_caught_up(started)

    def _mark_caught_up(self, started: float) -> None:
        seconds = time.monotonic() - started
        gc.freeze()  # what the replay built stays: keep it out of every later collection
        gc.enable()
        self._pipeline.replay_complete = True
        self._pipeline.replay_seconds = seconds
        self.caught_up.set()
        if self._after_batch is not None:
            self._after_batch()
        log.info(
            "replay_complete",
            seconds=round(seconds, 3),
            incidents=len(self._ledger),
            **dict(self._pipeline.outcomes),
        )

    def handle(self, partition: int, offset: int, key: bytes | None, value: bytes | None) -> None:
        """Apply one record; never raises for bad content (it is counted and listed)."""
        decoded = decode_record(key, value)
        if isinstance(decoded, Rejection):
            self._pipeline.record_invalid(
                InvalidRecord(partition, offset, decoded.reason, decoded.detail)
            )
            log.warning(
                "record_invalid",
                partition=partition,
                offset=offset,
                reason=decoded.reason.value,
                detail=decoded.detail,
            )
            return
        outcome = self._ledger.apply(decoded, value)
        pipeline = self._pipeline
        pipeline.outcomes[outcome] += 1  # a StrEnum member counts under its value
        if outcome is Outcome.APPLIED and not pipeline.replay_complete:
            # During the replay a line per record would flood the log (and even a
            # suppressed debug call cost a tenth of the time): the tail is logged.
            pipeline.last_applied_unix = time.time()
            return
        fields = {
            "incident_id": decoded.incident_id,
            "revision": decoded.revision,
            "partition": partition,
            "offset": offset,
            "unit": decoded.unit_id,
            "outcome": outcome.value,
        }
        if outcome is Outcome.APPLIED:
            self._pipeline.last_applied_unix = time.time()
            log.info("record_applied", **fields)
        elif outcome is Outcome.CONFLICT:
            log.warning("revision_conflict", **fields)
        else:
            log.info("record_ignored", **fields)
