"""Every committed generated file, and the drift check that keeps each equal to what
the code generates."""

from __future__ import annotations

from pathlib import Path

from dev.generate import incident_layout
from dev.generate.app_rules import APP_RULES_PATH, app_rules_module
from dev.generate.dashboards import dashboard_files
from dev.generate.deadlines_doc import deadlines_document
from dev.generate.grading_doc import grading_document
from dev.generate.schemas import schema_documents
from dev.generate.settings_table import with_settings_table


def generated_files(root: Path) -> dict[Path, str]:
    """Every committed generated file under ``root`` (the repository) → its text."""
    dashboards = root / "deploy" / "monitoring" / "grafana" / "dashboards"
    files = {root / "schemas" / name: text for name, text in schema_documents().items()}
    files.update({dashboards / name: text for name, text in dashboard_files().items()})
    files[root / "docs" / "grading.md"] = grading_document()
    files[root / "docs" / "deadlines.md"] = deadlines_document()
    files[root / incident_layout.PYTHON_PATH] = incident_layout.python_layout()
    files[root / incident_layout.HEADER_PATH] = incident_layout.c_header()
    files[root / incident_layout.DOCUMENT_PATH] = incident_layout.figures_document()
    files[root / APP_RULES_PATH] = app_rules_module()
    operations = root / "docs" / "operations.md"
    files[operations] = with_settings_table(operations.read_text(encoding="utf-8"))
    return files


def stale_files(root: Path) -> list[Path]:
    """The generated files whose committed text differs from what the code generates."""
    return [
        path
        for path, text in generated_files(root).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def write_generated_files(root: Path) -> list[Path]:
    written = []
    for path, text in generated_files(root).items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
