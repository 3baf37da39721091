"""What the aggregator knows about its own progress through the log."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from safetywatch.aggregator._decode import InvalidReason

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
    lag: dict[int, int] = field(default_factory=dict)
    last_applied_unix: float | None = None
    replay_complete: bool = False
    replay_seconds: float | None = None
    failure: str | None = None

    def record_invalid(self, invalid: InvalidRecord) -> None:
        self.invalid_by_reason[invalid.reason] += 1
        self.invalid_records.append(invalid)
        self.outcomes["invalid"] += 1
