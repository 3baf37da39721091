"""The compiled twin of the ledger's storage: incident rows and month cells in C
(``rows.c``, built at install time as ``safetywatch.native._rows``), chosen when present."""

from safetywatch.native.storage import ledger_storage

__all__ = [
    "ledger_storage",
]
