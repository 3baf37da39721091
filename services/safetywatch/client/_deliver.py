"""Sends the outbox through the gateway's batch endpoint, retrying what may be retried."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx

from safetywatch.client._outbox import Outbox

RETRIABLE_STATUS = frozenset({408, 429, 502, 503, 504})
BASE_DELAY_S = 0.5
MAX_DELAY_S = 30.0


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


def deliver(
    outbox: Outbox,
    client: httpx.Client,
    *,
    batch_size: int = 100,
    deadline_s: float = 300.0,
    progress: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    result = Delivery()
    total = len(outbox.pending())
    give_up_at = time.monotonic() + deadline_s
    attempt = 0
    while True:
        batch = outbox.pending()[:batch_size]
        if not batch:
            break
        retry_after: float | None = None
        try:
            response = client.post(
                "/v1/incidents:batch", json={"reports": [outbox.load(p) for p in batch]}
            )
        except httpx.TransportError as error:
            problem = f"gateway unreachable ({type(error).__name__})"
        else:
            if response.status_code in (401, 403):
                result.fatal = f"the gateway refused the token ({response.status_code}): check SAFETYWATCH_TOKEN or --token-file"
                break
            if response.status_code == 200:
                attempt = 0
                retry = False
                for item, path in zip(response.json()["results"], batch, strict=True):
                    status = item["status"]
                    if status == 202:
                        outbox.delivered(path)
                        result.delivered += 1
                    elif status in RETRIABLE_STATUS:
                        retry = True
                    else:
                        result.refused.append(
                            (
                                outbox.refuse(path, status, item.get("errors")),
                                status,
                                item.get("errors"),
                            )
                        )
                if progress is not None:
                    done = result.delivered + len(result.refused)
                    print(
                        f"report: {done}/{total} handled ({result.delivered} accepted, {len(result.refused)} refused)",
                        file=progress,
                    )
                if not retry:
                    continue
                problem = "Kafka could not take some reports"
            elif response.status_code in RETRIABLE_STATUS:
                problem = f"gateway answered {response.status_code}"
                retry_after = _retry_after(response)
            else:
                result.fatal = f"the gateway answered {response.status_code}: {response.text[:300]}"
                break
        delay = backoff(attempt, retry_after)
        if time.monotonic() + delay > give_up_at:
            break
        if progress is not None:
            print(f"report: {problem}; retrying in {delay:.1f} s", file=progress)
        sleep(delay)
        attempt += 1
    result.pending = len(outbox.pending())
    return result
