"""Reading reports from what a field office has: JSON, JSON lines, or a spreadsheet's CSV.

CSV layout: a header row of report field names (``incident_id, revision, category,
region_code, occurred_at, deaths, …``); ``lat`` and ``lon`` columns make the location;
empty cells are left out; a yes-or-no field (``retracted``, ``final``,
``business_related``, …) accepts true/false, 1/0, yes/no, 是/否. Which cell is a number
and which a yes or no is read from the report model itself. A cell that is not what its
field takes is sent as written, so the gateway's refusal names the field.

A road traffic or fire row must say whether the accident was of business
(``business_related``): the wire takes its absence as yes, but a person entering a
history decides it, row by row (contract §7).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from safetywatch.errors import SafetywatchError
from safetywatch.events import APART_CATEGORIES, IncidentReport

TRUE = {"true", "1", "yes", "y", "是"}
FALSE = {"false", "0", "no", "n", "否"}


def _json_types() -> dict[str, str]:
    """Each report field's JSON type where it has one (integer, number, boolean, …)."""
    types = {}
    for name, field in IncidentReport.model_json_schema()["properties"].items():
        kinds = {branch.get("type") for branch in field.get("anyOf", [field])} - {"null", None}
        if len(kinds) == 1:
            types[name] = kinds.pop()
    return types


#: What the CSV cells of each field are read as; ``lat`` and ``lon`` make the location.
CELL_TYPES = {**_json_types(), "lat": "number", "lon": "number"}
_ASKED_OF = {category.value for category in APART_CATEGORIES}


class ReportFileError(SafetywatchError, ValueError):
    """The file cannot be read as reports; the message says where."""


def read_cell(kind: str | None, text: str) -> Any:
    """A cell's text as its field takes it (integer, number, yes or no), else as written."""
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            return float(text)
    except ValueError:
        return text
    if kind == "boolean":
        lowered = text.lower()
        return True if lowered in TRUE else False if lowered in FALSE else text
    return text


def _csv_row(row: dict[str, str], line: int, name: str) -> dict[str, Any]:
    report: dict[str, Any] = {}
    location: dict[str, Any] = {}
    if None in row:  # csv.DictReader puts the cells beyond the heading's columns there
        extra = len(row[None])  # type: ignore[index]
        raise ReportFileError(
            f"{name}: line {line}: {len(row) - 1 + extra} cells, but the heading names "
            f"{len(row) - 1} columns (a trailing comma, or a value with no column?)"
        )
    for key, raw in row.items():
        value = (raw or "").strip()
        field = (key or "").strip()
        if not value or not field:
            continue
        target = location if field in ("lat", "lon") else report
        target[field] = read_cell(CELL_TYPES.get(field), value)
    if location:
        report["location"] = location
    if report.get("category") in _ASKED_OF and "business_related" not in report:
        raise ReportFileError(
            f"{name}: line {line}: business_related: say whether this "
            f"{report['category']} accident was of business (生产经营性: 是/否)"
        )
    return report


def parse_reports(text: str, name: str = "input") -> list[dict[str, Any]]:
    """One JSON object, a JSON array, JSON lines, or CSV (by extension or content)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return []
    if name.lower().endswith(".csv") or not stripped.startswith(("{", "[")):
        rows = csv.DictReader(io.StringIO(stripped))
        return [_csv_row(row, rows.line_num, name) for row in rows]
    try:
        document = json.loads(stripped)
    except json.JSONDecodeError:
        reports = []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if line.strip():
                try:
                    reports.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ReportFileError(f"{name}: line {number}: not JSON: {error.msg}") from None
        return reports
    return document if isinstance(document, list) else [document]
