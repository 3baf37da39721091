"""The aggregator's ASGI application: query API and /metrics on one port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime

import structlog
from fastapi import FastAPI

from safetywatch.aggregator._metrics import Clock
from safetywatch.aggregator._routes import router
from safetywatch.aggregator._service import Aggregator
from safetywatch.config import AreaConfig, Settings
from safetywatch.web import install_refusal_handlers

log = structlog.get_logger("safetywatch.aggregator")


def aggregator_app(aggregator: Aggregator) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await aggregator.start(stack)
            yield
        log.info("aggregator_stopped")

    app = FastAPI(title="safetywatch aggregator", lifespan=lifespan)
    app.state.aggregator = aggregator
    install_refusal_handlers(app)
    app.include_router(router)
    return app


def create_app(
    settings: Settings, area: AreaConfig, clock: Clock = lambda: datetime.now(UTC)
) -> FastAPI:
    return aggregator_app(Aggregator(settings, area, clock))
