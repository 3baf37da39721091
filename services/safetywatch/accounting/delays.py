"""Delivery delays: how long reports took from the unit to the gateway, as a histogram."""

from __future__ import annotations

from bisect import bisect_left

from safetywatch.events import StoredRecord

#: Upper bounds of the buckets, in seconds: 1 and 5 minutes, a quarter of an hour, 1, 3,
#: 6 and 24 hours, 3 days.
DELAY_BUCKETS = (60.0, 300.0, 900.0, 3600.0, 10800.0, 21600.0, 86400.0, 259200.0)


class DelayHistogram:
    """Counts per bucket (cumulative when read), their sum and count: one observation
    per applied revision that carries a usable ``reported_at``. A function of the log
    like everything the ledger holds, so replicas agree."""

    def __init__(self) -> None:
        self.counts = [0] * (len(DELAY_BUCKETS) + 1)
        self.total_seconds = 0.0

    def observe(self, record: StoredRecord) -> None:
        reported = record.reported_at
        if reported is None or not record.occurred_at <= reported <= record.received_at:
            return
        delay = (record.received_at - reported).total_seconds()
        self.counts[bisect_left(DELAY_BUCKETS, delay)] += 1
        self.total_seconds += delay

    @property
    def count(self) -> int:
        return sum(self.counts)

    def cumulative(self) -> list[tuple[str, int]]:
        """(le, count) pairs as Prometheus histograms expose them, +Inf last."""
        running, pairs = 0, []
        for bound, count in zip((*DELAY_BUCKETS, float("inf")), self.counts, strict=True):
            running += count
            pairs.append(("+Inf" if bound == float("inf") else f"{bound:g}", running))
        return pairs
