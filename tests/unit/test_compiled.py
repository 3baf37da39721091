"""The rules mypyc compiles (safetywatch/compiled.py): built by dev/setup, and never used
once their source has changed since the build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from safetywatch import compiled
from tests.paths import PACKAGE

WHICH = (
    "import safetywatch.compiled as c, safetywatch.accounting.revisions as r;"
    "print(c.state); print(r.__file__)"
)


def test_this_installation_runs_the_compiled_rules():
    assert compiled.state == "compiled", (
        f"the rules run as {compiled.state}: dev/setup compiles them (mypyc, a C compiler)"
    )
    assert all(map(compiled.compiled_beside, compiled.MODULES))


def _run_in(copy: Path, **environment: str) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", WHICH],
        cwd=copy,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    state, location = done.stdout.split("\n")[:2]
    return state, location


def test_a_source_edited_since_the_build_runs_every_rule_from_source(tmp_path: Path):
    copy = tmp_path / "services"
    shutil.copytree(PACKAGE, copy / "safetywatch", ignore=shutil.ignore_patterns("__pycache__"))
    assert _run_in(copy)[0] == "compiled"
    assert not _run_in(copy)[1].endswith(".py")

    policy = copy / "safetywatch" / "accounting" / "policy.py"
    policy.write_text(policy.read_text() + "\n# edited after the build\n")
    state, location = _run_in(copy)
    assert state == "python, compiled copy stale"
    # all or none: revisions.py did not change, and is read from source too
    assert location == str(copy / "safetywatch" / "accounting" / "revisions.py")


def test_the_switch_runs_the_rules_from_source():
    state, location = _run_in(PACKAGE.parent, SAFETYWATCH_COMPILED="0")
    assert state == "python, by SAFETYWATCH_COMPILED=0"
    assert location == str(PACKAGE / "accounting" / "revisions.py")
