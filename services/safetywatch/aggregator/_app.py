"""The aggregator's ASGI application: query API and /metrics on one port."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from safetywatch.aggregator._metrics import Clock
from safetywatch.aggregator._register_routes import router as register_router
from safetywatch.aggregator._routes import router
from safetywatch.aggregator._service import Aggregator
from safetywatch.config import AreaConfig, Settings
from safetywatch.web import service_app


def aggregator_app(aggregator: Aggregator) -> FastAPI:
    routers = (router, register_router)
    return service_app("safetywatch aggregator", aggregator, aggregator.start, routers)


def create_app(
    settings: Settings, area: AreaConfig, clock: Clock = lambda: datetime.now(UTC)
) -> FastAPI:
    return aggregator_app(Aggregator(settings, area, clock))
