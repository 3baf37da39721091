"""The gateway's view of the tokens file, re-read whenever the file changes.

It looks at the file at most every ``RECHECK_SECONDS`` before it authenticates (a
``stat`` per request cost 3% under load), and at once when a token id is unknown, so a
new token works immediately and ``revoke_token`` can wait out the interval.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog
from pydantic import ValidationError

from safetywatch.units.tokens import (
    DUMMY_ENTRY,
    RECHECK_SECONDS,
    TOKEN_PREFIX,
    TokenEntry,
    Unit,
    digest,
    read_token_file,
)

log = structlog.get_logger("safetywatch.ingest")


@dataclass(frozen=True, slots=True)
class TokenExpired:
    """A token that was valid until ``expires_at``: refused, and audited as expired."""

    token_id: str
    expires_at: datetime


class TokenRegistry:
    """The gateway's view of the token file, re-read whenever the file changes."""

    def __init__(
        self,
        path: Path,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._now = now
        self._path = path
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._checked_at = -math.inf
        self._stamp: tuple[int, int, int] | None = None
        self._by_id: dict[str, tuple[TokenEntry, Unit]] = {}
        self._reload_if_changed()

    def _reload_if_changed(self, *, at_once: bool = False) -> None:
        now = self._clock()
        if now - self._checked_at < self._recheck_seconds and not at_once:
            return
        self._checked_at = now
        try:
            status = self._path.stat()
        except FileNotFoundError:
            if self._by_id or self._stamp is None:
                log.error("token_file_missing", path=str(self._path))
            self._by_id, self._stamp = {}, (0, 0, 0)
            return
        # Every write replaces the file: a new inode says so even within one mtime tick.
        stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
        if stamp == self._stamp:
            return
        try:
            tokens = read_token_file(self._path)
        except (ValidationError, OSError) as error:
            log.error("token_file_refused", path=str(self._path), error=str(error).splitlines()[0])
            self._stamp = stamp  # keep the tokens we had until the file is fixed
            return
        self._by_id = {
            entry.id: (
                entry,
                Unit(unit.unit_id, tuple(unit.regions), unit.level, entry.can_import),
            )
            for unit in tokens.units
            for entry in unit.tokens
        }
        self._stamp = stamp
        log.info(
            "token_file_loaded",
            path=str(self._path),
            units=len(tokens.units),
            tokens=len(self._by_id),
        )

    def authenticate(self, authorization: str | None) -> Unit | None:
        found = self.verdict(authorization)
        return found if isinstance(found, Unit) else None

    def verdict(self, authorization: str | None) -> Unit | TokenExpired | None:
        """The unit a bearer token authenticates; ``TokenExpired`` for a token that did
        until its ``expires_at``; None for anything else (nothing tells which ids exist)."""
        self._reload_if_changed()
        scheme, _, credential = (authorization or "").partition(" ")
        prefix, _, rest = credential.strip().partition("_")
        token_id, _, secret = rest.partition("_")
        found = self._by_id.get(token_id)
        if found is None:
            # A token added a moment ago works at once; revocations wait for the recheck.
            self._reload_if_changed(at_once=True)
            found = self._by_id.get(token_id)
        entry = found[0] if found else DUMMY_ENTRY
        matches = hmac.compare_digest(digest(entry.salt, secret), entry.digest)
        if found is None or not matches or scheme.lower() != "bearer" or prefix != TOKEN_PREFIX:
            return None
        if entry.expires_at is not None and self._now() >= entry.expires_at:
            return TokenExpired(entry.id, entry.expires_at)
        return found[1]
