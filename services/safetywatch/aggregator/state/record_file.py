"""Record bodies in a file: the page cache holds them, not the heap.

Without checkpoints the file is an unlinked temporary one, rebuilt with the state at
every start (nothing to recover, nothing left behind even after a SIGKILL: it has no
name). With checkpoints it is ``records.bin`` in the state directory, kept across
restarts: a checkpoint's incidents point into it, and a restart truncates it to the
size the checkpoint recorded (or to nothing, for a full replay). One aggregator per
state directory holds it (an exclusive lock). Superseded revisions stay in it, so it
grows like the topic: about 0.5 GB for a million realistic records.

Appends collect in memory and are written by ``flush`` (the follower calls it after
every fetched batch). A write the directory refuses (disk full) raises
``StateUnavailable`` and keeps the bytes, so the same flush can be tried again once
there is room: a full disk stalls the follower loudly and never loses a body.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from bisect import bisect_right
from pathlib import Path

from safetywatch.errors import SafetywatchError, StateUnavailable

#: A reference packs the offset above the length; a record is at most 256 KiB.
_LENGTH_BITS = 20
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1

#: Appends beyond this wait for a successful flush (memory stays bounded on a full disk).
MAX_PENDING_BYTES = 64 << 20


#: The kept record file's name in the state directory.
RECORDS_NAME = "records.bin"


def make_private(directory: Path) -> int | None:
    """The state directory is the aggregator's alone (it holds every report and pickled
    checkpoints): created 0700, or tightened to 0700 when an operator made it wider.
    Returns the mode it had when it was tightened, else None."""
    # Not its parents: a state directory under a path that does not exist is a mistake
    # to name (SAFETYWATCH_STATE_DIR), not to paper over.
    directory.mkdir(mode=0o700, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        directory.chmod(0o700)
        return mode
    return None


class StateDirectoryBusy(SafetywatchError):
    """Another aggregator holds the state directory's record file."""


def _kept_file(directory: Path) -> int:
    descriptor = os.open(directory / RECORDS_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise StateDirectoryBusy(
            f"{directory / RECORDS_NAME} is held by another aggregator"
        ) from None
    return descriptor


class RecordFile:
    def __init__(
        self,
        directory: Path | None = None,
        max_pending: int = MAX_PENDING_BYTES,
        *,
        keep: bool = False,
    ) -> None:
        if keep and directory is not None:
            descriptor = _kept_file(directory)
        else:
            descriptor, path = tempfile.mkstemp(prefix="safetywatch-records-", dir=directory)
            os.unlink(path)
        self.kept = keep and directory is not None
        self._fd = descriptor
        self._written = os.fstat(descriptor).st_size
        #: The bodies appended since the last flush, and their bytes. Kept as they came
        #: and joined once a flush: a bytearray emptied by every flush is grown again,
        #: copy after copy, by the next batch (a tenth of a µs a record at 1M).
        self._pending: list[bytes] = []
        #: Where each of them starts, counted from the first.
        self._starts: list[int] = []
        self._pending_bytes = 0
        self._max_pending = max_pending

    def append(self, raw: bytes) -> int:
        if len(raw) > _LENGTH_MASK:
            raise ValueError(f"a record of {len(raw)} bytes is over the store's limit")
        if self._pending_bytes >= self._max_pending:
            self.flush()  # raises before anything is appended when the disk is full
        ref = (self._written + self._pending_bytes) << _LENGTH_BITS | len(raw)
        self._pending.append(raw)
        self._starts.append(self._pending_bytes)
        self._pending_bytes += len(raw)
        return ref

    def flush(self) -> None:
        """Write what was appended; StateUnavailable (retriable) when the directory refuses."""
        if not self._pending:
            return
        pending = b"".join(self._pending)
        # One piece from here on: what a failed write leaves is tried again as it is.
        self._pending, self._starts = [pending], [0]
        done = 0
        while done < len(pending):
            try:
                written = os.pwrite(self._fd, memoryview(pending)[done:], self._written)
            except OSError as error:
                name = errno.errorcode.get(error.errno or 0, "error")
                self._pending, self._starts = [pending[done:]], [0]
                raise StateUnavailable(
                    f"SAFETYWATCH_STATE_DIR: writing the record file failed ({name}: "
                    f"{error.strerror}); {self._pending_bytes} bytes wait in memory"
                ) from error
            self._written += written
            self._pending_bytes -= written
            done += written
        self._pending, self._starts = [], []

    def read(self, ref: int) -> bytes:
        offset, length = ref >> _LENGTH_BITS, ref & _LENGTH_MASK
        on_disk = max(0, min(length, self._written - offset))
        try:
            head = os.pread(self._fd, on_disk, offset) if on_disk else b""
        except OSError as error:
            raise StateUnavailable(
                f"SAFETYWATCH_STATE_DIR: reading the record file failed: {error.strerror}"
            ) from error
        rest = length - on_disk
        if not rest:
            return head
        # The rest is in one pending piece: a body is appended whole, and a failed write
        # leaves one piece starting where the file ends.
        start = max(0, offset - self._written)
        piece = bisect_right(self._starts, start) - 1
        at = start - self._starts[piece]
        return head + self._pending[piece][at : at + rest]

    def truncate(self, size: int) -> None:
        """Keep the first ``size`` bytes (a checkpoint's), or none (a full replay)."""
        self._pending, self._starts, self._pending_bytes = [], [], 0
        os.ftruncate(self._fd, size)
        self._written = size

    def sync(self) -> None:
        """Written and on the disk: what a checkpoint about to name this size needs."""
        self.flush()
        os.fdatasync(self._fd)

    @property
    def size(self) -> int:
        return self._written + self._pending_bytes

    @property
    def pending(self) -> int:
        return self._pending_bytes

    def close(self) -> None:
        os.close(self._fd)
