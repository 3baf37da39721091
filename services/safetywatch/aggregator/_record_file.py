"""Record bodies in an unlinked temporary file: the page cache holds them, not the heap.

Rebuilt with the state at every start (nothing to recover, nothing left behind even
after a SIGKILL: the file has no name). Superseded revisions stay in it, so it grows
like the topic: about 0.5 GB for a million realistic records.

Appends collect in memory and are written by ``flush`` (the follower calls it after
every fetched batch). A write the directory refuses (disk full) raises
``StateUnavailable`` and keeps the bytes, so the same flush can be tried again once
there is room: a full disk stalls the follower loudly and never loses a body.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from safetywatch.errors import StateUnavailable

#: A reference packs the offset above the length; a record is at most 256 KiB.
_LENGTH_BITS = 20
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1

#: Appends beyond this wait for a successful flush (memory stays bounded on a full disk).
MAX_PENDING_BYTES = 64 << 20


class RecordFile:
    def __init__(self, directory: Path | None = None, max_pending: int = MAX_PENDING_BYTES) -> None:
        descriptor, path = tempfile.mkstemp(prefix="safetywatch-records-", dir=directory)
        os.unlink(path)
        self._fd = descriptor
        self._written = 0
        self._pending = bytearray()
        self._max_pending = max_pending

    def append(self, raw: bytes) -> int:
        if len(raw) > _LENGTH_MASK:
            raise ValueError(f"a record of {len(raw)} bytes is over the store's limit")
        if len(self._pending) >= self._max_pending:
            self.flush()  # raises before anything is appended when the disk is full
        ref = (self._written + len(self._pending)) << _LENGTH_BITS | len(raw)
        self._pending += raw
        return ref

    def flush(self) -> None:
        """Write what was appended; StateUnavailable (retriable) when the directory refuses."""
        while self._pending:
            try:
                written = os.pwrite(self._fd, self._pending, self._written)
            except OSError as error:
                name = errno.errorcode.get(error.errno or 0, "error")
                raise StateUnavailable(
                    f"SAFETYWATCH_STATE_DIR: writing the record file failed ({name}: "
                    f"{error.strerror}); {len(self._pending)} bytes wait in memory"
                ) from error
            self._written += written
            del self._pending[:written]

    def read(self, ref: int) -> bytes:
        offset, length = ref >> _LENGTH_BITS, ref & _LENGTH_MASK
        on_disk = max(0, min(length, self._written - offset))
        try:
            head = os.pread(self._fd, on_disk, offset) if on_disk else b""
        except OSError as error:
            raise StateUnavailable(
                f"SAFETYWATCH_STATE_DIR: reading the record file failed: {error.strerror}"
            ) from error
        start = max(0, offset - self._written)
        return head + bytes(self._pending[start : start + length - on_disk])

    @property
    def size(self) -> int:
        return self._written + len(self._pending)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def close(self) -> None:
        os.close(self._fd)
