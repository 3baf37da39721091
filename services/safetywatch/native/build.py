"""Compiles ``rows.c`` on first use and loads it.

The shared object is named by the SHA-256 of the source (and the interpreter's ABI
suffix), and carries that hash inside: an edited source is a new name, so a stale
build is never loaded, and no build step can be forgotten. Builds go to the user's
cache directory, written under a temporary name and renamed, so processes starting
together never load half a file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shlex
import subprocess
import sysconfig
from pathlib import Path
from types import ModuleType

from safetywatch.errors import SafetywatchError

SOURCE = Path(__file__).with_name("rows.c")

#: Warnings are errors here: the compiled table must be clean on the machine it runs on.
FLAGS = (
    "-O2",
    "-shared",
    "-fPIC",
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
    "-Wno-missing-field-initializers",
)


class CompiledRowsUnavailable(SafetywatchError):
    """The compiled table cannot be built or loaded here (no compiler, no Python
    headers, a failed build): the ledger keeps its incidents in the Python table."""


def source_hash(source: Path = SOURCE) -> str:
    return hashlib.sha256(source.read_bytes() + " ".join(FLAGS).encode()).hexdigest()


def build_directory() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "safetywatch" / "native"


def compiled_rows(directory: Path | None = None, source: Path = SOURCE) -> ModuleType:
    """The ``_rows`` module built from ``source`` as it is now, building it if needed."""
    digest = source_hash(source)
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    target = (directory or build_directory()) / f"_rows-{digest[:24]}{suffix}"
    if not target.exists():
        compile_rows(digest, target, source)
    spec = importlib.util.spec_from_file_location("safetywatch.native._rows", target)
    if spec is None or spec.loader is None:
        raise CompiledRowsUnavailable(f"cannot load {target}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as error:
        raise CompiledRowsUnavailable(f"cannot load {target}: {error}") from None
    if getattr(module, "SOURCE_HASH", None) != digest:
        raise CompiledRowsUnavailable(f"{target} was not built from this source")
    return module


def compile_rows(digest: str, target: Path, source: Path = SOURCE) -> str:
    """Build the shared object at ``target``; returns what the compiler said."""
    include = sysconfig.get_paths()["include"]
    if not Path(include, "Python.h").exists():
        raise CompiledRowsUnavailable(
            f"no Python.h in {include}: install the Python headers (Debian: python3-dev)"
        )
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CompiledRowsUnavailable(f"cannot create {target.parent}: {error.strerror}") from None
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    command = [
        *compiler,
        *FLAGS,
        f"-I{include}",
        f'-DROWS_SOURCE_HASH="{digest}"',
        str(source),
        "-o",
        str(partial),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except OSError as error:
        raise CompiledRowsUnavailable(f"cannot run {compiler[0]}: {error}") from None
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise CompiledRowsUnavailable(f"{compiler[0]} failed: {done.stderr.strip()[-2000:]}")
    try:
        os.replace(partial, target)
    except OSError as error:
        raise CompiledRowsUnavailable(f"cannot write {target}: {error.strerror}") from None
    return done.stderr
