"""What the aggregator asks for the time: a clock is passed in, so that everything that
depends on the time (alert hold times, due steps, the current period) can be tested at
any instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)
