"""The gateway's ASGI application: a Gateway, its routes, its error rendering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import structlog
from fastapi import FastAPI

from safetywatch.config import AreaConfig, Settings
from safetywatch.ingest._gateway import Gateway
from safetywatch.ingest._metrics import GatewayMetrics
from safetywatch.ingest._routes import router
from safetywatch.web import RequestMetrics, install_refusal_handlers

log = structlog.get_logger("safetywatch.ingest")


def gateway_app(gateway: Gateway) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await gateway.start(stack)
            yield
        log.info("gateway_stopped")

    app = FastAPI(title="safetywatch ingest gateway", lifespan=lifespan)
    app.state.gateway = gateway
    app.add_middleware(
        RequestMetrics, requests=gateway.metrics.requests, latency=gateway.metrics.latency
    )
    install_refusal_handlers(app, gateway.audit_refusal)
    app.include_router(router)
    return app


def create_app(
    settings: Settings, area: AreaConfig, metrics: GatewayMetrics | None = None
) -> FastAPI:
    return gateway_app(Gateway(settings, area, metrics))
