"""Request-head limits enforced on the raw bytes, whichever HTTP parser uvicorn runs.

uvicorn's ``h11_max_incomplete_event_size`` binds only its h11 parser; with httptools
(installed by ``uvicorn[standard]``) ten requests with 32 MB headers once took the
gateway from 84 to 445 MB. Counting the bytes of a request's head before the parser
sees them bounds the memory whatever the parser, and answers 431 as RFC 6585 says.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

#: Called with (peer address, reason) when a connection is refused for its head.
HeadRefusal = Callable[[str, str], None]

_END_OF_HEAD = b"\r\n\r\n"


def _response_431(reason: str) -> bytes:
    body = json.dumps({"detail": reason}).encode()
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n\r\n" + body
    )


class _HeadLimited:
    """Mixin over a uvicorn HTTP protocol: counts each request head's bytes and lines."""

    max_head_bytes: int
    max_header_lines: int
    on_refused: HeadRefusal | None
    transport: asyncio.Transport

    def _reset_head(self) -> None:
        self._in_head = True
        self._head_bytes = 0
        self._head_lines = 0
        self._tail = b""

    def _head_refusal(self, data: bytes) -> str | None:
        """Account ``data``; the reason to refuse the request, if its head is over a limit."""
        if not getattr(self, "_in_head", True):
            return None
        if not hasattr(self, "_in_head"):
            self._reset_head()
        seen = self._tail + data
        end = seen.find(_END_OF_HEAD)
        head = seen if end < 0 else seen[: end + len(_END_OF_HEAD)]
        counted = len(head) - len(self._tail)
        self._head_bytes += counted
        self._head_lines += head.count(b"\n") - self._tail.count(b"\n")
        self._tail = seen[-3:] if end < 0 else b""
        if end >= 0:
            self._in_head = False
        if self._head_bytes > self.max_head_bytes:
            return f"request head exceeds {self.max_head_bytes} bytes"
        if self._head_lines > self.max_header_lines + 2:  # request line and blank line
            return f"more than {self.max_header_lines} header fields"
        return None

    def data_received(self, data: bytes) -> None:
        reason = self._head_refusal(data)
        if reason is None:
            super().data_received(data)  # type: ignore[misc]
            return
        peer = self.transport.get_extra_info("peername")
        if self.on_refused is not None:
            self.on_refused(str(peer[0]) if peer else "unknown", reason)
        self.transport.write(_response_431(reason))
        self.transport.close()

    def on_message_complete(self) -> None:
        super().on_message_complete()  # type: ignore[misc]
        self._reset_head()  # the next bytes on this connection are the next request's head


def bounded_protocol(
    max_head_bytes: int, max_header_lines: int, on_refused: HeadRefusal | None = None
) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with the limits, or its h11 protocol where httptools is
    missing (h11 also refuses an oversized head on its own)."""
    base: Any
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:  # pragma: no cover - uvicorn[standard] installs httptools
        from uvicorn.protocols.http.h11_impl import H11Protocol as base

    limits = {
        "max_head_bytes": max_head_bytes,
        "max_header_lines": max_header_lines,
        "on_refused": staticmethod(on_refused) if on_refused else None,
    }
    protocol: type[asyncio.Protocol] = type("HeadLimitedProtocol", (_HeadLimited, base), limits)
    return protocol
