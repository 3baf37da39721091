"""The audit trail of refusals: one structured line each, bounded so a flood cannot fill
the disk. Lines beyond the rate are counted and the count rides on the next line."""

from __future__ import annotations

import time
from collections.abc import Callable

import structlog

log = structlog.get_logger("safetywatch.audit")

#: Audit lines per second with bursts; beyond that only counted.
LINES_PER_SECOND = 20.0
BURST = 200


class RefusalLog:
    def __init__(
        self,
        per_second: float = LINES_PER_SECOND,
        burst: int = BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = per_second
        self._burst = float(burst)
        self._clock = clock
        self._level = float(burst)
        self._updated = clock()
        self.suppressed = 0
        self.written = 0

    def _allowed(self) -> bool:
        now = self._clock()
        self._level = min(self._burst, self._level + (now - self._updated) * self._rate)
        self._updated = now
        if self._level >= 1:
            self._level -= 1
            return True
        return False

    def refused(
        self,
        status: int,
        reason: str,
        *,
        peer: str,
        path: str,
        token_id: str | None = None,
        unit: str | None = None,
    ) -> None:
        """Write the line unless over the rate. Never the secret: ``token_id`` is the
        public half of a token, ``unit`` whom it belongs to."""
        if not self._allowed():
            self.suppressed += 1
            return
        extra = {"suppressed_before": self.suppressed} if self.suppressed else {}
        self.suppressed = 0
        self.written += 1
        log.warning(
            "request_refused",
            status=status,
            reason=reason,
            peer=peer,
            path=path,
            token_id=token_id,
            unit=unit,
            **extra,
        )
