"""Resuming from the state directory's checkpoint, and keeping it fresh."""

from __future__ import annotations

import asyncio

import structlog

from safetywatch.accounting import Ledger
from safetywatch.aggregator.pipeline import PipelineState
from safetywatch.aggregator.state.checkpoints import (
    CheckpointIgnored,
    Checkpoints,
    restore_pipeline,
)
from safetywatch.aggregator.state.record_file import RecordFile

log = structlog.get_logger("safetywatch.aggregator")


class CheckpointKeeper:
    """Resumes a ledger from the state directory's checkpoint, and writes new ones.

    The record file is the kept one (``records.bin``): a checkpoint names its size, and
    a resume truncates it there (a full replay, to nothing)."""

    def __init__(
        self,
        checkpoints: Checkpoints,
        records: RecordFile,
        ledger: Ledger,
        pipeline: PipelineState,
    ) -> None:
        self._checkpoints = checkpoints
        self._records = records
        self._ledger = ledger
        self._pipeline = pipeline
        self._saved_offsets: dict[int, int] | None = None

    async def resume(self, ends: dict[int, int]) -> dict[int, int] | None:
        """Restore the checkpoint and return the offsets to read on from; None (and an
        empty record file) when there is none to use, saying why."""
        try:
            restored = await self._checkpoints.load(ends, self._ledger.storage)
            if restored.records_size > self._records.size:
                raise CheckpointIgnored(
                    f"the record file holds {self._records.size} bytes, the checkpoint "
                    f"needs {restored.records_size}"
                )
        except CheckpointIgnored as why:
            log.info("checkpoint_ignored", path=str(self._checkpoints.path), reason=str(why))
            self._records.truncate(0)
            return None
        self._records.truncate(restored.records_size)
        self._ledger.restore(restored.snapshot)
        restore_pipeline(self._pipeline, restored.pipeline, restored.offsets)
        self._saved_offsets = dict(restored.offsets)
        tail = sum(ends[p] - o for p, o in restored.offsets.items())
        log.info(
            "checkpoint_loaded",
            path=str(self._checkpoints.path),
            incidents=len(restored.snapshot.incidents),
            offsets={str(p): o for p, o in sorted(restored.offsets.items())},
            records_to_replay=tail,
        )
        return restored.offsets

    @property
    def changed(self) -> bool:
        return self._pipeline.next_offset != self._saved_offsets

    async def save(self) -> None:
        """Write a checkpoint of the ledger as it stands (the caller keeps records from
        being applied meanwhile)."""
        offsets = dict(self._pipeline.next_offset)
        self._records.flush()
        # Syncing half a gigabyte takes seconds: off the event loop, which keeps serving.
        await asyncio.to_thread(self._records.sync)
        await self._checkpoints.save(
            self._ledger.snapshot(), self._pipeline, offsets, self._records.size
        )
        self._saved_offsets = offsets
