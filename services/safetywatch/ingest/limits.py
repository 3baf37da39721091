"""Per-unit rate limiting: a token bucket per unit, counted in reports."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    level: float
    updated: float


class RateLimiter:
    def __init__(
        self, per_second: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = per_second
        self._burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, unit_id: str, reports: int = 1) -> float:
        """0 when the unit may send ``reports`` now, else the seconds until it may."""
        now = self._clock()
        bucket = self._buckets.setdefault(unit_id, _Bucket(self._burst, now))
        bucket.level = min(self._burst, bucket.level + (now - bucket.updated) * self._rate)
        bucket.updated = now
        if reports > self._burst:
            return math.inf
        if bucket.level >= reports:
            bucket.level -= reports
            return 0.0
        return (reports - bucket.level) / self._rate
