"""The aggregator's ASGI application: query API and /metrics on one port."""

from __future__ import annotations

from fastapi import FastAPI

from safetywatch.aggregator.api import incidents, operations, statistics
from safetywatch.aggregator.clock import Clock, system_clock
from safetywatch.aggregator.service import Aggregator
from safetywatch.config import AreaConfig, Settings
from safetywatch.web import service_app


def aggregator_app(aggregator: Aggregator) -> FastAPI:
    routers = (statistics.router, incidents.router, operations.router)
    return service_app("safetywatch aggregator", aggregator, aggregator.start, routers)


def create_app(settings: Settings, area: AreaConfig, clock: Clock = system_clock) -> FastAPI:
    return aggregator_app(Aggregator(settings, area, clock))
