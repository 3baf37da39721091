"""Compiled twins of the accounting core's hot parts, built from source on first use.

``incident_tables()`` is what the aggregator keeps its incidents in: the compiled table
when it can be built here, else the Python one (and a log line saying why).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import structlog

from safetywatch.accounting import IncidentRows, IncidentTable
from safetywatch.native._build import SOURCE as ROWS_SOURCE
from safetywatch.native._build import (
    CompiledRowsUnavailable,
    build_directory,
    compile_rows,
    compiled_rows,
    source_hash,
)
from safetywatch.native._table import CompiledIncidentTable

log = structlog.get_logger("safetywatch.native")


def incident_tables(directory: Path | None = None) -> Callable[[], IncidentRows]:
    """Makes the tables a ledger keeps its incidents in: compiled when possible."""
    try:
        module = compiled_rows(directory)
    except CompiledRowsUnavailable as error:
        log.warning("compiled_rows_unavailable", reason=str(error), using="python")
        return IncidentTable
    log.info("compiled_rows_loaded", path=module.__file__)
    return partial(CompiledIncidentTable, module)


__all__ = [
    "ROWS_SOURCE",
    "CompiledIncidentTable",
    "CompiledRowsUnavailable",
    "build_directory",
    "compile_rows",
    "compiled_rows",
    "incident_tables",
    "source_hash",
]
