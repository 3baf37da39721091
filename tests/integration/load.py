"""Field units posting under faults: each report retried as the field client retries it
(on 503, honouring Retry-After, and on a dropped connection) until it gets its 202."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

import httpx

from tests.integration.checks import post
from tests.integration.harness import Service


class RetryingClients:
    """``clients`` threads taking the next report from ``documents`` (which may be
    endless) until it runs out or ``stop`` is called; every report taken is posted until
    accepted, so after ``join`` each one has its 202."""

    def __init__(
        self,
        gateway: Service,
        documents: Iterable[dict[str, Any]],
        clients: int = 4,
        pace_seconds: float = 0.0,
    ) -> None:
        self.gateway = gateway
        self._documents: Iterator[dict[str, Any]] = iter(documents)
        self._pace = pace_seconds
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._never = threading.Event()
        self.posted: list[dict[str, Any]] = []
        #: incident_id → (partition, offset) the 202 named.
        self.acknowledged: dict[str, tuple[int, int]] = {}
        self.answers: Counter[int] = Counter()
        self.dropped_connections = 0
        #: When each 202 arrived (monotonic): the gaps between them are unavailability.
        self.accepted_at: list[float] = []
        self.failures: list[BaseException] = []
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(clients)]
        for thread in self._threads:
            thread.start()

    def _next(self) -> dict[str, Any] | None:
        with self._lock:
            if self._stopping.is_set():
                return None
            document = next(self._documents, None)
            if document is not None:
                self.posted.append(document)
            return document

    def _client(self) -> None:
        try:
            while (document := self._next()) is not None:
                self._post_until_accepted(document)
                if self._pace:
                    self._stopping.wait(self._pace)
        except BaseException as error:  # surfaced by join()
            self.failures.append(error)

    def _post_until_accepted(self, document: dict[str, Any]) -> None:
        while True:
            try:
                response = post(self.gateway, document, timeout=30)
            except httpx.TransportError:
                with self._lock:
                    self.dropped_connections += 1
                continue
            with self._lock:
                self.answers[response.status_code] += 1
            if response.status_code == 202:
                body = response.json()
                with self._lock:
                    self.acknowledged[document["incident_id"]] = (body["partition"], body["offset"])
                    self.accepted_at.append(time.monotonic())
                return
            assert response.status_code == 503, response.text
            retry_after = int(response.headers["retry-after"])
            assert retry_after >= 1
            # The field client waits before retrying; a test waits less, but waits.
            self._never.wait(0.2)

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def refused(self) -> int:
        with self._lock:
            return self.answers[503]

    def stop(self) -> None:
        """No new reports; those taken are still posted until accepted."""
        self._stopping.set()

    def join(self, timeout: float = 300) -> None:
        for thread in self._threads:
            thread.join(timeout)
            assert not thread.is_alive(), "a client still has a report without its 202"
        if self.failures:
            raise self.failures[0]

    def longest_gap(self, since: float = 0.0) -> float:
        """The longest time without any 202, in seconds."""
        moments = sorted(t for t in self.accepted_at if t >= since)
        return max((b - a for a, b in pairwise(moments)), default=0.0)
