"""What a ledger keeps its incidents and counts in: the compiled rows when they can be
built here, else the Python ones.

``ledger_storage()`` is what the aggregator keeps its incidents and counts in: the
compiled rows and cells when they can be built here, else the Python ones (and a log
line saying why).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from types import ModuleType

import structlog

from safetywatch.accounting import PYTHON_STORAGE, Grade, LedgerStorage, Totals
from safetywatch.events import Category
from safetywatch.native.build import (
    CompiledRowsUnavailable,
    compiled_rows,
)
from safetywatch.native.table import CompiledIncidentTable, compiled_kind

log = structlog.get_logger("safetywatch.native")


def ledger_storage(directory: Path | None = None) -> LedgerStorage:
    """What a ledger keeps its incidents and counts in: compiled when possible."""
    try:
        module = compiled_rows(directory)
    except CompiledRowsUnavailable as error:
        log.warning("compiled_rows_unavailable", reason=str(error), using=PYTHON_STORAGE.kind)
        return PYTHON_STORAGE
    log.info("compiled_rows_loaded", path=module.__file__)
    return compiled_storage(module)


def compiled_storage(module: ModuleType) -> LedgerStorage:
    return LedgerStorage(
        compiled_kind(module),
        partial(CompiledIncidentTable, module),
        partial(module.Cells, Totals, tuple(Category), tuple(Grade)),
    )
