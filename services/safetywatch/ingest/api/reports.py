"""Posting reports (contract §5), one or a batch: authenticate, validate, stamp, produce,
answer after the broker's acknowledgement."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pydantic_core
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.routing import Match, Route
from starlette.types import Scope

from safetywatch.events import IncidentReport, StampedReport
from safetywatch.ingest.admission import admit, throttle
from safetywatch.ingest.dependencies import (
    GatewayDep,
    UnitDep,
    gateway_of,
    inlined_schema,
    request_body,
    unit_of,
)
from safetywatch.ingest.gateway import Gateway
from safetywatch.units import Unit
from safetywatch.web import Refusal, field_error, peer_of, read_json_body

router = APIRouter()

REPORT_SCHEMA = inlined_schema(IncidentReport.model_json_schema())


@router.post("/v1/incidents", status_code=202, openapi_extra=request_body(REPORT_SCHEMA))
async def post_incident(request: Request, gateway: GatewayDep, unit: UnitDep) -> JSONResponse:
    """One report. Served by ``HOT_ROUTES``; declared here for the API's description."""
    return await _accept(request, gateway, unit)


async def _post_incident_directly(request: Request) -> JSONResponse:
    gateway = await gateway_of(request)
    return await _accept(request, gateway, await unit_of(request, gateway))


class _RecordedRoute(Route):
    """A Starlette route that puts itself in the scope as FastAPI's routes do: the
    request metrics label a request by the route it matched."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.FULL:
            child_scope["route"] = self
        return match, child_scope


#: The report route as a plain Starlette route, matched before FastAPI's own: the
#: gateway's hot path skips FastAPI's dependency solving and its included routers'
#: matching, a third of a request's cost (docs/performance.md). Refusals still go
#: through the app's exception handlers, and both routes run ``_accept``.
HOT_ROUTES = (_RecordedRoute("/v1/incidents", _post_incident_directly, methods=["POST"]),)


async def _accept(request: Request, gateway: Gateway, unit: Unit) -> JSONResponse:
    throttle(gateway.limiter_for(unit), unit, 1)
    settings = gateway.settings
    body = await read_json_body(
        request, settings.gateway.max_body_bytes, settings.gateway.body_timeout_seconds
    )
    record = admit(body, unit, datetime.now(UTC), gateway.area)
    return JSONResponse(await gateway.publish(record, peer_of(request)), status_code=202)


def _batch_reports(body: bytes, limit: int) -> list[Any]:
    try:
        envelope = pydantic_core.from_json(body)
    except ValueError as error:
        raise Refusal(422, [field_error("body", "json_invalid", str(error))]) from None
    reports = envelope.get("reports") if isinstance(envelope, dict) else None
    if not isinstance(reports, list) or set(envelope) != {"reports"}:
        raise Refusal(422, [field_error("reports", "missing", 'expected {"reports": [...]}')])
    if len(reports) > limit:
        message = f"at most {limit} reports per batch, got {len(reports)}"
        raise Refusal(422, [field_error("reports", "too_long", message)])
    return reports


async def _outcome(
    gateway: Gateway, index: int, checked: StampedReport | Refusal, peer: str
) -> dict[str, Any]:
    if isinstance(checked, Refusal):
        return {"index": index, "status": checked.status, "errors": checked.detail}
    try:
        return {"index": index, "status": 202, **await gateway.publish(checked, peer)}
    except Refusal as refused:
        return {"index": index, "status": refused.status, "detail": refused.detail}


def _admitted(
    item: Any, unit: Unit, received_at: datetime, gateway: Gateway, request: Request
) -> StampedReport | Refusal:
    try:
        return admit(pydantic_core.to_json(item), unit, received_at, gateway.area)
    except Refusal as refused:
        gateway.audit_refusal(request, refused)
        return refused


@router.post("/v1/incidents:batch")
async def post_batch(request: Request, gateway: GatewayDep, unit: UnitDep) -> JSONResponse:
    """Up to max_batch_reports reports; each is accepted or refused on its own."""
    settings = gateway.settings
    body = await read_json_body(
        request, settings.gateway.max_batch_bytes, settings.gateway.body_timeout_seconds
    )
    reports = _batch_reports(body, settings.gateway.max_batch_reports)
    throttle(gateway.limiter_for(unit), unit, max(1, len(reports)))
    received_at = datetime.now(UTC)
    checked = [_admitted(item, unit, received_at, gateway, request) for item in reports]
    peer = peer_of(request)
    results = await asyncio.gather(*(_outcome(gateway, i, c, peer) for i, c in enumerate(checked)))
    return JSONResponse({"results": list(results)})
