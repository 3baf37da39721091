"""Checkpoints: the ledger at known partition offsets, so that a restart loads it and
replays only the tail of the log.

A checkpoint is an optimisation, never a source of truth. It lives in the replica's
own state directory, beside the record file its incidents point into (the two are
only meaningful together, which is why it is not in Kafka or an object store: a
shared checkpoint would need the record bodies too, a copy of the topic). One that is
missing, unreadable, from other code or another configuration, for another topic, or
ahead of the topic is ignored with a log line that says why, and the full replay runs.

What it holds: a JSON header (format, fingerprint, topic, offsets, the record file's
size, counts), then the counts, day indexes and pipeline state, then the incident table
a page of rows at a time (the format of the file itself: ``_checkpoint_file``). The
state directory is the aggregator's own (mode 0700); a pickle from anywhere else is
never read, and none is read before the file's checksum matched.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any

import structlog

from safetywatch.accounting import LedgerSnapshot, LedgerStorage
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.aggregator.state.checkpoint_file import (
    Unreadable,
    read_chunks,
    read_header,
    write_checkpoint,
)
from safetywatch.config import AreaConfig
from safetywatch.errors import SafetywatchError

log = structlog.get_logger("safetywatch.aggregator")

FORMAT = 4
FILE_NAME = "checkpoint.bin"


#: The code that derives what a checkpoint holds, as paths in the package: decoding and
#: bounds (events, regions), the ledger (accounting) and its compiled rows (native), the
#: grading tables read from the area file (config), reading the log (kafka) and the
#: aggregator's own reading, applying and checkpointing (follow, state, pipeline). A
#: change to any other code (the gateway, the read API, the metrics, alert rules,
#: dashboards, the CLI) leaves checkpoints valid: a restart after it replays only the tail.
STATE_SOURCES = (
    "accounting",
    "aggregator/follow",
    "aggregator/pipeline.py",
    "aggregator/state",
    "config",
    "deadlines.py",
    "errors.py",
    "events",
    "kafka",
    "native",
    "regions",
)


def code_fingerprint(package: Traversable | None = None) -> str:
    """A hash of the source that derives the state (in ``package``, this one by
    default): other code may derive other states."""
    digest = hashlib.sha256()
    root = package or resources.files("safetywatch")

    def sources(folder: Traversable, prefix: str) -> Iterator[tuple[str, bytes]]:
        for entry in folder.iterdir():
            name = prefix + entry.name
            if entry.is_dir() and entry.name != "__pycache__":
                yield from sources(entry, name + "/")
            elif name.endswith((".py", ".c", ".h")):
                yield name, entry.read_bytes()

    for name in STATE_SOURCES:
        entry = root.joinpath(*name.split("/"))
        found = (
            sorted(sources(entry, name + "/")) if entry.is_dir() else [(name, entry.read_bytes())]
        )
        for path, text in found:
            digest.update(path.encode() + b"\0" + text)
    return digest.hexdigest()


def fingerprint(area: AreaConfig, topic: str) -> str:
    """Code, the configuration the ledger depends on (time zone, local grading tables,
    reporting deadlines; not the alert rules, names or regions) and topic: a checkpoint
    from another of them is ignored."""
    grading = [table.model_dump(mode="json") for table in area.grading]
    reporting = area.reporting.model_dump(mode="json")
    configuration = json.dumps([area.time_zone, grading, reporting], sort_keys=True).encode()
    parts = (str(FORMAT).encode(), code_fingerprint().encode(), configuration, topic.encode())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


@dataclass(frozen=True, repr=False)
class Restored:
    snapshot: LedgerSnapshot
    offsets: dict[int, int]
    records_size: int
    pipeline: dict[str, Any]


class CheckpointIgnored(SafetywatchError):
    """Why a checkpoint cannot be used (the full replay runs instead)."""


def _pipeline_part(pipeline: PipelineState) -> dict[str, Any]:
    return {
        "outcomes": dict(pipeline.outcomes),
        "invalid_by_reason": dict(pipeline.invalid_by_reason),
        "invalid_records": list(pipeline.invalid_records),
    }


def restore_pipeline(
    pipeline: PipelineState, part: dict[str, Any], offsets: dict[int, int]
) -> None:
    pipeline.outcomes.update(part["outcomes"])
    pipeline.invalid_by_reason.update(part["invalid_by_reason"])
    pipeline.invalid_records.extend(part["invalid_records"])
    pipeline.next_offset.update(offsets)


class Checkpoints:
    """The checkpoint of one state directory."""

    def __init__(self, directory: Path, fingerprint: str, topic: str) -> None:
        self.path = directory / FILE_NAME
        self._fingerprint = fingerprint
        self._topic = topic

    async def save(
        self,
        snapshot: LedgerSnapshot,
        pipeline: PipelineState,
        offsets: dict[int, int],
        records_size: int,
    ) -> int:
        """Write a checkpoint; the caller holds the ledger still until this returns.
        Yields to the event loop between chunks, so the HTTP API keeps answering."""
        started = time.monotonic()
        header = {
            "format": FORMAT,
            "fingerprint": self._fingerprint,
            "topic": self._topic,
            "offsets": {str(p): o for p, o in sorted(offsets.items())},
            "records_size": records_size,
            "incidents": len(snapshot.incidents),
            "written_at": datetime.now(UTC).isoformat(),
        }
        size = await write_checkpoint(self.path, header, self._chunks(snapshot, pipeline))
        log.info(
            "checkpoint_written",
            path=str(self.path),
            incidents=len(snapshot.incidents),
            bytes=size,
            seconds=round(time.monotonic() - started, 3),
            offsets=header["offsets"],
        )
        return size

    def _chunks(self, snapshot: LedgerSnapshot, pipeline: PipelineState) -> Iterator[Any]:
        yield (
            snapshot.kind,
            snapshot.timeliness,
            snapshot.early_confirmations,
            snapshot.delivery_delays,
            _pipeline_part(pipeline),
            snapshot.by_occurred_day,
            snapshot.by_received_day,
        )
        yield from snapshot.incidents.pieces()

    async def load(self, ends: dict[int, int], storage: LedgerStorage) -> Restored:
        """The checkpoint, checked against this code, configuration and topic and the
        topic's end offsets, read into ``storage``'s tables; CheckpointIgnored saying why
        it cannot be used."""
        try:
            with open(self.path, "rb") as source:  # noqa: ASYNC230 (the local state directory)
                header = self._checked(read_header(source))
                offsets = self._offsets(header, ends)
                return await self._read(source, storage, offsets, header)
        except FileNotFoundError:
            raise CheckpointIgnored("no checkpoint yet") from None
        except Unreadable as why:
            raise CheckpointIgnored(str(why)) from None
        except OSError as error:
            raise CheckpointIgnored(f"unreadable: {error.strerror}") from None

    def _checked(self, header: dict[str, Any]) -> dict[str, Any]:
        if header.get("format") != FORMAT:
            raise CheckpointIgnored(f"format {header.get('format')}, this code reads {FORMAT}")
        if header.get("topic") != self._topic:
            raise CheckpointIgnored(f"for topic {header.get('topic')!r}, not {self._topic!r}")
        if header.get("fingerprint") != self._fingerprint:
            raise CheckpointIgnored("written by other code or another configuration")
        return header

    @staticmethod
    def _offsets(header: dict[str, Any], ends: dict[int, int]) -> dict[int, int]:
        offsets = {int(p): o for p, o in header["offsets"].items()}
        if set(offsets) != set(ends):
            raise CheckpointIgnored(
                f"its partitions {sorted(offsets)} are not the topic's {sorted(ends)}"
            )
        ahead = {p: o for p, o in offsets.items() if o > ends[p]}
        if ahead:
            raise CheckpointIgnored(
                f"ahead of the topic (partition: checkpoint offset > end) {ahead}; "
                "was the topic recreated?"
            )
        return offsets

    @staticmethod
    async def _read(
        source: IO[bytes], storage: LedgerStorage, offsets: dict[int, int], header: dict[str, Any]
    ) -> Restored:
        try:
            chunks = read_chunks(source)
            (
                kind,
                timeliness,
                early,
                delays,
                pipeline,
                by_occurred,
                by_received,
            ) = await anext(chunks)
            if kind != storage.kind:
                raise ValueError(f"it holds {kind}, this ledger keeps {storage.kind}")
            incidents = storage.incidents()
            incidents.begin(await anext(chunks))
            async for piece in chunks:  # a page at a time: never the whole file at once
                incidents.take(piece)
            incidents.end()
        except Exception as error:  # any unpickling failure: not usable
            raise CheckpointIgnored(f"cannot be read: {type(error).__name__}: {error}") from None
        snapshot = LedgerSnapshot(
            kind, incidents, by_occurred, by_received, timeliness, early, delays
        )
        return Restored(snapshot, offsets, header["records_size"], pipeline)
