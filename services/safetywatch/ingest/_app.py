"""The ingest gateway (SPEC §5): authenticate, validate, stamp, produce, answer after the ack."""

from __future__ import annotations

import asyncio
import gc
import math
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pydantic_core
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safetywatch.config import AreaConfig, ConfigError, Settings
from safetywatch.events import IncidentRecord, IncidentReport, ReportContext
from safetywatch.ingest._limits import RateLimiter
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._sink import BrokerUnavailable, KafkaReportSink
from safetywatch.ingest._tokens import TokenRegistry, Unit

log = structlog.get_logger("safetywatch.ingest")

ANONYMOUS = Unit("anonymous", ("",))


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON Schema with its $defs inlined, so it can stand inside OpenAPI."""
    definitions = schema.pop("$defs", {})
    schema.pop("$id", None)

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


REPORT_SCHEMA = _inlined(IncidentReport.model_json_schema())


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
        for item in error.errors(include_url=False, include_input=False)
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


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _request_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class RequestMetrics:
    """Counts and times every request by route and status, as plain ASGI middleware:
    Starlette's ``@app.middleware("http")`` spawned a task group per request and cost
    the gateway a fifth of its time under load."""

    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self._app = app
        self._metrics = metrics

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
            self._metrics.requests.labels(path, str(status)).inc()
            self._metrics.latency.labels(path).observe(time.perf_counter() - started)


def create_app(
    settings: Settings, area: AreaConfig, metrics: GatewayMetrics | None = None
) -> FastAPI:
    if settings.tokens_file is None and not settings.allow_anonymous:
        raise ConfigError(
            "environment: SAFETYWATCH_TOKENS_FILE is required (field units authenticate; "
            "SAFETYWATCH_ALLOW_ANONYMOUS=true is for development only)"
        )
    metrics = metrics or GatewayMetrics()
    sink = KafkaReportSink(
        settings.kafka_bootstrap, settings.topic, settings.produce_timeout_seconds
    )
    registry = TokenRegistry(settings.tokens_file) if settings.tokens_file else None
    limiter = RateLimiter(settings.unit_reports_per_second, settings.unit_burst)
    retry_after = {"Retry-After": str(settings.retry_after_seconds)}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await sink.start(stack)
            # What start-up built lives as long as the process: keep it out of the
            # collections that every request's garbage triggers (steadier latency).
            gc.freeze()
            log.info(
                "gateway_started",
                url=f"http://{settings.gateway_host}:{settings.gateway_port}",
                bootstrap=settings.kafka_bootstrap,
                topic=settings.topic,
                authentication="tokens" if registry else "anonymous (development only)",
            )
            yield
        log.info("gateway_stopped")

    app = FastAPI(title="safetywatch ingest gateway", lifespan=lifespan)
    app.state.sink = sink
    app.add_middleware(RequestMetrics, metrics=metrics)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> JSONResponse:
        # The client learns nothing about the internals; the log has the whole story.
        log.error("request_failed", path=request.url.path, exc_info=error)
        return _problem(500, "internal error")

    def authenticate(request: Request) -> Unit | JSONResponse:
        if registry is None:
            return ANONYMOUS
        unit = registry.authenticate(request.headers.get("authorization"))
        if unit is None:
            return _problem(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
        return unit

    def throttle(unit: Unit, reports: int) -> JSONResponse | None:
        wait = limiter.take(unit.unit_id, reports)
        if not wait:
            return None
        seconds = "3600" if math.isinf(wait) else str(max(1, math.ceil(wait)))
        log.warning("unit_rate_limited", unit=unit.unit_id, reports=reports, retry_after_s=seconds)
        return _problem(429, "too many reports from this unit; slow down", {"Retry-After": seconds})

    async def receive(request: Request, limit: int) -> bytes | JSONResponse:
        if not is_json_content_type(request.headers.get("content-type")):
            return _problem(415, "Content-Type must be application/json")
        try:
            async with asyncio.timeout(settings.body_timeout_seconds):
                return await read_body(request, limit)
        except BodyTooLarge:
            return _problem(413, f"request body exceeds {limit} bytes")
        except TimeoutError:
            return _problem(
                408, f"the body did not arrive within {settings.body_timeout_seconds:g} s"
            )

    def validate(
        document: bytes, unit: Unit, received_at: datetime
    ) -> IncidentRecord | tuple[int, list[dict[str, Any]]]:
        context = ReportContext(received_at=received_at, configured_regions=area.region_codes)
        try:
            report = IncidentReport.model_validate_json(document, context=context)
        except ValidationError as error:
            return 422, field_errors(error)
        if not unit.may_report(report.region_code):
            message = f"unit {unit.unit_id} may not report for region {report.region_code}"
            return 403, [{"field": "region_code", "type": "forbidden", "msg": message}]
        return IncidentRecord.stamp(report, received_at=received_at, unit_id=unit.unit_id)

    async def publish(record: IncidentRecord, peer: str) -> dict[str, Any]:
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
            return {
                "status": 503,
                "detail": "Kafka cannot take the write now; retry the identical request",
            }
        metrics.reports_accepted.labels(record.category.value).inc()
        log.info(
            "report_accepted",
            incident_id=record.incident_id,
            revision=record.revision,
            unit=record.unit_id,
            peer=peer,
            partition=receipt.partition,
            offset=receipt.offset,
        )
        return {
            "status": 202,
            "incident_id": record.incident_id,
            "revision": record.revision,
            "partition": receipt.partition,
            "offset": receipt.offset,
        }

    def peer_of(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    @app.post("/v1/incidents", status_code=202, openapi_extra=_request_body(REPORT_SCHEMA))
    async def post_incident(request: Request) -> JSONResponse:
        unit = authenticate(request)
        if isinstance(unit, JSONResponse):
            return unit
        refused = throttle(unit, 1)
        if refused is not None:
            return refused
        body = await receive(request, settings.max_body_bytes)
        if isinstance(body, JSONResponse):
            return body
        checked = validate(body, unit, datetime.now(UTC))
        if isinstance(checked, tuple):
            status, errors = checked
            return JSONResponse({"detail": errors}, status_code=status)
        result = await publish(checked, peer_of(request))
        status = result.pop("status")
        return JSONResponse(
            result, status_code=status, headers=retry_after if status == 503 else None
        )

    batch_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["reports"],
        "properties": {
            "reports": {
                "type": "array",
                "maxItems": settings.max_batch_reports,
                "items": REPORT_SCHEMA,
            }
        },
    }

    @app.post("/v1/incidents:batch", openapi_extra=_request_body(batch_schema))
    async def post_batch(request: Request) -> JSONResponse:
        """Up to max_batch_reports reports; each is accepted or refused on its own."""
        unit = authenticate(request)
        if isinstance(unit, JSONResponse):
            return unit
        body = await receive(request, settings.max_batch_bytes)
        if isinstance(body, JSONResponse):
            return body
        try:
            envelope = pydantic_core.from_json(body)
        except ValueError as error:
            return JSONResponse(
                {"detail": [{"field": "body", "type": "json_invalid", "msg": str(error)}]},
                status_code=422,
            )
        reports = envelope.get("reports") if isinstance(envelope, dict) else None
        if not isinstance(reports, list) or set(envelope) != {"reports"}:
            return JSONResponse(
                {
                    "detail": [
                        {
                            "field": "reports",
                            "type": "missing",
                            "msg": 'expected {"reports": [...]}',
                        }
                    ]
                },
                status_code=422,
            )
        if len(reports) > settings.max_batch_reports:
            message = f"at most {settings.max_batch_reports} reports per batch, got {len(reports)}"
            return JSONResponse(
                {"detail": [{"field": "reports", "type": "too_long", "msg": message}]},
                status_code=422,
            )
        refused = throttle(unit, max(1, len(reports)))
        if refused is not None:
            return refused
        received_at = datetime.now(UTC)
        checked = [validate(pydantic_core.to_json(item), unit, received_at) for item in reports]
        peer = peer_of(request)
        published = await asyncio.gather(
            *(publish(c, peer) for c in checked if not isinstance(c, tuple))
        )
        accepted = iter(published)
        results = []
        for index, outcome in enumerate(checked):
            if isinstance(outcome, tuple):
                results.append({"index": index, "status": outcome[0], "errors": outcome[1]})
            else:
                results.append({"index": index, **next(accepted)})
        return JSONResponse({"results": results})

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
