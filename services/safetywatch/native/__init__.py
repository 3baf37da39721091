"""Compiled twins of the accounting core's storage, built from source on first use."""

from safetywatch.native.storage import ledger_storage

__all__ = [
    "ledger_storage",
]
