"""Field units and their bearer tokens, kept as salted digests in a file.

A token reads ``sw_<token id>_<secret>``. The id picks the file entry (no scan over
all of them); the secret is checked with HMAC-SHA256 under the entry's salt and a
constant-time comparison. An unknown id is checked against a dummy entry, so the time
taken does not tell which ids exist. Secrets are 256-bit random, so a slow password
hash would only cost latency: nothing can be guessed from a leaked digest.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import structlog
from pydantic import BaseModel, ConfigDict, Field

from safetywatch.errors import SafetywatchError
from safetywatch.regions import Level, RegionPrefix, UnitId, covers

log = structlog.get_logger("safetywatch.ingest")

TOKEN_PREFIX = "sw"


class TokenEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]
    salt: str
    digest: str
    created_at: datetime
    #: May post the bureau's history (``origin: import``): given explicitly, per token.
    can_import: bool = False
    #: When it stops working (``tokens add --expires-in DAYS``); None: until revoked.
    expires_at: datetime | None = None


class UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: UnitId
    regions: Annotated[list[RegionPrefix], Field(min_length=1)]
    #: Which level of the reporting chain the unit confirms for (a field unit: county).
    level: Level = Level.COUNTY
    tokens: list[TokenEntry] = []


class TokenFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units: list[UnitEntry] = []


@dataclass(frozen=True, slots=True)
class Unit:
    unit_id: str
    regions: tuple[str, ...]
    level: Level = Level.COUNTY
    #: The token it authenticated with may import history (still within its regions).
    can_import: bool = False

    def may_report(self, region_code: str) -> bool:
        return any(covers(prefix, region_code) for prefix in self.regions)


def digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


#: Checked when a token id is unknown, so that timing does not tell which ids exist.
DUMMY_ENTRY = TokenEntry(
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
    """Atomically and durably, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(tokens.model_dump_json(indent=2))
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


class TokenCommandError(SafetywatchError, ValueError):
    """An administrator's request that cannot be carried out: one sentence saying why."""


def add_token(
    path: Path,
    unit_id: str,
    regions: list[str],
    level: Level | None = None,
    *,
    can_import: bool = False,
    expires_in: timedelta | None = None,
    now: datetime | None = None,
) -> str:
    """Create the unit if needed and return a new token; it is shown this once only.
    An existing unit keeps its regions and level: giving others is refused (changing a
    unit is ``update_unit``, never a side effect of a new token)."""
    tokens = read_token_file(path)
    unit = next((u for u in tokens.units if u.unit_id == unit_id), None)
    if unit is None:
        unit = UnitEntry(unit_id=unit_id, regions=regions, level=level or Level.COUNTY)
        tokens.units.append(unit)
    elif (regions and regions != unit.regions) or (level is not None and level != unit.level):
        raise TokenCommandError(
            f"unit {unit_id} exists with regions {','.join(unit.regions)} at {unit.level.value} "
            "level; to change them for all of its tokens: safetywatch tokens update-unit "
            f"{unit_id} --regions … --level …"
        )
    created = now or datetime.now(UTC)
    expires_at = created + expires_in if expires_in is not None else None
    # Hex, so the token splits at its two underscores however a script splits it.
    token_id, secret, salt = secrets.token_hex(6), secrets.token_hex(32), secrets.token_hex(16)
    unit.tokens.append(
        TokenEntry(
            id=token_id,
            salt=salt,
            digest=digest(salt, secret),
            created_at=created,
            can_import=can_import,
            expires_at=expires_at,
        )
    )
    write_token_file(path, TokenFile.model_validate(tokens.model_dump()))
    audit(
        path,
        "add",
        unit_id,
        token_id,
        regions=list(unit.regions),
        level=unit.level.value,
        can_import=can_import,
        expires_at=None if expires_at is None else expires_at.isoformat(),
    )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def update_unit(
    path: Path, unit_id: str, regions: list[str] | None = None, level: Level | None = None
) -> UnitEntry:
    """Change a unit's regions or level for all of its tokens, audited."""
    tokens = read_token_file(path)
    unit = next((u for u in tokens.units if u.unit_id == unit_id), None)
    if unit is None:
        raise TokenCommandError(f"no unit {unit_id} in {path}: add it with tokens add")
    before = {"regions": list(unit.regions), "level": unit.level.value}
    unit.regions = regions or unit.regions
    unit.level = level or unit.level
    write_token_file(path, TokenFile.model_validate(tokens.model_dump()))
    after = {"regions": list(unit.regions), "level": unit.level.value}
    audit(path, "update_unit", unit_id, "", before=before, after=after)
    return unit


def revoke_token(path: Path, token_id: str, *, settle: bool = True) -> str | None:
    """Remove the token; the unit it belonged to, or None if there was no such token (a
    whole token given for its id is refused with a hint; one revoked before, so said).

    With ``settle`` this returns only once every gateway reading ``path`` refuses the
    token: gateways look at the file at least every ``RECHECK_SECONDS`` before they
    authenticate, so waiting a little longer than that is enough."""
    if token_id.startswith(f"{TOKEN_PREFIX}_"):
        shown = token_id_of(f"Bearer {token_id}") or "the 12 characters after sw_"
        raise TokenCommandError(
            f"that is a whole token, secret included: revoke by its id ({shown}), and "
            "treat the secret as exposed"
        )
    tokens = read_token_file(path)
    owner = None
    for unit in tokens.units:
        kept = [t for t in unit.tokens if t.id != token_id]
        if len(kept) != len(unit.tokens):
            owner = unit.unit_id
        unit.tokens = kept
    if owner is None:
        if _revoked_before(path, token_id):
            raise TokenCommandError(f"token {token_id} was already revoked")
        return None
    write_token_file(path, tokens)
    audit(path, "revoke", owner, token_id)
    if settle:
        time.sleep(RECHECK_SECONDS + SETTLE_MARGIN_SECONDS)
    return owner


#: How often a gateway looks at the token file at most: a stat per request cost 3%
#: under load. ``revoke_token`` waits this long (and a margin) before it returns.
RECHECK_SECONDS = 0.5
SETTLE_MARGIN_SECONDS = 0.1


def _revoked_before(path: Path, token_id: str) -> bool:
    try:
        lines = audit_path(path).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return False
    return any(
        entry.get("action") == "revoke" and entry.get("token_id") == token_id
        for entry in map(json.loads, filter(None, lines))
    )


def audit_path(path: Path) -> Path:
    """Where administrative actions on a tokens file are recorded, beside it."""
    return path.with_name(path.name + ".audit.jsonl")


def _operator() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid {os.getuid()}"
    sudo = os.environ.get("SUDO_USER")
    return f"{user}@{socket.gethostname()}" + (f" (sudo by {sudo})" if sudo else "")


def audit(path: Path, action: str, unit_id: str, token_id: str, **details: Any) -> None:
    """Append who did what to which token, and when; never a secret."""
    entry = {
        "at": datetime.now(UTC).isoformat(),
        "action": action,
        "unit": unit_id,
        "token_id": token_id,
        "by": _operator(),
        **details,
    }
    target = audit_path(path)
    descriptor = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as record:
        record.write(json.dumps(entry, ensure_ascii=False) + "\n")
    log.info("token_" + action, unit=unit_id, token_id=token_id, by=entry["by"], **details)


def token_id_of(authorization: str | None) -> str | None:
    """The public id in an ``Authorization: Bearer sw_<id>_<secret>`` header, if it has one
    of the right shape: what an audit line may say about a credential."""
    _, _, credential = (authorization or "").partition(" ")
    prefix, _, rest = credential.strip().partition("_")
    token_id = rest.partition("_")[0]
    if (
        prefix == TOKEN_PREFIX
        and len(token_id) == 12
        and all(c in "0123456789abcdef" for c in token_id)
    ):
        return token_id
    return None
