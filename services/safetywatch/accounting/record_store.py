"""Where the ledger keeps the bodies of applied records (the JSON the log delivered).

The accounting reads a few fields it keeps beside each incident; the body is read
back only to show an incident or to tell a duplicate from a conflict. A province's
million bodies (more with free-text descriptions) need not live on the heap.
"""

from __future__ import annotations

from typing import Protocol


class RecordStore(Protocol):
    def append(self, raw: bytes) -> int:
        """Keep ``raw``; returns the reference that reads it back."""
        ...

    def read(self, ref: int) -> bytes: ...

    def flush(self) -> None:
        """Make what was appended durable where the store has a medium; may be retried."""
        ...


class MemoryRecordStore:
    """Bodies on the heap, every applied revision kept: for tests and small tools."""

    def __init__(self) -> None:
        self._bodies: list[bytes] = []

    def append(self, raw: bytes) -> int:
        self._bodies.append(raw)
        return len(self._bodies) - 1

    def read(self, ref: int) -> bytes:
        return self._bodies[ref]

    def flush(self) -> None:
        pass
