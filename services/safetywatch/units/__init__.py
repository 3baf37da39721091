"""Field units: who may report (and read) for which regions, and their bearer tokens."""

from safetywatch.units.registry import TokenRegistry
from safetywatch.units.tokens import Unit, add_token, read_token_file, revoke_token, token_id_of

__all__ = [
    "TokenRegistry",
    "Unit",
    "add_token",
    "read_token_file",
    "revoke_token",
    "token_id_of",
]
