"""The compiled rows come with the installation, never from a compiler at run time: the
extension pip built is used when it keeps the rows this code declares; otherwise the
ledger keeps the Python rows and says why."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sysconfig
from pathlib import Path
from types import SimpleNamespace

import pytest
from structlog.testing import capture_logs

from safetywatch.accounting.layout import LAYOUT, ROW
from safetywatch.accounting.storage import PYTHON_STORAGE
from safetywatch.native.storage import EXTENSION, compiled_module, ledger_storage
from tests.paths import PACKAGE

NATIVE = PACKAGE / "native"


def test_the_installed_extension_keeps_the_rows_this_code_declares():
    module = compiled_module()
    assert module.LAYOUT == LAYOUT
    assert ROW.size == module.ROW_SIZE
    chosen = ledger_storage()
    assert chosen.compiled
    assert chosen.kind == PYTHON_STORAGE.kind  # the same rows: checkpoints read either way


def _import_failing(monkeypatch: pytest.MonkeyPatch, replacement: object) -> None:
    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> object:
        if name == EXTENSION:
            if isinstance(replacement, Exception):
                raise replacement
            return replacement
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)


def test_without_the_extension_the_ledger_keeps_python_rows_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
):
    _import_failing(monkeypatch, ImportError("No module named 'safetywatch.native._rows'"))
    with capture_logs() as logs:
        assert ledger_storage() is PYTHON_STORAGE
    (warning,) = [entry for entry in logs if entry["event"] == "compiled_rows_unavailable"]
    assert warning["log_level"] == "warning"
    assert "is not installed" in warning["reason"]
    assert "pip install ." in warning["reason"]


def test_an_extension_built_from_another_layout_is_not_used(monkeypatch: pytest.MonkeyPatch):
    stale = SimpleNamespace(LAYOUT="0123456789abcdef", __file__="/somewhere/_rows.so")
    _import_failing(monkeypatch, stale)
    with capture_logs() as logs:
        assert ledger_storage() is PYTHON_STORAGE
    (warning,) = [entry for entry in logs if entry["event"] == "compiled_rows_unavailable"]
    assert f"layout 0123456789abcdef, this code declares {LAYOUT}" in warning["reason"]


def test_no_module_of_the_package_runs_a_compiler():
    """Built at install time (setup.py), never at run time: no module of the package
    starts a process or asks sysconfig or setuptools for a compiler."""
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & {"subprocess", "sysconfig", "distutils", "setuptools"}, path


def test_the_source_compiles_without_a_warning(tmp_path: Path):
    """What setup.py builds, built here with every warning an error."""
    include = sysconfig.get_paths()["include"]
    done = subprocess.run(
        [
            "cc",
            "-O2",
            "-shared",
            "-fPIC",
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-unused-parameter",
            "-Wno-missing-field-initializers",
            f"-I{include}",
            f"-I{NATIVE}",
            str(NATIVE / "rows.c"),
            "-o",
            str(tmp_path / "rows.so"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
