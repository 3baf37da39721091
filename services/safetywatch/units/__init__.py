"""Field units: who may report (and read) for which regions, and their bearer tokens."""

from safetywatch.units.registry import TokenExpired, TokenRegistry
from safetywatch.units.tokens import (
    TokenCommandError,
    Unit,
    add_token,
    read_token_file,
    revoke_token,
    token_id_of,
    update_unit,
)

__all__ = [
    "TokenCommandError",
    "TokenExpired",
    "TokenRegistry",
    "Unit",
    "add_token",
    "read_token_file",
    "revoke_token",
    "token_id_of",
    "update_unit",
]
