"""The field client's transport: post reports to the gateway, retrying what may be retried.

Identical reports are idempotent at the aggregator (a repeated incident_id and
revision changes nothing), so retrying a 503 or a network error is always safe.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

RETRIABLE_STATUS = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class PostResult:
    index: int
    status: int
    body: Any

    @property
    def accepted(self) -> bool:
        return self.status == 202


def read_reports(source: TextIO) -> Iterator[dict[str, Any]]:
    """One JSON object, a JSON array of objects, or JSON lines."""
    text = source.read()
    stripped = text.lstrip()
    if not stripped:
        return
    if stripped[0] == "[":
        document = json.loads(text)
        yield from document
        return
    try:
        yield json.loads(text)
    except json.JSONDecodeError:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"line {number}: not JSON: {error.msg}") from None


def post_report(
    client: httpx.Client, report: dict[str, Any], index: int = 0, attempts: int = 6
) -> PostResult:
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            response = client.post("/v1/incidents", json=report)
        except httpx.TransportError as error:
            if attempt == attempts:
                return PostResult(index, 0, {"detail": f"gateway unreachable: {error}"})
        else:
            if response.status_code not in RETRIABLE_STATUS or attempt == attempts:
                try:
                    body = response.json()
                except ValueError:
                    body = response.text
                return PostResult(index, response.status_code, body)
            delay = max(delay, float(response.headers.get("retry-after", delay)))
        time.sleep(delay)
        delay = min(delay * 2, 10.0)
    raise AssertionError("unreachable")


def post_file(gateway: str, path: str, out: TextIO) -> int:
    """Post every report of ``path`` (``-`` for stdin); exit status 0 when all were accepted."""
    import sys

    if path == "-":
        reports = list(read_reports(sys.stdin))
    else:
        with Path(path).open(encoding="utf-8") as source:
            reports = list(read_reports(source))
    refused = 0
    with httpx.Client(base_url=gateway, timeout=30) as client:
        for index, report in enumerate(reports):
            result = post_report(client, report, index)
            if result.accepted:
                print(f"#{index} accepted: {json.dumps(result.body, ensure_ascii=False)}", file=out)
            else:
                refused += 1
                print(
                    f"#{index} refused ({result.status}): {json.dumps(result.body, ensure_ascii=False)}",
                    file=out,
                )
    return 1 if refused else 0
