"""What the aggregator knows about its own progress through the log."""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from safetywatch.events import InvalidReason

#: The invalid-records listing keeps the newest entries only; counts are kept for all.
INVALID_LISTING_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    partition: int
    offset: int
    reason: InvalidReason
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {
            "partition": self.partition,
            "offset": self.offset,
            "reason": self.reason.value,
            "detail": self.detail,
        }


@dataclass
class PipelineState:
    outcomes: Counter[str] = field(default_factory=Counter)
    invalid_by_reason: Counter[InvalidReason] = field(default_factory=Counter)
    invalid_records: deque[InvalidRecord] = field(
        default_factory=lambda: deque(maxlen=INVALID_LISTING_LIMIT)
    )
    #: Records behind each partition's end, as the broker last reported the end.
    lag: dict[int, int] = field(default_factory=dict)
    #: The offset after the last record handled, per partition.
    next_offset: dict[int, int] = field(default_factory=dict)
    last_applied_unix: float | None = None
    replay_complete: bool = False
    replay_seconds: float | None = None
    failure: str | None = None
    #: False while the follower retries an error (broker gone, state directory full).
    follower_up: bool = True
    follower_error: str | None = None
    #: When the follower last completed a poll of the broker (Unix time).
    last_poll_unix: float | None = None
    #: When the broker last answered the lag monitor (Unix time), and whether it did lately.
    broker_contact_unix: float | None = None
    broker_reachable: bool = False

    def record_invalid(self, invalid: InvalidRecord) -> None:
        self.invalid_by_reason[invalid.reason] += 1
        self.invalid_records.append(invalid)
        self.outcomes["invalid"] += 1

    def polled(self) -> None:
        self.last_poll_unix = time.time()

    def stalled(self, error: str) -> None:
        self.follower_up = False
        self.follower_error = error

    def resumed(self) -> None:
        self.follower_up = True
        self.follower_error = None
