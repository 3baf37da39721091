"""The replay's per-record path, compiled by mypyc from these very modules (setup.py),
and the guard that keeps a compiled copy from outliving its source.

The rules stay the Python a reader checks against the regulation; mypyc turns the same
files into C at install time (docs/performance.md: the applying costs a quarter less a
record). Where mypyc is not installed or the build fails, the package runs them as
Python, and says so.

A compiled module is loaded before its ``.py`` beside it, so an edit since the build
would silently not run. ``use_sources_if_stale`` (called as the package is imported)
compares the sources with the digest the build wrote and, when any of them changed,
imports every one of them from source: all or none, since compiled modules call each
other directly.

Standalone: setup.py runs this file before the package's dependencies exist.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

#: What mypyc compiles: each record of a replay runs through all of them.
MODULES = (
    "safetywatch.accounting.revisions",
    "safetywatch.accounting.policy",
    "safetywatch.accounting.grading",
    "safetywatch.accounting.deadlines",
    "safetywatch.accounting.periods",
    "safetywatch.accounting.incident",
    "safetywatch.accounting.layout",
    "safetywatch.accounting.record_store",
    "safetywatch.accounting.day_index",
    "safetywatch.accounting.ledger",
    "safetywatch.aggregator.follow.applier",
    "safetywatch.aggregator.state.record_file",
)

#: The shared library the compiled modules live in (mypyc's group).
GROUP = "safetywatch._rules"

_PACKAGE = Path(__file__).resolve().parent

#: What the build writes beside the compiled modules: the digest of their sources.
DIGEST_FILE = _PACKAGE / "compiled.sha256"


def source_of(module: str, package: Path = _PACKAGE) -> Path:
    """The ``.py`` file of ``module`` (a name under ``safetywatch``)."""
    return package.joinpath(*module.split(".")[1:]).with_suffix(".py")


def sources_digest(package: Path = _PACKAGE) -> str:
    """One digest of every compiled module's source, in ``MODULES`` order."""
    digest = hashlib.sha256()
    for module in MODULES:
        digest.update(module.encode() + b"\0" + source_of(module, package).read_bytes())
    return digest.hexdigest()


def compiled_beside(module: str, package: Path = _PACKAGE) -> bool:
    """Whether an extension module of ``module`` is installed beside its source (found
    on disk: importing would run it)."""
    source = source_of(module, package)
    return any(
        source.with_suffix(suffix).exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


class _FromSource(importlib.abc.MetaPathFinder):
    """Imports the compiled modules from their ``.py`` files."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MODULES:
            return None
        location = str(source_of(fullname))
        loader = importlib.machinery.SourceFileLoader(fullname, location)
        return importlib.util.spec_from_file_location(fullname, location, loader=loader)


#: How this process runs the rules: "compiled", "python" (nothing compiled is
#: installed), "python, compiled copy stale" or "python, by SAFETYWATCH_COMPILED=0" (set
#: by ``use_sources_if_stale``).
state = "python"

#: Set to 0, the compiled copy is not used (to measure what it saves, docs/performance.md).
SWITCH = "SAFETYWATCH_COMPILED"


def use_sources_if_stale() -> str:
    """Decide, once, before any of ``MODULES`` is imported; returns ``state``."""
    global state
    if not any(map(compiled_beside, MODULES)):
        state = "python"
        return state
    try:
        built = DIGEST_FILE.read_text().strip()
    except OSError:
        built = None
    if os.environ.get(SWITCH) == "0":
        state = f"python, by {SWITCH}=0"
    elif built != sources_digest():
        state = "python, compiled copy stale"
    else:
        state = "compiled"
        return state
    sys.meta_path.insert(0, _FromSource())
    return state
