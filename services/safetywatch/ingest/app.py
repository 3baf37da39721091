"""The gateway's ASGI application: a Gateway, its routes, its request metrics."""

from __future__ import annotations

from fastapi import FastAPI

from safetywatch.config import AreaConfig, Settings
from safetywatch.ingest.api import confirmations, field_app, health, reports, units
from safetywatch.ingest.gateway import Gateway
from safetywatch.ingest.metrics import GatewayMetrics
from safetywatch.web import RequestMetrics, service_app


def gateway_app(gateway: Gateway) -> FastAPI:
    app = service_app(
        "safetywatch ingest gateway",
        gateway,
        gateway.start,
        (reports.router, confirmations.router, units.router, field_app.router, health.router),
        gateway.audit_refusal,
    )
    app.router.routes[0:0] = reports.HOT_ROUTES
    metrics = gateway.metrics
    app.add_middleware(RequestMetrics, requests=metrics.requests, latency=metrics.latency)
    return app


def create_app(
    settings: Settings, area: AreaConfig, metrics: GatewayMetrics | None = None
) -> FastAPI:
    return gateway_app(Gateway(settings, area, metrics))
