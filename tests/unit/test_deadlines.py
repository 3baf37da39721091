"""Deadlines kept by one watcher per event loop: a TimeoutError once passed (within the
watcher's resolution), the result otherwise, and an outside cancellation kept."""

from __future__ import annotations

import asyncio

import pytest

from safetywatch.deadlines import RESOLUTION_SECONDS, bounded


async def never() -> None:
    await asyncio.Event().wait()


def test_a_result_in_time_is_returned():
    async def quick() -> int:
        await asyncio.sleep(0)
        return 7

    async def run() -> int:
        return await bounded(quick(), 5)

    assert asyncio.run(run()) == 7


def test_a_passed_deadline_is_a_timeout_error_within_the_resolution():
    async def run() -> float:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(TimeoutError):
            await bounded(never(), 0.2)
        return loop.time() - started

    waited = asyncio.run(run())
    assert 0.2 <= waited < 0.2 + RESOLUTION_SECONDS + 0.5


def test_sequential_bounded_awaits_in_one_task_each_get_their_own_deadline():
    async def run() -> None:
        with pytest.raises(TimeoutError):
            await bounded(never(), 0.1)
        assert await bounded(asyncio.sleep(0, result="after"), 5) == "after"

    asyncio.run(run())


def test_nesting_is_refused_rather_than_silently_losing_the_outer_deadline():
    async def inner() -> None:
        await bounded(asyncio.sleep(0), 1)

    async def run() -> None:
        with pytest.raises(RuntimeError, match="one bounded call at a time"):
            await bounded(inner(), 1)

    asyncio.run(run())


def test_an_outside_cancellation_stays_a_cancellation():
    async def run() -> None:
        task = asyncio.create_task(bounded(never(), 30))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
