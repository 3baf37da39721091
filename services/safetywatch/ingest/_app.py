"""The ingest gateway (SPEC §5): validate, stamp, produce, answer 202 after the ack."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError

from safetywatch.config import AreaConfig, Settings
from safetywatch.events import IncidentRecord, IncidentReport, ReportContext
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._sink import BrokerUnavailable, KafkaReportSink

log = structlog.get_logger("safetywatch.ingest")


class BodyTooLarge(Exception):
    pass


def field_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Every problem, each naming its field (``body`` for the document as a whole)."""
    return [
        {
            "field": ".".join(str(part) for part in item["loc"]) or "body",
            "type": item["type"],
            "msg": item["msg"],
        }
        for item in error.errors(include_url=False)
    ]


def is_json_content_type(value: str | None) -> bool:
    media_type = (value or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def create_app(
    settings: Settings, area: AreaConfig, metrics: GatewayMetrics | None = None
) -> FastAPI:
    metrics = metrics or GatewayMetrics()
    sink = KafkaReportSink(
        settings.kafka_bootstrap, settings.topic, settings.produce_timeout_seconds
    )
    retry_after = {"Retry-After": str(settings.retry_after_seconds)}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await sink.start(stack)
            log.info(
                "gateway_started",
                url=f"http://{settings.gateway_host}:{settings.gateway_port}",
                bootstrap=settings.kafka_bootstrap,
                topic=settings.topic,
            )
            yield
        log.info("gateway_stopped")

    app = FastAPI(title="safetywatch ingest gateway", lifespan=lifespan)
    app.state.sink = sink

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.requests.labels(path, str(response.status_code)).inc()
        metrics.latency.labels(path).observe(time.perf_counter() - started)
        return response

    @app.post("/v1/incidents", status_code=202)
    async def post_incident(request: Request) -> JSONResponse:
        if not is_json_content_type(request.headers.get("content-type")):
            return JSONResponse(
                {"detail": "Content-Type must be application/json"}, status_code=415
            )
        try:
            body = await read_body(request, settings.max_body_bytes)
        except BodyTooLarge:
            return JSONResponse(
                {"detail": f"request body exceeds {settings.max_body_bytes} bytes"}, status_code=413
            )
        received_at = datetime.now(UTC)
        context = ReportContext(received_at=received_at, configured_regions=area.region_codes)
        try:
            report = IncidentReport.model_validate_json(body, context=context)
        except ValidationError as error:
            return JSONResponse({"detail": field_errors(error)}, status_code=422)
        record = IncidentRecord.stamp(
            report, received_at=received_at, unit_id=settings.gateway_unit_id
        )
        try:
            receipt = await sink.publish(record.incident_id.encode(), record.to_json_bytes())
        except BrokerUnavailable as error:
            metrics.produce_failures.inc()
            log.warning(
                "report_not_acknowledged",
                incident_id=record.incident_id,
                revision=record.revision,
                unit=record.unit_id,
                error=str(error),
            )
            return JSONResponse(
                {"detail": "Kafka cannot take the write now; retry the identical request"},
                status_code=503,
                headers=retry_after,
            )
        metrics.reports_accepted.labels(record.category.value).inc()
        log.info(
            "report_accepted",
            incident_id=record.incident_id,
            revision=record.revision,
            unit=record.unit_id,
            partition=receipt.partition,
            offset=receipt.offset,
        )
        return JSONResponse(
            {
                "incident_id": record.incident_id,
                "revision": record.revision,
                "partition": receipt.partition,
                "offset": receipt.offset,
            },
            status_code=202,
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        if await sink.reachable():
            return JSONResponse({"status": "ready"})
        return JSONResponse(
            {"status": "unready", "detail": f"cannot reach topic {settings.topic} on Kafka"},
            status_code=503,
            headers=retry_after,
        )

    @app.get("/metrics")
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
