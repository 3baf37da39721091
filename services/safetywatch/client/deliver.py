"""Sends the outbox through the gateway's batch endpoint, retrying what may be retried."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from safetywatch.client.outbox import Outbox

#: The retry rules, shared with the field app (``python -m dev.generate`` writes them into
#: its ``js/rules.js``): statuses worth another try, the backoff's first and longest
#: ceiling, and how many reports one batch carries.
RETRIABLE_STATUS = frozenset({408, 429, 502, 503, 504})
BASE_DELAY_S = 0.5
MAX_DELAY_S = 30.0
BATCH_SIZE = 100


@dataclass
class Delivery:
    delivered: int = 0
    refused: list[tuple[Path, int, Any]] = field(default_factory=list)
    pending: int = 0
    fatal: str | None = None


def backoff(
    attempt: int, retry_after: float | None, rng: Callable[[], float] = random.random
) -> float:
    """Full jitter on an exponential ceiling; never earlier than the server's Retry-After."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt)
    return float(max(retry_after or 0.0, rng() * ceiling))


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class _Answer:
    """What one batch attempt came to: done, something to retry, or a reason to stop."""

    retry: bool = False
    problem: str = ""
    retry_after: float | None = None
    fatal: str | None = None
    #: The gateway answered the batch report by report (a 200): the backoff starts over.
    settled: bool = False


def _settle(outbox: Outbox, batch: list[Path], results: list[Any], result: Delivery) -> bool:
    """Deliver or refuse each report by its own status; True if one may be retried."""
    retry = False
    for item, path in zip(results, batch, strict=True):
        status = item["status"]
        if status == 202:
            outbox.delivered(path)
            result.delivered += 1
        elif status in RETRIABLE_STATUS:
            retry = True
        else:
            errors = item.get("errors")
            result.refused.append((outbox.refuse(path, status, errors), status, errors))
    return retry


def _send(outbox: Outbox, client: httpx.Client, batch: list[Path], result: Delivery) -> _Answer:
    try:
        response = client.post(
            "/v1/incidents:batch", json={"reports": [outbox.load(p) for p in batch]}
        )
    except httpx.TransportError as error:
        return _Answer(retry=True, problem=f"gateway unreachable ({type(error).__name__})")
    status = response.status_code
    if status in (401, 403):
        return _Answer(
            fatal=f"the gateway refused the token ({status}): check SAFETYWATCH_TOKEN or --token-file"
        )
    if status == 200:
        if _settle(outbox, batch, response.json()["results"], result):
            return _Answer(True, "Kafka could not take some reports", settled=True)
        return _Answer(settled=True)
    if status in RETRIABLE_STATUS:
        return _Answer(True, f"gateway answered {status}", _retry_after(response))
    return _Answer(fatal=f"the gateway answered {status}: {response.text[:300]}")


def deliver(
    outbox: Outbox,
    client: httpx.Client,
    *,
    batch_size: int = BATCH_SIZE,
    deadline_s: float = 300.0,
    progress: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send the outbox in batches until it is empty, a refusal of the token, or the deadline."""
    result = Delivery()
    total = len(outbox.pending())
    give_up_at = time.monotonic() + deadline_s
    attempt = 0
    while batch := outbox.pending()[:batch_size]:
        answer = _send(outbox, client, batch, result)
        if answer.fatal:
            result.fatal = answer.fatal
            break
        if answer.settled:
            attempt = 0
        if progress is not None and answer.settled:
            done = result.delivered + len(result.refused)
            print(
                f"report: {done}/{total} handled ({result.delivered} accepted, {len(result.refused)} refused)",
                file=progress,
            )
        if not answer.retry:
            continue
        delay = backoff(attempt, answer.retry_after)
        if time.monotonic() + delay > give_up_at:
            break
        if progress is not None:
            print(f"report: {answer.problem}; retrying in {delay:.1f} s", file=progress)
        sleep(delay)
        attempt += 1
    result.pending = len(outbox.pending())
    return result
