"""Request counts and latency by route and status, as plain ASGI middleware: Starlette's
``@app.middleware("http")`` spawned a task group per request and cost the gateway a
fifth of its time under load."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestMetrics:
    def __init__(self, app: ASGIApp, requests: Counter, latency: Histogram) -> None:
        self._app = app
        self._requests = requests
        self._latency = latency
        #: Each route and status's series, found once: ``labels`` checks and locks on
        #: every call. Routes are the app's templates (or "unmatched"): a few dozen.
        self._series: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the application fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_and_note)
        finally:
            # The router records the matched route in the scope it was given.
            path = getattr(scope.get("route"), "path", "unmatched")
            series = self._series.get((path, status))
            if series is None:
                series = (self._requests.labels(path, str(status)), self._latency.labels(path))
                self._series[(path, status)] = series
            requests, latency = series
            requests.inc()
            latency.observe(time.perf_counter() - started)
