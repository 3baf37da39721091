"""Field units and their bearer tokens, kept as salted digests in a file.

A token reads ``sw_<token id>_<secret>``. The id picks the file entry (no scan over
all of them); the secret is checked with HMAC-SHA256 under the entry's salt and a
constant-time comparison. An unknown id is checked against a dummy entry, so the time
taken does not tell which ids exist. Secrets are 256-bit random, so a slow password
hash would only cost latency: nothing can be guessed from a leaked digest.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = structlog.get_logger("safetywatch.ingest")

TOKEN_PREFIX = "sw"
UnitId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
RegionPrefix = Annotated[str, Field(pattern=r"^(\d{2}|\d{4}|\d{6})$")]


class TokenEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]
    salt: str
    digest: str
    created_at: datetime


class UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UnitId
    regions: Annotated[list[RegionPrefix], Field(min_length=1)]
    tokens: list[TokenEntry] = []


class TokenFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[UnitEntry] = []


@dataclass(frozen=True, slots=True)
class Unit:
    unit_id: str
    regions: tuple[str, ...]

    def may_report(self, region_code: str) -> bool:
        return any(region_code.startswith(prefix) for prefix in self.regions)


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


_DUMMY = TokenEntry(
    id="0" * 12,
    salt=secrets.token_hex(16),
    digest=secrets.token_hex(32),
    created_at=datetime.now(UTC),
)


def read_token_file(path: Path) -> TokenFile:
    if not path.exists():
        return TokenFile()
    return TokenFile.model_validate_json(path.read_bytes())


def write_token_file(path: Path, tokens: TokenFile) -> None:
    """Atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(tokens.model_dump_json(indent=2), encoding="utf-8")
    partial.chmod(0o600)
    os.replace(partial, path)


def add_token(path: Path, unit_id: str, regions: list[str]) -> str:
    """Create the unit if needed and return a new token; it is shown this once only."""
    tokens = read_token_file(path)
    unit = next((u for u in tokens.units if u.unit_id == unit_id), None)
    if unit is None:
        unit = UnitEntry(unit_id=unit_id, regions=regions)
        tokens.units.append(unit)
    elif regions:
        unit.regions = regions
    # Hex, so the token splits at its two underscores however a script splits it.
    token_id, secret, salt = secrets.token_hex(6), secrets.token_hex(32), secrets.token_hex(16)
    unit.tokens.append(
        TokenEntry(
            id=token_id, salt=salt, digest=_digest(salt, secret), created_at=datetime.now(UTC)
        )
    )
    write_token_file(path, TokenFile.model_validate(tokens.model_dump()))
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def revoke_token(path: Path, token_id: str) -> bool:
    tokens = read_token_file(path)
    found = False
    for unit in tokens.units:
        kept = [t for t in unit.tokens if t.id != token_id]
        found = found or len(kept) != len(unit.tokens)
        unit.tokens = kept
    if found:
        write_token_file(path, tokens)
    return found


#: How often the gateway looks at the token file: a stat per request cost 3% under load,
#: and a revocation that takes effect within a second is soon enough.
RECHECK_SECONDS = 1.0


class TokenRegistry:
    """The gateway's view of the token file, re-read whenever the file changes."""

    def __init__(
        self,
        path: Path,
        recheck_seconds: float = RECHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._path = path
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._checked_at = -math.inf
        self._stamp: tuple[int, int] | None = None
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
            self._by_id, self._stamp = {}, (0, 0)
            return
        stamp = (status.st_mtime_ns, status.st_size)
        if stamp == self._stamp:
            return
        try:
            tokens = read_token_file(self._path)
        except (ValidationError, OSError) as error:
            log.error("token_file_refused", path=str(self._path), error=str(error).splitlines()[0])
            self._stamp = stamp  # keep the tokens we had until the file is fixed
            return
        self._by_id = {
            entry.id: (entry, Unit(unit.unit_id, tuple(unit.regions)))
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
        self._reload_if_changed()
        scheme, _, credential = (authorization or "").partition(" ")
        prefix, _, rest = credential.strip().partition("_")
        token_id, _, secret = rest.partition("_")
        found = self._by_id.get(token_id)
        if found is None:
            # A token added a moment ago works at once; revocations wait for the recheck.
            self._reload_if_changed(at_once=True)
            found = self._by_id.get(token_id)
        entry = found[0] if found else _DUMMY
        matches = hmac.compare_digest(_digest(entry.salt, secret), entry.digest)
        if found is None or not matches or scheme.lower() != "bearer" or prefix != TOKEN_PREFIX:
            return None
        return found[1]
