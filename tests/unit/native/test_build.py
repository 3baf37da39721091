"""The compiled rows are built from the source as it is: an edited source is a new
build, a build of other source is refused, and a machine that cannot build says why."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import pytest

from safetywatch.accounting.cells import PYTHON_STORAGE
from safetywatch.native.build import SOURCE as ROWS_SOURCE
from safetywatch.native.build import (
    CompiledRowsUnavailable,
    compile_rows,
    compiled_rows,
    source_hash,
)
from safetywatch.native.storage import ledger_storage

SOURCE = ROWS_SOURCE


def test_an_edited_source_is_built_anew_and_the_old_build_is_not_loaded(tmp_path: Path):
    source = tmp_path / "_rows.c"
    shutil.copy(SOURCE, source)
    first = compiled_rows(tmp_path / "build", source)
    source.write_text(source.read_text() + "\n/* edited */\n")
    second = compiled_rows(tmp_path / "build", source)
    assert first.SOURCE_HASH != second.SOURCE_HASH == source_hash(source)
    assert first.__file__ != second.__file__
    assert len(list((tmp_path / "build").iterdir())) == 2


def test_a_build_of_other_source_is_refused(tmp_path: Path):
    built = Path(compiled_rows(tmp_path, SOURCE).__file__ or "")
    source = tmp_path / "_rows.c"
    source.write_text(SOURCE.read_text() + "\n/* a change whose build never ran */\n")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    shutil.copy(built, tmp_path / f"_rows-{source_hash(source)[:24]}{suffix}")
    with pytest.raises(CompiledRowsUnavailable, match="was not built from this source"):
        compiled_rows(tmp_path, source)


def test_the_source_compiles_without_a_warning(tmp_path: Path):
    assert compile_rows(source_hash(), tmp_path / "rows.so") == ""


def test_without_a_compiler_the_ledger_keeps_python_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    real = sysconfig.get_config_var
    monkeypatch.setattr(
        sysconfig, "get_config_var", lambda name: "no-such-cc" if name == "CC" else real(name)
    )
    with pytest.raises(CompiledRowsUnavailable, match="cannot run no-such-cc"):
        compiled_rows(tmp_path)
    assert ledger_storage(tmp_path) is PYTHON_STORAGE


def test_an_unwritable_build_directory_is_a_reason_not_a_crash(tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    with pytest.raises(CompiledRowsUnavailable, match="cannot create"):
        compiled_rows(blocked / "native")
    assert ledger_storage(blocked / "native") is PYTHON_STORAGE
