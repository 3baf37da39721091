"""Deadlines for the awaits every request makes (a body arriving, Kafka acknowledging),
kept by one watcher task per event loop instead of a timer armed and cancelled, or a task
spawned by ``asyncio.wait_for``, per request: under load those were a tenth of the
gateway's work per report (docs/performance.md).

The watcher looks twice a second, so a deadline is noticed within
``RESOLUTION_SECONDS`` of passing: right for deadlines of seconds, not for milliseconds.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Coroutine
from typing import TypeVar

T = TypeVar("T")

#: How late a deadline may be noticed.
RESOLUTION_SECONDS = 0.5


class _Watcher:
    """The deadlines of one event loop's tasks; cancels a task whose deadline passed."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.due: dict[asyncio.Task[object], float] = {}
        self.expired: set[asyncio.Task[object]] = set()
        self._task: asyncio.Task[None] | None = None

    def watch(self, task: asyncio.Task[object], seconds: float) -> None:
        if task in self.due:
            raise RuntimeError("a task awaits one bounded call at a time")
        self.due[task] = self._loop.time() + seconds
        if self._task is None or self._task.done():
            self._task = self._loop.create_task(self._watch())

    async def _watch(self) -> None:
        while self.due:
            await asyncio.sleep(RESOLUTION_SECONDS)
            now = self._loop.time()
            for task, deadline in list(self.due.items()):
                if deadline <= now:
                    del self.due[task]
                    self.expired.add(task)
                    task.cancel()


_watchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watcher] = (
    weakref.WeakKeyDictionary()
)


async def bounded(awaitable: Awaitable[T], seconds: float) -> T:
    """``await awaitable``, or TimeoutError once ``seconds`` have passed (and the await
    was cancelled); a cancellation from elsewhere stays a cancellation."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("bounded() runs in a task")
    if (watcher := _watchers.get(loop)) is None:
        watcher = _watchers[loop] = _Watcher(loop)
    try:
        watcher.watch(task, seconds)
    except RuntimeError:
        if isinstance(awaitable, Coroutine):
            awaitable.close()  # never to be awaited
        raise
    try:
        return await awaitable
    except asyncio.CancelledError:
        if task not in watcher.expired:
            raise
        watcher.expired.discard(task)
        task.uncancel()
        raise TimeoutError(f"not done within {seconds:g} s") from None
    finally:
        watcher.due.pop(task, None)
