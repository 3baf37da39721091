"""The gateway's ASGI application: a Gateway, its routes, its request metrics."""

from __future__ import annotations

from fastapi import FastAPI

from safetywatch.config import AreaConfig, Settings
from safetywatch.ingest._app_routes import router as app_router
from safetywatch.ingest._confirmation_routes import router as confirmation_router
from safetywatch.ingest._gateway import Gateway
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._routes import router
from safetywatch.ingest._unit_routes import router as unit_router
from safetywatch.web import RequestMetrics, service_app


def gateway_app(gateway: Gateway) -> FastAPI:
    app = service_app(
        "safetywatch ingest gateway",
        gateway,
        gateway.start,
        (router, confirmation_router, unit_router, app_router),
        gateway.audit_refusal,
    )
    metrics = gateway.metrics
    app.add_middleware(RequestMetrics, requests=metrics.requests, latency=metrics.latency)
    return app


def create_app(
    settings: Settings, area: AreaConfig, metrics: GatewayMetrics | None = None
) -> FastAPI:
    return gateway_app(Gateway(settings, area, metrics))
