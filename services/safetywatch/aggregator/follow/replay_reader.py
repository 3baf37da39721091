"""The replay's reader: a second process that fetches the records to replay and checks
them, while the aggregator's own process applies them (contract §1, "Replay").

Applying is the one thing that must happen in the ledger's process. Fetching and the
fast path's checks need not: on two cores they run beside the applying. The reader sends
each partition's batch as it read it — offsets, keys and the very bytes — with one flag a
record: ``passes_fast_path``. The aggregator applies the batch in log order, parsing a
flagged record without checking it again and giving any other record the whole of
``decode_record`` (so rejections, confirmations and the slow path are decided where they
always were). The flags only save work: nothing the reader says can change a count.

A reader that fails or dies leaves nothing half done: every batch is applied whole
before the follower's offsets move, and the follower reads on from there itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

import structlog
from aiokafka import TopicPartition

from safetywatch.errors import SafetywatchError
from safetywatch.events import passes_fast_path
from safetywatch.kafka import KafkaConnection, new_consumer

log = structlog.get_logger("safetywatch.kafka")

#: Records a partition's batch holds at most: large enough that sending costs next to
#: nothing a record, small enough that a batch is applied in ~30 ms.
READ_MAX_RECORDS = 4_000

#: Batches the reader may be ahead of the applying (~1.5 MB each).
AHEAD_BATCHES = 8

#: The pipe's buffer. The receiving thread needs the GIL after every read, and the
#: applying holds it for up to 5 ms at a time: with Linux's default 64 KiB a read, the
#: applying waited for records a fifth of the replay (measured), with 1 MiB hardly at all.
PIPE_BYTES = 1 << 20


@dataclass(frozen=True)
class ReaderPlan:
    """When the replay has a reader, and how the reader logs."""

    #: A replay of fewer records is read by the follower alone (starting a process
    #: costs about half a second); 0: never.
    min_records: int
    #: Called first in the reader process (to set up its logging); picklable.
    prepare: Callable[[], object] | None = None

    def wanted(self, records: int) -> bool:
        return 0 < self.min_records <= records


class ReadOrder(NamedTuple):
    """What the reader process is to read: [start, end) of each partition of a topic."""

    connection: KafkaConnection
    topic: str
    starts: dict[int, int]
    ends: dict[int, int]
    #: The aggregator's process: once it is gone, the reader stops.
    aggregator: int


class ReadBatch(NamedTuple):
    partition: int
    offsets: list[int]
    keys: list[bytes | None]
    values: list[bytes | None]
    #: One byte a record: 1 when ``passes_fast_path`` held, else 0.
    vouched: bytes

    @classmethod
    def unvouched(cls, partition: int, messages: list[Any]) -> ReadBatch:
        """aiokafka's records of one partition, none of them vouched for."""
        offsets = [message.offset for message in messages]
        keys, values = (
            [message.key for message in messages],
            [message.value for message in messages],
        )
        return cls(partition, offsets, keys, values, bytes(len(offsets)))

    def record(self, n: int) -> tuple[int, bytes | None, bytes | None]:
        """The ``n``th record: offset, key, value."""
        return self.offsets[n], self.keys[n], self.values[n]


class ReaderFailed(SafetywatchError):
    """The reader ended before reaching the ends it was given (the reason says why)."""


def _widen(pipe: Connection) -> None:
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except OSError as error:  # above fs.pipe-max-size, or the user's pipe quota spent
        log.warning("replay_reader_pipe_narrow", bytes=PIPE_BYTES, error=str(error))


class ReplayReader:
    """The aggregator's side: starts the reader process and yields its batches."""

    def __init__(self, order: ReadOrder, plan: ReaderPlan) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a running event loop
        self._receiving, sending = context.Pipe(duplex=False)
        _widen(sending)
        self._process = context.Process(
            target=run_reader,
            args=(order, sending, plan),
            name="safetywatch-replay-reader",
            daemon=True,
        )
        self._sending = sending
        self._received: queue.Queue[ReadBatch | str | None] = queue.Queue(AHEAD_BATCHES)
        self._receiver = threading.Thread(
            target=self._receive, name="safetywatch-replay-receiver", daemon=True
        )

    def start(self) -> int:
        self._process.start()
        self._sending.close()  # only the reader writes: its end, and EOF, are the reader's
        self._receiver.start()
        assert self._process.pid is not None
        return self._process.pid

    async def batches(self) -> AsyncIterator[ReadBatch]:
        """Every batch up to the ends, in the order read; ReaderFailed if it stops short."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                message = self._received.get_nowait()
            except queue.Empty:
                message = await loop.run_in_executor(None, self._received.get)
            if message is None:
                return
            if isinstance(message, str):
                raise ReaderFailed(message)
            yield message

    def _receive(self) -> None:
        """The receiving thread: batches into the queue until the reader's last word.
        The queue lets the reader run a few batches ahead, so that neither process
        waits for the other when one batch happens to take longer."""
        while True:
            try:
                message: ReadBatch | str | None = pickle.loads(self._receiving.recv_bytes())
            except (EOFError, OSError):
                self._process.join(timeout=5)
                message = f"the reader process ended early (exit code {self._process.exitcode})"
            self._received.put(message)
            if not isinstance(message, ReadBatch):
                return

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)
        while self._receiver.is_alive():  # it may wait for room to put its last word
            with contextlib.suppress(queue.Empty):
                self._received.get(timeout=0.1)
        self._receiving.close()
        # A batches() cancelled while it waited leaves an executor thread in get():
        # the end releases it (the interpreter waits for that thread at exit).
        self._received.put_nowait(None)


async def read_beside(
    connection: KafkaConnection,
    topic: str,
    pending: dict[TopicPartition, int],
    starts: dict[int, int],
    plan: ReaderPlan,
    apply: Callable[[ReadBatch], Awaitable[None]],
    head: Callable[[], Awaitable[int]] | None = None,
) -> None:
    """Replay from ``starts`` to the ``pending`` ends with a reader, ``apply``ing each
    batch; a reader that fails is logged, and what it did not send is left unread.
    ``head`` reads what lies before ``starts`` while the reader process starts (about
    a third of a second the applying would otherwise wait) and returns how many."""
    ends = {tp.partition: end for tp, end in pending.items()}
    reader = ReplayReader(ReadOrder(connection, topic, starts, ends, os.getpid()), plan)
    records = sum(end - starts[partition] for partition, end in ends.items())
    pid = reader.start()
    try:
        ahead = await head() if head is not None else 0
        log.info("replay_reader_started", pid=pid, records=records, read_ahead=ahead)
        async for batch in reader.batches():
            await apply(batch)
        log.info("replay_reader_finished", records=records)
    except ReaderFailed as failure:
        log.warning("replay_reader_failed", reason=str(failure), then="the follower reads on")
    finally:
        reader.stop()


def run_reader(order: ReadOrder, sending: Connection, plan: ReaderPlan) -> None:
    """The reader process: read the order and send it in batches, then None; a reason
    (str) instead if it cannot finish. It ends early, saying nothing, once the
    aggregator's process is gone."""
    if plan.prepare is not None:
        plan.prepare()
    last_word: str | None = None
    try:
        asyncio.run(_read(order, sending))
    except (BrokenPipeError, KeyboardInterrupt):
        return  # the aggregator is gone or stopping (^C reaches the whole group)
    except Exception as error:
        log.exception("replay_reader_error", topic=order.topic)  # the aggregator logs what follows
        last_word = f"{type(error).__name__}: {error}"
    with contextlib.suppress(BrokenPipeError):
        _send(sending, last_word)


def _send(sending: Connection, message: Any) -> None:
    sending.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


async def _read(order: ReadOrder, sending: Connection) -> None:
    consumer = new_consumer(order.connection, "safetywatch-replay-reader")
    await consumer.start()
    try:
        remaining = {
            TopicPartition(order.topic, partition): end
            for partition, end in order.ends.items()
            if end > order.starts[partition]
        }
        consumer.assign(list(remaining))
        for tp in remaining:
            consumer.seek(tp, order.starts[tp.partition])
        # A killed aggregator closes nothing it could tell us by; its end of the pipe
        # only fails the next send, which may be long in coming while the broker is away.
        while remaining and os.getppid() == order.aggregator:
            batches = await consumer.getmany(timeout_ms=500, max_records=READ_MAX_RECORDS)
            for tp, messages in batches.items():
                end = remaining.get(tp)
                if end is not None:
                    _send(sending, _checked(tp.partition, [m for m in messages if m.offset < end]))
                    if await consumer.position(tp) >= end:
                        del remaining[tp]
                        consumer.pause(tp)
    finally:
        await consumer.stop()


def _checked(partition: int, messages: list[Any]) -> ReadBatch:
    batch = ReadBatch.unvouched(partition, messages)
    return batch._replace(vouched=bytes(map(passes_fast_path, batch.keys, batch.values)))
