"""``safetywatch import``: a bureau's history from a spreadsheet into the log, as imported
history (``origin: import``, contract §2) — counted like any report, chasing nobody.

A file is CSV (UTF-8, with or without a byte-order mark) or XLSX (its first sheet), in
the register export's own layout (headings "事故编号 incident id", or either language
alone) or the field client's (report field names). Each row becomes one report; a row
that cannot be one is named with its row number, column and reason and the rest go on.
Re-importing a file changes nothing (the same incident and revision is a duplicate); a
corrected file raises revisions.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

import httpx
from pydantic import ValidationError

from safetywatch.client.deliver import RETRIABLE_STATUS, backoff
from safetywatch.client.formats import CELL_TYPES, ReportFileError, read_cell
from safetywatch.events import REGISTER_COLUMNS, IncidentReport, restored

#: Reports a batch carries: the gateway's default maximum.
IMPORT_BATCH = 500

#: Every heading a column may carry, to the report field it fills: the register export's
#: ("事故编号 incident id"), each language alone, and the field's own name.
_REPORT_FIELDS = frozenset(IncidentReport.model_fields)
_HEADING_FIELDS: dict[str, str] = {name: name for name in _REPORT_FIELDS}
for _key, _zh, _en in REGISTER_COLUMNS:
    for _heading in (f"{_zh} {_en}", _zh, _en, _key):
        _HEADING_FIELDS[_heading.strip().lower()] = _key


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.reason}"


@dataclass(slots=True)
class History:
    """The rows of a file as reports (by row number), and the rows that are not."""

    reports: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _rows(path: Path) -> Iterator[list[Any]]:
    """The file's rows, headings first, as cell values."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook  # only when asked: openpyxl is large

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if value is None else value for value in values]
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReportFileError(
            f"{path}: not UTF-8 (byte {error.start}): save the CSV as UTF-8, or as .xlsx"
        ) from None
    yield from csv.reader(io.StringIO(text))


def _report(cells: dict[str, Any]) -> dict[str, Any]:
    """A report from one row's cells by field: derived columns dropped, texts restored
    from the export's neutralising, a register's 非生产经营性 as ``business_related``."""
    report: dict[str, Any] = {}
    for name, value in cells.items():
        if value == "" or value is None:
            continue
        if name == "non_business" and cells.get("business_related") in ("", None):
            business = read_cell("boolean", str(value))
            if isinstance(business, bool) and cells.get("category") in ("road_traffic", "fire"):
                report["business_related"] = not business
            continue
        if name not in _REPORT_FIELDS:
            continue  # a column the register derives (month, grade, chain, …)
        if isinstance(value, str):
            value = read_cell(CELL_TYPES.get(name), restored(value.strip()))
        elif isinstance(value, datetime | date):
            value = value.isoformat()  # a spreadsheet's own date cell
        report[name] = value
    return {**report, "origin": "import"}


def read_history(path: Path) -> History:
    """Every row of the file as an imported report, or the problem that keeps it out:
    checked against the report model here, as the gateway will check it."""
    rows = _rows(path)
    headings = next(rows, None)
    if headings is None:
        raise ReportFileError(f"{path}: empty: no heading row")
    fields = [_HEADING_FIELDS.get(str(heading).strip().lower()) for heading in headings]
    if "incident_id" not in fields:
        raise ReportFileError(
            f"{path}: row 1: no incident_id column (事故编号 incident id): is this the "
            "register export or a report file?"
        )
    history = History()
    for number, values in enumerate(rows, start=2):
        if not any(str(value).strip() for value in values):
            continue
        cells = {name: value for name, value in zip(fields, values, strict=False) if name}
        report = _report(cells)
        try:
            IncidentReport.model_validate_json(json.dumps(report))  # as the gateway reads it
        except ValidationError as error:
            for problem in error.errors():
                column = ".".join(str(part) for part in problem["loc"]) or "row"
                history.problems.append(RowProblem(number, column, problem["msg"]))
            continue
        history.reports.append((number, report))
    return history


@dataclass(slots=True)
class Imported:
    sent: int = 0
    refused: list[RowProblem] = field(default_factory=list)
    fatal: str | None = None


def send_history(
    history: History,
    client: httpx.Client,
    progress: TextIO,
    *,
    batch_size: int = IMPORT_BATCH,
    clock: Callable[[], float] = time.monotonic,
) -> Imported:
    """Post the reports in batches through the gateway, retrying what may be retried
    (429, 503, a lost connection) with the field client's backoff; each refusal named
    by its row. Shows rows a second and the time left."""
    result, started, total = Imported(), clock(), len(history.reports)
    shown = started
    for first in range(0, total, batch_size):
        batch = history.reports[first : first + batch_size]
        pending = list(batch)
        attempt = 0
        while pending:
            answer = _post(client, [report for _, report in pending])
            if isinstance(answer, str):
                result.fatal = answer
                return result
            if answer is None:
                time.sleep(backoff(attempt, None))
                attempt += 1
                continue
            retry = []
            for (row, report), item in zip(pending, answer, strict=True):
                status = item["status"]
                if status == 202:
                    result.sent += 1
                elif status in RETRIABLE_STATUS:
                    retry.append((row, report))
                else:
                    for error in item.get("errors") or [{"field": "row", "msg": str(status)}]:
                        result.refused.append(RowProblem(row, error["field"], error["msg"]))
            if retry:
                time.sleep(backoff(attempt, None))
                attempt += 1
            pending = retry
        done, now = min(first + batch_size, total), clock()
        if now - shown < 1 and done < total:
            continue  # a line a second, and the last
        shown, elapsed = now, max(now - started, 1e-9)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        print(
            f"import: {done:,}/{total:,} rows, {rate:,.0f} rows/s, about {left:,.0f} s left",
            file=progress,
            flush=True,
        )
    return result


def _post(client: httpx.Client, reports: list[dict[str, Any]]) -> list[Any] | str | None:
    """The batch's results; None to try again; a sentence when nothing more can go."""
    try:
        response = client.post("/v1/incidents:batch", json={"reports": reports})
    except httpx.TransportError:
        return None
    status = response.status_code
    if status in (401, 403):
        return f"the gateway refused the token ({status}): check --token-file or SAFETYWATCH_TOKEN"
    if status == 200:
        results: list[Any] = response.json()["results"]
        return results
    if status in RETRIABLE_STATUS:
        return None
    return f"the gateway answered {status}: {response.text[:300]}"


def import_command(path: Path, client: httpx.Client | None, out: TextIO, progress: TextIO) -> int:
    """``safetywatch import``: 0 every row went in, 1 some rows were refused (each named),
    2 the file or the token could not be used. Without a client (``--dry-run``) every row
    is checked and nothing is sent."""
    history = read_history(path)
    for problem in history.problems:
        print(f"import: {path.name}: {problem}", file=out)
    if client is None:
        print(
            f"import: {path.name}: {len(history.reports):,} rows would be imported, "
            f"{len({p.row for p in history.problems}):,} refused "
            "(dry run: nothing sent)",
            file=out,
        )
        return 1 if history.problems else 0
    result = send_history(history, client, progress)
    for problem in result.refused:
        print(f"import: {path.name}: {problem}", file=out)
    refused_rows = {p.row for p in history.problems} | {p.row for p in result.refused}
    print(
        f"import: {path.name}: {result.sent:,} rows imported, {len(refused_rows):,} refused",
        file=out,
    )
    if result.fatal:
        print(f"import: {result.fatal}", file=out)
        return 2
    return 1 if refused_rows else 0
