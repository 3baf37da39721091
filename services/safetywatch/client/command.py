"""``safetywatch report``: queue a file of reports in the outbox and deliver it; and the
small client the demo posts through."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

import httpx

from safetywatch.client.deliver import (
    RETRIABLE_STATUS,
    backoff,
    deliver,
)
from safetywatch.client.formats import ReportFileError, parse_reports
from safetywatch.client.outbox import Outbox

DEFAULT_OUTBOX = Path.home() / ".local" / "share" / "safetywatch" / "outbox"


def gateway_client(gateway: str, token: str, timeout: float = 30) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=gateway, headers=headers, timeout=timeout)


def report_command(
    path: str, gateway: str, token: str, outbox_dir: Path, deadline_s: float, out: TextIO
) -> int:
    """``safetywatch report``: 0 all accepted, 1 some refused, 2 the file or the token could
    not be used, 3 some still pending."""
    if not token:
        raise ReportFileError(
            "no token: set SAFETYWATCH_TOKEN or give --token-file (nothing was queued)"
        )
    outbox = Outbox(outbox_dir)
    if path != "-" or not sys.stdin.isatty():
        text = sys.stdin.read() if path == "-" else read_text(Path(path))
        reports = parse_reports(text, path)
        if not reports and text.strip():
            raise ReportFileError(f"{path}: no reports in it (a heading row only?)")
        for report in reports:
            outbox.put(report)
        print(f"report: {len(reports)} reports queued in {outbox_dir}", file=sys.stderr)
    with gateway_client(gateway, token) as client:
        result = deliver(outbox, client, deadline_s=deadline_s, progress=sys.stderr)
    for refused_path, status, errors in result.refused:
        reasons = "; ".join(f"{e.get('field')}: {e.get('msg')}" for e in errors or []) or "refused"
        print(f"refused ({status}) {refused_path.name}: {reasons}", file=out)
    print(
        f"report: {result.delivered} accepted, {len(result.refused)} refused, {result.pending} still in the outbox",
        file=out,
    )
    if result.fatal:
        print(f"report: {result.fatal}", file=out)
        return 2
    if result.refused:
        return 1
    return 3 if result.pending else 0


def read_text(path: Path) -> str:
    """A report file's text: UTF-8 (with or without a byte-order mark), else one sentence
    saying what to do."""
    if path.suffix.lower() in (".xlsx", ".xls"):
        raise ReportFileError(
            f"{path}: a spreadsheet: save it as CSV (UTF-8), or import history with "
            "safetywatch import"
        )
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReportFileError(
            f"{path}: not UTF-8 (byte {error.start}; Excel on Chinese Windows saves GBK): save "
            'it as "CSV UTF-8"'
        ) from None


def post_report(client: httpx.Client, report: dict[str, Any], attempts: int = 6) -> httpx.Response:
    """One report through the single endpoint, retrying 503/429 and network errors."""
    for attempt in range(attempts):
        try:
            response = client.post("/v1/incidents", json=report)
        except httpx.TransportError:
            if attempt == attempts - 1:
                raise
            retry_after = None
        else:
            if response.status_code not in RETRIABLE_STATUS or attempt == attempts - 1:
                return response
            retry_after = float(response.headers.get("retry-after", 0) or 0)
        import time

        time.sleep(backoff(attempt, retry_after))
    raise AssertionError("unreachable")
