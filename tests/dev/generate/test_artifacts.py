"""Generated files are committed as the code generates them, and every SAFETYWATCH_*
variable the project mentions is declared in a typed settings class."""

from __future__ import annotations

import re
import subprocess

from dev.generate.generated import generated_files, stale_files
from dev.settings import LocalSettings
from safetywatch import compiled
from safetywatch.config.settings import ENV_PREFIX, ROLES, NotificationSettings, RoleSettings
from tests.paths import ROOT

VARIABLE = re.compile(ENV_PREFIX + r"[A-Z0-9_]*[A-Z0-9]")


def test_every_generated_file_is_committed_as_the_code_generates_it():
    assert {p.relative_to(ROOT).parts[0] for p in generated_files(ROOT)} >= {
        "schemas",
        "deploy",
        "docs",
        "services",
    }
    assert stale_files(ROOT) == [], "run 'python -m dev.generate'"


def _mentioned() -> dict[str, str]:
    """Every SAFETYWATCH_* name in the tracked files → one file that mentions it."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found: dict[str, str] = {}
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".png", ".xlsx"} or not path.is_file():
            continue
        for variable in VARIABLE.findall(path.read_text(encoding="utf-8", errors="replace")):
            found.setdefault(variable, name)
    return found


def test_every_variable_the_project_mentions_is_declared_in_a_settings_class():
    roles: tuple[type[RoleSettings], ...] = (*ROLES, LocalSettings)
    declared = {v for role in roles for v in role.variables().values()}
    declared.add(compiled.SWITCH)  # read as the package is imported, before any settings
    per_receiver = tuple(ENV_PREFIX + p for p in NotificationSettings.PER_RECEIVER)
    undeclared = {
        variable: where
        for variable, where in _mentioned().items()
        if variable not in declared and not (variable + "_").startswith(per_receiver)
    }
    assert undeclared == {}
