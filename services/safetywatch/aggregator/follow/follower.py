"""Reads every partition from the beginning, then follows the tail (contract §1).

Manual assignment, no consumer group and no committed offsets: the aggregator's
state is a function of the log alone, so any number of replicas agree.

Three kinds of trouble, three answers:
- a record that cannot be decoded or applied is isolated (listed, counted, logged)
  and the follower goes on: one record never stops the count;
- a retriable error (broker gone, state directory full) is retried with backoff until
  its cause goes away, with ``follower_up`` at 0 meanwhile so Prometheus sees it;
- anything else ends the follower, and the process with it (crash-only: a supervisor
  restarts it, and the replay rebuilds the state).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from safetywatch.accounting import Ledger, RecordStore
from safetywatch.aggregator.follow.applier import RecordApplier
from safetywatch.aggregator.follow.lag_monitor import monitor_lag, note_ends
from safetywatch.aggregator.follow.replay_reader import ReadBatch, ReaderPlan, read_beside
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.aggregator.state.keeper import CheckpointKeeper
from safetywatch.errors import SafetywatchError
from safetywatch.kafka import KafkaConnection, is_retriable, open_log

log = structlog.get_logger("safetywatch.aggregator")


#: Records applied between two chances for the HTTP server to answer (~30 ms of work).
FETCH_MAX_RECORDS = 2_000

#: What the follower reads of each partition itself while the replay's reader process
#: starts (at most a tenth of the partition's share): 6 partitions' 5,000 take about the
#: third of a second the process takes to send its first batch.
HEAD_RECORDS = 5_000

#: Backoff while retrying a retriable error: first wait, longest wait.
FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 15.0


class LogFollower:
    def __init__(
        self,
        connection: KafkaConnection,
        topic: str,
        ledger: Ledger,
        pipeline: PipelineState,
        store: RecordStore,
        *,
        startup_timeout: float = 60.0,
        after_batch: Callable[[], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        keeper: CheckpointKeeper | None = None,
        checkpoint_every: float = 0.0,
        reader: ReaderPlan | None = None,
    ) -> None:
        self._connection = connection
        self._topic = topic
        self._ledger = ledger
        self._pipeline = pipeline
        self._store = store
        self._startup_timeout = startup_timeout
        self._after_batch = after_batch
        self._on_failure = on_failure
        self._keeper = keeper
        self._checkpoint_every = checkpoint_every
        self._reader = reader
        #: Held while a fetched batch is applied, and while a checkpoint is written: a
        #: checkpoint is the ledger between two batches, at the offsets after the first.
        self._applying = asyncio.Lock()
        self._applier = RecordApplier(ledger, pipeline)
        self._consumer: AIOKafkaConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.caught_up = asyncio.Event()

    async def start(self, stack: AsyncExitStack) -> None:
        reader = await open_log(
            self._connection,
            self._topic,
            client_id="safetywatch-aggregator",
            startup_timeout=self._startup_timeout,
        )
        self._consumer = reader.consumer
        stack.push_async_callback(self._stop)
        for tp, offset in reader.beginnings.items():
            self._pipeline.next_offset[tp.partition] = offset
        if self._keeper is not None:
            gc.disable()  # loading a checkpoint allocates what the replay would (see _follow)
            ends = {tp.partition: end for tp, end in reader.ends.items()}
            resumed = await self._keeper.resume(ends)
            for tp in reader.partitions:
                if resumed is not None:
                    reader.consumer.seek(tp, resumed[tp.partition])
        note_ends(self._pipeline, reader.ends)
        next_offset = self._pipeline.next_offset
        log.info(
            "replay_started",
            topic=self._topic,
            partitions=len(reader.partitions),
            records_to_replay=sum(e - next_offset[tp.partition] for tp, e in reader.ends.items()),
        )
        works = [
            self._follow(reader.consumer, reader.ends),
            monitor_lag(reader.consumer, reader.partitions, self._pipeline),
        ]
        if self._keeper is not None and self._checkpoint_every > 0:
            works.append(self._checkpoint_regularly())
        for work in works:
            task = asyncio.create_task(work)
            task.add_done_callback(self._on_exit)
            self._tasks.append(task)

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._pipeline.failure is None:
            await self.checkpoint()  # a restart after a deploy starts from here
        if self._consumer is not None:
            await self._consumer.stop()

    def _on_exit(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        assert error is not None
        self._pipeline.failure = repr(error)
        self._pipeline.stalled(repr(error))
        log.error("follower_failed", error=self._pipeline.failure, exc_info=error)
        if self._on_failure is not None:
            self._on_failure(error)

    async def _retry(self, error: BaseException, attempt: Callable[[], object]) -> None:
        """Call ``attempt`` until it succeeds; only retriable errors are waited out."""
        delay = FIRST_RETRY_SECONDS
        while True:
            if not is_retriable(error):
                raise error
            self._pipeline.stalled(str(error))
            log.warning("follower_retrying", error=str(error), retry_in_s=delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)
            try:
                attempt()
            except (SafetywatchError, KafkaError) as again:
                error = again
                continue
            self._pipeline.resumed()
            log.info("follower_resumed")
            return

    async def _poll(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, list[Any]]:
        while True:
            try:
                batches = await consumer.getmany(timeout_ms=500, max_records=FETCH_MAX_RECORDS)
            except KafkaError as error:
                if not error.retriable:
                    raise
                self._pipeline.stalled(str(error))
                log.warning("follower_retrying", error=str(error), retry_in_s=FIRST_RETRY_SECONDS)
                await asyncio.sleep(FIRST_RETRY_SECONDS)
                continue
            if not self._pipeline.follower_up:
                self._pipeline.resumed()
            self._pipeline.polled()
            return batches  # type: ignore[no-any-return]  # aiokafka is untyped

    async def _follow(self, consumer: AIOKafkaConsumer, targets: dict[TopicPartition, int]) -> None:
        started = time.monotonic()
        # The replay allocates millions of objects that all live on: the cyclic
        # collector would rescan an ever larger heap for nothing. Paused until caught up.
        gc.disable()
        next_offset = self._pipeline.next_offset
        pending = {tp: end for tp, end in targets.items() if end > next_offset[tp.partition]}
        to_read = sum(end - next_offset[tp.partition] for tp, end in pending.items())
        if self._reader is not None and self._reader.wanted(to_read):
            await self._replay_beside_reader(consumer, pending, self._reader)
            await self._check_caught_up(consumer, pending, started)
        elif not pending:
            self._mark_caught_up(started)
        while True:
            batches = await self._poll(consumer)
            async with self._applying:
                await self._apply_batches(batches)
            if pending:
                await self._check_caught_up(consumer, pending, started)
            # Alerts follow every applied batch once the numbers are complete.
            if batches and self._pipeline.replay_complete and self._after_batch is not None:
                self._after_batch()

    async def _replay_beside_reader(
        self, consumer: AIOKafkaConsumer, pending: dict[TopicPartition, int], plan: ReaderPlan
    ) -> None:
        """The replay with a second process fetching and checking (see _replay_reader);
        the consumer reads the first records itself while that process starts, and then
        reads on from wherever the reader got to."""
        next_offset = self._pipeline.next_offset
        heads = {
            tp.partition: next_offset[tp.partition]
            + min(HEAD_RECORDS, (end - next_offset[tp.partition]) // 10)
            for tp, end in pending.items()
        }
        await read_beside(
            self._connection,
            self._topic,
            pending,
            heads,
            plan,
            self._apply_read,
            partial(self._read_head, consumer, heads),
        )
        for tp in pending:
            consumer.seek(tp, next_offset[tp.partition])
        consumer.resume(*consumer.assignment())  # _read_head paused them

    async def _read_head(self, consumer: AIOKafkaConsumer, heads: dict[int, int]) -> int:
        """Apply each partition's records before its ``heads`` offset (where the reader
        starts), then pause it; returns how many were read. Every other partition is
        paused first: nothing is polled that this does not apply."""
        next_offset, started = self._pipeline.next_offset, sum(self._pipeline.next_offset.values())
        assigned = consumer.assignment()
        reading = {tp for tp in assigned if next_offset[tp.partition] < heads.get(tp.partition, 0)}
        consumer.pause(*(assigned - reading))
        while reading:
            for tp, messages in (await self._poll(consumer)).items():
                if tp not in reading:
                    continue
                head = [m for m in messages if m.offset < heads[tp.partition]]
                if head:
                    await self._apply_read(ReadBatch.unvouched(tp.partition, head))
                # Past the head (offsets may skip, at a transaction's marker): paused.
                if len(head) < len(messages) or next_offset[tp.partition] >= heads[tp.partition]:
                    reading.discard(tp)
                    consumer.pause(tp)
        return sum(next_offset.values()) - started

    async def _apply_read(self, batch: ReadBatch) -> None:
        self._pipeline.polled()
        async with self._applying:
            await self._apply_batch(batch)
            await self._persist()

    async def _apply_batches(self, batches: dict[TopicPartition, list[Any]]) -> None:
        for tp, messages in batches.items():
            await self._apply_batch(ReadBatch.unvouched(tp.partition, messages))
        if batches:
            await self._persist()

    async def _apply_batch(self, batch: ReadBatch) -> None:
        """One partition's records in log order; a retriable error is waited out at its
        record, then the rest follow."""
        applier, done = self._applier, 0
        while done < len(batch.offsets):
            done, error = applier.handle_batch(batch, done)
            if error is not None:
                record = batch.record(done)
                await self._retry(error, partial(applier.handle, batch.partition, *record))
                done += 1
        if batch.offsets:
            self._pipeline.next_offset[batch.partition] = batch.offsets[-1] + 1
        # Applying is synchronous: let /metrics, /healthz and /readyz answer
        # between partitions, also during a long replay.
        await asyncio.sleep(0)

    async def checkpoint(self) -> None:
        """Write a checkpoint if the ledger moved since the last one (once caught up:
        a checkpoint of part of the log would only be overtaken)."""
        keeper = self._keeper
        if keeper is None or not self._pipeline.replay_complete or not keeper.changed:
            return
        async with self._applying:
            try:
                await keeper.save()
            except OSError as error:  # a full disk: the next one may succeed
                log.warning("checkpoint_failed", error=f"{type(error).__name__}: {error}")

    async def _checkpoint_regularly(self) -> None:
        while True:
            await asyncio.sleep(self._checkpoint_every)
            await self.checkpoint()

    async def _persist(self) -> None:
        try:
            self._store.flush()
        except SafetywatchError as error:
            await self._retry(error, self._store.flush)

    async def _check_caught_up(
        self,
        consumer: AIOKafkaConsumer,
        pending: dict[TopicPartition, int],
        started: float,
    ) -> None:
        for tp in list(pending):
            if await consumer.position(tp) >= pending[tp]:
                del pending[tp]
        if not pending:
            self._mark_caught_up(started)

    def _mark_caught_up(self, started: float) -> None:
        seconds = time.monotonic() - started
        gc.freeze()  # what the replay built stays: keep it out of every later collection
        gc.enable()
        _return_freed_memory()
        self._pipeline.replay_complete = True
        self._pipeline.replay_seconds = seconds
        self.caught_up.set()
        if self._keeper is not None:  # what the replay read is not read again next time
            self._tasks.append(asyncio.get_running_loop().create_task(self.checkpoint()))
        if self._after_batch is not None:
            self._after_batch()
        log.info(
            "replay_complete",
            seconds=round(seconds, 3),
            incidents=len(self._ledger),
            **dict(self._pipeline.outcomes),
        )

    def handle(self, partition: int, offset: int, key: bytes | None, value: bytes | None) -> None:
        self._applier.handle(partition, offset, key, value)


def _return_freed_memory() -> None:
    """Give what the replay freed back to the system. glibc keeps freed heap memory for
    reuse, and the replay's batches (megabytes each, allocated and freed by the
    hundred) leave about 10 MiB of it behind a million records (docs/performance.md)."""
    libc = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(libc), "malloc_trim", None) if libc else None
    if trim is not None:  # glibc only: another C library returns memory its own way
        trim(0)
