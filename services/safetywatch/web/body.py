"""Reading a request body with a size limit and a deadline (slow-loris defence)."""

from __future__ import annotations

import asyncio
import weakref

from starlette.requests import Request

from safetywatch.web.refusals import Refusal


def is_json_content_type(value: str | None) -> bool:
    media_type = (value or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def _read_at_most(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refusal(413, f"request body exceeds {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refusal(413, f"request body exceeds {limit} bytes")
    return bytes(body)


class _Deadlines:
    """The deadlines of the bodies being read on one event loop, watched by one task
    twice a second, instead of a timer armed and cancelled per request (asyncio.timeout
    was a fifth of the gateway's own work per report)."""

    #: How late a deadline may be noticed: the 408 comes within this of it.
    RESOLUTION_SECONDS = 0.5

    def __init__(self) -> None:
        self.reading: dict[asyncio.Task[object], float] = {}
        self.expired: set[asyncio.Task[object]] = set()
        self._watcher: asyncio.Task[None] | None = None

    def watch(self, task: asyncio.Task[object], deadline: float) -> None:
        self.reading[task] = deadline
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while self.reading:
            await asyncio.sleep(self.RESOLUTION_SECONDS)
            now = loop.time()
            for task, deadline in list(self.reading.items()):
                if deadline <= now:
                    del self.reading[task]
                    self.expired.add(task)
                    task.cancel()


_deadlines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Deadlines] = (
    weakref.WeakKeyDictionary()
)


async def read_json_body(request: Request, limit: int, timeout_seconds: float) -> bytes:
    """The body of a JSON request: 415 for another media type, 413 over ``limit`` bytes,
    408 when it has not arrived within ``timeout_seconds``."""
    if not is_json_content_type(request.headers.get("content-type")):
        raise Refusal(415, "Content-Type must be application/json")
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    if (deadlines := _deadlines.get(loop)) is None:
        deadlines = _deadlines[loop] = _Deadlines()
    deadlines.watch(task, loop.time() + timeout_seconds)
    try:
        return await _read_at_most(request, limit)
    except asyncio.CancelledError:
        if task not in deadlines.expired:
            raise  # cancelled for another reason: the server is stopping
        deadlines.expired.discard(task)
        task.uncancel()
        raise Refusal(408, f"the body did not arrive within {timeout_seconds:g} s") from None
    finally:
        deadlines.reading.pop(task, None)
