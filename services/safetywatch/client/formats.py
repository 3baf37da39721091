"""Reading reports from what a field office has: JSON, JSON lines, or a spreadsheet's CSV.

CSV layout: a header row of report field names (``incident_id, revision, category,
region_code, occurred_at, deaths, …``); ``lat`` and ``lon`` columns make the location;
empty cells are left out; ``retracted`` accepts true/false, 1/0, yes/no, 是/否. A cell
that is not a number where a number belongs is sent as written, so the gateway's
refusal names the field.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from safetywatch.errors import SafetywatchError

INTEGER_FIELDS = {
    "revision",
    "deaths",
    "missing",
    "serious_injuries",
    "minor_injuries",
    "trapped",
    "evacuated",
    "threatened_people",
}
NUMBER_FIELDS = {
    "direct_loss_yuan",
    "burned_area_ha",
    "damaged_forest_area_ha",
    "damaged_grassland_area_ha",
    "potential_loss_yuan",
    "lat",
    "lon",
}
TRUE = {"true", "1", "yes", "y", "是"}
FALSE = {"false", "0", "no", "n", "否"}


class ReportFileError(SafetywatchError, ValueError):
    """The file cannot be read as reports; the message says where."""


def _number(text: str, integer: bool) -> Any:
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    location: dict[str, Any] = {}
    for key, raw in row.items():
        value = (raw or "").strip()
        name = (key or "").strip()
        if not value or not name:
            continue
        if name in ("lat", "lon"):
            location[name] = _number(value, integer=False)
        elif name in INTEGER_FIELDS:
            report[name] = _number(value, integer=True)
        elif name in NUMBER_FIELDS:
            report[name] = _number(value, integer=False)
        elif name == "retracted":
            lowered = value.lower()
            report[name] = True if lowered in TRUE else False if lowered in FALSE else value
        else:
            report[name] = value
    if location:
        report["location"] = location
    return report


def parse_reports(text: str, name: str = "input") -> list[dict[str, Any]]:
    """One JSON object, a JSON array, JSON lines, or CSV (by extension or content)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        return []
    if name.lower().endswith(".csv") or not stripped.startswith(("{", "[")):
        return [_csv_row(row) for row in csv.DictReader(io.StringIO(stripped))]
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
