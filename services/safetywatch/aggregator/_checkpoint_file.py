"""The checkpoint file's format, apart from what it holds.

``SWCKPT01``, a 4-byte length and a JSON header, then chunks (an 8-byte length and a
pickle each), and a SHA-256 of everything before it. It is written to a temporary name,
synced and renamed: a crash while writing leaves the previous checkpoint. It is read in
two passes, a block at a time: the checksum over the whole file first, before anything
in it is unpickled, then each chunk (the page cache serves the second pass), so reading
a checkpoint of millions of incidents holds one chunk of it at a time besides the state.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pickle
import struct
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import IO, Any

MAGIC = b"SWCKPT01"
_HEAD = struct.Struct(">I")
_LENGTH = struct.Struct(">Q")
_DIGEST = 32
_BLOCK = 16 << 20


class Unreadable(Exception):
    """Why a file cannot be read as a checkpoint."""


async def write_checkpoint(path: Path, header: dict[str, Any], chunks: Iterable[Any]) -> int:
    """Write ``header`` and the pickled ``chunks``; returns the file's size. Yields to
    the event loop between chunks."""
    partial = path.with_suffix(".partial")
    digest = hashlib.sha256()
    # Blocking writes on purpose: the local state directory, a chunk at a time.
    with open(partial, "wb") as out:  # noqa: ASYNC230
        head = json.dumps(header).encode()
        for piece in (MAGIC, _HEAD.pack(len(head)), head):
            out.write(piece)
            digest.update(piece)
        for chunk in chunks:
            data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
            for piece in (_LENGTH.pack(len(data)), data):
                out.write(piece)
                digest.update(piece)
            await asyncio.sleep(0)
        out.write(digest.digest())
        out.flush()
        os.fsync(out.fileno())
        size = out.tell()
    os.replace(partial, path)
    _sync_directory(path.parent)
    return size


def read_header(source: IO[bytes]) -> dict[str, Any]:
    """The header of a checkpoint whose checksum matches (Unreadable otherwise)."""
    size = os.fstat(source.fileno()).st_size
    if source.read(len(MAGIC)) != MAGIC or size < len(MAGIC) + _HEAD.size + _DIGEST:
        raise Unreadable("not a checkpoint file")
    source.seek(0)
    digest, remaining = hashlib.sha256(), size - _DIGEST
    while remaining:
        block = source.read(min(remaining, _BLOCK))
        if not block:
            raise Unreadable("corrupt: shorter than it was")
        digest.update(block)
        remaining -= len(block)
    if digest.digest() != source.read(_DIGEST):
        raise Unreadable("corrupt: its checksum does not match")
    source.seek(len(MAGIC))
    (head_length,) = _HEAD.unpack(source.read(_HEAD.size))
    header: dict[str, Any] = json.loads(source.read(head_length))
    return header


async def read_chunks(source: IO[bytes]) -> AsyncIterator[Any]:
    """The unpickled chunks after the header ``read_header`` just read, one at a time."""
    end = os.fstat(source.fileno()).st_size - _DIGEST
    while source.tell() < end:
        (length,) = _LENGTH.unpack(source.read(_LENGTH.size))
        yield pickle.loads(source.read(length))
        await asyncio.sleep(0)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
