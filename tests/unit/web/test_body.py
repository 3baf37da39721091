"""Reading a body with a deadline kept by one watcher per event loop: a body that does
not arrive in time is a 408, one that does is read, and a cancellation from outside
(the server stopping) stays a cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request

from safetywatch.web import Refusal, read_json_body

HEADERS = [(b"content-type", b"application/json")]


def request(parts: list[bytes], then_wait: bool) -> Request:
    """A request whose body arrives in ``parts``, then never ends if ``then_wait``."""
    queue = list(parts)

    async def receive() -> dict[str, Any]:
        if queue:
            chunk = queue.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(queue) or then_wait}
        await asyncio.Event().wait()  # a client that sends nothing more
        raise AssertionError("unreachable")

    return Request({"type": "http", "method": "POST", "headers": HEADERS}, receive)


def test_a_body_that_arrives_is_read():
    body = asyncio.run(read_json_body(request([b'{"a":', b"1}"], False), 1024, 5))
    assert body == b'{"a":1}'


def test_a_body_that_stops_arriving_is_a_408_within_the_watchers_resolution():
    async def read() -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(Refusal) as refused:
            await read_json_body(request([b'{"a":'], True), 1024, 0.3)
        return refused.value.status, loop.time() - started

    status, waited = asyncio.run(read())
    assert status == 408
    assert 0.3 <= waited < 0.3 + 0.5 + 0.5


def test_many_reads_share_one_watcher_and_each_gets_its_own_answer():
    async def read_all() -> list[object]:
        slow = [read_json_body(request([b"{"], True), 1024, 0.2) for _ in range(20)]
        fast = [read_json_body(request([b"{}"], False), 1024, 0.2) for _ in range(20)]
        return await asyncio.gather(*slow, *fast, return_exceptions=True)

    results = asyncio.run(read_all())
    assert all(isinstance(r, Refusal) and r.status == 408 for r in results[:20])
    assert results[20:] == [b"{}"] * 20


def test_a_cancellation_from_outside_stays_a_cancellation():
    async def cancel_it() -> None:
        task = asyncio.create_task(read_json_body(request([b"{"], True), 1024, 30))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_it())
