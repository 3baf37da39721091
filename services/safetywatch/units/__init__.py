"""Field units: who may report (and read) for which regions, and their bearer tokens."""

from safetywatch.units._registry import TokenRegistry
from safetywatch.units._tokens import (
    RECHECK_SECONDS,
    TOKEN_PREFIX,
    TokenFile,
    Unit,
    UnitEntry,
    add_token,
    audit_path,
    read_token_file,
    revoke_token,
    token_id_of,
)

__all__ = [
    "RECHECK_SECONDS",
    "TOKEN_PREFIX",
    "TokenFile",
    "TokenRegistry",
    "Unit",
    "UnitEntry",
    "add_token",
    "audit_path",
    "read_token_file",
    "revoke_token",
    "token_id_of",
]
