"""What a ledger keeps its incidents and counts in: the compiled rows and cells when this
installation has them (``pip install .`` builds them), else the Python ones, said loudly.

Nothing here compiles anything: the extension is built at install time or not at all.
Both keep the same rows, so a checkpoint written by one is read by the other.
"""

from __future__ import annotations

import importlib
from functools import partial
from types import ModuleType

import structlog

from safetywatch import compiled
from safetywatch.accounting import LAYOUT, PYTHON_STORAGE, ROWS_KIND, LedgerStorage
from safetywatch.errors import SafetywatchError
from safetywatch.native.table import CompiledIncidentTable

log = structlog.get_logger("safetywatch.native")

#: The extension ``pip install .`` builds from ``rows.c`` and ``layout.h``.
EXTENSION = "safetywatch.native._rows"


class CompiledRowsUnavailable(SafetywatchError):
    """This installation has no usable compiled rows: the ledger keeps its incidents in
    the Python table (slower, larger, the same numbers)."""


def compiled_module() -> ModuleType:
    """The installed extension, if it was built from the layout this code declares."""
    try:
        module = importlib.import_module(EXTENSION)
    except ImportError as error:
        raise CompiledRowsUnavailable(
            f"{EXTENSION} is not installed ({error}); install with a C compiler and the "
            "Python headers (Debian: gcc, python3-dev): pip install ."
        ) from None
    if module.LAYOUT != LAYOUT:
        raise CompiledRowsUnavailable(
            f"{module.__file__} keeps rows of layout {module.LAYOUT}, this code declares "
            f"{LAYOUT}: install again (pip install .)"
        )
    return module


def compiled_storage(module: ModuleType) -> LedgerStorage:
    return LedgerStorage(ROWS_KIND, partial(CompiledIncidentTable, module), compiled=True)


def ledger_storage() -> LedgerStorage:
    """The compiled storage, or the Python one with a warning that says why."""
    try:
        module = compiled_module()
    except CompiledRowsUnavailable as why:
        log.warning(
            "compiled_rows_unavailable",
            reason=str(why),
            using="python rows: slower a record and larger an incident (docs/performance.md)",
            rules=compiled.state,
        )
        return PYTHON_STORAGE
    log.info("compiled_rows_loaded", path=module.__file__, layout=LAYOUT, rules=compiled.state)
    return compiled_storage(module)
